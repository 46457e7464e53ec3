#pragma once
// Latin hypercube design in batches (METHODS.md 5.8). The sampler does not know the study's
// budget, so the design is cut into batches of `n_points` trials: trial n belongs to batch
// b = n / n_points and takes row i = n % n_points of that batch's Latin hypercube, whose
// dimension j places row i at (pi_bj(i) + U_bij) / n_points, pi_bj a seeded permutation and
// U_bij a seeded uniform. Every complete batch thus has exactly one point in each 1/n_points
// stratum of each dimension; a partial last batch has at most one. Everything is a function of
// (seed, n), so resumed or parallel studies propose the same points. Set n_points to the
// study's trial budget for a single hypercube over the whole study.

#include "core/sampling/sampler.h"

#include <cstdint>
#include <vector>

namespace ps {

class LhsSampler final : public Sampler {
public:
    LhsSampler(std::uint64_t seed, int pointsPerBatch);
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

    // Row `index` of the design in [0,1)^dims.
    std::vector<double> unitPoint(std::uint64_t index, std::size_t dims) const;
    int pointsPerBatch() const { return m_pointsPerBatch; }

private:
    std::uint64_t m_seed;
    int m_pointsPerBatch;
};

} // namespace ps
