#include "core/analysis/ped_anova.h"

#include "core/analysis/importance_input.h"
#include "core/analysis/param_table.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ps {

namespace {

constexpr double kPdfFloor = 1e-12; // added to both densities, as in Optuna

struct Filtered {
    std::vector<char> keep;
    double cutoff = 0; // in loss units (lower is better)
};

// Optuna's quantile filter: keeps the rows whose loss is at most the larger of the
// minRows-th smallest loss and the loss at sorted index ceil(q n) - 1.
Filtered quantileFilter(const std::vector<double>& loss, double q, int minRows) {
    std::vector<double> sorted = loss;
    std::sort(sorted.begin(), sorted.end());
    const auto n = sorted.size();
    const auto atQ = std::size_t(std::max(0.0, std::ceil(q * double(n)) - 1));
    Filtered out;
    out.cutoff = std::max(sorted[std::size_t(minRows - 1)], sorted[std::min(atQ, n - 1)]);
    out.keep.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        out.keep[i] = loss[i] <= out.cutoff;
    return out;
}

// The probability mass of N(0, 1) on [a, b], computed on the side of the tail it lies in so
// that far-out kernels do not round to zero minus zero.
double normalMass(double a, double b) {
    constexpr double r = 0.70710678118654752440; // 1 / sqrt(2)
    if (a > 0)
        return 0.5 * (std::erfc(a * r) - std::erfc(b * r));
    if (b < 0)
        return 0.5 * (std::erfc(-b * r) - std::erfc(-a * r));
    return 1 - 0.5 * (std::erfc(-a * r) + std::erfc(b * r));
}

// Optuna's Scott-rule Parzen estimator of grid indices 0 .. n-1: one discretized truncated
// normal kernel per occupied cell (weighted by its count) with a bandwidth from Scott's rule,
// plus a prior kernel centred on the grid with sigma = n, weighted `priorWeight`.
std::vector<double> numericalPdf(const std::vector<double>& counts, double priorWeight) {
    const std::size_t n = counts.size();
    std::vector<double> mus, weights, sigmas;
    double total = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (counts[i] > 0) {
            mus.push_back(double(i));
            weights.push_back(counts[i]);
            total += counts[i];
        }
    if (total > 0) {
        double mean = 0;
        for (std::size_t j = 0; j < mus.size(); ++j)
            mean += mus[j] * weights[j] / total;
        double ss = 0;
        for (std::size_t j = 0; j < mus.size(); ++j)
            ss += (mus[j] - mean) * (mus[j] - mean) * weights[j];
        const double sd = std::sqrt(ss / std::max(1.0, total - 1));
        // The quartiles as numpy's searchsorted finds them on the cumulative counts.
        const double q25 = std::floor(total / 4), q75 = std::floor(total * 3 / 4);
        std::size_t i25 = mus.size(), i75 = mus.size();
        double cum = 0;
        for (std::size_t j = 0; j < mus.size(); ++j) {
            cum += weights[j];
            if (i25 == mus.size() && cum >= q25)
                i25 = j;
            if (i75 == mus.size() && cum > q75)
                i75 = j;
        }
        i25 = std::min(i25, mus.size() - 1);
        const double iqr = mus[std::min(mus.size() - 1, i75)] - mus[i25];
        const double sigma = 1.059 * std::min(iqr / 1.34, sd) * std::pow(total, -0.2);
        // 0.5 / 1.64: at least 90% of a kernel's mass stays within its own grid cell's reach.
        sigmas.assign(mus.size(), std::max(sigma, 0.5 / 1.64));
        weights.push_back(priorWeight);
    } else {
        weights.push_back(1.0); // nothing observed: the prior alone
    }
    mus.push_back(0.5 * double(n - 1));
    sigmas.push_back(double(n));
    double wsum = 0;
    for (const double w : weights)
        wsum += w;
    std::vector<double> pdf(n, 0.0);
    for (std::size_t j = 0; j < mus.size(); ++j) {
        const double mu = mus[j], s = sigmas[j];
        const double z = normalMass((-0.5 - mu) / s, (double(n) - 0.5 - mu) / s);
        for (std::size_t k = 0; k < n; ++k)
            pdf[k] += weights[j] / wsum *
                      normalMass((double(k) - 0.5 - mu) / s, (double(k) + 0.5 - mu) / s) / z;
    }
    return pdf;
}

// Optuna's categorical Parzen estimator: each observed choice's kernel puts 1 on it plus
// priorWeight / kernels on every choice (then normalized); the prior kernel is uniform.
std::vector<double> categoricalPdf(const std::vector<double>& counts, double priorWeight) {
    const std::size_t k = counts.size();
    double total = 0;
    std::size_t observed = 0;
    for (const double c : counts) {
        total += c;
        observed += c > 0;
    }
    std::vector<double> pdf(k, 1.0 / double(k));
    if (observed == 0)
        return pdf;
    const double base = priorWeight / double(observed + 1);
    const double rowSum = double(k) * base + 1;
    const double wsum = total + priorWeight;
    for (std::size_t i = 0; i < k; ++i)
        pdf[i] = priorWeight / wsum / double(k);
    for (std::size_t c = 0; c < k; ++c) {
        if (!(counts[c] > 0))
            continue;
        const double w = counts[c] / wsum;
        for (std::size_t i = 0; i < k; ++i)
            pdf[i] += w * (base + (i == c ? 1 : 0)) / rowSum;
    }
    return pdf;
}

// How a column is discretized: its grid size and the grid cell of a value.
struct Grid {
    bool categorical = false;
    std::size_t size = 0; // 0: a single value, nothing to compare
    double low = 0, high = 0;
    std::vector<double> points;

    std::size_t cellOf(double v) const {
        if (categorical)
            return std::size_t(std::clamp(std::lround(v), 0L, long(size) - 1));
        // numpy.searchsorted(points, v - step / 2): the nearest point, halves rounding down.
        const double h = points[1] - points[0];
        const auto it = std::lower_bound(points.begin(), points.end(), v - h / 2);
        return std::min(std::size_t(it - points.begin()), size - 1);
    }
};

Grid gridOf(const ParamTable& table, std::size_t col, int steps) {
    const ParamColumn& c = table.columns[col];
    Grid g;
    if (c.categorical()) {
        g.categorical = true;
        g.size = c.choices.size() > 1 ? c.choices.size() : 0;
        return g;
    }
    const auto [lo, hi] = detail::activeRange(table, col);
    if (std::isnan(lo))
        return g;
    g.low = std::min(c.low, lo);
    g.high = std::max(c.high, hi);
    if (!(g.high > g.low))
        return g;
    auto n = std::size_t(steps);
    if (c.type == ParamType::Int && c.log) {
        const double range = std::round(std::exp(g.high) - std::exp(g.low));
        n = std::min(n, std::size_t(std::ceil(std::log2(range + 1))) + 1);
    } else if (c.type == ParamType::Int || c.type == ParamType::Ordinal) {
        n = std::min(n, std::size_t(std::llround(g.high - g.low)) + 1);
    }
    n = std::max<std::size_t>(n, 2);
    g.size = n;
    const double step = (g.high - g.low) / double(n - 1);
    for (std::size_t i = 0; i < n; ++i)
        g.points.push_back(i + 1 == n ? g.high : g.low + double(i) * step);
    return g;
}

} // namespace

PedAnovaResult pedAnova(const ParamTable& table, const PedAnovaOptions& options) {
    detail::checkImportanceInput(table, "ped-anova");
    if (!(options.targetQuantile >= 0 && options.targetQuantile <= 1) ||
        !(options.regionQuantile >= 0 && options.regionQuantile <= 1) ||
        options.targetQuantile > options.regionQuantile)
        throw std::invalid_argument(
            "ped-anova: the quantiles must satisfy 0 <= target <= region <= 1, got target " +
            std::to_string(options.targetQuantile) + " and region " +
            std::to_string(options.regionQuantile));
    if (options.steps < 2 || options.minTopRows < 1 || !(options.priorWeight >= 0))
        throw std::invalid_argument(
            "ped-anova: needs steps >= 2, min top rows >= 1 and prior weight >= 0");
    if (table.rows() < std::size_t(options.minTopRows))
        throw std::invalid_argument("ped-anova: " + std::to_string(table.rows()) +
                                    " rows, fewer than the " + std::to_string(options.minTopRows) +
                                    " top rows it keeps");

    const double sign = options.direction == Direction::Minimize ? 1.0 : -1.0;
    std::vector<double> loss(table.rows());
    for (std::size_t r = 0; r < table.rows(); ++r)
        loss[r] = sign * table.y[r];
    const Filtered top = quantileFilter(loss, options.targetQuantile, options.minTopRows);
    const Filtered region = quantileFilter(loss, options.regionQuantile, options.minTopRows);

    PedAnovaResult result;
    result.metric = table.metric;
    result.normalized = options.normalize;
    result.topCutoff = sign * top.cutoff;
    for (std::size_t r = 0; r < table.rows(); ++r) {
        result.topRows += top.keep[r] ? 1 : 0;
        result.regionRows += region.keep[r] ? 1 : 0;
    }

    std::vector<char> single(table.dims(), 0);
    double sum = 0;
    for (std::size_t col = 0; col < table.dims(); ++col) {
        PedAnovaParam p;
        p.name = table.columns[col].name;
        const Grid grid = gridOf(table, col, options.steps);
        if (grid.size == 0) { // one value only: Optuna gives it 0 and leaves it out of the sum
            single[col] = 1;
            result.params.push_back(p);
            continue;
        }
        std::vector<double> topCounts(grid.size, 0.0), regionCounts(grid.size, 0.0);
        for (std::size_t r = 0; r < table.rows(); ++r) {
            const double v = table.at(r, col);
            if (std::isnan(v) || !region.keep[r])
                continue;
            const std::size_t cell = grid.cellOf(v);
            regionCounts[cell] += 1;
            ++p.regionRows;
            if (top.keep[r]) {
                topCounts[cell] += 1;
                ++p.topRows;
            }
        }
        if (p.topRows > 0) {
            auto pdf = grid.categorical ? categoricalPdf : numericalPdf;
            const std::vector<double> pTop = pdf(topCounts, options.priorWeight);
            const std::vector<double> pLocal =
                options.evaluateOnLocal ? pdf(regionCounts, options.priorWeight)
                                        : std::vector<double>(grid.size, 1.0 / double(grid.size));
            for (std::size_t k = 0; k < grid.size; ++k) {
                const double t = pTop[k] + kPdfFloor;
                const double l = pLocal[k] + (options.evaluateOnLocal ? kPdfFloor : 0.0);
                p.divergence += l * (t / l - 1) * (t / l - 1);
            }
            const double ratio = double(p.topRows) / double(p.regionRows);
            p.importance = ratio * ratio * p.divergence;
        }
        sum += p.importance;
        result.params.push_back(p);
    }
    if (options.normalize) {
        std::size_t varying = 0;
        for (const char s : single)
            varying += s ? 0 : 1;
        for (std::size_t col = 0; col < table.dims(); ++col) {
            PedAnovaParam& p = result.params[col];
            if (single[col])
                p.importance = 0;
            else
                p.importance = sum > 0 ? p.importance / sum : 1.0 / double(varying);
        }
    }
    std::stable_sort(
        result.params.begin(), result.params.end(),
        [](const PedAnovaParam& a, const PedAnovaParam& b) { return a.importance > b.importance; });
    return result;
}

Json toJson(const PedAnovaResult& result) {
    Json params = Json::array();
    for (const PedAnovaParam& p : result.params)
        params.push_back({{"name", p.name},
                          {"importance", p.importance},
                          {"divergence", p.divergence},
                          {"top_rows", p.topRows},
                          {"region_rows", p.regionRows}});
    return {{"method", "ped-anova"},          {"metric", result.metric},
            {"top_rows", result.topRows},     {"region_rows", result.regionRows},
            {"top_cutoff", result.topCutoff}, {"normalized", result.normalized},
            {"params", std::move(params)}};
}

} // namespace ps
