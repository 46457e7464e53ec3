#include "core/analysis/lime.h"

#include "core/analysis/weighted_ridge.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>
#include <stdexcept>

namespace ps {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kBinStdFloor = 1e-11;      // lime adds this to every bin's std
constexpr double kSelectionAlpha = 0.01;    // lime's Ridge for 'highest_weights'
constexpr double kForwardStartScore = -1e8; // lime's starting best score in forward selection

// Our own uniform and normal draws over mt19937_64: the standard fixes the engine's output but
// not the distributions' algorithms, and an explanation must not change with the library.
class Random {
public:
    explicit Random(std::uint64_t seed) : m_engine(seed) {}
    double uniform() { return (static_cast<double>(m_engine() >> 11) + 0.5) * 0x1.0p-53; }

private:
    std::mt19937_64 m_engine;
};

double normalCdf(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// Acklam's rational approximation of the normal quantile, refined by one Halley step to full
// double precision. p in (0, 1).
double normalQuantile(double p) {
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                   -2.759285104469687e+02, 1.383577518672690e+02,
                                   -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                   -1.556989798598866e+02, 6.680131188771972e+01,
                                   -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                   -2.400758277161838e+00, -2.549732539343734e+00,
                                   4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                   2.445134137142996e+00, 3.754408661907416e+00};
    constexpr double pLow = 0.02425;
    double x;
    if (p < pLow) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - pLow) {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log1p(-p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double e = normalCdf(x) - p;
    const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

// A standard normal truncated to [lo, hi] (scipy's truncnorm in lime), drawn by inversion on
// the lower side of zero, where the CDF keeps its digits. The CDF at the ends is computed once.
class TruncatedNormal {
public:
    TruncatedNormal(double lo, double hi)
        : m_flip(lo > 0), m_lo(m_flip ? -hi : lo), m_hi(m_flip ? -lo : hi), m_pLo(normalCdf(m_lo)),
          m_pHi(normalCdf(m_hi)) {}
    double draw(Random& rng) const {
        double x = m_hi < 0 ? m_hi : 0.0; // no probability left this far out: the nearer end
        if (m_pHi > m_pLo)
            x = std::clamp(normalQuantile(m_pLo + rng.uniform() * (m_pHi - m_pLo)), m_lo, m_hi);
        return m_flip ? -x : x;
    }

private:
    bool m_flip;
    double m_lo, m_hi, m_pLo, m_pHi;
};

// numpy.percentile(values, q) with its default 'linear' method, on sorted values, computed the
// way numpy does (virtual index n*q + (1 - q) - 1, lerp from the nearer end).
double percentile(const std::vector<double>& sorted, double q) {
    const double n = double(sorted.size());
    const double f = q / 100.0;
    const double index = n * f + (1 - f) - 1;
    const double below = std::floor(index);
    const double gamma = index - below;
    const auto last = static_cast<double>(sorted.size() - 1);
    const double a = sorted[static_cast<std::size_t>(std::clamp(below, 0.0, last))];
    const double b = sorted[static_cast<std::size_t>(std::clamp(below + 1, 0.0, last))];
    const double diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

std::string formatNumber(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    return buffer;
}

std::string valueText(const Json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

enum class ColumnKind { Bins, Categories, Continuous };

struct ColumnModel {
    ColumnKind kind = ColumnKind::Continuous;
    // Bins: the edges (encoded) and each active bin's statistics, edges.size() + 1 of each.
    std::vector<double> edges;
    std::vector<double> binMean, binStd, binMin, binMax;
    std::vector<TruncatedNormal> binDraw; // each bin's standardized bounds
    // Categories: the distinct active values, in increasing order; NaN is the level after them.
    std::vector<double> values;
    // Bins and Categories: cumulative training frequencies of the levels, the last (inactive)
    // level included.
    std::vector<double> cumulative;
    // Continuous: StandardScaler(with_mean=False)'s mean_ and scale_ over the active cells.
    double mean = 0, scale = 1;

    std::size_t inactiveLevel() const {
        return kind == ColumnKind::Bins ? edges.size() + 1 : values.size();
    }
    // The level of an encoded value; Categories: -1 for a value the table never had.
    long levelOf(double v) const {
        if (std::isnan(v))
            return static_cast<long>(inactiveLevel());
        if (kind == ColumnKind::Bins) // numpy.searchsorted, side 'left'
            return std::lower_bound(edges.begin(), edges.end(), v) - edges.begin();
        const auto it = std::lower_bound(values.begin(), values.end(), v);
        return it != values.end() && *it == v ? it - values.begin() : -1;
    }
    std::size_t drawLevel(Random& rng) const {
        const double u = rng.uniform();
        const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
        return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()),
                                     cumulative.size() - 1);
    }
    // lime's undiscretize: a normal with the bin's mean and std truncated to the bin.
    double drawInBin(Random& rng, std::size_t bin) const {
        if (binMin[bin] == binMax[bin]) // lime returns (min - mean) / std here, not a value
            return binMin[bin];
        return binMean[bin] + binStd[bin] * binDraw[bin].draw(rng);
    }
};

std::vector<double> cumulativeOf(const std::vector<double>& counts) {
    std::vector<double> c(counts.size());
    std::partial_sum(counts.begin(), counts.end(), c.begin());
    const double total = c.back();
    for (double& v : c)
        v /= total;
    return c;
}

ColumnModel binsModel(const std::vector<double>& column, LimeDiscretizer discretizer) {
    ColumnModel m;
    m.kind = ColumnKind::Bins;
    std::vector<double> active;
    std::size_t inactive = 0;
    for (double v : column) {
        if (std::isnan(v))
            ++inactive;
        else
            active.push_back(v);
    }
    std::sort(active.begin(), active.end());
    if (!active.empty()) {
        const std::vector<double> qs = discretizer == LimeDiscretizer::Decile
                                           ? std::vector<double>{10, 20, 30, 40, 50, 60, 70, 80, 90}
                                           : std::vector<double>{25, 50, 75};
        for (double q : qs)
            m.edges.push_back(percentile(active, q));
        m.edges.erase(std::unique(m.edges.begin(), m.edges.end()), m.edges.end());
    }
    const std::size_t bins = m.edges.size() + 1;
    std::vector<double> counts(bins + 1, 0.0), sum(bins, 0.0), sumSq(bins, 0.0);
    std::vector<std::vector<double>> members(bins);
    for (double v : active)
        members[static_cast<std::size_t>(m.levelOf(v))].push_back(v);
    for (std::size_t b = 0; b < bins; ++b) {
        const auto& s = members[b];
        counts[b] = double(s.size());
        double mean = 0, var = 0;
        if (!s.empty()) {
            mean = std::accumulate(s.begin(), s.end(), 0.0) / double(s.size());
            for (double v : s)
                var += (v - mean) * (v - mean);
            var /= double(s.size()); // numpy.std: population
        }
        m.binMean.push_back(mean);
        m.binStd.push_back(std::sqrt(var) + kBinStdFloor);
        m.binMin.push_back(b == 0 ? (active.empty() ? 0.0 : active.front()) : m.edges[b - 1]);
        m.binMax.push_back(b + 1 == bins ? (active.empty() ? 0.0 : active.back()) : m.edges[b]);
        m.binDraw.emplace_back((m.binMin[b] - m.binMean[b]) / m.binStd[b],
                               (m.binMax[b] - m.binMean[b]) / m.binStd[b]);
    }
    counts[bins] = double(inactive);
    m.cumulative = cumulativeOf(counts);
    return m;
}

ColumnModel categoriesModel(const std::vector<double>& column) {
    ColumnModel m;
    m.kind = ColumnKind::Categories;
    for (double v : column)
        if (!std::isnan(v))
            m.values.push_back(v);
    std::sort(m.values.begin(), m.values.end());
    m.values.erase(std::unique(m.values.begin(), m.values.end()), m.values.end());
    std::vector<double> counts(m.values.size() + 1, 0.0);
    for (double v : column)
        counts[static_cast<std::size_t>(m.levelOf(v))] += 1;
    m.cumulative = cumulativeOf(counts);
    return m;
}

ColumnModel continuousModel(const std::vector<double>& column) {
    ColumnModel m;
    m.kind = ColumnKind::Continuous;
    double n = 0, sum = 0;
    for (double v : column) {
        if (!std::isnan(v)) {
            n += 1;
            sum += v;
        }
    }
    if (n == 0)
        return m;
    m.mean = sum / n;
    double var = 0;
    for (double v : column)
        if (!std::isnan(v))
            var += (v - m.mean) * (v - m.mean);
    const double sd = std::sqrt(var / n);
    m.scale = sd > 0 ? sd : 1.0; // scikit-learn's scale for a constant column
    return m;
}

std::string conditionOf(const ParamColumn& column, const ColumnModel& model, double value) {
    if (std::isnan(value))
        return column.name + " is inactive";
    switch (model.kind) {
    case ColumnKind::Continuous:
        return column.name; // lime's name for a weight per standard deviation
    case ColumnKind::Categories:
        return column.name + " = " + valueText(column.decode(value));
    case ColumnKind::Bins:
        break;
    }
    // Edges back in the parameter's own units. Not decode() for Int columns: it rounds, and an
    // edge between two integers must stay where it is.
    auto edge = [&](std::size_t i) {
        const double e = model.edges[i];
        return formatNumber(column.type == ParamType::Float ? column.decode(e).get<double>()
                                                            : (column.log ? std::exp(e) : e));
    };
    const auto level = static_cast<std::size_t>(model.levelOf(value));
    const std::size_t e = model.edges.size();
    if (e == 0) // no active cell in the table: nothing to compare with
        return column.name + " is active";
    if (level == 0)
        return column.name + " <= " + edge(0);
    if (level == e)
        return column.name + " > " + edge(e - 1);
    return edge(level - 1) + " < " + column.name + " <= " + edge(level);
}

} // namespace

struct LimeExplainer::Impl {
    LimeOptions options;
    std::vector<ParamColumn> columns;
    std::vector<ColumnModel> models;
    std::vector<double> x;
    std::vector<int> trialNumbers;
    std::size_t rows = 0;
    double kernelWidth = 0;

    LimeExplanation explain(const std::vector<double>& instance, const Predictor& predict) const;
    std::vector<std::size_t> selectFeatures(const detail::WeightedGram& gram,
                                            const std::vector<double>& first) const;
};

LimeExplainer::LimeExplainer(const ParamTable& table, LimeOptions options)
    : m_impl(std::make_unique<Impl>()) {
    const std::size_t d = table.dims(), n = table.rows();
    if (d == 0)
        throw std::invalid_argument("LIME: the table has no parameter columns");
    if (n < 2)
        throw std::invalid_argument("LIME: the table has " + std::to_string(n) +
                                    " rows; at least 2 trials are needed for its statistics");
    if (table.x.size() != n * d)
        throw std::invalid_argument("LIME: the table holds " + std::to_string(table.x.size()) +
                                    " values for " + std::to_string(n) + " rows of " +
                                    std::to_string(d) + " columns");
    if (options.numSamples < 2)
        throw std::invalid_argument("LIME: num_samples must be at least 2, not " +
                                    std::to_string(options.numSamples));
    if (options.numFeatures == 0)
        throw std::invalid_argument("LIME: num_features must be at least 1");
    if (!(options.ridgeAlpha >= 0))
        throw std::invalid_argument("LIME: the ridge alpha must be >= 0");
    Impl& m = *m_impl;
    m.options = options;
    m.columns = table.columns;
    m.x = table.x;
    m.trialNumbers = table.trialNumbers;
    m.rows = n;
    m.kernelWidth = options.kernelWidth > 0 ? options.kernelWidth : 0.75 * std::sqrt(double(d));
    std::vector<double> column(n);
    for (std::size_t j = 0; j < d; ++j) {
        for (std::size_t i = 0; i < n; ++i)
            column[i] = table.at(i, j);
        // Ordinal columns count as categorical: a handful of indices has no useful quartiles.
        if (!table.columns[j].choices.empty() || table.columns[j].type == ParamType::Categorical ||
            table.columns[j].type == ParamType::Ordinal)
            m.models.push_back(categoriesModel(column));
        else if (options.discretizer == LimeDiscretizer::None)
            m.models.push_back(continuousModel(column));
        else
            m.models.push_back(binsModel(column, options.discretizer));
    }
}

LimeExplainer::~LimeExplainer() = default;
LimeExplainer::LimeExplainer(LimeExplainer&&) noexcept = default;
LimeExplainer& LimeExplainer::operator=(LimeExplainer&&) noexcept = default;

double LimeExplainer::kernelWidth() const {
    return m_impl->kernelWidth;
}

const std::vector<double>& LimeExplainer::binEdges(std::size_t column) const {
    if (column >= m_impl->models.size())
        throw std::invalid_argument("LIME: column " + std::to_string(column) +
                                    " is out of range (the table has " +
                                    std::to_string(m_impl->models.size()) + " columns)");
    return m_impl->models[column].edges;
}

LimeExplanation LimeExplainer::explain(std::size_t row, const Predictor& predict) const {
    const Impl& m = *m_impl;
    if (row >= m.rows)
        throw std::invalid_argument("LIME: row " + std::to_string(row) +
                                    " is out of range (the table has " + std::to_string(m.rows) +
                                    " rows)");
    const std::size_t d = m.columns.size();
    const std::vector<double> instance(m.x.begin() + static_cast<std::ptrdiff_t>(row * d),
                                       m.x.begin() + static_cast<std::ptrdiff_t>((row + 1) * d));
    LimeExplanation e = m.explain(instance, predict);
    e.row = row;
    if (row < m.trialNumbers.size())
        e.trialNumber = m.trialNumbers[row];
    return e;
}

LimeExplanation LimeExplainer::explainInstance(const std::vector<double>& instance,
                                               const Predictor& predict) const {
    if (instance.size() != m_impl->columns.size())
        throw std::invalid_argument("LIME: the instance has " + std::to_string(instance.size()) +
                                    " values for " + std::to_string(m_impl->columns.size()) +
                                    " columns");
    return m_impl->explain(instance, predict);
}

std::vector<std::size_t>
LimeExplainer::Impl::selectFeatures(const detail::WeightedGram& gram,
                                    const std::vector<double>& first) const {
    const std::size_t d = columns.size();
    const std::size_t k = std::min(options.numFeatures, d);
    LimeFeatureSelection method = options.featureSelection;
    if (method == LimeFeatureSelection::Auto)
        method = options.numFeatures <= 6 ? LimeFeatureSelection::ForwardSelection
                                          : LimeFeatureSelection::HighestWeights;
    std::vector<std::size_t> all(d);
    std::iota(all.begin(), all.end(), std::size_t{0});
    switch (method) {
    case LimeFeatureSelection::Auto:
    case LimeFeatureSelection::None:
        return all;
    case LimeFeatureSelection::ForwardSelection: {
        std::vector<std::size_t> used;
        std::vector<bool> taken(d, false);
        for (std::size_t step = 0; step < k; ++step) {
            double best = kForwardStartScore;
            std::size_t bestColumn = 0;
            for (std::size_t f = 0; f < d; ++f) {
                if (taken[f])
                    continue;
                std::vector<std::size_t> trial = used;
                trial.push_back(f);
                const double score = detail::ridgeFit(gram, trial, 0.0).score;
                if (score > best) { // the first of equals wins, as in lime
                    best = score;
                    bestColumn = f;
                }
            }
            used.push_back(bestColumn);
            taken[bestColumn] = true;
        }
        return used;
    }
    case LimeFeatureSelection::HighestWeights: {
        const detail::RidgeFit fit = detail::ridgeFit(gram, all, kSelectionAlpha);
        std::vector<double> key(d);
        for (std::size_t j = 0; j < d; ++j)
            key[j] = std::abs(fit.coef[j] * first[j]);
        std::stable_sort(all.begin(), all.end(),
                         [&](std::size_t a, std::size_t b) { return key[a] > key[b]; });
        all.resize(k);
        return all;
    }
    }
    return all;
}

LimeExplanation LimeExplainer::Impl::explain(const std::vector<double>& instance,
                                             const Predictor& predict) const {
    if (!predict)
        throw std::invalid_argument("LIME: no predictor");
    const std::size_t d = columns.size(), n = options.numSamples;
    // `inputs` is what the predictor sees (lime's `inverse`), `features` the surrogate's
    // interpretable representation (lime's scaled `data`): same-level indicators, or
    // standardized values without a discretizer. Row 0 is the instance.
    std::vector<double> inputs(n * d), features(n * d);
    Random rng(options.seed);
    for (std::size_t j = 0; j < d; ++j) {
        const ColumnModel& model = models[j];
        const double x0 = instance[j];
        inputs[j] = x0;
        if (model.kind == ColumnKind::Continuous) {
            if (std::isnan(x0)) {
                for (std::size_t i = 0; i < n; ++i) {
                    inputs[i * d + j] = kNaN;
                    features[i * d + j] = 0;
                }
                continue;
            }
            const double centre = options.sampleAroundInstance ? x0 : model.mean;
            features[j] = (x0 - model.mean) / model.scale;
            for (std::size_t i = 1; i < n; ++i) {
                const double v = normalQuantile(rng.uniform()) * model.scale + centre;
                inputs[i * d + j] = v;
                features[i * d + j] = (v - model.mean) / model.scale;
            }
            continue;
        }
        const long own = model.levelOf(x0);
        features[j] = 1;
        for (std::size_t i = 1; i < n; ++i) {
            const std::size_t level = model.drawLevel(rng);
            features[i * d + j] = static_cast<long>(level) == own ? 1.0 : 0.0;
            double v = kNaN;
            if (level != model.inactiveLevel())
                v = model.kind == ColumnKind::Bins ? model.drawInBin(rng, level)
                                                   : model.values[level];
            inputs[i * d + j] = v;
        }
    }

    const std::vector<double> y = predict(inputs, n);
    if (y.size() != n)
        throw std::invalid_argument("LIME: the predictor returned " + std::to_string(y.size()) +
                                    " values for " + std::to_string(n) + " samples");
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(y[i]))
            throw std::invalid_argument("LIME: the predictor returned " + std::to_string(y[i]) +
                                        " for sample " + std::to_string(i));

    // lime's default kernel: sqrt(exp(-d^2 / width^2)) of the euclidean distance to row 0.
    std::vector<double> weights(n);
    for (std::size_t i = 0; i < n; ++i) {
        double d2 = 0;
        for (std::size_t j = 0; j < d; ++j) {
            const double diff = features[i * d + j] - features[j];
            d2 += diff * diff;
        }
        weights[i] = std::sqrt(std::exp(-d2 / (kernelWidth * kernelWidth)));
    }

    const detail::WeightedGram gram = detail::weightedGram(features, n, d, y, weights);
    const std::vector<double> first(features.begin(),
                                    features.begin() + static_cast<std::ptrdiff_t>(d));
    const std::vector<std::size_t> used = selectFeatures(gram, first);
    const detail::RidgeFit fit = detail::ridgeFit(gram, used, options.ridgeAlpha);

    LimeExplanation e;
    e.intercept = fit.intercept;
    e.score = fit.score;
    e.localPrediction = fit.intercept;
    for (std::size_t k = 0; k < used.size(); ++k) {
        const std::size_t j = used[k];
        e.localPrediction += fit.coef[k] * first[j];
        LimeFeature f;
        f.column = j;
        f.name = columns[j].name;
        f.condition = conditionOf(columns[j], models[j], instance[j]);
        f.weight = fit.coef[k];
        f.value = std::isnan(instance[j]) ? Json() : columns[j].decode(instance[j]);
        e.features.push_back(std::move(f));
    }
    std::stable_sort(e.features.begin(), e.features.end(),
                     [](const LimeFeature& a, const LimeFeature& b) {
                         return std::abs(a.weight) > std::abs(b.weight);
                     });
    e.predictedValue = y[0];
    const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
    e.minValue = *lo;
    e.maxValue = *hi;
    e.kernelWidth = kernelWidth;
    e.numSamples = n;
    return e;
}

LimeExplanation explainRow(const ParamTable& table, std::size_t row, const Predictor& predict,
                           const LimeOptions& options) {
    if (row >= table.rows())
        throw std::invalid_argument("LIME: row " + std::to_string(row) +
                                    " is out of range (the table has " +
                                    std::to_string(table.rows()) + " rows)");
    return LimeExplainer(table, options).explain(row, predict);
}

Json toJson(const LimeExplanation& e) {
    Json features = Json::array();
    for (const LimeFeature& f : e.features)
        features.push_back({{"column", f.column},
                            {"name", f.name},
                            {"condition", f.condition},
                            {"weight", f.weight},
                            {"value", f.value}});
    return {{"row", e.row},
            {"trial", e.trialNumber},
            {"intercept", e.intercept},
            {"features", std::move(features)},
            {"score", e.score},
            {"local_pred", e.localPrediction},
            {"predicted_value", e.predictedValue},
            {"min_value", e.minValue},
            {"max_value", e.maxValue},
            {"kernel_width", e.kernelWidth},
            {"num_samples", e.numSamples}};
}

} // namespace ps
