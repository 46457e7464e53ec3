#include "core/sampling/crossed_sampler.h"

#include "core/sampling/grid_sampler.h"
#include "core/sampling/random_sampler.h"
#include "core/sampling/sample_allowed.h"
#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace ps {

namespace {

std::vector<std::string> gridNames(const Json& options) {
    std::vector<std::string> names;
    const Json grid = options.value("grid", Json::array());
    if (grid.is_array())
        for (const auto& name : grid)
            if (name.is_string())
                names.push_back(name.get<std::string>());
    return names;
}

Json gridOptions(const Json& options) {
    return {{"points_per_float", options.value("points_per_float", 5)}};
}

} // namespace

CrossedSampler::CrossedSampler(std::uint64_t seed, const Json& options)
    : m_seed(seed), m_options(options) {}

SamplerInfo CrossedSampler::info() {
    SettingSpec grid;
    grid.path = "grid";
    grid.type = SettingType::StringList;
    grid.defaultValue = Json::array();
    grid.help = "the parameters crossed on a grid (the settings); every other parameter is "
                "drawn at random for each trial";
    SettingSpec points;
    points.path = "points_per_float";
    points.type = SettingType::Int;
    points.defaultValue = 5;
    points.min = 1;
    points.max = 1000;
    points.help = "grid points of each float grid parameter without a step, as the grid sampler";
    SettingSpec paired;
    paired.path = "paired";
    paired.type = SettingType::Bool;
    paired.defaultValue = true;
    paired.help = "replicate r draws the same random part in every setting";
    return {
        "crossed",
        "a grid over some parameters crossed with random draws of the others (METHODS 4.4)",
        {grid, points, paired},
        [](const SamplerConfig& c) { return std::make_unique<CrossedSampler>(c.seed, c.options); }};
}

SearchSpace CrossedSampler::settingsSpace(const SearchSpace& space, const Json& options,
                                          bool strict) {
    const std::vector<std::string> names = gridNames(options);
    if (names.empty() && strict)
        throw std::invalid_argument("crossed sampler: option 'grid' must name the parameters "
                                    "crossed on the grid, e.g. grid: [optimizer.lr, model.width]");
    const std::set<std::string> wanted(names.begin(), names.end());
    for (const auto& name : names)
        if (strict && !space.find(name))
            throw std::invalid_argument("crossed sampler: grid parameter '" + name +
                                        "' is not in the space");
    SearchSpace settings;
    for (const auto& p : space.params) {
        if (!wanted.contains(p.name))
            continue;
        for (const auto& [parent, value] : p.when.items())
            if (!wanted.contains(parent))
                throw std::invalid_argument("crossed sampler: grid parameter '" + p.name +
                                            "' depends on '" + parent +
                                            "', which is not in the grid: add it to grid");
        settings.params.push_back(p);
    }
    if (strict && settings.params.size() == space.params.size())
        throw std::invalid_argument("crossed sampler: the grid names every parameter, so nothing "
                                    "is left to draw at random: use the grid sampler");
    for (const auto& clause : space.forbidden) {
        bool gridOnly = true;
        for (const auto& [name, value] : clause.items())
            gridOnly = gridOnly && wanted.contains(name);
        if (gridOnly)
            settings.forbidden.push_back(clause);
    }
    return settings;
}

std::size_t CrossedSampler::settingCount(const SearchSpace& space, const Json& options) {
    return GridSampler::gridSize(settingsSpace(space, options), gridOptions(options));
}

Json CrossedSampler::sample(const SearchSpace& space, const std::vector<Trial>&, int number) {
    const SearchSpace settings = settingsSpace(space, m_options, false);
    const Json options = gridOptions(m_options);
    const std::size_t count = GridSampler::gridSize(settings, options);
    if (count == 0)
        throw std::invalid_argument("crossed sampler: every setting of the grid is forbidden");
    if (number < 0)
        throw std::invalid_argument("crossed sampler: negative trial number");
    const std::size_t setting = static_cast<std::size_t>(number) % count;
    const int replicate = static_cast<int>(static_cast<std::size_t>(number) / count);
    const Json cell = GridSampler::gridPoint(settings, options, setting);

    // The space with each grid parameter fixed to the setting's value: one mapping of unit
    // points then draws the rest, conditions included.
    SearchSpace fixed = space;
    for (auto& p : fixed.params) {
        if (!cell.contains(p.name))
            continue; // a grid parameter inactive in this setting stays inactive
        p.type = ParamType::Categorical;
        p.choices = {cell[p.name]};
    }
    const std::uint64_t stream =
        m_options.value("paired", true) ? m_seed : mixSeed(m_seed ^ (setting + 1));
    for (int attempt = 0; attempt <= kRandomTries; ++attempt) {
        const std::uint64_t seed =
            attempt == 0 ? stream
                         : mixSeed(stream ^ 0x63726f73ULL ^ static_cast<std::uint64_t>(attempt));
        Json params = paramsFromUnitPoint(
            fixed, RandomSampler::unitPoint(seed, replicate, fixed.params.size()));
        if (!space.isForbidden(params))
            return params;
    }
    throw std::runtime_error("crossed sampler: every random draw for setting " + cell.dump() +
                             " matched a forbidden clause");
}

} // namespace ps
