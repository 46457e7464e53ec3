#pragma once
// A study as its file describes it, validated and with defaults filled in.

#include "core/space/constraints.h"
#include "core/space/search_space.h"

#include <string>
#include <vector>

namespace ps {

struct Objective {
    std::string metric;
    Direction direction = Direction::Minimize;
};

struct SamplerConfig {
    std::string kind = "random";
    std::uint64_t seed = 0;
    Json options = Json::object();     // the sampler's declared options, defaults filled in
    std::vector<Objective> objectives; // copied from the study: directions matter to samplers
    // Copied from the study too: an infeasible trial is never modelled as a good one.
    std::vector<Constraint> constraints;
};

// The study file's `scheduler:` section; core/scheduling turns it into a Scheduler.
struct SchedulerSection {
    std::string kind = "none";
    Json options = Json::object(); // declared options, defaults filled in
};

struct Budget {
    int trials = 10;
    int parallel = 1;          // trials running at once, which is also the number of workers
    double timeoutSeconds = 0; // 0: none
};

struct StudyConfig {
    std::string name;
    std::string description;
    std::string file;    // absolute path of the study file ("" when parsed from text)
    std::string baseDir; // folder relative paths in the file are taken from
    std::string text;    // the file's text, stored with the study
    std::string taskKind;
    Json task = Json::object(); // the task section with every default filled in
    SearchSpace space;
    std::vector<Objective> objectives;
    // `constraints:` final metrics a trial must keep within bounds to be feasible; the best
    // trial is always the best feasible one (see bestTrial in constraints.h).
    std::vector<Constraint> constraints;
    SamplerConfig sampler;
    SchedulerSection scheduler;
    Budget budget;
    int workers = 0; // executor.workers; 0 = auto (= budget.parallel)
    // executor.max_attempts: claims before a trial whose workers keep dying is failed
    int maxAttempts = 3;
    // executor.heartbeat_timeout: the silence that counts as a dead worker
    double heartbeatTimeoutSeconds = 60;
    std::string storageUrl; // absolute, e.g. "sqlite:/home/me/study.db"

    const Objective& objective() const { return objectives.front(); }
};

// The task settings of one trial: the study's task section with the trial's parameters set
// at their dotted paths.
Json taskSettingsFor(const StudyConfig& config, const Json& params);

} // namespace ps
