#include "core/explore/variance_explained.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ps {

std::map<std::string, double> varianceExplained(const TrialColumns& columns) {
    std::map<std::string, double> out;
    std::size_t objective = columns.dimensions();
    for (std::size_t d = 0; d < columns.dimensions() && objective == columns.dimensions(); ++d)
        if (columns.dimension(d).objective)
            objective = d;
    if (objective == columns.dimensions())
        return out;
    // complete trials with a finite objective
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < columns.rows(); ++r)
        if (columns.state(r) == TrialState::Complete && std::isfinite(columns.value(r, objective)))
            rows.push_back(r);
    for (std::size_t d = 0; d < columns.dimensions(); ++d) {
        const Dimension& dim = columns.dimension(d);
        if (dim.objective)
            continue;
        std::vector<std::pair<double, double>> xy; // parameter value, objective
        for (std::size_t r : rows)
            if (const double v = columns.value(r, d); std::isfinite(v))
                xy.emplace_back(v, columns.value(r, objective));
        if (xy.size() < 4)
            continue;
        std::sort(xy.begin(), xy.end());
        std::vector<int> group(xy.size());
        constexpr std::size_t kBins = 8;
        for (std::size_t i = 0; i < xy.size(); ++i) {
            if (dim.scale == AxisScale::Categorical) {
                group[i] = int(xy[i].first);
                continue;
            }
            std::size_t first = i; // equal values share the bin of the first of them
            while (first > 0 && xy[first - 1].first == xy[i].first)
                --first;
            group[i] = int(first * kBins / xy.size());
        }
        double mean = 0;
        for (const auto& p : xy)
            mean += p.second;
        mean /= double(xy.size());
        std::map<int, std::pair<double, int>> sums; // group -> (sum, count)
        double total = 0;
        for (std::size_t i = 0; i < xy.size(); ++i) {
            sums[group[i]].first += xy[i].second;
            ++sums[group[i]].second;
            total += (xy[i].second - mean) * (xy[i].second - mean);
        }
        double between = 0;
        for (const auto& [g, sc] : sums) {
            const double m = sc.first / sc.second;
            between += sc.second * (m - mean) * (m - mean);
        }
        if (total > 0)
            out[dim.name] = between / total;
    }
    return out;
}

std::vector<std::size_t> parametersByImportance(const TrialColumns& columns,
                                                const std::map<std::string, double>& importance) {
    std::vector<std::size_t> params;
    for (std::size_t d = 0; d < columns.dimensions(); ++d)
        if (!columns.dimension(d).objective)
            params.push_back(d);
    const auto score = [&](std::size_t d) {
        const auto it = importance.find(columns.dimension(d).name);
        return it == importance.end() || !std::isfinite(it->second) ? -1.0 : it->second;
    };
    std::stable_sort(params.begin(), params.end(),
                     [&](std::size_t a, std::size_t b) { return score(a) > score(b); });
    return params;
}

} // namespace ps
