#pragma once
// Scrambled Sobol' sequence (METHODS.md 5.8). Trial n gets point n of the sequence, so the first
// 2^m trials of a study form a balanced net: each coordinate puts exactly one point in every
// dyadic interval of length 2^-m. Scrambling (random linear matrix scramble plus a random
// digital shift, both seeded) keeps that balance while making the points an unbiased random
// design, and keeps trial n's parameters a function of (seed, n) alone.

#include "core/sampling/sampler.h"

#include <array>
#include <cstdint>
#include <vector>

namespace ps {

class SobolSampler final : public Sampler {
public:
    // The direction-number table covers this many dimensions (one per parameter).
    static constexpr std::size_t kMaxDimensions = 40;

    SobolSampler(std::uint64_t seed, bool scramble);
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

    // Point `index` of the (scrambled) sequence in [0,1)^dims; throws std::invalid_argument
    // when dims exceeds kMaxDimensions.
    std::vector<double> unitPoint(std::uint64_t index, std::size_t dims) const;

private:
    using Directions = std::array<std::uint32_t, 32>; // left-aligned: bit 31 is 1/2
    std::vector<Directions> m_directions;             // one per dimension, scramble applied
    std::vector<std::uint32_t> m_shifts;              // digital shift per dimension
};

} // namespace ps
