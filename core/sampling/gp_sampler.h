#pragma once
// Gaussian-process Bayesian optimization after Optuna's GPSampler (v4.9), METHODS 5.7:
// parameters in the unit cube (log scales through the unit mapping, ints as continuous values
// rounded on the way out), first-objective values standardized (negated to maximize), an ARD
// Matern-5/2 kernel with a kernel scale and a noise variance fitted by MAP (Optuna's priors)
// with L-BFGS on the log-parameters (on at most 160 points: the best half and an even spread
// of the rest), and log EI maximized over 2048 seeded stratified random candidates followed by
// projected gradient ascent from the best 10 and the incumbent.
//
// Unconditional categorical parameters are modelled as Optuna does: one dimension holding the
// choice index, whose kernel distance is the Hamming indicator (0 when equal, else 1 scaled
// by that dimension's inverse squared lengthscale); the local search tries every choice.
// Conditional parameters are not modelled: they take RandomSampler's values for the trial, as
// with the CMA-ES sampler. Pending (WAITING/RUNNING) trials enter the posterior with the best
// observed standardized value (constant liar) and the hyperparameters fitted without them;
// FAIL and PRUNED trials are ignored.
//
// Every proposal is a function of the seed, the trial number and the history alone (the fit
// always starts from the same point; the candidate stream is seeded per trial), so a resumed
// study proposes the same points.

#include "core/sampling/sampler.h"

#include <cstdint>
#include <vector>

namespace ps {

class GpSampler final : public Sampler {
public:
    struct Options {
        int nStartupTrials = 10;
        bool deterministicObjective = false; // noise fixed at the minimum 1e-6
    };

    // Infeasible COMPLETE trials (constraints) are modelled at the worst feasible value seen
    // (by violation when none is feasible): never as good.
    GpSampler(std::uint64_t seed, Options options, Direction direction = Direction::Minimize,
              std::vector<Constraint> constraints = {});
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

private:
    std::uint64_t m_seed;
    Options m_options;
    Direction m_direction;
    std::vector<Constraint> m_constraints;
};

// The model pieces, exposed for tests (plain vectors: Eigen stays private to ps_core).
namespace gp {

struct Hyper {
    std::vector<double> invSqLengthscales; // lambda_j = 1 / l_j^2, one per dimension
    double scale = 1.0;                    // kernel scale s
    double noise = 1e-6;                   // noise variance
};

// Matern-5/2 correlation at squared scaled distance r2: (1 + sqrt5 r + 5 r^2/3) exp(-sqrt5 r).
double matern52(double r2);

// Posterior mean and variance (of the latent function, without the noise) at `query`, for
// data rows `x` with values `y`; dimensions flagged in `categorical` use the Hamming distance.
struct Posterior {
    std::vector<double> mean, variance;
};
Posterior posterior(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                    const std::vector<bool>& categorical, const Hyper& hyper,
                    const std::vector<std::vector<double>>& query);

// log(phi(z) + z Phi(z)), finite for every finite z (asymptotic series far in the left tail);
// log EI = log sigma + logH((f* - mu) / sigma) for minimization.
double logH(double z);

// MAP hyperparameters for standardized data (Optuna's priors), L-BFGS from lambda = 1,
// s = 1, noise = 0.01 (or the minimum noise, fixed, when `deterministic`).
Hyper fit(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
          const std::vector<bool>& categorical, bool deterministic);

} // namespace gp

} // namespace ps
