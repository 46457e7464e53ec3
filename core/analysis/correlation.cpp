#include "core/analysis/correlation.h"

#include "core/analysis/importance_input.h"
#include "core/analysis/param_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ps {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const auto n = double(a.size());
    if (a.size() < 2)
        return kNaN;
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
    const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (!(saa > 0) || !(sbb > 0))
        return kNaN;
    return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

// Ranks 1..n, tied values sharing their mean rank.
std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> out(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i + 1;
        while (j < order.size() && v[order[j]] == v[order[i]])
            ++j;
        const double rank = 0.5 * double(i + 1 + j); // mean of ranks i+1 .. j
        for (std::size_t k = i; k < j; ++k)
            out[order[k]] = rank;
        i = j;
    }
    return out;
}

double correlationRatio(const std::vector<double>& category, const std::vector<double>& y) {
    if (y.size() < 2)
        return kNaN;
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / double(y.size());
    std::vector<double> sum, count;
    double total = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const auto c = std::size_t(std::max(0L, std::lround(category[i])));
        if (c >= sum.size()) {
            sum.resize(c + 1, 0.0);
            count.resize(c + 1, 0.0);
        }
        sum[c] += y[i];
        count[c] += 1;
        total += (y[i] - mean) * (y[i] - mean);
    }
    std::size_t present = 0;
    double between = 0;
    for (std::size_t c = 0; c < sum.size(); ++c)
        if (count[c] > 0) {
            ++present;
            const double m = sum[c] / count[c];
            between += count[c] * (m - mean) * (m - mean);
        }
    if (present < 2 || !(total > 0))
        return kNaN;
    return std::sqrt(std::clamp(between / total, 0.0, 1.0));
}

Json orNull(double v) {
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

} // namespace

CorrelationResult correlations(const ParamTable& table) {
    detail::checkImportanceInput(table, "correlations");
    CorrelationResult result;
    result.metric = table.metric;
    for (std::size_t col = 0; col < table.dims(); ++col) {
        std::vector<double> x, y;
        for (std::size_t r = 0; r < table.rows(); ++r) {
            const double v = table.at(r, col);
            if (std::isnan(v))
                continue;
            x.push_back(v);
            y.push_back(table.y[r]);
        }
        ParamCorrelation c;
        c.name = table.columns[col].name;
        c.rows = int(x.size());
        if (table.columns[col].categorical()) {
            c.pearson = c.spearman = kNaN;
            c.eta = correlationRatio(x, y);
        } else {
            c.pearson = pearson(x, y);
            c.spearman = pearson(ranks(x), ranks(y));
            c.eta = kNaN;
        }
        result.params.push_back(c);
    }
    return result;
}

Json toJson(const CorrelationResult& result) {
    Json params = Json::array();
    for (const ParamCorrelation& c : result.params)
        params.push_back({{"name", c.name},
                          {"pearson", orNull(c.pearson)},
                          {"spearman", orNull(c.spearman)},
                          {"eta", orNull(c.eta)},
                          {"rows", c.rows}});
    return {{"method", "correlation"}, {"metric", result.metric}, {"params", std::move(params)}};
}

} // namespace ps
