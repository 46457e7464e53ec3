#pragma once
// Median stopping (Golovin et al. 2017; Optuna's MedianPruner): stop a trial whose value at a
// step is worse than the median of the values finished trials reported at that step.

#include "core/scheduling/scheduler.h"

namespace ps {

class MedianPruner final : public Scheduler {
public:
    explicit MedianPruner(const SchedulerConfig& config);
    static SchedulerInfo info();

    bool judgesAt(const Trial& trial, std::int64_t step) const override;
    std::optional<std::string> judge(const Trial& trial, std::int64_t step, double value,
                                     const std::vector<PeerValue>& peers) override;

private:
    Direction m_direction;
    int m_startupTrials;   // no pruning until this many trials finished
    std::int64_t m_warmup; // nor before this step
    std::int64_t m_interval;
};

} // namespace ps
