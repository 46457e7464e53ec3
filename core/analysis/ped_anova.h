#pragma once
// PED-ANOVA parameter importance (Watanabe, Bansal & Hutter, IJCAI 2023), as Optuna's
// PedAnovaImportanceEvaluator computes it: how differently each parameter is distributed among
// the top trials (the best `targetQuantile`) than among the trials of the local region (the
// best `regionQuantile`, by default all), measured by the Pearson chi-squared divergence
// between two 1-D Parzen estimates on a grid. A parameter the top trials pick freely from the
// region's spread gets ~0. No model is fitted: cheap at any number of trials. Pure functions;
// any thread may call them.
//
// Where this differs from Optuna, and why:
// - Inactive (NaN) cells: a parameter's densities use the rows where it is active (its top
//   rows and its region rows), and the (|top| / |region|)^2 factor uses those counts too.
//   Optuna only evaluates parameters present in every trial.
// - A float with a `step` is gridded like an unstepped one (the ParamTable does not carry the
//   step): 50 points rather than min(50, steps). Ordinals are gridded like ints over their
//   indices (Optuna has no ordinal type).
// - The grid spans the column's [low, high] widened to any value outside it.

#include "core/study/trial.h"

#include <string>
#include <vector>

namespace ps {

struct ParamTable;

struct PedAnovaOptions {
    double targetQuantile = 0.1; // gamma': the top trials
    double regionQuantile = 1.0; // gamma: the local region (1 = every trial)
    // Compare with the region's density (true) or with a uniform density over the grid, the
    // importance in the whole search space (false).
    bool evaluateOnLocal = true;
    int steps = 50;           // grid points of a numerical parameter
    double priorWeight = 1.0; // weight of the wide prior kernel in each Parzen estimate
    int minTopRows = 2;       // the top set keeps at least this many rows
    Direction direction = Direction::Minimize; // which metric values are "top"
    // Rescale to sum to 1 (all zero: uniform), as Optuna's get_param_importances does.
    bool normalize = true;
};

struct PedAnovaParam {
    std::string name;
    double importance = 0; // `divergence` scaled by (top/region)^2, normalized when asked to
    double divergence = 0; // the Pearson divergence itself
    int topRows = 0;       // top rows where the parameter is active
    int regionRows = 0;    // region rows where it is active
};

struct PedAnovaResult {
    std::string metric;
    std::vector<PedAnovaParam> params; // by importance, highest first; ties in column order
    int topRows = 0, regionRows = 0;   // sizes of the two sets
    double topCutoff = 0;              // the worst metric value among the top rows
    bool normalized = true;
};

// Throws std::invalid_argument for fewer than 2 rows, no columns, a constant metric, fewer rows
// than minTopRows, or options out of range (quantiles outside [0, 1], target > region, steps < 2).
PedAnovaResult pedAnova(const ParamTable& table, const PedAnovaOptions& options = {});

Json toJson(const PedAnovaResult& result);

} // namespace ps
