#include "core/analysis/random_forest.h"

#include "core/analysis/param_table.h"
#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>

namespace ps {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// splitmix64 as a generator: small, fast, and the same stream on every platform (the standard
// distributions are not).
class SplitMix {
public:
    explicit SplitMix(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform on [0, n); the modulo bias is below n / 2^64.
    std::size_t below(std::size_t n) { return std::size_t(next() % n); }

private:
    std::uint64_t m_state;
};

std::size_t wordsFor(int categories) {
    return (std::size_t(categories) + 63) / 64;
}

// What fit() prepares once for every tree.
struct ForestData {
    std::size_t rows = 0, dims = 0;
    const std::vector<double>* x = nullptr;
    std::vector<double> y; // centred on its mean, for a well-conditioned split criterion
    double yMean = 0;
    const std::vector<ForestFeature>* features = nullptr;
    std::vector<std::vector<int>> order; // numerical columns: rows by value, NaN last
    double value(std::size_t row, std::size_t f) const { return (*x)[row * dims + f]; }
};

struct Side {
    double w = 0, s = 0; // bootstrap weight and weighted sum of y
    int n = 0;           // distinct rows
    double score() const { return w > 0 ? s * s / w : 0; }
};

struct Split {
    int feature = -1;
    double threshold = 0;
    bool missingLeft = false;
    bool nanOnly = false; // separates the NaN rows from all the others
    double score = -kInf;
    std::vector<char> leftMask; // categorical: 1 for each category that goes left
    int leftRows = 0;
};

} // namespace

// Grows one tree. Presorted columns: each numerical column keeps its node's rows as one
// contiguous, value-sorted segment, and a split stably partitions every segment, so no node
// sorts anything.
class TreeBuilder {
public:
    TreeBuilder(const ForestData& data, const RandomForestOptions& options)
        : m_data(data), m_options(options), m_numerical(data.dims), m_goLeft(data.rows),
          m_weight(data.rows), m_stat(data.rows) {
        for (std::size_t f = 0; f < data.dims; ++f)
            if ((*data.features)[f].categorical())
                m_maxCategories = std::max(m_maxCategories, (*data.features)[f].categories);
        m_catW.resize(std::size_t(m_maxCategories));
        m_catS.resize(std::size_t(m_maxCategories));
        m_catN.resize(std::size_t(m_maxCategories));
    }

    RegressionTree build(std::uint64_t seed) {
        SplitMix rng(seed);
        const std::size_t n = m_data.rows, d = m_data.dims;
        std::fill(m_weight.begin(), m_weight.end(), 0.0);
        if (m_options.bootstrap)
            for (std::size_t i = 0; i < n; ++i)
                m_weight[rng.below(n)] += 1;
        else
            std::fill(m_weight.begin(), m_weight.end(), 1.0);

        m_rows.clear();
        for (std::size_t r = 0; r < n; ++r) {
            m_stat[r] = {m_weight[r], m_weight[r] * m_data.y[r], m_data.y[r]};
            if (m_weight[r] > 0)
                m_rows.push_back(int(r));
        }
        for (std::size_t f = 0; f < d; ++f) {
            auto& col = m_numerical[f];
            col.clear();
            if ((*m_data.features)[f].categorical())
                continue;
            for (const int r : m_data.order[f])
                if (m_weight[std::size_t(r)] > 0)
                    col.push_back({m_data.value(std::size_t(r), f), r});
        }
        m_scratchRows.resize(m_rows.size());
        m_scratchEntries.resize(m_rows.size());

        m_tree = RegressionTree();
        for (const ForestFeature& feature : *m_data.features)
            m_tree.m_categories.push_back(feature.categorical() ? feature.categories : 0);
        m_tree.m_nodes.emplace_back();
        struct Pending {
            int node, begin, end, depth;
        };
        std::vector<Pending> stack{{0, 0, int(m_rows.size()), 0}};
        m_featureOrder.resize(d);
        while (!stack.empty()) {
            const Pending p = stack.back();
            stack.pop_back();
            Side all;
            double lo = kInf, hi = -kInf;
            for (int i = p.begin; i < p.end; ++i) {
                const auto r = std::size_t(m_rows[std::size_t(i)]);
                const RowStat& st = m_stat[r];
                all.w += st.w;
                all.s += st.wy;
                lo = std::min(lo, st.y);
                hi = std::max(hi, st.y);
            }
            all.n = p.end - p.begin;
            {
                TreeNode& node = m_tree.m_nodes[std::size_t(p.node)];
                node.value = all.s / all.w + m_data.yMean;
                node.weight = all.w;
            }
            if (all.n < m_options.minSamplesSplit || all.n < 2 * m_options.minSamplesLeaf ||
                p.depth >= m_options.maxDepth || lo == hi)
                continue;
            const Split split = bestSplit(p.begin, p.end, all, rng);
            if (split.feature < 0)
                continue;
            const int left = int(m_tree.m_nodes.size());
            {
                TreeNode node = m_tree.m_nodes[std::size_t(p.node)];
                node.feature = split.feature;
                node.threshold = split.threshold;
                node.missingLeft = split.missingLeft;
                node.left = left;
                node.right = left + 1;
                if ((*m_data.features)[std::size_t(split.feature)].categorical())
                    node.categorySet = leftSet(split);
                m_tree.m_nodes[std::size_t(p.node)] = node;
            }
            m_tree.m_nodes.emplace_back();
            m_tree.m_nodes.emplace_back();
            partition(p.begin, p.end, m_tree.m_nodes[std::size_t(p.node)]);
            const int mid = p.begin + split.leftRows;
            stack.push_back({left + 1, mid, p.end, p.depth + 1});
            stack.push_back({left, p.begin, mid, p.depth + 1});
        }
        return std::move(m_tree);
    }

private:
    struct Entry {
        double v;
        int row;
    };

    // The score a candidate must beat. A split of NaN from numbers ties with the split on
    // the column that makes the parameter inactive (its parent); on a tie the real split wins,
    // so that fANOVA, which gives NaN no volume, credits the parent.
    static double toBeat(const Split& best, bool nanOnly) {
        if (best.feature < 0 || nanOnly == best.nanOnly)
            return best.score;
        const double tolerance = 1e-9 * std::abs(best.score) + 1e-300;
        return nanOnly ? best.score + tolerance : best.score - tolerance;
    }

    // Considers both places for the missing rows and keeps the better valid split; true when
    // `best` changed.
    bool consider(Split& best, const Side& left, const Side& right, const Side& missing,
                  int feature, double threshold, bool nanOnly = false) const {
        const int minLeaf = m_options.minSamplesLeaf;
        bool improved = false;
        auto offer = [&](const Side& l, const Side& r, bool missingLeft) {
            if (l.n < minLeaf || r.n < minLeaf)
                return;
            const double score = l.score() + r.score();
            if (score > toBeat(best, nanOnly)) {
                best.score = score;
                best.feature = feature;
                best.threshold = threshold;
                best.missingLeft = missingLeft;
                best.nanOnly = nanOnly;
                best.leftRows = l.n;
                best.leftMask.clear();
                improved = true;
            }
        };
        if (missing.n == 0) {
            // No NaN seen here: a NaN met later follows the heavier side, as in sklearn.
            offer(left, right, left.w >= right.w);
            return improved;
        }
        offer(left, Side{right.w + missing.w, right.s + missing.s, right.n + missing.n}, false);
        if (!nanOnly)
            offer(Side{left.w + missing.w, left.s + missing.s, left.n + missing.n}, right, true);
        return improved;
    }

    // Returns false when the column is constant in the node (no split exists on it).
    bool searchNumerical(int f, int begin, int end, const Side& all, Split& best) const {
        const auto& col = m_numerical[std::size_t(f)];
        int nanBegin = end;
        while (nanBegin > begin && std::isnan(col[std::size_t(nanBegin - 1)].v))
            --nanBegin;
        Side missing, present;
        for (int i = nanBegin; i < end; ++i) {
            const RowStat& st = m_stat[std::size_t(col[std::size_t(i)].row)];
            missing.w += st.w;
            missing.s += st.wy;
        }
        missing.n = end - nanBegin;
        if (nanBegin == begin)
            return false; // all missing
        const bool constant = col[std::size_t(begin)].v == col[std::size_t(nanBegin - 1)].v;
        if (constant && missing.n == 0)
            return false;
        present.w = all.w - missing.w;
        present.s = all.s - missing.s;
        present.n = nanBegin - begin;
        // The hot loop: running sums and the score of each cut position, both places for
        // the missing rows; the best position alone goes through consider().
        const int minLeaf = m_options.minSamplesLeaf;
        double wl = 0, sl = 0, bestScore = toBeat(best, false);
        int bestAt = -1;
        for (int i = begin; i + 1 < nanBegin; ++i) {
            const Entry& e = col[std::size_t(i)];
            const RowStat& st = m_stat[std::size_t(e.row)];
            wl += st.w;
            sl += st.wy;
            if (!(e.v < col[std::size_t(i + 1)].v))
                continue;
            const int nl = i + 1 - begin, nr = present.n - nl;
            const double wr = present.w - wl, sr = present.s - sl;
            if (nl >= minLeaf && nr + missing.n >= minLeaf) {
                const double score =
                    sl * sl / wl + (sr + missing.s) * (sr + missing.s) / (wr + missing.w);
                if (score > bestScore) {
                    bestScore = score;
                    bestAt = i;
                }
            }
            if (missing.n > 0 && nl + missing.n >= minLeaf && nr >= minLeaf) {
                const double score =
                    (sl + missing.s) * (sl + missing.s) / (wl + missing.w) + sr * sr / wr;
                if (score > bestScore) {
                    bestScore = score;
                    bestAt = i;
                }
            }
        }
        if (bestAt >= 0) {
            Side left;
            for (int i = begin; i <= bestAt; ++i) {
                const RowStat& st = m_stat[std::size_t(col[std::size_t(i)].row)];
                left.w += st.w;
                left.s += st.wy;
            }
            left.n = bestAt + 1 - begin;
            const double v = col[std::size_t(bestAt)].v, next = col[std::size_t(bestAt + 1)].v;
            double threshold = 0.5 * (v + next);
            if (threshold == next) // no double strictly between them
                threshold = v;
            const Side right{present.w - left.w, present.s - left.s, present.n - left.n};
            consider(best, left, right, missing, f, threshold);
        }
        if (missing.n > 0) // numbers left, NaN right
            consider(best, present, Side{}, missing, f, kInf, true);
        return true;
    }

    bool searchCategorical(int f, int begin, int end, Split& best) {
        const int k = (*m_data.features)[std::size_t(f)].categories;
        std::fill_n(m_catW.begin(), k, 0.0);
        std::fill_n(m_catS.begin(), k, 0.0);
        std::fill_n(m_catN.begin(), k, 0);
        Side missing;
        for (int i = begin; i < end; ++i) {
            const auto r = std::size_t(m_rows[std::size_t(i)]);
            const double v = m_data.value(r, std::size_t(f));
            const RowStat& st = m_stat[r];
            if (std::isnan(v)) {
                missing.w += st.w;
                missing.s += st.wy;
                ++missing.n;
                continue;
            }
            const auto c = std::size_t(v);
            m_catW[c] += st.w;
            m_catS[c] += st.wy;
            ++m_catN[c];
        }
        std::vector<int> present;
        for (int c = 0; c < k; ++c)
            if (m_catN[std::size_t(c)] > 0)
                present.push_back(c);
        if (present.empty() || (present.size() == 1 && missing.n == 0))
            return false;
        std::sort(present.begin(), present.end(), [&](int a, int b) {
            const double ma = m_catS[std::size_t(a)] / m_catW[std::size_t(a)];
            const double mb = m_catS[std::size_t(b)] / m_catW[std::size_t(b)];
            return ma < mb || (ma == mb && a < b);
        });
        Side all;
        for (const int c : present) {
            all.w += m_catW[std::size_t(c)];
            all.s += m_catS[std::size_t(c)];
            all.n += m_catN[std::size_t(c)];
        }
        Side left;
        for (std::size_t j = 0; j < present.size(); ++j) {
            const auto c = std::size_t(present[j]);
            left.w += m_catW[c];
            left.s += m_catS[c];
            left.n += m_catN[c];
            const bool whole = j + 1 == present.size();
            if (whole && missing.n == 0)
                break;
            const bool improved =
                whole // every category left, NaN right
                    ? consider(best, left, Side{}, missing, f, 0, true)
                    : consider(best, left, Side{all.w - left.w, all.s - left.s, all.n - left.n},
                               missing, f, 0);
            if (improved) {
                // Categories absent from the node's rows join the side with more weight.
                const double wLeft = left.w + (best.missingLeft ? missing.w : 0);
                const bool absentLeft = wLeft >= all.w + missing.w - wLeft;
                best.leftMask.assign(std::size_t(k), char(absentLeft));
                for (const int q : present)
                    best.leftMask[std::size_t(q)] = 0;
                for (std::size_t i = 0; i <= j; ++i)
                    best.leftMask[std::size_t(present[i])] = 1;
            }
        }
        return true;
    }

    Split bestSplit(int begin, int end, const Side& all, SplitMix& rng) {
        const std::size_t d = m_data.dims;
        std::iota(m_featureOrder.begin(), m_featureOrder.end(), 0);
        const auto wanted =
            std::max<std::size_t>(1, std::size_t(m_options.maxFeatures * double(d) + 1e-9));
        Split best;
        std::size_t tried = 0;
        for (std::size_t i = 0; i < d && tried < wanted; ++i) {
            std::swap(m_featureOrder[i], m_featureOrder[i + rng.below(d - i)]);
            const int f = m_featureOrder[i];
            const bool varies = (*m_data.features)[std::size_t(f)].categorical()
                                    ? searchCategorical(f, begin, end, best)
                                    : searchNumerical(f, begin, end, all, best);
            if (varies) // constant columns do not count against max_features, as in sklearn
                ++tried;
        }
        return best;
    }

    // Stores the left set of a categorical split as bit words.
    int leftSet(const Split& split) {
        const std::size_t offset = m_tree.m_categoryWords.size();
        m_tree.m_categoryWords.resize(offset + wordsFor(int(split.leftMask.size())), 0);
        for (std::size_t c = 0; c < split.leftMask.size(); ++c)
            if (split.leftMask[c])
                m_tree.m_categoryWords[offset + c / 64] |= std::uint64_t(1) << (c % 64);
        return int(offset);
    }

    void partition(int begin, int end, const TreeNode& node) {
        const auto f = std::size_t(node.feature);
        for (int i = begin; i < end; ++i) {
            const auto r = std::size_t(m_rows[std::size_t(i)]);
            m_goLeft[r] = m_tree.goesLeft(node, m_data.value(r, f)) ? 1 : 0;
        }
        auto stable = [&](auto& v, auto& scratch, auto rowOf) {
            std::size_t l = std::size_t(begin), s = 0;
            for (int i = begin; i < end; ++i) {
                const auto& e = v[std::size_t(i)];
                if (m_goLeft[std::size_t(rowOf(e))])
                    v[l++] = e;
                else
                    scratch[s++] = e;
            }
            std::copy_n(scratch.begin(), s, v.begin() + long(l));
        };
        stable(m_rows, m_scratchRows, [](int r) { return r; });
        for (std::size_t g = 0; g < m_data.dims; ++g)
            if (!(*m_data.features)[g].categorical())
                stable(m_numerical[g], m_scratchEntries, [](const Entry& e) { return e.row; });
    }

    const ForestData& m_data;
    const RandomForestOptions& m_options;
    std::vector<std::vector<Entry>> m_numerical;
    std::vector<int> m_rows, m_scratchRows;
    std::vector<Entry> m_scratchEntries;
    std::vector<char> m_goLeft;
    std::vector<double> m_weight;
    // Per row, together for one cache line per lookup: bootstrap weight, weight * y, y.
    struct RowStat {
        double w, wy, y;
    };
    std::vector<RowStat> m_stat;
    std::vector<int> m_featureOrder;
    int m_maxCategories = 0;
    std::vector<double> m_catW, m_catS;
    std::vector<int> m_catN;
    RegressionTree m_tree;
};

bool RegressionTree::inLeftSet(const TreeNode& node, int c) const {
    const auto word = m_categoryWords[std::size_t(node.categorySet) + std::size_t(c) / 64];
    return (word >> (c % 64)) & 1U;
}

bool RegressionTree::goesLeft(const TreeNode& node, double value) const {
    if (std::isnan(value))
        return node.missingLeft;
    if (node.categorySet < 0)
        return value <= node.threshold;
    // A value that is not one of the column's categories goes right.
    const double c = std::floor(value);
    return c >= 0 && c < double(m_categories[std::size_t(node.feature)]) && inLeftSet(node, int(c));
}

int RegressionTree::leafOf(const double* row) const {
    std::size_t i = 0;
    while (!m_nodes[i].isLeaf()) {
        const TreeNode& node = m_nodes[i];
        i = std::size_t(goesLeft(node, row[node.feature]) ? node.left : node.right);
    }
    return int(i);
}

std::vector<TreeBox> RegressionTree::boxes(const std::vector<ForestFeature>& features) const {
    std::vector<TreeBox> out(m_nodes.size());
    if (m_nodes.empty())
        return out;
    TreeBox& root = out[0];
    root.low.resize(features.size());
    root.high.resize(features.size());
    root.categories.resize(features.size());
    for (std::size_t f = 0; f < features.size(); ++f) {
        root.low[f] = features[f].low;
        root.high[f] = features[f].high;
        if (features[f].categorical())
            root.categories[f].assign(std::size_t(features[f].categories), 1);
    }
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        const TreeNode& node = m_nodes[i];
        if (node.isLeaf())
            continue;
        const auto f = std::size_t(node.feature);
        TreeBox left = out[i], right = out[i];
        if (node.categorySet >= 0) {
            for (std::size_t c = 0; c < left.categories[f].size(); ++c) {
                const bool l = inLeftSet(node, int(c));
                left.categories[f][c] = char(left.categories[f][c] && l);
                right.categories[f][c] = char(right.categories[f][c] && !l);
            }
        } else {
            const double t = std::clamp(node.threshold, out[i].low[f], out[i].high[f]);
            left.high[f] = t;
            right.low[f] = t;
        }
        out[std::size_t(node.left)] = std::move(left);
        out[std::size_t(node.right)] = std::move(right);
    }
    return out;
}

void RandomForest::fit(const std::vector<double>& x, const std::vector<double>& y,
                       const std::vector<ForestFeature>& features,
                       const RandomForestOptions& options) {
    const std::size_t n = y.size(), d = features.size();
    if (n == 0)
        throw std::invalid_argument("random forest: no rows to fit");
    if (d == 0)
        throw std::invalid_argument("random forest: no columns to fit");
    if (x.size() != n * d)
        throw std::invalid_argument("random forest: x holds " + std::to_string(x.size()) +
                                    " values, expected rows x columns = " + std::to_string(n) +
                                    " x " + std::to_string(d));
    if (options.trees < 1 || options.maxDepth < 0 || options.minSamplesLeaf < 1 ||
        options.minSamplesSplit < 2 || !(options.maxFeatures > 0 && options.maxFeatures <= 1))
        throw std::invalid_argument(
            "random forest: options need trees >= 1, max depth >= 0, min samples leaf >= 1, "
            "min samples split >= 2 and max features in (0, 1]");
    for (std::size_t r = 0; r < n; ++r)
        if (!std::isfinite(y[r]))
            throw std::invalid_argument("random forest: y of row " + std::to_string(r) +
                                        " is not finite");

    std::vector<ForestFeature> fitted = features;
    for (std::size_t f = 0; f < d; ++f) {
        ForestFeature& feature = fitted[f];
        if (feature.categorical() && feature.categories < 1)
            throw std::invalid_argument("random forest: categorical column " + std::to_string(f) +
                                        " has no categories");
        double lo = kInf, hi = -kInf;
        for (std::size_t r = 0; r < n; ++r) {
            const double v = x[r * d + f];
            if (std::isnan(v))
                continue;
            if (!std::isfinite(v))
                throw std::invalid_argument("random forest: column " + std::to_string(f) +
                                            ", row " + std::to_string(r) + " is infinite");
            if (feature.categorical() &&
                (v != std::floor(v) || v < 0 || v >= double(feature.categories)))
                throw std::invalid_argument("random forest: column " + std::to_string(f) +
                                            ", row " + std::to_string(r) + " holds " +
                                            std::to_string(v) + ", not a category index");
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        if (!feature.categorical() && lo <= hi) {
            const bool unset = feature.low == 0 && feature.high == 0;
            feature.low = unset ? lo : std::min(feature.low, lo);
            feature.high = unset ? hi : std::max(feature.high, hi);
        }
        if (!feature.categorical() && feature.low > feature.high)
            throw std::invalid_argument("random forest: column " + std::to_string(f) +
                                        " has low > high");
    }

    ForestData data;
    data.rows = n;
    data.dims = d;
    data.x = &x;
    data.features = &fitted;
    data.yMean = std::accumulate(y.begin(), y.end(), 0.0) / double(n);
    data.y.resize(n);
    for (std::size_t r = 0; r < n; ++r)
        data.y[r] = y[r] - data.yMean;
    data.order.resize(d);
    for (std::size_t f = 0; f < d; ++f) {
        if (fitted[f].categorical())
            continue;
        auto& order = data.order[f];
        order.resize(n);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            const double va = x[std::size_t(a) * d + f], vb = x[std::size_t(b) * d + f];
            if (std::isnan(va) || std::isnan(vb))
                return !std::isnan(va) && std::isnan(vb);
            return va < vb;
        });
    }

    std::vector<RegressionTree> trees(std::size_t(options.trees));
    std::atomic<int> next{0};
    auto work = [&] {
        TreeBuilder builder(data, options);
        for (int t = next++; t < options.trees; t = next++)
            trees[std::size_t(t)] =
                builder.build(mixSeed(options.seed ^ mixSeed(std::uint64_t(t))));
    };
    const int threads = std::clamp(options.threads, 1, options.trees);
    if (threads == 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        for (int i = 0; i < threads; ++i)
            pool.emplace_back(work);
        for (auto& thread : pool)
            thread.join();
    }
    m_features = std::move(fitted);
    m_trees = std::move(trees);
}

void RandomForest::fit(const ParamTable& table, const RandomForestOptions& options) {
    fit(table.x, table.y, forestFeatures(table), options);
}

double RandomForest::predict(const double* row) const {
    if (m_trees.empty())
        throw std::logic_error("random forest: predict before fit");
    double sum = 0;
    for (const RegressionTree& tree : m_trees)
        sum += tree.predict(row);
    return sum / double(m_trees.size());
}

std::vector<double> RandomForest::predict(const std::vector<double>& rows) const {
    if (m_trees.empty())
        throw std::logic_error("random forest: predict before fit");
    const std::size_t d = dims();
    if (rows.size() % d != 0)
        throw std::invalid_argument("random forest: predict needs a multiple of " +
                                    std::to_string(d) + " values, got " +
                                    std::to_string(rows.size()));
    std::vector<double> out(rows.size() / d);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = predict(rows.data() + i * d);
    return out;
}

std::vector<ForestFeature> forestFeatures(const ParamTable& table) {
    std::vector<ForestFeature> out;
    out.reserve(table.dims());
    for (const ParamColumn& c : table.columns) {
        ForestFeature f;
        if (c.categorical()) {
            f.kind = FeatureKind::Categorical;
            f.categories = int(std::max<std::size_t>(c.choices.size(), 1));
        } else if (c.type == ParamType::Ordinal || (c.type == ParamType::Int && !c.log)) {
            f.low = c.low - 0.5;
            f.high = c.high + 0.5;
        } else if (c.type == ParamType::Int) { // log scale: half a unit in the value's own scale
            f.low = std::log(std::max(std::exp(c.low) - 0.5, 1e-300));
            f.high = std::log(std::exp(c.high) + 0.5);
        } else {
            f.low = c.low;
            f.high = c.high;
        }
        out.push_back(f);
    }
    return out;
}

} // namespace ps
