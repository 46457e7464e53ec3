#pragma once
// How each parameter alone moves with the metric: Pearson's and Spearman's correlation, and
// for categorical parameters (whose indices have no order) the correlation ratio eta. The
// quickest importance there is, and a sanity check on the model-based ones; it sees only
// monotone (Spearman) or linear (Pearson) effects. Pure functions; any thread may call them.

#include "core/study/trial.h"

#include <string>
#include <vector>

namespace ps {

struct ParamTable;

struct ParamCorrelation {
    std::string name;
    // Over the rows where the parameter is active (NaN cells skipped). NaN when undefined:
    // fewer than 2 such rows, a parameter or a metric constant over them, or a categorical
    // parameter (pearson, spearman) or a numerical one (eta).
    double pearson = 0;
    double spearman = 0; // Pearson's correlation of the ranks, ties given their mean rank
    double eta = 0;      // categorical: sqrt(between-choice variance / total variance), in [0, 1]
    int rows = 0;        // rows where the parameter is active
};

struct CorrelationResult {
    std::string metric;
    std::vector<ParamCorrelation> params; // in column order
};

// Throws std::invalid_argument for fewer than 2 rows, no columns or a constant metric.
CorrelationResult correlations(const ParamTable& table);

// Undefined values are written as null.
Json toJson(const CorrelationResult& result);

} // namespace ps
