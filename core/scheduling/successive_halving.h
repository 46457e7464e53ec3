#pragma once
// Asynchronous successive halving (ASHA, Li et al. 2020) as early stopping, with Optuna's
// SuccessiveHalvingPruner rule: rung k sits at step min * eta^(s + k); a trial reaching a rung
// goes on only if its value is among the best floor(n / eta) of the n values recorded at that
// rung so far (its own included; at least the best one). No trial ever waits for another.

#include "core/scheduling/scheduler.h"

namespace ps {

class SuccessiveHalving final : public Scheduler {
public:
    SuccessiveHalving(Direction direction, std::int64_t minResource, int eta,
                      int minEarlyStoppingRate, std::int64_t maxResource = 0);
    static SchedulerInfo info();

    bool judgesAt(const Trial& trial, std::int64_t step) const override;
    std::optional<std::string> judge(const Trial& trial, std::int64_t step, double value,
                                     const std::vector<PeerValue>& peers) override;
    std::int64_t maxResource() const override { return m_max; }

    // The rung `step` is, or -1 when it is none.
    int rungOf(std::int64_t step) const;
    std::int64_t rungStep(int rung) const;

private:
    Direction m_direction;
    std::int64_t m_min;
    int m_eta;
    int m_s;
    std::int64_t m_max; // 0: no top; at and past it nothing is pruned
};

// Optuna's promotion test: is `value` within the best floor(n / eta) of `competitors` (which
// include it)? With fewer than eta competitors it must be the best of them.
bool promotable(double value, std::vector<double> competitors, int eta, Direction direction);

} // namespace ps
