#include "core/scheduling/hyperband.h"

#include <algorithm>
#include <stdexcept>

namespace ps {

namespace {

// floor(log_eta(x)) for x >= 1, by repeated multiplication: exact where floating logs are not
// (log(243) / log(3) is 4.999...).
int floorLog(std::int64_t x, int eta) {
    int k = 0;
    std::int64_t p = eta;
    while (p <= x) {
        ++k;
        p *= eta;
    }
    return k;
}

std::int64_t power(int eta, int k) {
    std::int64_t p = 1;
    for (int i = 0; i < k; ++i)
        p *= eta;
    return p;
}

// FNV-1a: stable across runs, platforms and library versions, unlike std::hash.
std::uint32_t stableHash(const std::string& text) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : text) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

} // namespace

std::vector<std::vector<Rung>> bracketTable(std::int64_t minResource, std::int64_t maxResource,
                                            int eta) {
    if (minResource < 1 || maxResource < minResource || eta < 2)
        throw std::invalid_argument("hyperband needs 1 <= min <= max and eta >= 2");
    const double R = static_cast<double>(maxResource) / static_cast<double>(minResource);
    const int sMax = floorLog(maxResource / minResource, eta);
    std::vector<std::vector<Rung>> table;
    for (int s = sMax; s >= 0; --s) {
        // n = ceil((s_max + 1) eta^s / (s + 1)) in integers
        const std::int64_t n = ((sMax + 1) * power(eta, s) + s) / (s + 1);
        const double r = R / static_cast<double>(power(eta, s));
        std::vector<Rung> bracket;
        for (int i = 0; i <= s; ++i)
            bracket.push_back({n / power(eta, i), r * static_cast<double>(power(eta, i)) *
                                                      static_cast<double>(minResource)});
        table.push_back(std::move(bracket));
    }
    return table;
}

HyperbandPruner::HyperbandPruner(const SchedulerConfig& config, bool deepens)
    : m_studyName(config.studyName), m_deepens(deepens) {
    const std::int64_t min = config.options.value("min", 1);
    const std::int64_t max = config.options.value("max", 27);
    m_max = max;
    const int eta = config.options.value("eta", 3);
    if (min < 1 || max < min || eta < 2)
        throw std::invalid_argument("hyperband needs 1 <= min <= max and eta >= 2");
    const int n = floorLog(max / min, eta) + 1;
    for (int b = 0; b < n; ++b) {
        m_brackets.emplace_back(config.direction, min, eta, b, max);
        const int s = n - 1 - b;
        // ceil(n eta^s / (s + 1)): brackets get trials in proportion to their budgets
        m_weights.push_back(static_cast<std::uint32_t>((n * power(eta, s) + s) / (s + 1)));
        m_totalWeight += m_weights.back();
    }
}

SchedulerInfo HyperbandPruner::info() {
    SettingSpec min{"min", SettingType::Int, 1, 1, std::nullopt, {}, "steps of the lowest rung"};
    SettingSpec max{"max", SettingType::Int, 27, 1, std::nullopt, {}, "steps of a full trial"};
    SettingSpec eta{"eta", SettingType::Int, 3, 2, 100, {}, "reduction factor between rungs"};
    SettingSpec resource{
        "resource",        SettingType::String,          "epoch", std::nullopt, std::nullopt,
        {"epoch", "step"}, "what the task's steps count"};
    return {"hyperband",
            "Hyperband: successive halving in brackets of different aggressiveness",
            {min, max, eta, resource},
            [](const SchedulerConfig& c) { return std::make_unique<HyperbandPruner>(c); }};
}

SchedulerInfo HyperbandPruner::deepeningInfo() {
    SchedulerInfo info = HyperbandPruner::info();
    info.kind = "idhb";
    info.description = "iterative deepening Hyperband: raise max later and the best finished "
                       "trials continue from their checkpoints instead of starting over";
    info.make = [](const SchedulerConfig& c) {
        return std::make_unique<HyperbandPruner>(c, /*deepens=*/true);
    };
    return info;
}

int HyperbandPruner::bracketOf(int trialNumber) const {
    std::uint32_t x = stableHash(m_studyName + "_" + std::to_string(trialNumber)) % m_totalWeight;
    for (std::size_t b = 0; b < m_weights.size(); ++b) {
        if (x < m_weights[b])
            return static_cast<int>(b);
        x -= m_weights[b];
    }
    return static_cast<int>(m_weights.size()) - 1;
}

std::optional<int> HyperbandPruner::groupOf(const Trial& trial) const {
    const auto it = trial.system.find("group");
    if (it == trial.system.end() || !it->is_number_integer())
        return bracketOf(trial.number);
    return std::clamp(it->get<int>(), 0, bracketCount() - 1);
}

bool HyperbandPruner::judgesAt(const Trial& trial, std::int64_t step) const {
    return m_brackets[static_cast<std::size_t>(groupIndex(trial))].judgesAt(trial, step);
}

std::optional<std::string> HyperbandPruner::judge(const Trial& trial, std::int64_t step,
                                                  double value,
                                                  const std::vector<PeerValue>& peers) {
    const int bracket = groupIndex(trial);
    std::vector<PeerValue> same;
    for (const auto& p : peers) {
        Trial peer;
        peer.number = p.number;
        if (p.group >= 0)
            peer.system["group"] = p.group;
        if (*groupOf(peer) == bracket)
            same.push_back(p);
    }
    auto why = m_brackets[static_cast<std::size_t>(bracket)].judge(trial, step, value, same);
    if (why)
        *why = "bracket " + std::to_string(bracket) + ": " + *why;
    return why;
}

} // namespace ps
