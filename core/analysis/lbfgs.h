#pragma once
// L-BFGS (Nocedal & Wright, Algorithm 7.4/7.5) for small, smooth, unconstrained problems: the
// fits of the analyses (scaling laws) and of the GP sampler's hyperparameters. Plain
// std::vector in and out, so callers need no linear-algebra library. A pure function: any
// thread may call it, nothing is shared between calls.

#include <functional>
#include <string_view>
#include <vector>

namespace ps {

// The value at x and its gradient, written into `gradient` (already sized like x, zeroed).
// A value that is not finite (NaN, +inf) marks x as outside the function's domain: the line
// search steps back from it.
using LbfgsObjective =
    std::function<double(const std::vector<double>& x, std::vector<double>& gradient)>;

enum class LineSearch {
    // Strong Wolfe conditions, bracketing and zoom with safeguarded cubic interpolation
    // (Nocedal & Wright, Algorithms 3.5 and 3.6): steps longer than 1 when they pay, and
    // every accepted step keeps the curvature pair positive.
    StrongWolfe,
    // Armijo backtracking: halve the step from 1 until the sufficient-decrease condition
    // holds. Cheaper per iteration; what the GP sampler has always used.
    Backtracking,
};

struct LbfgsOptions {
    int memory = 10;          // curvature pairs kept (m)
    int maxIterations = 1000; // iterations, not function evaluations
    // Converged once the largest gradient component is below this (absolute: scale the
    // objective, or this, to the problem).
    double gradientTolerance = 1e-8;
    // Stalled once an iteration lowers f by less than this times max(1, |f|). 0 turns the
    // test off (fits whose optimum value is near 0 need that, METHODS 9.2).
    double functionTolerance = 1e-12;
    LineSearch lineSearch = LineSearch::StrongWolfe;
    int maxLineSearchEvaluations = 30; // per iteration
    double c1 = 1e-4;                  // sufficient decrease
    double c2 = 0.9;                   // curvature (strong Wolfe only)
};

enum class LbfgsStatus {
    GradientTolerance, // converged
    FunctionTolerance, // stalled: an iteration no longer lowers f
    MaxIterations,     // out of iterations
    LineSearchFailed,  // no acceptable step along the search direction
    NotFiniteAtStart,  // f(x0) is not finite; x0 is returned
};

std::string_view toText(LbfgsStatus status);

struct LbfgsResult {
    std::vector<double> x;   // the best point found (the last accepted iterate)
    double value = 0;        // f(x)
    double gradientNorm = 0; // largest |gradient component| at x
    int iterations = 0;
    int evaluations = 0; // calls of the objective
    LbfgsStatus status = LbfgsStatus::MaxIterations;
    bool converged() const { return status == LbfgsStatus::GradientTolerance; }
};

// Minimizes f from x0. The first step is along the steepest descent, at most of unit length;
// later steps start at the quasi-Newton step (step length 1). The iterates only go down: the
// returned point is never worse than x0.
LbfgsResult minimizeLbfgs(const LbfgsObjective& f, std::vector<double> x0,
                          const LbfgsOptions& options = {});

} // namespace ps
