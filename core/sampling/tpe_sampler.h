#pragma once
// Tree-structured Parzen Estimator, mirroring Optuna 4.x's TPESampler (v4.9 defaults; see
// METHODS.md 5.6): random sampling for the first n_startup_trials, then the finished trials
// are split into the best gamma(n) ("below", density l) and the rest ("above", density g),
// each modelled by a mixture of truncated normals (categorical kernels for choices) plus a
// prior kernel, and the next point is the candidate drawn from l with the largest
// log l(x) - log g(x). Trial n's parameters depend only on the seed, n and the trials given,
// so a resumed study proposes the same configurations.

#include "core/sampling/sampler.h"

#include <vector>

namespace ps {

class TpeSampler final : public Sampler {
public:
    struct Options {
        int nStartupTrials = 10;
        int nEiCandidates = 24;
        bool multivariate = false;
        // With multivariate: each set of parameters that share their condition (`when`) is
        // modelled jointly too, on the trials where it is active (Optuna's group=True);
        // without it, conditional parameters are modelled one by one.
        bool group = false;
        bool constantLiar = false;
        double priorWeight = 1.0;
        bool considerEndpoints = false;
        bool considerMagicClip = true;
    };

    // With constraints, trials are split feasible first, as Optuna does: "below" takes the best
    // feasible COMPLETE trials, then feasible PRUNED ones, then infeasible ones by increasing
    // violation, only while gamma(n) is not reached; the rest go "above".
    TpeSampler(std::uint64_t seed, Options options, Direction direction = Direction::Minimize,
               std::vector<Constraint> constraints = {});
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

    // Optuna's default gamma: the number of "below" trials out of n, min(ceil(0.1 n), 25).
    static int gamma(int n);
    // Optuna's default weights for n observations sorted by trial number: ones below 25, else
    // linspace(1/n, 1, n - 25) for the oldest followed by 25 ones (older trials count less).
    static std::vector<double> weights(int n);

private:
    std::uint64_t m_seed;
    Options m_options;
    Direction m_direction;
    std::vector<Constraint> m_constraints;
};

} // namespace ps
