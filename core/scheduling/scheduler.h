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
    int group = -1; // its Trial::system "group"; -1 when it has none
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
    virtual bool judgesAt(const Trial& trial, std::int64_t step) const = 0;
    // The reason to stop the trial now, or nothing to let it go on. `peers` holds the values
    // every other trial reported at this same step.
    virtual std::optional<std::string> judge(const Trial& trial, std::int64_t step, double value,
                                             const std::vector<PeerValue>& peers) = 0;

    // What Trial::system of new trial `number` starts with: its group, where the scheduler
    // has groups. Stored with the trial, so a schedule that changes later (a raised maximum)
    // never moves trials that exist.
    virtual Json assign(int number) const {
        (void)number;
        return Json::object();
    }
    // Trials judged against each other form a group (a Hyperband bracket). Samplers are shown
    // only the trials of the group a new trial falls in, so that values reached with different
    // budgets are not modelled together (as Optuna does). Nothing: one group.
    virtual std::optional<int> groupOf(const Trial& trial) const {
        (void)trial;
        return std::nullopt;
    }

    // The steps a full trial runs, where the scheduler knows it (0: it does not).
    virtual std::int64_t maxResource() const { return 0; }
    // True for iterative deepening: when a study resumes with a larger maximum, the trials
    // that completed under the smaller one are judged at their last step and the promoted
    // ones continue from their checkpoints instead of starting over (see deepening.h).
    virtual bool deepens() const { return false; }
};

// The trials of `trials` that a sampler proposing trial `number` may see: those of its group.
std::vector<Trial> samplerHistory(const Scheduler* scheduler, const std::vector<Trial>& trials,
                                  int number);
// The values `rows` (a Storage::stepValues answer) hold for trials other than `self`.
template <typename Rows> std::vector<PeerValue> peersOf(const Rows& rows, int self) {
    std::vector<PeerValue> peers;
    peers.reserve(rows.size());
    for (const auto& r : rows) {
        if (r.number != self)
            peers.push_back({r.number, r.state, r.value, r.group});
    }
    return peers;
}

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
