#pragma once
// Exhaustive grid search. The grid is the cartesian product of each parameter's values: every
// choice of a categorical, every value (or every step) of an int, every step of a stepped
// float, and `points_per_float` points (log-spaced on log scales) of other floats. A
// conditional parameter multiplies only the combinations in which it is active, so the grid
// holds no duplicate configurations; points matching a forbidden clause of the space are left
// out (found by enumerating the grid, so such a grid is capped at two million points). Trial n gets
// grid point n (in a seeded order when `shuffle` is set); a trial number past the end of the grid
// is refused with std::invalid_argument.

#include "core/sampling/sampler.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ps {

class GridSampler final : public Sampler {
public:
    GridSampler(std::uint64_t seed, const Json& options);
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

    // The number of allowed points of the grid `options` (the sampler's options; missing ones
    // take their defaults) makes of `space`; saturates at SIZE_MAX. Throws
    // std::invalid_argument when forbidden points would have to be filtered from too many.
    static std::size_t gridSize(const SearchSpace& space, const Json& options);
    // Grid point `index` < gridSize in enumeration order (no shuffle); first parameter slowest.
    static Json gridPoint(const SearchSpace& space, const Json& options, std::size_t index);

private:
    // The enumeration indices of the allowed points of `space`, cached across trials.
    const std::vector<std::size_t>& allowed(const SearchSpace& space);

    std::uint64_t m_seed;
    Json m_options;
    std::string m_allowedKey;
    std::vector<std::size_t> m_allowed;
};

} // namespace ps
