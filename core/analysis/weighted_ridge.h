#pragma once
// Sample-weighted linear least squares with an intercept and an L2 penalty, the surrogate model
// of LIME and of the augmentation-sensitivity analysis. It reproduces scikit-learn's
// Ridge(alpha, fit_intercept=True).fit(X, y, sample_weight=w) and its weighted R^2 `score`,
// from the weighted, centred Gram matrix, so fits on many column subsets (forward selection)
// cost O(d^3) each after one O(n d^2) pass. Internal to the analyses; any thread.

#include <cstddef>
#include <vector>

namespace ps::detail {

// The weighted second moments of a row-major n x d matrix X and a target y about their
// weighted means: xx = sum_i w_i (x_i - mx)(x_i - mx)^T, xy = sum_i w_i (x_i - mx)(y_i - my),
// yy = sum_i w_i (y_i - my)^2.
struct WeightedGram {
    std::size_t dims = 0;
    std::vector<double> meanX; // d
    double meanY = 0;
    std::vector<double> xx; // d x d, row-major
    std::vector<double> xy; // d
    double yy = 0;
};

// Throws std::invalid_argument for mismatched sizes or weights that do not sum to a positive
// number.
WeightedGram weightedGram(const std::vector<double>& x, std::size_t rows, std::size_t dims,
                          const std::vector<double>& y, const std::vector<double>& w);

struct RidgeFit {
    std::vector<double> coef; // one per chosen column, in the order asked for
    double intercept = 0;
    double score = 0; // weighted R^2 on the fitted data (1 when y is constant and fitted exactly)
};

// Ridge on the chosen columns of the Gram's matrix. alpha = 0 is weighted least squares; a
// rank-deficient system (a constant or duplicated column) then gets the minimum-norm solution,
// as scikit-learn's fallback to lstsq does.
RidgeFit ridgeFit(const WeightedGram& gram, const std::vector<std::size_t>& columns, double alpha);

} // namespace ps::detail
