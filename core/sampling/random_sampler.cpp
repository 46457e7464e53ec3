#include "core/sampling/random_sampler.h"

#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace ps {

SamplerInfo RandomSampler::info() {
    return {"random",
            "independent uniform sampling (log-uniform on log scales)",
            {},
            [](const SamplerConfig& c) { return std::make_unique<RandomSampler>(c.seed); }};
}

Json RandomSampler::sample(const SearchSpace& space, const std::vector<Trial>&, int number) {
    std::mt19937_64 rng(mixSeed(m_seed ^ mixSeed(static_cast<std::uint64_t>(number))));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // One draw per parameter, active or not, so a condition never shifts the others' values.
    std::vector<double> u(space.params.size());
    for (auto& x : u)
        x = unit(rng);
    return paramsFromUnitPoint(space, u);
}

} // namespace ps
