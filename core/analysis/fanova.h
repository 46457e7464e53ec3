#pragma once
// fANOVA parameter importance (Hutter, Hoos & Leyton-Brown, ICML 2014), with the defaults of
// Optuna's FanovaImportanceEvaluator: a random forest is fitted to (parameters, metric), and
// each tree's piecewise-constant prediction is decomposed exactly over the bounded parameter
// space. A parameter's importance is the variance of its marginal (the prediction averaged
// over every other parameter) divided by the tree's total variance, averaged over the trees.
// Pure functions of their input; any thread may call them.
//
// Where this differs from Optuna, and why:
// - The space is the ParamTable's: log-scale parameters are integrated in log space (Optuna
//   integrates them on the linear scale, which gives the top decade of a learning-rate range
//   90% of the weight), and ints and ordinals are widened by half a step so each level weighs
//   the same.
// - Categorical parameters are split by subsets of their choices, and each choice is one cell
//   of weight 1/K (the original fANOVA's treatment); Optuna one-hot encodes them and integrates
//   over the 2^K corners of the one-hot cube, most of which are no choice at all.
// - Conditional parameters are kept (Optuna drops them: it uses the intersection search
//   space). The integrated space is still the product of the columns' domains, and where a
//   configuration makes a parameter inactive (its parent's choice), the trees send it the way
//   they learned to send NaN, as they would a real trial; its own value then does not matter.
//   The parents are inferred from the table (inferActivity). A column with NaN and no
//   inferable parent gets no volume for NaN: its importance is its effect where it was set.

#include "core/analysis/random_forest.h"
#include "core/study/trial.h"

#include <string>
#include <vector>

namespace ps {

struct ParamTable;

struct FanovaOptions {
    // Optuna's forest: 64 trees, max depth 64, min samples split 2, min samples leaf 1,
    // bootstrap, all columns at each split. The seed is 0 unless set (Optuna's is random).
    RandomForestOptions forest;
    // Also the pairwise (second-order) effects. Costs (cells of a) x (cells of b) per pair and
    // tree, where a column's cells number its distinct split values plus one: about 0.15 s of
    // CPU at 1,000 rows and 10 columns, 5-10 s at 10,000 rows (45 pairs, 64 trees).
    bool pairs = false;
    // Rescale the importances to sum to 1, as Optuna's get_param_importances does (all zero:
    // uniform, as there).
    bool normalize = true;
};

struct FanovaParam {
    std::string name;
    double importance = 0; // `fraction`, normalized over the parameters when asked to
    double fraction = 0;   // mean over the trees of V_param / V_tree
    double std = 0;        // the standard deviation of that fraction over the trees
};

struct FanovaPair {
    std::string first, second; // in column order
    double fraction = 0;       // mean over the trees of V_pair / V_tree (not normalized)
    double std = 0;
};

struct FanovaResult {
    std::string metric;
    std::vector<FanovaParam> params; // by importance, highest first; ties in column order
    std::vector<FanovaPair> pairs;   // by fraction, highest first; empty unless asked for
    int trees = 0;                   // trees in the forest
    int usedTrees = 0;               // trees whose prediction varies: the ones averaged
    bool normalized = true;
};

// Fits the forest and decomposes it. Throws std::invalid_argument for fewer than 2 rows, no
// columns or a constant metric (see checkImportanceInput).
FanovaResult fanova(const ParamTable& table, const FanovaOptions& options = {});

// When a column is active: while categorical column `parent` takes a choice marked 1 in
// `choices` (one entry per choice) and is itself active. parent -1: always active, or unknown.
struct ColumnActivity {
    int parent = -1;
    std::vector<char> choices;
};

// Each column's activity, read from where the table has NaN: the parent of a column with NaN
// is the first categorical column whose choice decides, in every row, whether the column is
// NaN (and that is NaN itself wherever the column is, for nested conditions). Choices never
// seen count as making the column active.
std::vector<ColumnActivity> inferActivity(const ParamTable& table);

// Decomposes an already fitted forest (its features() give the space); `names` holds one name
// per column and `activity` one entry per column, or nothing (no conditional columns). Only
// `pairs` and `normalize` of the options are read.
FanovaResult fanova(const RandomForest& forest, const std::vector<std::string>& names,
                    const FanovaOptions& options = {},
                    const std::vector<ColumnActivity>& activity = {});

Json toJson(const FanovaResult& result);

} // namespace ps
