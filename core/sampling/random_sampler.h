#pragma once
// Independent uniform sampling (log-uniform for log-scale parameters). Trial n's parameters
// depend only on the seed and n, so a study resumed or run with any number of workers
// proposes the same configurations.

#include "core/sampling/sampler.h"

namespace ps {

class RandomSampler final : public Sampler {
public:
    explicit RandomSampler(std::uint64_t seed) : m_seed(seed) {}
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

private:
    std::uint64_t m_seed;
};

} // namespace ps
