#include "core/explore/contour_lines.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace ps {

namespace {

// Edges of the grid by number: horizontal edge (i, j) joins (i, j)-(i+1, j), vertical edge
// (i, j) joins (i, j)-(i, j+1). A line's point on an edge depends only on the edge, so the two
// cells that share it put the same point there and their segments join exactly.
struct Grid {
    const std::vector<double>& v;
    const std::vector<double>& xs;
    const std::vector<double>& ys;
    std::size_t nx, ny;
    double at(std::size_t i, std::size_t j) const { return v[j * nx + i]; }
    std::int64_t horizontal(std::size_t i, std::size_t j) const {
        return std::int64_t(2 * (j * nx + i));
    }
    std::int64_t vertical(std::size_t i, std::size_t j) const {
        return std::int64_t(2 * (j * nx + i) + 1);
    }
    std::pair<double, double> point(std::int64_t edge, double level) const {
        const auto k = std::size_t(edge / 2);
        const std::size_t i = k % nx, j = k / nx;
        const bool h = edge % 2 == 0;
        const std::size_t i2 = h ? i + 1 : i, j2 = h ? j : j + 1;
        const double a = at(i, j), b = at(i2, j2);
        const double t = b == a ? 0.5 : (level - a) / (b - a);
        return {xs[i] + t * (xs[i2] - xs[i]), ys[j] + t * (ys[j2] - ys[j])};
    }
};

struct Segment {
    std::int64_t a, b;
};

// The segments of one level: corners at or above the level are "in".
std::vector<Segment> cellSegments(const Grid& g, double level) {
    std::vector<Segment> out;
    for (std::size_t j = 0; j + 1 < g.ny; ++j)
        for (std::size_t i = 0; i + 1 < g.nx; ++i) {
            const double c[4] = {g.at(i, j), g.at(i + 1, j), g.at(i + 1, j + 1), g.at(i, j + 1)};
            if (!std::isfinite(c[0]) || !std::isfinite(c[1]) || !std::isfinite(c[2]) ||
                !std::isfinite(c[3]))
                continue;
            int mask = 0;
            for (int k = 0; k < 4; ++k)
                if (c[k] >= level)
                    mask |= 1 << k;
            if (mask == 0 || mask == 15)
                continue;
            // the cell's edges: bottom, right, top, left
            const std::int64_t e[4] = {g.horizontal(i, j), g.vertical(i + 1, j),
                                       g.horizontal(i, j + 1), g.vertical(i, j)};
            // edge k joins corner k and corner k+1: it is crossed when exactly one is in
            std::vector<int> crossed;
            for (int k = 0; k < 4; ++k)
                if (((mask >> k) & 1) != ((mask >> ((k + 1) % 4)) & 1))
                    crossed.push_back(k);
            if (crossed.size() == 2) {
                out.push_back({e[crossed[0]], e[crossed[1]]});
                continue;
            }
            // a saddle: corners 0 and 2 on one side, 1 and 3 on the other. When the centre is
            // on the side of corners 0 and 2 they are joined through the middle, so the lines
            // cut off corners 1 and 3; otherwise the lines cut off corners 0 and 2.
            const double centre = (c[0] + c[1] + c[2] + c[3]) / 4;
            const bool centreIn = centre >= level;
            const bool zeroIn = (mask & 1) != 0;
            if (centreIn == zeroIn) {
                out.push_back({e[0], e[1]}); // around corner 1
                out.push_back({e[2], e[3]}); // around corner 3
            } else {
                out.push_back({e[3], e[0]}); // around corner 0
                out.push_back({e[1], e[2]}); // around corner 2
            }
        }
    return out;
}

} // namespace

std::vector<ContourLine> contourLines(const std::vector<double>& values,
                                      const std::vector<double>& xs, const std::vector<double>& ys,
                                      const std::vector<double>& levels) {
    if (xs.size() < 2 || ys.size() < 2)
        throw std::invalid_argument("contour lines need a grid of at least 2 x 2 points, got " +
                                    std::to_string(xs.size()) + " x " + std::to_string(ys.size()));
    if (values.size() != xs.size() * ys.size())
        throw std::invalid_argument("contour lines: " + std::to_string(values.size()) +
                                    " values for a grid of " + std::to_string(xs.size()) + " x " +
                                    std::to_string(ys.size()));
    const Grid g{values, xs, ys, xs.size(), ys.size()};
    std::vector<ContourLine> lines;
    for (const double level : levels) {
        if (!std::isfinite(level))
            continue;
        const std::vector<Segment> segs = cellSegments(g, level);
        // each edge belongs to at most two segments (the two cells beside it)
        std::unordered_map<std::int64_t, std::pair<int, int>> byEdge;
        byEdge.reserve(segs.size() * 2);
        for (int s = 0; s < int(segs.size()); ++s)
            for (const std::int64_t e : {segs[std::size_t(s)].a, segs[std::size_t(s)].b}) {
                auto [it, fresh] = byEdge.try_emplace(e, s, -1);
                if (!fresh)
                    it->second.second = s;
            }
        std::vector<char> used(segs.size(), 0);
        const auto other = [&](std::int64_t edge, int from) {
            const auto& p = byEdge.at(edge);
            return p.first == from ? p.second : p.first;
        };
        // Walk from the open ends first, so every open line is found whole; what is left
        // after that is closed loops.
        const auto walk = [&](int start, std::int64_t startEdge) {
            ContourLine line;
            line.level = level;
            line.points.push_back(g.point(startEdge, level));
            int s = start;
            std::int64_t edge = startEdge;
            while (s >= 0 && !used[std::size_t(s)]) {
                used[std::size_t(s)] = 1;
                const Segment& seg = segs[std::size_t(s)];
                edge = seg.a == edge ? seg.b : seg.a;
                line.points.push_back(g.point(edge, level));
                s = other(edge, s);
            }
            line.closed = edge == startEdge && line.points.size() > 2;
            if (line.closed)
                line.points.pop_back();
            lines.push_back(std::move(line));
        };
        for (const auto& [edge, pair] : byEdge)
            if (pair.second < 0 && !used[std::size_t(pair.first)])
                walk(pair.first, edge);
        for (int s = 0; s < int(segs.size()); ++s)
            if (!used[std::size_t(s)])
                walk(s, segs[std::size_t(s)].a);
    }
    return lines;
}

std::vector<double> contourLevels(double lo, double hi, int count) {
    std::vector<double> out;
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo >= hi || count < 1)
        return out;
    const double raw = (hi - lo) / count;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (const double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    for (double k = std::floor(lo / step) + 1; k * step < hi; k += 1)
        if (k * step > lo)
            out.push_back(k * step);
    return out;
}

} // namespace ps
