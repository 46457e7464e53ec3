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
    // The uniforms behind trial `number`'s parameters, one per parameter of a space of `size`
    // (drawn for inactive ones too). Samplers that model only some parameters take the rest
    // from here, so they agree with what random sampling would have proposed.
    static std::vector<double> unitPoint(std::uint64_t seed, int number, std::size_t size);
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

private:
    std::uint64_t m_seed;
};

} // namespace ps
