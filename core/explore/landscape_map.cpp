#include "core/explore/landscape_map.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ps {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double number(const Json& j) {
    return j.is_number() ? j.get<double>() : kNaN;
}

bool increasing(const std::vector<double>& v) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if (!(v[i] > v[i - 1]))
            return false;
    return true;
}

// The cell [k, k+1] of an increasing axis holding t, and t's fraction across it.
std::optional<std::pair<std::size_t, double>> locate(const std::vector<double>& axis, double t) {
    if (!(t >= axis.front() && t <= axis.back()))
        return std::nullopt;
    auto it = std::upper_bound(axis.begin(), axis.end(), t);
    std::size_t k = std::size_t(it - axis.begin());
    k = std::clamp<std::size_t>(k, 1, axis.size() - 1) - 1;
    return std::pair{k, (t - axis[k]) / (axis[k + 1] - axis[k])};
}

} // namespace

double LandscapeMap::lossAt(double x, double y) const {
    if (xs.size() < 2 || ys.size() < 2)
        return kNaN;
    const auto cx = locate(xs, x), cy = locate(ys, y);
    if (!cx || !cy)
        return kNaN;
    const auto [i, fx] = *cx;
    const auto [j, fy] = *cy;
    const double a = at(i, j), b = at(i + 1, j), c = at(i, j + 1), d = at(i + 1, j + 1);
    return (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
}

std::vector<double> LandscapeMap::log10Loss() const {
    std::vector<double> out(loss.size());
    std::transform(loss.begin(), loss.end(), out.begin(),
                   [](double v) { return v > 0 ? std::log10(v) : kNaN; });
    return out;
}

std::optional<LandscapeMap> readLandscapeMap(const Json& r, std::string* why) {
    const auto fail = [&](std::string message) -> std::optional<LandscapeMap> {
        if (why)
            *why = std::move(message);
        return std::nullopt;
    };
    if (!r.is_object())
        return fail("the result is not an object");
    const Json xs = r.value("x", Json()), ys = r.value("y", Json()), loss = r.value("loss", Json());
    if (!xs.is_array() || !ys.is_array() || !loss.is_array())
        return fail("the result has no x, y and loss arrays");
    if (xs.size() < 2 || ys.size() < 2)
        return fail("a 1-D landscape (" + std::to_string(xs.size()) + " x " +
                    std::to_string(ys.size()) + " points) has no 2-D grid");
    if (loss.size() != ys.size())
        return fail("loss has " + std::to_string(loss.size()) + " rows for " +
                    std::to_string(ys.size()) + " y values");
    LandscapeMap g;
    for (const auto& v : xs)
        g.xs.push_back(number(v));
    for (const auto& v : ys)
        g.ys.push_back(number(v));
    if (!increasing(g.xs) || !increasing(g.ys))
        return fail("the grid's x or y values do not increase");
    g.loss.reserve(g.xs.size() * g.ys.size());
    for (std::size_t j = 0; j < loss.size(); ++j) {
        if (!loss[j].is_array() || loss[j].size() != xs.size())
            return fail("loss row " + std::to_string(j) + " does not have " +
                        std::to_string(xs.size()) + " values");
        for (const auto& v : loss[j])
            g.loss.push_back(number(v)); // null (a diverged point) stays NaN
    }
    for (const auto& p : r.value("path", Json::array()))
        if (p.is_array() && p.size() >= 2)
            g.path.emplace_back(number(p[0]), number(p[1]));
    const Json ev = r.value("explained_variance", Json());
    if (ev.is_array() && ev.size() == 2 && ev[0].is_number() && ev[1].is_number()) {
        const auto pc = [](int k, double v) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "PC %d (%.1f %%)", k, 100 * v);
            return std::string(buf);
        };
        g.xLabel = pc(1, ev[0].get<double>());
        g.yLabel = pc(2, ev[1].get<double>());
    }
    return g;
}

} // namespace ps
