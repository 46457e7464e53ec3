#pragma once
// Scaling-law fits by Chinchilla's "Approach 3" (Hoffmann et al. 2022; METHODS.md 9.2):
// L(N, D) = E + A / N^alpha + B / D^beta, or L(N) = E + A / N^alpha when there is no data-size
// column, fitted in log space with a Huber loss, L-BFGS from a grid of starts, the best kept.
// Pure functions of their arguments; any thread may call them. Results are plain values.

#include "core/analysis/lbfgs.h"
#include "core/study/trial.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ps {

// One observation. d is NaN for the one-variable form.
struct ScalingPoint {
    double n = 0;         // model size (parameters)
    double d = NAN;       // data seen (tokens, samples)
    double loss = 0;      // must be > 0: it is fitted as log L
    int trialNumber = -1; // where it came from, -1 when not from a trial
};

struct ScalingLawParams {
    double E = 0, A = 0, B = 0; // B is 0 in the one-variable form
    double alpha = 0, beta = 0; // beta is 0 in the one-variable form
    bool joint = true;          // L(N, D); false: L(N)
};

// The predicted loss at (n, d); d is ignored by the one-variable form.
double predictLoss(const ScalingLawParams& p, double n, double d = NAN);

// The compute-optimal allocation of the joint form under C = 6 N D (METHODS 9.1):
// N_opt = G (C/6)^a, D_opt = (C/6)^b / G, a = beta/(alpha+beta), b = alpha/(alpha+beta),
// G = (alpha A / (beta B))^(1/(alpha+beta)).
struct ComputeOptimal {
    double a = NAN, b = NAN, G = NAN; // the exponents and the constant
    double n = NAN, d = NAN;          // at the compute asked for
    double loss = NAN;                // predicted loss there
};
// Throws std::invalid_argument for the one-variable form (no D to trade against N) or a
// non-positive compute.
ComputeOptimal computeOptimal(const ScalingLawParams& p, double compute);

struct ScalingLawOptions {
    // Huber threshold on log-loss residuals; infinity gives least squares in log space (one of
    // the survey's pitfalls to compare against).
    double huberDelta = 1e-3;
    // The initialization grid, METHODS 9.2: 5 x 5 x 5 x 6 x 6 = 4500 starts for L(N, D),
    // 5 x 5 x 6 = 150 for L(N) (the beta and b grids unused).
    std::vector<double> alphaGrid = {0, 0.5, 1, 1.5, 2};
    std::vector<double> betaGrid = {0, 0.5, 1, 1.5, 2};
    std::vector<double> eGrid = {-1, -0.5, 0, 0.5, 1};  // log E
    std::vector<double> aGrid = {0, 5, 10, 15, 20, 25}; // log A
    std::vector<double> bGrid = {0, 5, 10, 15, 20, 25}; // log B
    // Each start's minimization. Tight on purpose: Besiroglu et al. found the original fit
    // stopped before convergence (SciPy's default relative decrease of 2.2e-9 of max(1, |f|)
    // is coarse for an objective of order 1e-3), and clean data have an optimum near 0, so
    // there is no function-decrease test. 200 iterations per start keep 4500 starts to a few
    // seconds; starts still moving then are mostly on their way to a poor local minimum.
    LbfgsOptions lbfgs = [] {
        LbfgsOptions o;
        o.gradientTolerance = 1e-10;
        o.functionTolerance = 0;
        o.maxIterations = 200;
        return o;
    }();
    // The best start is then continued for up to this many iterations (0: not at all), so
    // the per-start cap never truncates the answer.
    int polishIterations = 2000;
    // Bootstrap resamples of the points (0: none), each refitted from the full fit's optimum
    // (not from the grid), for percentile intervals.
    int bootstrap = 0;
    double confidence = 0.95;
    std::uint64_t seed = 0;
};

// The outcome of one start of the grid.
struct ScalingLawStart {
    ScalingLawParams init, fitted;
    double objective = 0;
    LbfgsStatus status = LbfgsStatus::MaxIterations;
    int iterations = 0;
    double gradientNorm = 0;
};

struct Interval {
    double low = NAN, high = NAN;
};

struct ScalingLawFit {
    ScalingLawParams params; // the best start's
    double objective = 0;    // its sum of Huber losses
    // How the best start's minimization ended. With the Huber loss the objective is only once
    // differentiable, and a fit at the limit of double precision often ends on a failed line
    // search with a tiny gradient: read gradientNorm with it.
    LbfgsStatus status = LbfgsStatus::MaxIterations;
    double gradientNorm = 0;
    int bestStart = 0; // index into starts
    std::vector<ScalingPoint> points;
    std::vector<double> predicted;       // the fitted loss at each point
    double rmsLogResidual = 0;           // sqrt(mean (log predicted - log L)^2)
    std::vector<ScalingLawStart> starts; // every start, in grid order
    // Starts whose objective is within 1e-6 (relative, or 1e-12 absolute) of the best, and
    // the spread of alpha (and beta) across all starts: how much the grid mattered.
    int startsAtBest = 0;
    double alphaMin = NAN, alphaMax = NAN, betaMin = NAN, betaMax = NAN;
    ComputeOptimal allocation; // exponents and G only (joint form); NaN otherwise
    // Bootstrap (when asked): the refitted parameters and percentile intervals.
    std::vector<ScalingLawParams> bootstrapFits;
    Interval alphaCi, betaCi, eCi, aCi; // E's interval as eCi; a = beta/(alpha+beta)
};

// Fits the points. Throws std::invalid_argument naming what is wrong: too few points (the
// joint form needs 6, the other 4), a non-positive or non-finite value, a size that takes a
// single value (the exponent cannot be identified), a mix of points with and without d.
ScalingLawFit fitScalingLaw(const std::vector<ScalingPoint>& points,
                            const ScalingLawOptions& options = {});

// Where the points come from in a study's trials. A column is a final metric (Trial::values)
// or, when no metric has that name, a numeric parameter.
struct ScalingColumns {
    std::string n;    // model size, e.g. a parameter-count metric, or model.width with nOf
    std::string d;    // data seen; empty for L(N)
    std::string loss; // e.g. val_loss
    // Optional maps from the column's value to N or D, e.g. an MLP's width to its parameter
    // count.
    std::function<double(double)> nOf, dOf;
};

// The points of the COMPLETE trials that have all the columns (others are left out).
// Throws std::invalid_argument when a column name is empty (n, loss) or no trial has it.
std::vector<ScalingPoint> scalingPoints(const std::vector<Trial>& trials,
                                        const ScalingColumns& columns);

Json toJson(const ScalingLawParams& params);
Json toJson(const ScalingLawFit& fit);

} // namespace ps
