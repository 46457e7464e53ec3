#include "core/analysis/fanova.h"

#include "core/analysis/importance_input.h"
#include "core/analysis/param_table.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>

namespace ps {

namespace {

// A column's cells: the pieces of its domain between consecutive split values of one tree.
// Numerical: edges e_0 = low < ... < e_m = high; categorical: one cell per category.
struct Cells {
    std::vector<double> edges;   // numerical only
    std::vector<double> weights; // each cell's share of the domain
    std::size_t size() const { return weights.size(); }
};

// One condition of a column's activity: categorical `column` takes an `allowed` choice.
struct Condition {
    std::size_t column;
    std::vector<char> allowed;
};

// Per column, the conditions under which it is active (all must hold): its parent's allowed
// choices, then its parent's own conditions, and so on up. Empty: always active, or unknown.
std::vector<std::vector<Condition>> activeWhen(const std::vector<ColumnActivity>& activity,
                                               const std::vector<ForestFeature>& features) {
    std::vector<std::vector<Condition>> out(features.size());
    if (activity.empty())
        return out;
    if (activity.size() != features.size())
        throw std::invalid_argument("fanova: activity for " + std::to_string(activity.size()) +
                                    " columns, the forest has " + std::to_string(features.size()));
    for (std::size_t f = 0; f < features.size(); ++f) {
        std::size_t c = f;
        // A chain longer than the columns has a cycle: the parents cannot be right.
        for (std::size_t depth = 0; activity[c].parent >= 0; ++depth) {
            const auto parent = std::size_t(activity[c].parent);
            if (depth >= features.size() || parent >= features.size() ||
                !features[parent].categorical() ||
                activity[c].choices.size() != std::size_t(features[parent].categories))
                throw std::invalid_argument("fanova: the activity of column " + std::to_string(c) +
                                            " does not name a categorical parent's choices");
            out[f].push_back({parent, activity[c].choices});
            c = parent;
        }
    }
    return out;
}

// Everything one tree contributes, as fractions of its variance.
struct TreeEffects {
    bool used = false;
    std::vector<double> single; // per column
    std::vector<double> pair;   // per column pair (a < b), in row-major upper-triangle order
};

class TreeDecomposition {
public:
    TreeDecomposition(const RegressionTree& tree, const std::vector<ForestFeature>& features,
                      const std::vector<std::vector<Condition>>& activeWhen)
        : m_tree(tree), m_features(features), m_activeWhen(activeWhen), m_dims(features.size()) {
        buildCells();
        collectLeaves();
    }

    TreeEffects effects(bool pairs) const {
        TreeEffects out;
        double total = 0, mean = 0;
        for (std::size_t l = 0; l < m_values.size(); ++l) {
            total += m_volumes[l];
            mean += m_volumes[l] * m_values[l];
        }
        if (!(total > 0))
            return out;
        mean /= total;
        double variance = 0, scale = 0;
        for (std::size_t l = 0; l < m_values.size(); ++l) {
            variance += m_volumes[l] * (m_values[l] - mean) * (m_values[l] - mean);
            scale = std::max(scale, std::abs(m_values[l]));
        }
        variance /= total;
        // A tree that predicts one value (up to rounding) explains nothing; Optuna skips it.
        if (!(variance > 1e-24 * std::max(scale * scale, 1e-300)))
            return out;
        out.used = true;
        out.single.resize(m_dims);
        std::vector<std::vector<double>> marginals(m_dims);
        for (std::size_t f = 0; f < m_dims; ++f) {
            marginals[f] = marginal(f, total);
            out.single[f] = weightedVariance(marginals[f], m_cells[f].weights) / variance;
        }
        if (pairs) {
            for (std::size_t a = 0; a < m_dims; ++a)
                for (std::size_t b = a + 1; b < m_dims; ++b) {
                    const double joint = pairVariance(a, b, total);
                    const double v = joint - out.single[a] * variance - out.single[b] * variance;
                    out.pair.push_back(std::max(v, 0.0) / variance);
                }
        }
        return out;
    }

private:
    static double weightedVariance(const std::vector<double>& values,
                                   const std::vector<double>& weights) {
        double w = 0, m = 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            w += weights[i];
            m += weights[i] * values[i];
        }
        m /= w;
        double v = 0;
        for (std::size_t i = 0; i < values.size(); ++i)
            v += weights[i] * (values[i] - m) * (values[i] - m);
        return std::max(v / w, 0.0);
    }

    // The cells of every column: a numerical column's edges are its domain's ends and this
    // tree's split values on it (clamped into the domain), so every box bound is an edge and
    // every leaf interval a run of whole cells.
    void buildCells() {
        m_cells.assign(m_dims, {});
        for (const TreeNode& node : m_tree.nodes()) {
            if (node.isLeaf() || m_features[std::size_t(node.feature)].categorical())
                continue;
            const ForestFeature& feature = m_features[std::size_t(node.feature)];
            m_cells[std::size_t(node.feature)].edges.push_back(
                std::clamp(node.threshold, feature.low, feature.high));
        }
        for (std::size_t f = 0; f < m_dims; ++f) {
            const ForestFeature& feature = m_features[f];
            Cells& cells = m_cells[f];
            if (feature.categorical()) {
                cells.weights.assign(std::size_t(feature.categories),
                                     1.0 / double(feature.categories));
                continue;
            }
            cells.edges.insert(cells.edges.begin(), {feature.low, feature.high});
            std::sort(cells.edges.begin(), cells.edges.end());
            cells.edges.erase(std::unique(cells.edges.begin(), cells.edges.end()),
                              cells.edges.end());
            if (cells.edges.size() < 2) { // a zero-width domain: one cell
                cells.weights = {1.0};
                continue;
            }
            const double width = feature.high - feature.low;
            for (std::size_t c = 0; c + 1 < cells.edges.size(); ++c)
                cells.weights.push_back((cells.edges[c + 1] - cells.edges[c]) / width);
        }
    }

    // Each leaf's region, as boxes: per column a run of cells (numerical) or a set of
    // categories. Leaves covering no volume (the NaN-only side of a "missing or not" split of
    // a column with no known parent) are dropped: NaN is no point of the integrated space.
    // A split on a conditional column with a known parent divides its box: the part where the
    // column is active splits by value, each part where it is inactive goes, whole, the way
    // the split sends NaN. So a leaf may own several boxes.
    void collectLeaves() {
        const auto& nodes = m_tree.nodes();
        const std::size_t d = m_dims;
        m_catOffset.assign(d, 0);
        std::size_t catTotal = 0;
        for (std::size_t f = 0; f < d; ++f)
            if (m_features[f].categorical()) {
                m_catOffset[f] = catTotal;
                catTotal += std::size_t(m_features[f].categories);
            }
        m_catTotal = catTotal;
        // Boxes live in flat arrays, one slot per box; children get fresh slots.
        std::vector<std::uint32_t> lo(d, 0), hi(d);
        std::vector<char> cat(catTotal, 1);
        for (std::size_t f = 0; f < d; ++f)
            hi[f] = std::uint32_t(m_cells[f].size());
        const auto copyBox = [&](std::size_t from) {
            const std::size_t to = lo.size() / d;
            lo.resize(lo.size() + d);
            hi.resize(hi.size() + d);
            cat.resize(cat.size() + catTotal);
            std::copy_n(lo.begin() + long(from * d), d, lo.begin() + long(to * d));
            std::copy_n(hi.begin() + long(from * d), d, hi.begin() + long(to * d));
            std::copy_n(cat.begin() + long(from * catTotal), catTotal,
                        cat.begin() + long(to * catTotal));
            return to;
        };
        // Keeps the categories of `column` that `allowed` marks (or, negated, does not);
        // false when none is left.
        const auto restrict = [&](std::size_t box, std::size_t column,
                                  const std::vector<char>& allowed, bool negate) {
            char* c = &cat[box * catTotal + m_catOffset[column]];
            bool any = false;
            for (std::size_t k = 0; k < allowed.size(); ++k) {
                c[k] = char(c[k] && (allowed[k] != 0) != negate);
                any = any || c[k];
            }
            return any;
        };
        struct Pending {
            std::size_t node, box;
        };
        std::vector<Pending> stack{{0, 0}};
        while (!stack.empty()) {
            const Pending p = stack.back();
            stack.pop_back();
            const TreeNode& node = nodes[p.node];
            if (node.isLeaf()) {
                addLeaf(node.value, &lo[p.box * d], &hi[p.box * d],
                        catTotal ? &cat[p.box * catTotal] : nullptr);
                continue;
            }
            const auto f = std::size_t(node.feature);
            const auto l = std::size_t(node.left), r = std::size_t(node.right);
            std::size_t box = p.box;
            if (const auto& when = m_activeWhen[f]; !when.empty()) {
                // Inactive parts: the first t conditions hold and condition t fails.
                for (std::size_t t = 0; t < when.size(); ++t) {
                    const std::size_t part = copyBox(box);
                    bool nonEmpty = true;
                    for (std::size_t u = 0; u < t && nonEmpty; ++u)
                        nonEmpty = restrict(part, when[u].column, when[u].allowed, false);
                    if (nonEmpty&& restrict(part, when[t].column, when[t].allowed, true))
                        stack.push_back({node.missingLeft ? l : r, part});
                }
                const std::size_t active = copyBox(box);
                bool nonEmpty = true;
                for (std::size_t u = 0; u < when.size() && nonEmpty; ++u)
                    nonEmpty = restrict(active, when[u].column, when[u].allowed, false);
                if (!nonEmpty)
                    continue;
                box = active;
            }
            const std::size_t left = copyBox(box), right = copyBox(box);
            const ForestFeature& feature = m_features[f];
            if (feature.categorical()) {
                for (int k = 0; k < feature.categories; ++k) {
                    const bool goesLeft = m_tree.inLeftSet(node, k);
                    cat[(goesLeft ? right : left) * catTotal + m_catOffset[f] + std::size_t(k)] = 0;
                }
            } else if (m_cells[f].edges.size() >= 2) {
                const auto& edges = m_cells[f].edges;
                const double t = std::clamp(node.threshold, feature.low, feature.high);
                const auto at =
                    std::uint32_t(std::lower_bound(edges.begin(), edges.end(), t) - edges.begin());
                const std::uint32_t cut = std::clamp(at, lo[box * d + f], hi[box * d + f]);
                hi[left * d + f] = cut;
                lo[right * d + f] = cut;
            }
            stack.push_back({r, right});
            stack.push_back({l, left});
        }
    }

    void addLeaf(double value, const std::uint32_t* lo, const std::uint32_t* hi, const char* cat) {
        double volume = 1;
        std::vector<double>& shares = m_scratch;
        shares.resize(m_dims);
        for (std::size_t f = 0; f < m_dims; ++f) {
            const ForestFeature& feature = m_features[f];
            double share = 1;
            if (feature.categorical()) {
                const char* c = cat + m_catOffset[f];
                share =
                    double(std::count(c, c + feature.categories, 1)) / double(feature.categories);
            } else if (m_cells[f].edges.size() >= 2) {
                const auto& edges = m_cells[f].edges;
                share = (edges[hi[f]] - edges[lo[f]]) / (feature.high - feature.low);
            }
            shares[f] = share;
            volume *= share;
        }
        if (!(volume > 0))
            return;
        m_values.push_back(value);
        m_volumes.push_back(volume);
        m_shares.insert(m_shares.end(), shares.begin(), shares.end());
        m_begin.insert(m_begin.end(), lo, lo + m_dims);
        m_end.insert(m_end.end(), hi, hi + m_dims);
        if (m_catTotal)
            m_cat.insert(m_cat.end(), cat, cat + m_catTotal);
    }

    // Calls add(begin, end) for each run of cells that leaf `leaf` covers along column f.
    template <typename Add> void forRuns(std::size_t leaf, std::size_t f, Add&& add) const {
        if (!m_features[f].categorical()) {
            add(m_begin[leaf * m_dims + f], m_end[leaf * m_dims + f]);
            return;
        }
        const char* c = &m_cat[leaf * m_catTotal + m_catOffset[f]];
        const std::size_t k = m_cells[f].size();
        for (std::size_t i = 0; i < k;) {
            if (!c[i]) {
                ++i;
                continue;
            }
            std::size_t j = i + 1;
            while (j < k && c[j])
                ++j;
            add(i, j);
            i = j;
        }
    }

    // The marginal prediction of column f on each of its cells: every leaf adds its value
    // times its share of the other columns' domain to the cells it covers.
    std::vector<double> marginal(std::size_t f, double total) const {
        const std::size_t m = m_cells[f].size();
        std::vector<double> diff(m + 1, 0.0);
        for (std::size_t l = 0; l < m_values.size(); ++l) {
            const double w = m_values[l] * m_volumes[l] / m_shares[l * m_dims + f] / total;
            forRuns(l, f, [&](std::size_t begin, std::size_t end) {
                diff[begin] += w;
                diff[end] -= w;
            });
        }
        std::vector<double> out(m);
        double acc = 0;
        for (std::size_t c = 0; c < m; ++c)
            out[c] = acc += diff[c];
        return out;
    }

    // The variance of the joint marginal of columns a and b over their cell grid.
    double pairVariance(std::size_t a, std::size_t b, double total) const {
        const std::size_t ma = m_cells[a].size(), mb = m_cells[b].size();
        std::vector<double> diff((ma + 1) * (mb + 1), 0.0);
        for (std::size_t l = 0; l < m_values.size(); ++l) {
            const double share = m_shares[l * m_dims + a] * m_shares[l * m_dims + b];
            const double w = m_values[l] * m_volumes[l] / share / total;
            forRuns(l, a, [&](std::size_t a0, std::size_t a1) {
                forRuns(l, b, [&](std::size_t b0, std::size_t b1) {
                    diff[a0 * (mb + 1) + b0] += w;
                    diff[a0 * (mb + 1) + b1] -= w;
                    diff[a1 * (mb + 1) + b0] -= w;
                    diff[a1 * (mb + 1) + b1] += w;
                });
            });
        }
        for (std::size_t i = 0; i <= ma; ++i)
            for (std::size_t j = 0; j <= mb; ++j) {
                double& v = diff[i * (mb + 1) + j];
                if (i > 0)
                    v += diff[(i - 1) * (mb + 1) + j];
                if (j > 0)
                    v += diff[i * (mb + 1) + j - 1];
                if (i > 0 && j > 0)
                    v -= diff[(i - 1) * (mb + 1) + j - 1];
            }
        double w = 0, mean = 0;
        for (std::size_t i = 0; i < ma; ++i)
            for (std::size_t j = 0; j < mb; ++j) {
                const double cw = m_cells[a].weights[i] * m_cells[b].weights[j];
                w += cw;
                mean += cw * diff[i * (mb + 1) + j];
            }
        mean /= w;
        double v = 0;
        for (std::size_t i = 0; i < ma; ++i)
            for (std::size_t j = 0; j < mb; ++j) {
                const double cw = m_cells[a].weights[i] * m_cells[b].weights[j];
                const double dv = diff[i * (mb + 1) + j] - mean;
                v += cw * dv * dv;
            }
        return v / w;
    }

    const RegressionTree& m_tree;
    const std::vector<ForestFeature>& m_features;
    const std::vector<std::vector<Condition>>& m_activeWhen;
    std::size_t m_dims;
    std::vector<std::size_t> m_catOffset;
    std::size_t m_catTotal = 0;
    std::vector<double> m_scratch;
    // Per kept leaf: value, volume, per-column share and box (flat, leaf-major).
    std::vector<double> m_values, m_volumes, m_shares;
    std::vector<char> m_cat;
    std::vector<Cells> m_cells;
    std::vector<std::uint32_t> m_begin, m_end; // numerical columns: each leaf's run of cells
};

struct MeanStd {
    double mean = 0, std = 0;
};

MeanStd meanStd(const std::vector<double>& v) {
    MeanStd out;
    if (v.empty())
        return out;
    for (const double x : v)
        out.mean += x;
    out.mean /= double(v.size());
    double s = 0;
    for (const double x : v)
        s += (x - out.mean) * (x - out.mean);
    out.std = std::sqrt(s / double(v.size()));
    return out;
}

} // namespace

std::vector<ColumnActivity> inferActivity(const ParamTable& table) {
    const std::size_t d = table.dims(), n = table.rows();
    std::vector<ColumnActivity> out(d);
    for (std::size_t j = 0; j < d; ++j) {
        bool someNaN = false, someValue = false;
        for (std::size_t r = 0; r < n; ++r)
            (std::isnan(table.at(r, j)) ? someNaN : someValue) = true;
        if (!someNaN || !someValue)
            continue;
        for (std::size_t k = 0; k < d && out[j].parent < 0; ++k) {
            const ParamColumn& parent = table.columns[k];
            if (k == j || !parent.categorical() || parent.choices.empty())
                continue;
            // Per choice: -1 unseen, 0 the column is NaN with it, 1 it is set.
            std::vector<int> state(parent.choices.size(), -1);
            bool decides = true, someInactive = false;
            for (std::size_t r = 0; r < n && decides; ++r) {
                const double v = table.at(r, k);
                const bool active = !std::isnan(table.at(r, j));
                if (std::isnan(v)) { // an inactive parent makes its children inactive
                    decides = !active;
                    continue;
                }
                if (v < 0 || v >= double(state.size())) { // not an index: not a parent
                    decides = false;
                    continue;
                }
                int& s = state[std::size_t(v)];
                decides = s < 0 || s == int(active);
                s = int(active);
                someInactive = someInactive || !active;
            }
            if (!decides || !someInactive)
                continue;
            out[j].parent = int(k);
            for (const int s : state)
                out[j].choices.push_back(s != 0 ? 1 : 0); // unseen choices count as active
        }
    }
    // Parents that would form a cycle (possible only in odd data) are dropped.
    for (std::size_t j = 0; j < d; ++j) {
        std::size_t c = j, depth = 0;
        while (out[c].parent >= 0 && depth <= d) {
            c = std::size_t(out[c].parent);
            ++depth;
        }
        if (depth > d)
            out[j] = {};
    }
    return out;
}

FanovaResult fanova(const RandomForest& forest, const std::vector<std::string>& names,
                    const FanovaOptions& options, const std::vector<ColumnActivity>& activity) {
    if (!forest.fitted())
        throw std::invalid_argument("fanova: the forest is not fitted");
    const std::size_t d = forest.dims();
    if (names.size() != d)
        throw std::invalid_argument("fanova: " + std::to_string(names.size()) +
                                    " names for a forest of " + std::to_string(d) + " columns");
    const std::vector<std::vector<Condition>> when = activeWhen(activity, forest.features());
    const std::size_t nPairs = d * (d - 1) / 2;
    std::vector<std::vector<double>> single(d), pair(nPairs);
    FanovaResult result;
    result.trees = int(forest.trees().size());
    result.normalized = options.normalize;
    for (const RegressionTree& tree : forest.trees()) {
        const TreeEffects e =
            TreeDecomposition(tree, forest.features(), when).effects(options.pairs);
        if (!e.used)
            continue;
        ++result.usedTrees;
        for (std::size_t f = 0; f < d; ++f)
            single[f].push_back(e.single[f]);
        for (std::size_t p = 0; p < e.pair.size(); ++p)
            pair[p].push_back(e.pair[p]);
    }
    double sum = 0;
    for (std::size_t f = 0; f < d; ++f) {
        const MeanStd s = meanStd(single[f]);
        result.params.push_back({names[f], s.mean, s.mean, s.std});
        sum += s.mean;
    }
    if (options.normalize)
        for (FanovaParam& p : result.params)
            p.importance = sum > 0 ? p.fraction / sum : 1.0 / double(d);
    std::stable_sort(
        result.params.begin(), result.params.end(),
        [](const FanovaParam& a, const FanovaParam& b) { return a.importance > b.importance; });
    if (options.pairs) {
        std::size_t p = 0;
        for (std::size_t a = 0; a < d; ++a)
            for (std::size_t b = a + 1; b < d; ++b, ++p) {
                const MeanStd s = meanStd(pair[p]);
                result.pairs.push_back({names[a], names[b], s.mean, s.std});
            }
        std::stable_sort(
            result.pairs.begin(), result.pairs.end(),
            [](const FanovaPair& x, const FanovaPair& y) { return x.fraction > y.fraction; });
    }
    return result;
}

FanovaResult fanova(const ParamTable& table, const FanovaOptions& options) {
    detail::checkImportanceInput(table, "fanova");
    RandomForest forest;
    forest.fit(table, options.forest);
    std::vector<std::string> names;
    for (const ParamColumn& c : table.columns)
        names.push_back(c.name);
    FanovaResult result = fanova(forest, names, options, inferActivity(table));
    result.metric = table.metric;
    return result;
}

Json toJson(const FanovaResult& result) {
    Json params = Json::array();
    for (const FanovaParam& p : result.params)
        params.push_back({{"name", p.name},
                          {"importance", p.importance},
                          {"fraction", p.fraction},
                          {"std", p.std}});
    Json out = {{"method", "fanova"},
                {"metric", result.metric},
                {"trees", result.trees},
                {"used_trees", result.usedTrees},
                {"normalized", result.normalized},
                {"params", std::move(params)}};
    if (!result.pairs.empty()) {
        Json pairs = Json::array();
        for (const FanovaPair& p : result.pairs)
            pairs.push_back(
                {{"params", {p.first, p.second}}, {"fraction", p.fraction}, {"std", p.std}});
        out["pairs"] = std::move(pairs);
    }
    return out;
}

} // namespace ps
