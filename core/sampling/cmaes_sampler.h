#pragma once
// CMA-ES (Hansen, "The CMA Evolution Strategy: A Tutorial", 2016, default parameters, full
// covariance, no active update) over the unit cube of the unconditional float and int
// parameters; log-scale parameters live in log space through the unit mapping. Categorical
// and conditional parameters are not modelled: they take RandomSampler's values for the trial.
//
// The sampler keeps no state that the trials do not imply, so a resumed study (a new
// instance) proposes the same points: after the first n_startup_trials (random), generation g
// is the trials numbered [s + g*lambda, s + (g+1)*lambda), s = n_startup_trials, and the
// distribution is updated once per generation, in order, as soon as all of that generation's
// trials are finished. The replayed states are cached between calls.

#include "core/sampling/sampler.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace ps {

class CmaEsSampler final : public Sampler {
public:
    struct Options {
        double sigma0 = 0.2; // initial step size, in unit-cube units
        int nStartupTrials = 1;
    };

    // The tutorial's default strategy parameters for dimension n.
    struct Params {
        int lambda = 0, mu = 0;
        std::vector<double> weights; // mu positive weights summing to 1
        double muEff = 0, cSigma = 0, dSigma = 0, cC = 0, c1 = 0, cMu = 0;
        double chiN = 0; // E||N(0, I)||
    };
    static Params defaultParams(int n);

    // Infeasible trials (constraints) rank with the failed ones: worst, never as good.
    CmaEsSampler(std::uint64_t seed, Options options, Direction direction = Direction::Minimize,
                 std::vector<Constraint> constraints = {});
    ~CmaEsSampler() override;
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

private:
    struct State;
    // The distribution after replaying every finished generation before `generation`.
    const State& stateFor(const std::vector<std::size_t>& dims, const SearchSpace& space,
                          const std::vector<const Trial*>& byNumber, int generation);

    std::uint64_t m_seed;
    Options m_options;
    Direction m_direction;
    std::vector<Constraint> m_constraints;
    // Cache: the modelled parameters' names it was built for, the state after k generations
    // (m_states[k]) and a fingerprint of each replayed generation's trials, so a history that
    // changed (or another study's) invalidates exactly the generations it touches.
    std::vector<std::string> m_cacheDims;
    std::vector<std::unique_ptr<State>> m_states;
    std::vector<std::size_t> m_genHash;
};

} // namespace ps
