#pragma once
// Pareto dominance for studies with several objectives: Deb's fast non-dominated sort, crowding
// distances, and the Pareto front of a study's trials. Pure functions, shared by the NSGA-II
// sampler and the views.

#include "core/space/study_config.h"
#include "core/study/trial_list.h"

#include <cstddef>
#include <optional>
#include <vector>

namespace ps {

// True when a is no worse than b in every objective and better in at least one. Values are
// compared in their objective's direction; a non-finite value counts as the worst possible.
bool dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<Direction>& directions);

// Deb's fast non-dominated sort: the indices of `points`, grouped into fronts. Front 0 is the
// Pareto front, front k holds the points dominated only by points of fronts < k. Within a front
// indices are in increasing order. Every point must have directions.size() coordinates.
std::vector<std::vector<std::size_t>>
nonDominatedSort(const std::vector<std::vector<double>>& points,
                 const std::vector<Direction>& directions);

// The crowding distance of each point of one front (same order as `front`): the sum over
// objectives of the normalized gap between its two neighbours. Boundary points of an objective
// get infinity, so a selection by crowding always keeps the extremes.
std::vector<double> crowdingDistance(const std::vector<std::vector<double>>& front);

// The objective vector of a trial: each objective's metric from Trial::values (the first
// objective falls back to Trial::value when values lacks it); nullopt when one is missing or
// not finite. With no objectives, Trial::value alone.
std::optional<std::vector<double>> objectiveVector(const Trial& trial,
                                                   const std::vector<Objective>& objectives);

// The COMPLETE, feasible (under `constraints`) trials with every objective finite that no
// other such trial dominates, in the order of `trials`.
std::vector<Trial> paretoFront(const std::vector<Trial>& trials,
                               const std::vector<Objective>& objectives,
                               const std::vector<Constraint>& constraints = {});
// The same over shared trials (the explorer's views keep them so).
// (A name of its own: `paretoFront({}, ...)` must stay unambiguous.)
std::vector<Trial> paretoFrontShared(const TrialList& trials,
                                     const std::vector<Objective>& objectives,
                                     const std::vector<Constraint>& constraints = {});

} // namespace ps
