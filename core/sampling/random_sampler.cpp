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

std::vector<double> RandomSampler::unitPoint(std::uint64_t seed, int number, std::size_t size) {
    std::mt19937_64 rng(mixSeed(seed ^ mixSeed(static_cast<std::uint64_t>(number))));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // One draw per parameter, active or not, so a condition never shifts the others' values.
    std::vector<double> u(size);
    for (auto& x : u)
        x = unit(rng);
    return u;
}

Json RandomSampler::sample(const SearchSpace& space, const std::vector<Trial>&, int number) {
    return paramsFromUnitPoint(space, unitPoint(m_seed, number, space.params.size()));
}

} // namespace ps
