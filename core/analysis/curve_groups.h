#pragma once
// Learning curves of groups of trials: the trials are grouped by the values of some parameters
// (a schedule, a learning rate), the others (seeds) are averaged over, and each group gets,
// per step of a reported metric, the mean, standard deviation, minimum and maximum, and the
// mean and standard deviation of its final value. This is how a one-cycle run is set against
// a constant learning rate over several seeds (METHODS 8.3), and what the views draw as a band.
// Pure functions; any thread.

#include "core/study/trial.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ps {

struct CurveGroupOptions {
    std::string metric; // the reported (intermediate) metric
    // Parameters whose values make a group; empty: every parameter the chosen trials vary,
    // except those in `average`.
    std::vector<std::string> group;
    std::vector<std::string> average = {"seed"}; // parameters averaged over
    Json where = Json::object();                 // only trials with these parameter values
};

struct CurveGroup {
    std::string key; // "schedule.kind=onecycle, optimizer.lr=0.1"; "all trials" without groups
    Json values = Json::object(); // the group's parameter values
    std::vector<int> trials;      // trial numbers
    std::vector<std::int64_t> steps;
    std::vector<double> mean, sd, min, max; // per step, over the trials that reported it
    std::vector<int> count;
    // The final value (the trial's final metric, else its last reported point) over trials.
    double finalMean = 0, finalSd = 0;
    int finalCount = 0;
};

struct CurveGroups {
    std::string metric;
    std::vector<std::string> group; // the grouping parameters used
    std::vector<CurveGroup> groups; // in order of their first trial
};

// Groups the COMPLETE trials of `trials` that match `options.where` and reported
// `options.metric`; `metricsOf` returns a trial's reported points (of every attempt: the
// latest attempt's value is kept per step). Throws std::invalid_argument naming what is
// missing: no such trial, an unknown grouping parameter.
CurveGroups curveGroups(const std::vector<Trial>& trials,
                        const std::function<std::vector<MetricPoint>(const Trial&)>& metricsOf,
                        const CurveGroupOptions& options);

Json toJson(const CurveGroups& groups);

} // namespace ps
