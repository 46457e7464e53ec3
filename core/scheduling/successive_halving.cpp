#include "core/scheduling/successive_halving.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ps {

bool promotable(double value, std::vector<double> competitors, int eta, Direction direction) {
    if (competitors.empty())
        return true;
    std::sort(competitors.begin(), competitors.end(),
              [direction](double a, double b) { return better(a, b, direction); });
    const std::size_t index = competitors.size() / static_cast<std::size_t>(eta) > 0
                                  ? competitors.size() / static_cast<std::size_t>(eta) - 1
                                  : 0;
    return !better(competitors[index], value, direction); // value at least as good
}

SuccessiveHalving::SuccessiveHalving(Direction direction, std::int64_t minResource, int eta,
                                     int minEarlyStoppingRate, std::int64_t maxResource)
    : m_direction(direction), m_min(std::max<std::int64_t>(1, minResource)),
      m_eta(std::max(2, eta)), m_s(std::max(0, minEarlyStoppingRate)), m_max(maxResource) {}

SchedulerInfo SuccessiveHalving::info() {
    SettingSpec min{"min", SettingType::Int, 1, 1, std::nullopt, {}, "steps of the lowest rung"};
    SettingSpec eta{"eta", SettingType::Int, 3, 2, 100, {}, "reduction factor between rungs"};
    SettingSpec rate{"min_early_stopping_rate",
                     SettingType::Int,
                     0,
                     0,
                     100,
                     {},
                     "s: the first rung sits at min * eta^s"};
    SettingSpec max{"max",
                    SettingType::Int,
                    0,
                    0,
                    std::nullopt,
                    {},
                    "steps of a full trial; no pruning at or past it (0: none)"};
    SettingSpec resource{
        "resource",        SettingType::String,          "epoch", std::nullopt, std::nullopt,
        {"epoch", "step"}, "what the task's steps count"};
    return {"asha",
            "asynchronous successive halving: keep the best 1/eta at each rung",
            {min, eta, rate, max, resource},
            [](const SchedulerConfig& c) {
                return std::make_unique<SuccessiveHalving>(
                    c.direction, c.options.value("min", 1), c.options.value("eta", 3),
                    c.options.value("min_early_stopping_rate", 0), c.options.value("max", 0));
            }};
}

std::int64_t SuccessiveHalving::rungStep(int rung) const {
    std::int64_t step = m_min;
    for (int i = 0; i < m_s + rung; ++i)
        step *= m_eta;
    return step;
}

int SuccessiveHalving::rungOf(std::int64_t step) const {
    for (int rung = 0;; ++rung) {
        const std::int64_t r = rungStep(rung);
        if (r == step)
            return rung;
        if (r > step || (m_max > 0 && r >= m_max))
            return -1;
    }
}

bool SuccessiveHalving::judgesAt(const Trial&, std::int64_t step) const {
    return (m_max == 0 || step < m_max) && rungOf(step) >= 0;
}

std::optional<std::string> SuccessiveHalving::judge(const Trial&, std::int64_t step, double value,
                                                    const std::vector<PeerValue>& peers) {
    if (!std::isfinite(value))
        return "value at step " + std::to_string(step) + " is not finite";
    std::vector<double> competitors = {value};
    for (const auto& p : peers) {
        if (std::isfinite(p.value))
            competitors.push_back(p.value);
    }
    if (promotable(value, competitors, m_eta, m_direction))
        return std::nullopt;
    std::ostringstream why;
    why << "value " << value << " at rung " << rungOf(step) << " (step " << step
        << ") is not among the best " << std::max<std::size_t>(1, competitors.size() / m_eta)
        << " of " << competitors.size();
    return why.str();
}

} // namespace ps
