#include "core/sampling/lhs_sampler.h"

#include "core/sampling/sobol_sampler.h" // paramsFromUnitPoint
#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ps {

namespace {

constexpr int kDefaultPoints = 16;
constexpr int kMaxPoints = 1'000'000;

// A splitmix64 stream. Hand-written rather than std::shuffle / std::uniform_*_distribution,
// whose algorithms differ between standard libraries: a study file must give the same design
// on every platform.
class Stream {
public:
    explicit Stream(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() { return m_state = mixSeed(m_state); }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; } // [0,1)
    // Uniform in [0, n); the modulo bias is below n / 2^64, negligible for n <= kMaxPoints.
    std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
    std::uint64_t m_state;
};

} // namespace

LhsSampler::LhsSampler(std::uint64_t seed, int pointsPerBatch)
    : m_seed(seed), m_pointsPerBatch(pointsPerBatch) {
    if (pointsPerBatch < 1 || pointsPerBatch > kMaxPoints)
        throw std::invalid_argument("lhs: n_points must be between 1 and " +
                                    std::to_string(kMaxPoints));
}

SamplerInfo LhsSampler::info() {
    SettingSpec points;
    points.path = "n_points";
    points.type = SettingType::Int;
    points.defaultValue = kDefaultPoints;
    points.min = 1;
    points.max = kMaxPoints;
    points.help = "trials per Latin hypercube: trials 0..n-1 form one hypercube, n..2n-1 the "
                  "next, and so on; set it to the trial budget for a single design";
    return {"lhs",
            "Latin hypercube design, in batches of n_points trials",
            {points},
            [](const SamplerConfig& c) {
                return std::make_unique<LhsSampler>(c.seed,
                                                    c.options.value("n_points", kDefaultPoints));
            }};
}

std::vector<double> LhsSampler::unitPoint(std::uint64_t index, std::size_t dims) const {
    const auto n = static_cast<std::uint64_t>(m_pointsPerBatch);
    const std::uint64_t batch = index / n, row = index % n;
    std::vector<double> u(dims);
    std::vector<std::uint64_t> perm(n);
    for (std::size_t j = 0; j < dims; ++j) {
        // The permutation depends on (seed, batch, dimension) only, so every row of the batch
        // sees the same one; each row's jitter has its own stream.
        Stream permStream(mixSeed(m_seed ^ mixSeed(batch ^ mixSeed(0x1a5ULL + j))));
        std::iota(perm.begin(), perm.end(), std::uint64_t{0});
        for (std::uint64_t i = n - 1; i > 0; --i) // Fisher-Yates
            std::swap(perm[i], perm[permStream.below(i + 1)]);
        Stream jitter(mixSeed(m_seed ^ mixSeed(batch ^ mixSeed(0x1a5ULL + j) ^ mixSeed(~row))));
        const double nd = static_cast<double>(n);
        const double top = static_cast<double>(perm[row] + 1) / nd;
        u[j] = (static_cast<double>(perm[row]) + jitter.uniform()) / nd;
        if (u[j] >= top) // rounding must not push the point into the next stratum
            u[j] = std::nextafter(top, 0.0);
    }
    return u;
}

Json LhsSampler::sample(const SearchSpace& space, const std::vector<Trial>&, int number) {
    if (number < 0)
        throw std::invalid_argument("negative trial number");
    return paramsFromUnitPoint(space,
                               unitPoint(static_cast<std::uint64_t>(number), space.params.size()));
}

} // namespace ps
