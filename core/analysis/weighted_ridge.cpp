#include "core/analysis/weighted_ridge.h"

#include <Eigen/Dense>
#include <algorithm>
#include <stdexcept>
#include <string>

namespace ps::detail {

WeightedGram weightedGram(const std::vector<double>& x, std::size_t rows, std::size_t dims,
                          const std::vector<double>& y, const std::vector<double>& w) {
    if (x.size() != rows * dims || y.size() != rows || w.size() != rows)
        throw std::invalid_argument("weighted least squares: " + std::to_string(rows) +
                                    " rows, but " + std::to_string(x.size()) + " values, " +
                                    std::to_string(y.size()) + " targets and " +
                                    std::to_string(w.size()) + " weights");
    WeightedGram g;
    g.dims = dims;
    g.meanX.assign(dims, 0.0);
    g.xx.assign(dims * dims, 0.0);
    g.xy.assign(dims, 0.0);
    double sumW = 0;
    for (std::size_t i = 0; i < rows; ++i) {
        sumW += w[i];
        g.meanY += w[i] * y[i];
        for (std::size_t j = 0; j < dims; ++j)
            g.meanX[j] += w[i] * x[i * dims + j];
    }
    if (!(sumW > 0))
        throw std::invalid_argument("weighted least squares: the weights sum to " +
                                    std::to_string(sumW) + ", not a positive number");
    g.meanY /= sumW;
    for (double& m : g.meanX)
        m /= sumW;
    // Second pass about the means: the one-pass formula loses digits when features are binary
    // indicators that are almost always 1.
    std::vector<double> c(dims);
    for (std::size_t i = 0; i < rows; ++i) {
        const double cy = y[i] - g.meanY;
        for (std::size_t j = 0; j < dims; ++j)
            c[j] = x[i * dims + j] - g.meanX[j];
        g.yy += w[i] * cy * cy;
        for (std::size_t j = 0; j < dims; ++j) {
            const double wc = w[i] * c[j];
            g.xy[j] += wc * cy;
            for (std::size_t k = j; k < dims; ++k)
                g.xx[j * dims + k] += wc * c[k];
        }
    }
    for (std::size_t j = 0; j < dims; ++j)
        for (std::size_t k = 0; k < j; ++k)
            g.xx[j * dims + k] = g.xx[k * dims + j];
    return g;
}

RidgeFit ridgeFit(const WeightedGram& gram, const std::vector<std::size_t>& columns, double alpha) {
    const auto k = static_cast<Eigen::Index>(columns.size());
    Eigen::MatrixXd a(k, k);
    Eigen::VectorXd b(k);
    for (Eigen::Index r = 0; r < k; ++r) {
        const std::size_t cr = columns[static_cast<std::size_t>(r)];
        if (cr >= gram.dims)
            throw std::invalid_argument("weighted least squares: column " + std::to_string(cr) +
                                        " of " + std::to_string(gram.dims));
        b(r) = gram.xy[cr];
        for (Eigen::Index s = 0; s < k; ++s)
            a(r, s) = gram.xx[cr * gram.dims + columns[static_cast<std::size_t>(s)]];
    }
    Eigen::VectorXd beta(k);
    if (k == 0) {
        // nothing to solve: the intercept alone
    } else if (alpha > 0) {
        a.diagonal().array() += alpha;
        beta = a.ldlt().solve(b);
    } else {
        // The minimum-norm solution of the normal equations is the least-squares solution of
        // minimum norm (their null spaces agree).
        beta = a.completeOrthogonalDecomposition().solve(b);
    }
    RidgeFit fit;
    fit.coef.assign(beta.data(), beta.data() + k);
    fit.intercept = gram.meanY;
    for (Eigen::Index r = 0; r < k; ++r)
        fit.intercept -= beta(r) * gram.meanX[columns[static_cast<std::size_t>(r)]];
    // Residual sum of squares from the moments: yy - 2 beta.xy + beta' A beta (A unpenalized).
    double rss = gram.yy;
    for (Eigen::Index r = 0; r < k; ++r) {
        rss -= 2 * beta(r) * b(r);
        const std::size_t cr = columns[static_cast<std::size_t>(r)];
        for (Eigen::Index s = 0; s < k; ++s)
            rss +=
                beta(r) * beta(s) * gram.xx[cr * gram.dims + columns[static_cast<std::size_t>(s)]];
    }
    rss = std::max(rss, 0.0);
    // scikit-learn's r2_score: 1 when y is constant and fitted exactly, 0 when constant but not.
    if (gram.yy > 0)
        fit.score = 1 - rss / gram.yy;
    else
        fit.score = rss > 0 ? 0.0 : 1.0;
    return fit;
}

} // namespace ps::detail
