#pragma once
// Constraint metrics of a study (`constraints:` in the study file) and what follows from them:
// how far a trial is from feasible, and which trial is the best feasible one. Pure functions,
// callable from any thread; no Qt.

#include "core/study/trial.h"
#include "core/study/trial_list.h"

#include <optional>
#include <string>
#include <vector>

namespace ps {

// A final metric that must stay within [min, max] (either bound may be absent).
struct Constraint {
    std::string metric;
    std::optional<double> min, max;
};

// 0 when `trial` satisfies every constraint; else the summed amounts by which its final values
// miss their bounds. A constraint metric missing from Trial::values (or not a number) makes the
// violation +inf. No constraints: always 0.
double violation(const std::vector<Constraint>& constraints, const Trial& trial);
inline bool isFeasible(const std::vector<Constraint>& constraints, const Trial& trial) {
    return violation(constraints, trial) == 0.0;
}

// The best COMPLETE, feasible trial by its first-objective value (Trial::value) in `direction`;
// ties go to the lower trial number. Null when there is none. Every "best so far" in ParamScope
// (CLI, status bar, history plot, trial table, ask/tell) goes through this, so none of them
// ever reports an infeasible trial.
const Trial* bestTrial(const std::vector<Trial>& trials, Direction direction,
                       const std::vector<Constraint>& constraints);
// The same over shared trials (TrialList::pointers(), what the explorer's views keep); a name
// of its own, so that `bestTrial({}, ...)` stays unambiguous.
const Trial* bestSharedTrial(const std::vector<TrialPtr>& trials, Direction direction,
                             const std::vector<Constraint>& constraints);
// The same test for one trial against the best value so far, for views that keep a running best.
bool isBetter(double value, const std::optional<double>& best, Direction direction);

} // namespace ps
