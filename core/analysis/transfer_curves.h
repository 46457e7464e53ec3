#pragma once
// The muP transfer analysis (METHODS.md 3.4, 3.7): from trials that sweep a learning rate on a
// log-2 grid at several widths (or depths), the loss-vs-log2(lr) curve of each width, where
// its optimum lies, how fast that optimum moves per doubling of width (SP: left, by about
// 0.5-1 per doubling with Adam; muP: not at all), and whether wider is never worse near the
// optimum. Also the LR range test's curve in the same shape. Pure functions of their
// arguments; any thread may call them. Results are plain values.

#include "core/study/trial.h"
#include "core/train/lr_range.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace ps {

// Where the inputs are in the trials. lr and width are parameters (or metrics), loss is a
// metric; an empty loss means Trial::value (the study's first objective).
struct TransferColumns {
    std::string lr = "optimizer.lr";
    std::string width = "model.width"; // or a depth parameter
    std::string loss = "train_loss";
    // Only trials whose parameters equal all of these, e.g. {"parametrization.kind": "mup"}
    // to take one panel of a study that sweeps both parametrizations.
    Json where = Json::object();
};

struct TransferOptions {
    // METHODS 3.7: a diverged run (a FAIL trial whose reason says it diverged, or a
    // non-finite loss) counts as this loss, ln 10 (chance on 10 classes); finite losses above
    // it are clipped to it, so one exploding run cannot bend a curve further than a diverged
    // one.
    double divergedLoss = std::log(10.0);
    // Points of the parabola fitted around the best grid point: 3 (the best and its two
    // neighbours) or 5.
    int window = 3;
    // Bootstrap over seeds for the uncertainty of each optimum: every point's seed losses
    // resampled with replacement, the curve's medians, best point and parabola redone.
    int bootstrap = 200;
    std::uint64_t seed = 0;
    // Learning rates closer than this (in log2 units) are one grid point.
    double gridTolerance = 1e-6;
    // "Wider is never worse" is checked at the grid points within this many log2 units of
    // the median optimum across widths, allowing a wider model this much higher loss.
    double nearOptimum = 1.0;
    double nestTolerance = 0;
};

// One learning rate of one width.
struct TransferPoint {
    double lr = 0;
    double log2Lr = 0;
    double loss = 0;                // median over seeds, diverged seeds as divergedLoss
    std::vector<double> seedLosses; // as used for the median
    int diverged = 0;               // seeds that diverged
    std::vector<int> trialNumbers;
};

enum class OptimumKind {
    Parabola,   // the vertex of the parabola through the best point and its neighbours
    GridPoint,  // the best grid point itself: the fitted parabola was flat or concave
    AtEdge,     // the best grid point is the first or last lr: the optimum may lie beyond
    Suggestion, // the LR range test's suggested lr (lrRangeCurves only)
    None,       // every run diverged, or fewer than 3 learning rates
};
std::string_view toText(OptimumKind kind);

struct TransferCurve {
    double width = 0;
    std::vector<TransferPoint> points; // by increasing lr
    int best = -1;                     // index of the lowest median loss; -1 when none
    OptimumKind kind = OptimumKind::None;
    double optimumLog2Lr = NAN; // the fitted optimum (the best grid point unless Parabola)
    double optimumLoss = NAN;   // the parabola's value there (the best loss otherwise)
    // Bootstrap standard deviation of optimumLog2Lr over seed resamples; NaN with one seed
    // per point, or when bootstrap is 0.
    double optimumStdErr = NAN;
    int fitPoints = 0; // points in the parabola fit
    bool interior() const {
        return kind == OptimumKind::Parabola || kind == OptimumKind::GridPoint;
    }
};

// "Wider is never worse" at one learning rate (METHODS 3.4/3.7).
struct NestingCheck {
    double log2Lr = 0;
    std::vector<double> widths, losses; // the widths that ran this lr, increasing
    bool holds = true;
    // Consecutive widths where the wider one is worse: (narrow, wide) indices into widths.
    std::vector<std::pair<int, int>> violations;
};

struct TransferAnalysis {
    std::vector<TransferCurve> curves; // by increasing width
    // Least squares of the optimum's log2(lr) on log2(width) over the curves with an interior
    // optimum: slope = change of the optimum per doubling of width.
    double slope = NAN, intercept = NAN;
    double slopeStdErr = NAN;           // from the residuals (3 or more widths)
    double slopeStdErrFromOptima = NAN; // propagated from the optima's bootstrap errors
    int widthsInSlope = 0;
    // The best grid point's log2(lr) at the widest minus at the narrowest width, and the
    // range of best grid points across widths (METHODS 3.7's acceptance reads these).
    double bestShift = NAN, bestSpread = NAN;
    double referenceLog2Lr = NAN; // the median optimum the nesting checks are centred on
    std::vector<NestingCheck> nesting;
    bool widerNeverWorse = true;
    int trialsUsed = 0, trialsSkipped = 0; // skipped: other states, missing columns, `where`
    std::vector<std::string> notes;        // what could not be computed, and why
};

// Throws std::invalid_argument naming what is wrong: no trial has the lr / width column, no
// trial reported the loss, an lr or width that is not positive, fewer than 2 widths, every
// run diverged, a window other than 3 or 5.
TransferAnalysis transferCurves(const std::vector<Trial>& trials, const TransferColumns& columns,
                                const TransferOptions& options = {});

// The LR range test (METHODS 8.1) in the same shape: one curve (width 0) of smoothed loss vs
// log2(lr), the test's own suggestions (core/train/lr_range.h) beside it.
struct LrRangeAnalysis {
    TransferCurve curve;         // points carry the smoothed loss; best = its minimum
    std::vector<double> rawLoss; // the unsmoothed loss of each point
    LrSuggestions suggestions;
};

// From an lr_range trial's intermediate metrics "lr", "loss" and "smoothed_loss" (one of
// each per step; the latest attempt's). The curve's optimum is the suggestion of `rule`
// (valley, minimum or steep: the task's range.suggestion). Throws std::invalid_argument when
// a metric is missing, the rule is unknown, or too few steps remain for the suggestions.
LrRangeAnalysis lrRangeCurves(const std::vector<MetricPoint>& metrics,
                              const std::string& rule = "valley");

Json toJson(const TransferCurve& curve);
Json toJson(const TransferAnalysis& analysis);
Json toJson(const LrRangeAnalysis& analysis);

} // namespace ps
