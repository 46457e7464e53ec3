#pragma once
// Hyperband (Li et al., JMLR 2018). bracketTable() is Algorithm 1's schedule; HyperbandPruner
// runs it asynchronously as Optuna's HyperbandPruner does: each new trial is assigned a
// bracket by a stable hash of (study name, trial number) weighted by the brackets' budgets,
// and each bracket is successive halving with its own early-stopping rate, judged against the
// trials of the same bracket only. The bracket is stored with the trial (Trial::system
// "group"), so raising the maximum later adds brackets and rungs without moving any trial.
//
// Kind "idhb" is the same pruner with iterative deepening (Brandt et al. 2023): see
// core/execution/deepening.h for what happens to finished trials when the maximum grows.

#include "core/scheduling/successive_halving.h"

namespace ps {

struct Rung {
    std::int64_t configs = 0; // n_i
    double resource = 0;      // r_i, in units of the task's steps
};

// Algorithm 1: s_max = floor(log_eta(R / r_min)), B = (s_max + 1) R; for s = s_max .. 0,
// n = ceil(B / R * eta^s / (s + 1)), r = R eta^-s, rungs (floor(n eta^-i), r eta^i).
// Logs are taken by repeated multiplication, so R = 81, eta = 3 gives s_max = 4 exactly.
std::vector<std::vector<Rung>> bracketTable(std::int64_t minResource, std::int64_t maxResource,
                                            int eta);

class HyperbandPruner final : public Scheduler {
public:
    HyperbandPruner(const SchedulerConfig& config, bool deepens = false);
    static SchedulerInfo info();
    static SchedulerInfo deepeningInfo(); // kind "idhb"

    // The bracket a new trial `number` gets under the current maximum.
    int bracketOf(int trialNumber) const;
    int bracketCount() const { return static_cast<int>(m_brackets.size()); }

    bool judgesAt(const Trial& trial, std::int64_t step) const override;
    std::optional<std::string> judge(const Trial& trial, std::int64_t step, double value,
                                     const std::vector<PeerValue>& peers) override;
    Json assign(int number) const override { return {{"group", bracketOf(number)}}; }
    // The stored bracket; trials stored without one (older studies) get bracketOf(number).
    // Clamped to the brackets there are, in case the maximum was lowered since.
    std::optional<int> groupOf(const Trial& trial) const override;
    std::int64_t maxResource() const override { return m_max; }
    bool deepens() const override { return m_deepens; }

private:
    int groupIndex(const Trial& trial) const { return *groupOf(trial); }

    std::string m_studyName;
    std::int64_t m_max = 0;
    bool m_deepens = false;
    std::vector<SuccessiveHalving> m_brackets; // bracket b: early-stopping rate b
    std::vector<std::uint32_t> m_weights;      // budget share of each bracket
    std::uint32_t m_totalWeight = 0;
};

} // namespace ps
