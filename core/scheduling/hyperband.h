#pragma once
// Hyperband (Li et al., JMLR 2018). bracketTable() is Algorithm 1's schedule; HyperbandPruner
// runs it asynchronously as Optuna's HyperbandPruner does: each trial is assigned a bracket by
// a stable hash of (study name, trial number) weighted by the brackets' budgets, and each
// bracket is successive halving with its own early-stopping rate, judged against the trials
// of the same bracket only.

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
    HyperbandPruner(const SchedulerConfig& config);
    static SchedulerInfo info();

    int bracketOf(int trialNumber) const;
    int bracketCount() const { return static_cast<int>(m_brackets.size()); }

    bool judgesAt(int trialNumber, std::int64_t step) const override;
    std::optional<std::string> judge(int trialNumber, std::int64_t step, double value,
                                     const std::vector<PeerValue>& peers) override;
    std::optional<int> groupOf(int trialNumber) const override { return bracketOf(trialNumber); }

private:
    std::string m_studyName;
    std::vector<SuccessiveHalving> m_brackets; // bracket b: early-stopping rate b
    std::vector<std::uint32_t> m_weights;      // budget share of each bracket
    std::uint32_t m_totalWeight = 0;
};

} // namespace ps
