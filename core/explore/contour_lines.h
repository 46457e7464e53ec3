#pragma once
// Iso-lines of a function sampled on a rectangular grid (marching squares), for the loss
// landscape's 2-D map and 3-D surface: both draw the same lines from this one function.
// Plain C++.

#include <cstddef>
#include <utility>
#include <vector>

namespace ps {

struct ContourLine {
    double level = 0;
    std::vector<std::pair<double, double>> points; // (x, y) in the grid's coordinates
    bool closed = false;                           // the last point joins the first
};

// `values` holds ys.size() rows of xs.size() samples (values[j * xs.size() + i] at (xs[i],
// ys[j])); xs and ys increase. A NaN sample leaves the cells around it without lines. Saddle
// cells are resolved by the cell's mean, so lines never cross. Throws std::invalid_argument
// when the sizes disagree or the grid is smaller than 2 x 2.
std::vector<ContourLine> contourLines(const std::vector<double>& values,
                                      const std::vector<double>& xs, const std::vector<double>& ys,
                                      const std::vector<double>& levels);

// About `count` levels between lo and hi at a round step (1, 2 or 5 times a power of ten),
// strictly inside (lo, hi); empty when lo >= hi or either is not finite.
std::vector<double> contourLevels(double lo, double hi, int count);

} // namespace ps
