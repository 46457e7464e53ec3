#pragma once
// Multi-fidelity scheduling as early stopping: each time a running trial reports its
// objective at a step (an epoch, say), the worker asks the study's Scheduler whether the trial
// should go on. A pruned trial ends PRUNED at once and its worker takes the next trial, so
// nothing waits on stragglers (asynchronous, as ASHA). Schedulers are registered by name and
// declare their options as data, like samplers. Called from a worker's thread; one instance
// per worker.

#include "core/space/setting_spec.h"
#include "core/study/trial.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ps {

// What another trial reported at the same step (its current attempt).
struct PeerValue {
    int number = 0;
    TrialState state = TrialState::Running;
    double value = 0;
};

struct SchedulerConfig {
    std::string kind = "none";
    Json options = Json::object(); // declared options, defaults filled in
    Direction direction = Direction::Minimize;
    std::string studyName; // bracket assignment hashes it with the trial number
};

class Scheduler {
public:
    virtual ~Scheduler() = default;
    // True when the trial's value at `step` matters to the scheduler (a rung, or every step
    // past warm-up); the worker only fetches peers and calls judge() then.
    virtual bool judgesAt(int trialNumber, std::int64_t step) const = 0;
    // The reason to stop the trial now, or nothing to let it go on. `peers` holds the values
    // every other trial reported at this same step.
    virtual std::optional<std::string> judge(int trialNumber, std::int64_t step, double value,
                                             const std::vector<PeerValue>& peers) = 0;
    // Trials judged against each other form a group (a Hyperband bracket). Samplers are shown
    // only the trials of the group a new trial falls in, so that values reached with different
    // budgets are not modelled together (as Optuna does). Nothing: one group.
    virtual std::optional<int> groupOf(int trialNumber) const {
        (void)trialNumber;
        return std::nullopt;
    }
};

struct SchedulerInfo {
    std::string kind;
    std::string description;
    std::vector<SettingSpec> options;
    std::function<std::unique_ptr<Scheduler>(const SchedulerConfig&)> make;
};

const std::vector<SchedulerInfo>& schedulerCatalog();
const SchedulerInfo* findScheduler(const std::string& kind);
std::vector<std::string> schedulerKinds();
// Null for kind "none"; throws std::invalid_argument for an unknown kind.
std::unique_ptr<Scheduler> makeScheduler(const SchedulerConfig& config);

// True when `a` is better than `b` under `direction`.
inline bool better(double a, double b, Direction direction) {
    return direction == Direction::Minimize ? a < b : a > b;
}

} // namespace ps
