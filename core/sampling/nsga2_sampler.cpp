#include "core/sampling/nsga2_sampler.h"

#include "core/analysis/pareto.h"
#include "core/sampling/random_sampler.h"
#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>

namespace ps {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The coordinate in [0, 1) that paramsFromUnitPoint maps back to `value`: genes are copied
// between parents in the unit cube, so the round trip must give the parent's value again.
// NaN when the value is missing or not one of the space's (a study file edited since).
double unitOf(const ParamSpec& p, const Json& value) {
    switch (p.type) {
    case ParamType::Categorical:
    case ParamType::Ordinal: {
        for (std::size_t i = 0; i < p.choices.size(); ++i) {
            if (p.choices[i] == value)
                return (static_cast<double>(i) + 0.5) / static_cast<double>(p.choices.size());
        }
        return kNaN;
    }
    case ParamType::Float: {
        if (!value.is_number())
            return kNaN;
        const double x = value.get<double>();
        const double u =
            p.log ? (std::log(x) - std::log(p.low)) / (std::log(p.high) - std::log(p.low))
                  : (x - p.low) / (p.high - p.low);
        return std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : (p.high == p.low ? 0.5 : kNaN);
    }
    case ParamType::Int: {
        if (!value.is_number())
            return kNaN;
        const double x = value.get<double>();
        double u;
        if (p.log) {
            const double lo = std::log(p.low - 0.5 + 1e-9), hi = std::log(p.high + 0.5);
            u = (std::log(x) - lo) / (hi - lo);
        } else {
            u = (x - p.low + 0.5) / (p.high - p.low + 1);
        }
        return std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : kNaN;
    }
    }
    return kNaN;
}

std::vector<double> unitPoint(const SearchSpace& space, const Json& params) {
    std::vector<double> u(space.params.size(), kNaN);
    if (!params.is_object())
        return u;
    for (std::size_t j = 0; j < space.params.size(); ++j) {
        const auto it = params.find(space.params[j].name);
        if (it != params.end())
            u[j] = unitOf(space.params[j], *it);
    }
    return u;
}

// Optuna's SBXCrossover for one gene on [0, 1]: the two children of (x1, x2), one picked.
double sbxGene(double x1, double x2, double eta, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double lo = std::min(x1, x2), hi = std::max(x1, x2);
    const double diff = std::max(hi - lo, 1e-10);
    auto betaq = [&](double beta, double us) {
        const double alpha = 2 - std::pow(beta, -(eta + 1));
        return us > 1 / alpha ? std::pow(1 / (2 - us * alpha), 1 / (eta + 1))
                              : std::pow(us * alpha, 1 / (eta + 1));
    };
    const double us = unit(rng);
    const double c1 = 0.5 * ((lo + hi) - betaq(1 + 2 * lo / diff, us) * diff);
    const double c2 = 0.5 * ((lo + hi) + betaq(1 + 2 * (1 - hi) / diff, us) * diff);
    // As in Optuna: with probability 0.5 the gene crosses, else a parent's gene is kept.
    const bool cross = unit(rng) < 0.5;
    const bool first = unit(rng) < 0.5;
    const double x = cross ? (first ? c1 : c2) : (first ? x1 : x2);
    return std::clamp(x, 0.0, 1.0);
}

} // namespace

Nsga2Sampler::Nsga2Sampler(std::uint64_t seed, Options options, std::vector<Objective> objectives,
                           std::vector<Constraint> constraints)
    : m_seed(seed), m_options(std::move(options)), m_objectives(std::move(objectives)),
      m_constraints(std::move(constraints)) {}

SamplerInfo Nsga2Sampler::info() {
    return {
        "nsga2",
        "NSGA-II genetic algorithm for one or several objectives (Optuna NSGAIISampler defaults)",
        {
            makeSetting("population_size", SettingType::Int, 50, 2.0, std::nullopt,
                        "trials per generation; the first generation is random"),
            makeSetting(
                "crossover_prob", SettingType::Float, 0.9, 0.0, 1.0,
                "chance that a child is a crossover of two parents rather than a copy of one"),
            makeSetting(
                "mutation_prob", SettingType::Float, 0.0, 0.0, 1.0,
                "chance that a gene is redrawn at random; 0 means 1 / number of parameters"),
            makeSetting("swapping_prob", SettingType::Float, 0.5, 0.0, 1.0,
                        "uniform crossover: chance that a gene comes from the second parent"),
            makeSetting("crossover", SettingType::String, "uniform", std::nullopt, std::nullopt,
                        "uniform, or sbx (simulated binary crossover for numbers, uniform for "
                        "categoricals)",
                        {"uniform", "sbx"}),
            makeSetting("sbx_eta", SettingType::Float, 0.0, 0.0, std::nullopt,
                        "SBX distribution index; 0 means 20 for one objective, 2 for several"),
        },
        [](const SamplerConfig& c) {
            Options o;
            o.populationSize = c.options.value("population_size", o.populationSize);
            o.crossoverProb = c.options.value("crossover_prob", o.crossoverProb);
            o.mutationProb = c.options.value("mutation_prob", o.mutationProb);
            o.swappingProb = c.options.value("swapping_prob", o.swappingProb);
            o.crossover = c.options.value("crossover", o.crossover);
            o.sbxEta = c.options.value("sbx_eta", o.sbxEta);
            if (o.sbxEta <= 0)
                o.sbxEta = c.objectives.size() > 1 ? 2.0 : 20.0;
            o.populationSize = std::max(o.populationSize, 2);
            return std::make_unique<Nsga2Sampler>(c.seed, o, c.objectives, c.constraints);
        },
    };
}

std::vector<std::size_t> Nsga2Sampler::selectElite(const std::vector<std::vector<double>>& points,
                                                   const std::vector<Direction>& directions,
                                                   std::size_t size, std::vector<int>& rank,
                                                   std::vector<double>& crowding,
                                                   const std::vector<double>& violations) {
    rank.clear();
    crowding.clear();
    std::vector<std::size_t> feasible, infeasible;
    std::vector<std::pair<double, std::size_t>> violating; // (violation, index)
    std::vector<std::vector<double>> values;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (points[i].empty()) {
            infeasible.push_back(i);
        } else if (i < violations.size() && violations[i] > 0) {
            violating.emplace_back(violations[i], i);
        } else {
            feasible.push_back(i);
            values.push_back(points[i]);
        }
    }
    std::vector<std::size_t> selected;
    const auto fronts = nonDominatedSort(values, directions);
    for (std::size_t r = 0; r < fronts.size() && selected.size() < size; ++r) {
        std::vector<std::vector<double>> frontValues;
        for (std::size_t i : fronts[r])
            frontValues.push_back(values[i]);
        // Distances over the whole front, as Deb computes them, also when only part fits.
        const std::vector<double> distance = crowdingDistance(frontValues);
        std::vector<std::size_t> order(fronts[r].size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        if (selected.size() + order.size() > size) {
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return distance[a] > distance[b];
            });
            order.resize(size - selected.size());
        }
        for (std::size_t k : order) {
            selected.push_back(feasible[fronts[r][k]]);
            rank.push_back(static_cast<int>(r));
            crowding.push_back(distance[k]);
        }
    }
    // Constrained domination: an infeasible point is dominated by every feasible one, and by
    // every infeasible one with a smaller violation.
    std::stable_sort(violating.begin(), violating.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    int nextRank = static_cast<int>(fronts.size());
    for (std::size_t k = 0; k < violating.size() && selected.size() < size; ++k) {
        if (k > 0 && violating[k].first > violating[k - 1].first)
            ++nextRank;
        selected.push_back(violating[k].second);
        rank.push_back(nextRank);
        crowding.push_back(0.0);
    }
    if (!violating.empty())
        ++nextRank;
    // Failed, pruned and incomplete trials are dominated by all: parents only when too few
    // trials succeeded, so that a study with many failures still evolves.
    for (std::size_t i : infeasible) {
        if (selected.size() >= size)
            break;
        selected.push_back(i);
        rank.push_back(nextRank);
        crowding.push_back(0.0);
    }
    return selected;
}

Nsga2Sampler::Parents Nsga2Sampler::parents(const std::vector<Trial>& trials, int generation) {
    const long long end = static_cast<long long>(generation) * m_options.populationSize;
    std::vector<const Trial*> pool;
    for (const auto& t : trials) {
        if (t.number < end && isFinished(t.state) && t.params.is_object())
            pool.push_back(&t);
    }
    // Trials may come in any order; selection ties are broken by position, so fix it.
    std::sort(pool.begin(), pool.end(),
              [](const Trial* a, const Trial* b) { return a->number < b->number; });
    std::vector<std::vector<double>> points;
    std::vector<double> violations;
    std::vector<double> key{static_cast<double>(generation)};
    for (const Trial* t : pool) {
        std::vector<double> v;
        double violated = 0;
        if (t->state == TrialState::Complete) {
            if (auto o = objectiveVector(*t, m_objectives))
                v = std::move(*o);
            violated = violation(m_constraints, *t);
        }
        violations.push_back(violated);
        key.push_back(violated);
        key.push_back(t->number);
        key.push_back(static_cast<double>(v.size()));
        key.insert(key.end(), v.begin(), v.end());
        points.push_back(std::move(v));
    }
    if (key == m_cacheKey)
        return m_cache;

    std::vector<Direction> directions;
    for (const auto& o : m_objectives)
        directions.push_back(o.direction);
    if (directions.empty())
        directions.push_back(Direction::Minimize);
    Parents out;
    const std::vector<std::size_t> elite =
        selectElite(points, directions, static_cast<std::size_t>(m_options.populationSize),
                    out.rank, out.crowding, violations);
    for (std::size_t i : elite)
        out.params.push_back(pool[i]->params);
    m_cacheKey = std::move(key);
    m_cache = out;
    return out;
}

Json Nsga2Sampler::sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) {
    const int generation = number / m_options.populationSize;
    // The first generation (and any before a trial finished) is random search with the same
    // seed, so it matches `kind: random` trial for trial.
    if (generation == 0)
        return RandomSampler(m_seed).sample(space, trials, number);
    const Parents pop = parents(trials, generation);
    if (pop.params.empty())
        return RandomSampler(m_seed).sample(space, trials, number);

    std::mt19937_64 rng(
        mixSeed(mixSeed(m_seed ^ 0x4e53474132ULL) ^ static_cast<std::uint64_t>(number)));
    std::uniform_real_distribution<double> unit(0.0, 1.0);

    // Binary tournament on (rank, crowding distance); the second parent is drawn from the
    // others, as Optuna never crosses a parent with itself.
    auto tournament = [&](std::size_t excluded) {
        std::vector<std::size_t> candidates;
        for (std::size_t i = 0; i < pop.params.size(); ++i) {
            if (i != excluded)
                candidates.push_back(i);
        }
        std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
        const std::size_t a = candidates[pick(rng)], b = candidates[pick(rng)];
        if (pop.rank[b] < pop.rank[a] ||
            (pop.rank[b] == pop.rank[a] && pop.crowding[b] > pop.crowding[a]))
            return b;
        return a;
    };
    const std::size_t none = pop.params.size();
    const std::size_t first = tournament(none);
    const bool cross = pop.params.size() >= 2 && unit(rng) < m_options.crossoverProb;
    const std::size_t second = cross ? tournament(first) : first;

    const std::vector<double> u0 = unitPoint(space, pop.params[first]);
    const std::vector<double> u1 = unitPoint(space, pop.params[second]);
    const std::size_t n = space.params.size();
    const double mutation = m_options.mutationProb > 0
                                ? m_options.mutationProb
                                : 1.0 / static_cast<double>(std::max<std::size_t>(n, 1));
    const bool sbx = m_options.crossover == "sbx";

    std::vector<double> child(n);
    for (std::size_t j = 0; j < n; ++j) {
        const bool numeric = space.params[j].type != ParamType::Categorical;
        double x;
        if (cross && sbx && numeric && !std::isnan(u0[j]) && !std::isnan(u1[j])) {
            x = sbxGene(u0[j], u1[j], m_options.sbxEta, rng);
        } else {
            const bool fromSecond = cross && unit(rng) < m_options.swappingProb;
            x = fromSecond ? u1[j] : u0[j];
        }
        // Mutation redraws the gene at random, as does a gene its parent did not have (a
        // parameter that was inactive there): Optuna samples both independently.
        const bool mutate = unit(rng) < mutation;
        const double fresh = unit(rng);
        child[j] = (mutate || std::isnan(x)) ? fresh : x;
    }
    return paramsFromUnitPoint(space, child);
}

} // namespace ps
