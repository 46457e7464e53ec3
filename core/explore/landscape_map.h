#pragma once
// A stored 2-D loss-landscape result (the `landscape` analysis: x, y, loss[y][x], optional
// path and explained_variance) as a grid the views draw from: the 2-D map, its contour lines
// and the 3-D surface all read it here, and pick values from it. Plain C++.

#include "core/study/trial.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ps {

struct LandscapeMap {
    std::vector<double> xs, ys;                  // increasing
    std::vector<double> loss;                    // ys.size() rows of xs.size(); NaN = missing
    std::vector<std::pair<double, double>> path; // the projected trajectory, if stored
    std::string xLabel = "x", yLabel = "y";      // "PC 1 (62.0 %)" for PCA directions

    std::size_t nx() const { return xs.size(); }
    std::size_t ny() const { return ys.size(); }
    double at(std::size_t i, std::size_t j) const { return loss[j * xs.size() + i]; }
    // Bilinear interpolation of the loss at (x, y); NaN outside the grid or next to a
    // missing sample.
    double lossAt(double x, double y) const;
    // log10 of every sample (NaN where the loss is not positive), for maps and surfaces that
    // show orders of magnitude.
    std::vector<double> log10Loss() const;
};

// The grid of a 2-D landscape result; nothing, with *why set, for 1-D results and results
// missing what a grid needs (sizes that disagree, axes that do not increase).
std::optional<LandscapeMap> readLandscapeMap(const Json& result, std::string* why = nullptr);

} // namespace ps
