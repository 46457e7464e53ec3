#include "core/sampling/random_sampler.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace ps {

namespace {

// splitmix64: turns (seed, trial number) into well-mixed stream seeds.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double snap(double x, double low, double high, std::optional<double> step) {
    if (!step)
        return x;
    const double k = std::round((x - low) / *step);
    const double maxK = std::floor((high - low) / *step + 1e-9);
    return low + std::clamp(k, 0.0, maxK) * *step;
}

} // namespace

SamplerInfo RandomSampler::info() {
    return {"random",
            "independent uniform sampling (log-uniform on log scales)",
            {},
            [](const SamplerConfig& c) { return std::make_unique<RandomSampler>(c.seed); }};
}

Json RandomSampler::sample(const SearchSpace& space, const std::vector<Trial>&, int number) {
    std::mt19937_64 rng(mix(m_seed ^ mix(static_cast<std::uint64_t>(number))));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Json params = Json::object();
    // Parameters are declared parents first (the parser checks), so conditions can be
    // evaluated in order.
    for (const auto& p : space.params) {
        const double u = unit(rng); // drawn even when inactive: keeps later draws stable
        if (!SearchSpace::isActive(p, params))
            continue;
        switch (p.type) {
        case ParamType::Float: {
            double x = p.log ? std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)))
                             : p.low + u * (p.high - p.low);
            params[p.name] = std::clamp(snap(x, p.low, p.high, p.step), p.low, p.high);
            break;
        }
        case ParamType::Int: {
            double x;
            if (p.log) {
                const double lo = std::log(p.low - 0.5 + 1e-9), hi = std::log(p.high + 0.5);
                x = std::exp(lo + u * (hi - lo));
            } else {
                x = p.low - 0.5 + u * (p.high - p.low + 1);
            }
            double v = std::clamp(std::round(x), p.low, p.high);
            v = snap(v, p.low, p.high, p.step);
            params[p.name] = static_cast<std::int64_t>(v);
            break;
        }
        case ParamType::Categorical: {
            auto idx = static_cast<std::size_t>(u * static_cast<double>(p.choices.size()));
            params[p.name] = p.choices[std::min(idx, p.choices.size() - 1)];
            break;
        }
        }
    }
    return params;
}

} // namespace ps
