#include "core/sampling/grid_sampler.h"

#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

namespace ps {

namespace {

constexpr int kDefaultPointsPerFloat = 5;
constexpr std::size_t kSaturated = std::numeric_limits<std::size_t>::max();
constexpr std::size_t kMaxFiltered = 2'000'000;

std::size_t satMul(std::size_t a, std::size_t b) {
    if (a != 0 && b > kSaturated / a)
        return kSaturated;
    return a * b;
}

std::size_t satAdd(std::size_t a, std::size_t b) {
    return b > kSaturated - a ? kSaturated : a + b;
}

// The grid of one space under given options. Values are computed on demand rather than stored:
// an int or stepped range may be long, and only the counts are needed to size the grid.
class Grid {
public:
    Grid(const SearchSpace& space, const Json& options)
        : m_space(space),
          m_pointsPerFloat(std::max(1, options.value("points_per_float", kDefaultPointsPerFloat))) {
        // Parameters named in some condition: their value decides what follows, so counting
        // must branch on them; every other parameter just multiplies.
        std::set<std::string> parents;
        for (const auto& p : space.params) {
            for (const auto& [name, wanted] : p.when.items())
                parents.insert(name);
        }
        for (const auto& p : space.params)
            m_isParent.push_back(parents.count(p.name) > 0);
    }

    // Points before forbidden combinations are removed.
    std::size_t rawSize() const {
        Json params = Json::object();
        return countFrom(0, params);
    }

    // The enumeration indices of the points no forbidden clause matches, in order. The
    // forbidden points are found by enumerating the whole grid, so its size is capped.
    std::vector<std::size_t> allowedIndices() const {
        const std::size_t raw = rawSize();
        if (raw > kMaxFiltered)
            throw std::invalid_argument(
                "the grid has " +
                (raw == kSaturated ? std::string("too many") : std::to_string(raw)) +
                " points before forbidden combinations are removed, more than the " +
                std::to_string(kMaxFiltered) + " that can be filtered: make the grid coarser");
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < raw; ++i) {
            if (!m_space.isForbidden(rawPoint(i)))
                out.push_back(i);
        }
        return out;
    }

    Json rawPoint(std::size_t index) const {
        Json params = Json::object();
        for (std::size_t i = 0; i < m_space.params.size(); ++i) {
            const ParamSpec& p = m_space.params[i];
            if (!SearchSpace::isActive(p, params))
                continue;
            if (!m_isParent[i]) {
                // Mixed radix: the combinations below do not depend on this value.
                const std::size_t below = countFrom(i + 1, params);
                params[p.name] = valueAt(p, below == 0 ? 0 : index / below);
                index = below == 0 ? 0 : index % below;
                continue;
            }
            const std::size_t n = valueCount(p);
            for (std::size_t k = 0; k < n; ++k) {
                params[p.name] = valueAt(p, k);
                const std::size_t below = countFrom(i + 1, params);
                if (index < below)
                    break;
                index -= below;
            }
        }
        return params;
    }

private:
    std::size_t countFrom(std::size_t i, Json& params) const {
        if (i == m_space.params.size())
            return 1;
        const ParamSpec& p = m_space.params[i];
        if (!SearchSpace::isActive(p, params))
            return countFrom(i + 1, params);
        if (!m_isParent[i])
            return satMul(valueCount(p), countFrom(i + 1, params));
        std::size_t total = 0;
        const std::size_t n = valueCount(p);
        for (std::size_t k = 0; k < n; ++k) {
            params[p.name] = valueAt(p, k);
            total = satAdd(total, countFrom(i + 1, params));
        }
        params.erase(p.name);
        return total;
    }

    std::size_t stepCount(const ParamSpec& p, double step) const {
        const double k = std::floor((p.high - p.low) / step + 1e-9);
        if (!(k >= 0))
            return 1;
        return k >= 1e18 ? kSaturated : static_cast<std::size_t>(k) + 1;
    }

    std::size_t valueCount(const ParamSpec& p) const {
        switch (p.type) {
        case ParamType::Categorical:
        case ParamType::Ordinal:
            return p.choices.size();
        case ParamType::Int:
            return stepCount(p, p.step.value_or(1.0));
        case ParamType::Float:
            if (p.step)
                return stepCount(p, *p.step);
            return p.high > p.low ? static_cast<std::size_t>(m_pointsPerFloat) : 1;
        }
        return 1;
    }

    Json valueAt(const ParamSpec& p, std::size_t k) const {
        switch (p.type) {
        case ParamType::Categorical:
        case ParamType::Ordinal:
            return p.choices.at(k);
        case ParamType::Int:
            return static_cast<std::int64_t>(
                std::llround(p.low + static_cast<double>(k) * p.step.value_or(1.0)));
        case ParamType::Float: {
            if (p.step)
                return std::min(p.high, p.low + static_cast<double>(k) * *p.step);
            const std::size_t n = valueCount(p);
            if (n == 1) // a single point: the middle (geometric middle on a log scale)
                return p.log ? std::sqrt(p.low * p.high) : 0.5 * (p.low + p.high);
            if (k == 0)
                return p.low; // exact ends, free of rounding in exp(log(x))
            if (k + 1 == n)
                return p.high;
            const double t = static_cast<double>(k) / static_cast<double>(n - 1);
            const double x =
                p.log ? std::exp(std::log(p.low) + t * (std::log(p.high) - std::log(p.low)))
                      : p.low + t * (p.high - p.low);
            return std::clamp(x, p.low, p.high);
        }
        }
        return nullptr;
    }

    const SearchSpace& m_space;
    int m_pointsPerFloat;
    std::vector<bool> m_isParent;
};

// A seeded bijection of [0, size): a 4-round Feistel network on the smallest even number of
// bits covering size, cycle-walked until the result falls inside. No table of size entries, so
// huge grids shuffle as cheaply as small ones.
std::size_t shuffledIndex(std::size_t index, std::size_t size, std::uint64_t seed) {
    if (size <= 1)
        return index;
    const unsigned bits = static_cast<unsigned>(std::bit_width(size - 1));
    const unsigned half = std::max(1u, (bits + 1) / 2);
    const std::uint64_t mask = (std::uint64_t{1} << half) - 1;
    auto permute = [&](std::uint64_t x) {
        std::uint64_t left = x >> half, right = x & mask;
        for (std::uint64_t round = 0; round < 4; ++round) {
            const std::uint64_t f = mixSeed(seed ^ mixSeed(right ^ (round << 56))) & mask;
            const std::uint64_t next = left ^ f;
            left = right;
            right = next;
        }
        return (left << half) | right;
    };
    std::uint64_t x = index;
    do {
        x = permute(x);
    } while (x >= size);
    return static_cast<std::size_t>(x);
}

} // namespace

GridSampler::GridSampler(std::uint64_t seed, const Json& options)
    : m_seed(seed), m_options(options) {}

SamplerInfo GridSampler::info() {
    SettingSpec points;
    points.path = "points_per_float";
    points.type = SettingType::Int;
    points.defaultValue = kDefaultPointsPerFloat;
    points.min = 1;
    points.max = 1000;
    points.help = "grid points of each float parameter without a step, ends included "
                  "(log-spaced on log scales; one point: the middle)";
    SettingSpec truncate;
    truncate.path = "truncate";
    truncate.type = SettingType::Bool;
    truncate.defaultValue = false;
    truncate.help = "allow a trial budget smaller than the grid: only the first trials of the "
                    "grid (a seeded random subset with shuffle) run; otherwise such a study is "
                    "refused";
    SettingSpec shuffle;
    shuffle.path = "shuffle";
    shuffle.type = SettingType::Bool;
    shuffle.defaultValue = false;
    shuffle.help = "visit the grid in a seeded random order instead of parameter by parameter";
    return {
        "grid",
        "exhaustive grid over every parameter's values",
        {points, truncate, shuffle},
        [](const SamplerConfig& c) { return std::make_unique<GridSampler>(c.seed, c.options); }};
}

std::size_t GridSampler::gridSize(const SearchSpace& space, const Json& options) {
    const Grid grid(space, options);
    return space.forbidden.empty() ? grid.rawSize() : grid.allowedIndices().size();
}

Json GridSampler::gridPoint(const SearchSpace& space, const Json& options, std::size_t index) {
    const Grid grid(space, options);
    return grid.rawPoint(space.forbidden.empty() ? index : grid.allowedIndices().at(index));
}

const std::vector<std::size_t>& GridSampler::allowed(const SearchSpace& space) {
    // Keyed by everything the grid depends on, so an edited space is filtered again.
    Json key = Json::array();
    for (const auto& p : space.params)
        key.push_back(Json{{"n", p.name},
                           {"t", static_cast<int>(p.type)},
                           {"l", p.low},
                           {"h", p.high},
                           {"g", p.log},
                           {"s", p.step ? Json(*p.step) : Json()},
                           {"c", p.choices},
                           {"w", p.when}});
    key.push_back(space.forbidden);
    std::string text = key.dump();
    if (text != m_allowedKey) {
        m_allowed = Grid(space, m_options).allowedIndices();
        m_allowedKey = std::move(text);
    }
    return m_allowed;
}

Json GridSampler::sample(const SearchSpace& space, const std::vector<Trial>&, int number) {
    const Grid grid(space, m_options);
    const std::vector<std::size_t>* allowedPoints =
        space.forbidden.empty() ? nullptr : &allowed(space);
    const std::size_t size = allowedPoints ? allowedPoints->size() : grid.rawSize();
    if (number < 0 || static_cast<std::size_t>(number) >= size)
        throw std::invalid_argument("grid sampler: trial " + std::to_string(number) +
                                    " is past the end of the grid (" + std::to_string(size) +
                                    " points)");
    std::size_t index = static_cast<std::size_t>(number);
    if (m_options.value("shuffle", false))
        index = shuffledIndex(index, size, mixSeed(m_seed ^ 0x9a1dULL));
    return grid.rawPoint(allowedPoints ? (*allowedPoints)[index] : index);
}

} // namespace ps
