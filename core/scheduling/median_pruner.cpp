#include "core/scheduling/median_pruner.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ps {

MedianPruner::MedianPruner(const SchedulerConfig& config)
    : m_direction(config.direction), m_startupTrials(config.options.value("n_startup_trials", 5)),
      m_warmup(config.options.value("n_warmup_steps", 0)),
      m_interval(std::max<std::int64_t>(1, config.options.value("interval_steps", 1))) {}

SchedulerInfo MedianPruner::info() {
    auto opt = [](std::string path, double def, std::string help) {
        SettingSpec s;
        s.path = std::move(path);
        s.type = SettingType::Int;
        s.defaultValue = static_cast<std::int64_t>(def);
        s.min = 0;
        s.help = std::move(help);
        return s;
    };
    return {"median",
            "stop a trial worse than the median of finished trials at the same step",
            {opt("n_startup_trials", 5, "finished trials before any pruning"),
             opt("n_warmup_steps", 0, "steps of each trial before it can be pruned"),
             opt("interval_steps", 1, "judge every this many steps")},
            [](const SchedulerConfig& c) { return std::make_unique<MedianPruner>(c); }};
}

bool MedianPruner::judgesAt(const Trial&, std::int64_t step) const {
    return step > m_warmup && (step - m_warmup) % m_interval == 0;
}

std::optional<std::string> MedianPruner::judge(const Trial&, std::int64_t step, double value,
                                               const std::vector<PeerValue>& peers) {
    std::vector<double> finished;
    for (const auto& p : peers) {
        if (isFinished(p.state) && std::isfinite(p.value))
            finished.push_back(p.value);
    }
    if (static_cast<int>(finished.size()) < std::max(1, m_startupTrials))
        return std::nullopt;
    if (!std::isfinite(value))
        return "value at step " + std::to_string(step) + " is not finite";
    std::sort(finished.begin(), finished.end());
    const std::size_t n = finished.size();
    const double median = n % 2 ? finished[n / 2] : 0.5 * (finished[n / 2 - 1] + finished[n / 2]);
    if (!better(median, value, m_direction))
        return std::nullopt;
    std::ostringstream why;
    why << "value " << value << " at step " << step << " is worse than the median " << median
        << " of " << n << " finished trials";
    return why.str();
}

} // namespace ps
