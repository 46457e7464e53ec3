#pragma once
// A regression random forest: CART trees grown on bootstrap samples by variance reduction, the
// surrogate model behind fANOVA (which reads the trees' partitions) and LIME (which only calls
// predict). Fit on one thread; a fitted forest is immutable, so any number of threads may
// predict from it and read its trees at once.
//
// Splits, and why:
// - Numerical columns: `x <= threshold` goes left, the threshold halfway between two adjacent
//   distinct training values (as sklearn does). The search is sort-based on presorted columns,
//   O(columns x rows) per tree level, so 10,000 rows x 10 columns x 64 trees fit in about a
//   second on one core.
// - Categorical columns are split by subsets, not as ordered indices: the categories present in
//   the node are sorted by their mean y and the best prefix of that order is taken, which is the
//   exact best subset for squared error (Breiman et al. 1984, section 9.4). Ordered indices
//   would make a category's importance depend on the arbitrary order of its choices. A
//   category absent from the node's training rows goes to the side with more training weight.
// - Missing cells (NaN: an inactive conditional parameter) are a value of their own: each split
//   learns which side they go to (the better of the two), as sklearn >= 1.3 and XGBoost do; a
//   node may also split "NaN or not" (threshold +inf: every number goes left, NaN right, and the
//   right child covers no volume of the parameter space). Such a split ties with a split on
//   the column that makes the parameter inactive (its parent); on a tie the parent's split
//   wins, so that fANOVA credits the parent rather than a region of no volume.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ps {

struct ParamTable;

enum class FeatureKind { Numerical, Categorical };

// A column of the forest's input and its domain, the bounded space fANOVA integrates over.
struct ForestFeature {
    FeatureKind kind = FeatureKind::Numerical;
    // Numerical: the domain [low, high]; fit widens it to cover every training value, so
    // low = high = 0 means "the range of the data".
    double low = 0, high = 0;
    int categories = 0; // Categorical: values are the indices 0 .. categories - 1
    bool categorical() const { return kind == FeatureKind::Categorical; }
};

struct RandomForestOptions {
    int trees = 64;
    int maxDepth = 64;        // the root is depth 0
    int minSamplesSplit = 2;  // distinct training rows a node needs to be split
    int minSamplesLeaf = 1;   // distinct training rows each child must keep
    double maxFeatures = 1.0; // fraction of the columns tried at each node (at least one)
    bool bootstrap = true;    // each tree sees n rows drawn with replacement
    std::uint64_t seed = 0;   // tree t draws from a stream seeded by (seed, t)
    int threads = 1;          // trees fitted in parallel; the result does not depend on it
};

struct TreeNode {
    int feature = -1;          // the split column, -1 for a leaf
    int left = -1, right = -1; // children (indices into RegressionTree::nodes())
    double threshold = 0;      // numerical split: x <= threshold goes left
    int categorySet = -1;      // categorical split: offset of the left set's bit words
    bool missingLeft = false;  // where NaN goes
    double value = 0;  // bootstrap-weighted mean y of its training rows: a leaf's prediction
    double weight = 0; // training rows that reached it, bootstrap counts included
    bool isLeaf() const { return feature < 0; }
};

// A node's region of the domain: per column an interval (numerical; low > high never happens,
// an empty side has low == high) or the set of categories (categorical).
struct TreeBox {
    std::vector<double> low, high;             // numerical columns (unused entries for others)
    std::vector<std::vector<char>> categories; // categorical columns: 1 for each category in it
};

class RegressionTree {
public:
    const std::vector<TreeNode>& nodes() const { return m_nodes; }
    // True when category `c` goes left at categorical split `node`.
    bool inLeftSet(const TreeNode& node, int c) const;
    // Where a row's value goes at a split node.
    bool goesLeft(const TreeNode& node, double value) const;
    int leafOf(const double* row) const; // the index of the leaf a row reaches
    double predict(const double* row) const { return m_nodes[std::size_t(leafOf(row))].value; }
    // The region each node covers, indexed like nodes(), for a domain with these columns.
    std::vector<TreeBox> boxes(const std::vector<ForestFeature>& features) const;

private:
    friend class TreeBuilder;
    std::vector<TreeNode> m_nodes;
    std::vector<std::uint64_t> m_categoryWords;
    std::vector<int> m_categories; // per column: its categories, 0 for numerical columns
};

class RandomForest {
public:
    // Fits to `x` (row-major, y.size() rows x features.size() columns; NaN = missing) and `y`
    // (finite). Throws std::invalid_argument for shapes that do not match, no rows, no columns,
    // a non-finite y, or a categorical value that is not an index below `categories`.
    void fit(const std::vector<double>& x, const std::vector<double>& y,
             const std::vector<ForestFeature>& features, const RandomForestOptions& options = {});
    // The same on a ParamTable, with forestFeatures(table) as the columns.
    void fit(const ParamTable& table, const RandomForestOptions& options = {});

    // The mean of the trees' predictions for one row of dims() values.
    double predict(const double* row) const;
    // One prediction per row of `rows` (row-major, a multiple of dims() values).
    std::vector<double> predict(const std::vector<double>& rows) const;

    std::size_t dims() const { return m_features.size(); }
    bool fitted() const { return !m_trees.empty(); }
    const std::vector<RegressionTree>& trees() const { return m_trees; }
    // The columns with their domains as fitted (widened to the training data).
    const std::vector<ForestFeature>& features() const { return m_features; }

private:
    std::vector<ForestFeature> m_features;
    std::vector<RegressionTree> m_trees;
};

// The forest's view of a ParamTable's columns: categorical columns split by subsets of their
// choices; float, int and ordinal columns numerical, on the domain [low, high] of the column
// (log space where the column is), widened by half a step for ints and ordinals so that every
// level gets the same share of it.
std::vector<ForestFeature> forestFeatures(const ParamTable& table);

} // namespace ps
