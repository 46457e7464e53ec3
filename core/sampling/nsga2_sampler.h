#pragma once
// NSGA-II (Deb et al. 2002) as Optuna's NSGAIISampler runs it: generations of population_size
// trials, parents chosen by binary tournament on (rank, crowding distance) from an elitist
// population, uniform or SBX crossover and per-parameter mutation in the unit cube of
// unit_mapping.h. With one objective it is a plain genetic algorithm.
//
// Stateless: trial n belongs to generation n / population_size, and the parent population of
// generation g is selected from the finished trials numbered below g * population_size. Every
// random draw of trial n comes from a stream seeded by (seed, n), so a resumed study proposes
// the same configurations for the same history.

#include "core/sampling/sampler.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ps {

class Nsga2Sampler final : public Sampler {
public:
    struct Options {
        int populationSize = 50;
        double crossoverProb = 0.9;
        double mutationProb = 0.0;         // 0: 1 / number of parameters (Optuna's None)
        double swappingProb = 0.5;         // uniform crossover: chance to take a gene from parent 2
        std::string crossover = "uniform"; // "uniform" or "sbx" (floats and ints only)
        double sbxEta = 20.0;              // SBX distribution index (Optuna's default)
    };

    // With constraints, selection uses Deb's constrained domination: feasible trials first
    // (by non-domination and crowding), then infeasible ones by increasing violation.
    Nsga2Sampler(std::uint64_t seed, Options options, std::vector<Objective> objectives,
                 std::vector<Constraint> constraints = {});
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

    // The elitist selection of NSGA-II: indices of `points` (objective vectors; nullopt-like
    // empty vectors mean infeasible and rank after every feasible point) in order of preference,
    // at most `size` of them, filled front by front and the last front by crowding distance.
    // rank and crowding receive each selected point's front index and crowding distance.
    // `violations` (empty, or one per point) marks points that break constraints: they rank
    // after every feasible point, the least violating first (Deb's constrained domination),
    // and before the empty ones.
    static std::vector<std::size_t> selectElite(const std::vector<std::vector<double>>& points,
                                                const std::vector<Direction>& directions,
                                                std::size_t size, std::vector<int>& rank,
                                                std::vector<double>& crowding,
                                                const std::vector<double>& violations = {});

private:
    std::uint64_t m_seed;
    Options m_options;
    std::vector<Objective> m_objectives;
    std::vector<Constraint> m_constraints;

    // The parent population of the last generation asked for, reused while the history it was
    // selected from is unchanged: every trial of a generation needs the same one.
    struct Parents {
        std::vector<Json> params;
        std::vector<int> rank;
        std::vector<double> crowding;
    };
    std::vector<double> m_cacheKey;
    Parents m_cache;

    Parents parents(const std::vector<Trial>& trials, int generation);
};

} // namespace ps
