#include "core/sampling/gp_sampler.h"

#include "core/analysis/lbfgs.h"
#include "core/sampling/random_sampler.h"
#include "core/sampling/unit_mapping.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <utility>

namespace ps {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// Salt of the candidate stream, so it is independent of RandomSampler's stream for the same
// trial (whose values the unmodelled parameters take).
constexpr std::uint64_t kCandidateSalt = 0x6a09e667f3bcc909ULL;
constexpr double kMinNoise = 1e-6;          // Optuna's minimum noise variance
constexpr int kCandidates = 2048;           // Optuna's preliminary sample count
constexpr int kLocalStarts = 10;            // Optuna's local searches
constexpr Eigen::Index kMaxFitPoints = 160; // see the fit in sample()
constexpr double kSqrt5 = 2.23606797749978969641;
constexpr double kLog2Pi = 1.83787706640934548356;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Squared scaled distances between the rows of a and b: sum_j lambda_j d_j^2, d_j the
// coordinate difference, or the Hamming indicator on categorical dimensions.
MatrixXd sqDist(const MatrixXd& a, const MatrixXd& b, const VectorXd& lam,
                const std::vector<bool>& cat) {
    const auto d = a.cols();
    MatrixXd as = a, bs = b;
    for (Eigen::Index j = 0; j < d; ++j) {
        const double w = cat[static_cast<std::size_t>(j)] ? 0.0 : std::sqrt(lam[j]);
        as.col(j) *= w;
        bs.col(j) *= w;
    }
    // |a|^2 + |b|^2 - 2 a.b as one matrix product: the cost of scoring thousands of points.
    MatrixXd r2 = -2.0 * as * bs.transpose();
    r2.colwise() += as.rowwise().squaredNorm();
    r2.rowwise() += bs.rowwise().squaredNorm().transpose();
    for (Eigen::Index j = 0; j < d; ++j) {
        if (!cat[static_cast<std::size_t>(j)])
            continue;
        for (Eigen::Index k = 0; k < b.rows(); ++k)
            for (Eigen::Index i = 0; i < a.rows(); ++i)
                if (a(i, j) != b(k, j))
                    r2(i, k) += lam[j];
    }
    return r2.cwiseMax(0.0); // rounding can make the expansion slightly negative
}

MatrixXd maternOf(const MatrixXd& r2) {
    return r2.unaryExpr([](double v) { return gp::matern52(v); });
}

// Cholesky of K, with growing jitter when rounding (duplicate points) leaves it not quite
// positive definite.
bool choleskyWithJitter(MatrixXd k, Eigen::LLT<MatrixXd>& llt) {
    double jitter = 0;
    for (int attempt = 0; attempt < 6; ++attempt) {
        if (jitter > 0)
            k.diagonal().array() += jitter;
        llt.compute(k);
        if (llt.info() == Eigen::Success && llt.matrixLLT().diagonal().allFinite())
            return true;
        jitter = jitter == 0 ? 1e-9 : jitter * 10;
    }
    return false;
}

struct FitProblem {
    const MatrixXd& x;
    const VectorXd& y;
    const std::vector<bool>& cat;
    bool deterministic;

    Eigen::Index size() const { return x.cols() + (deterministic ? 1 : 2); }

    // -(log marginal likelihood + log prior) and its gradient in the raw parameters
    // (log lambda_j, log s, log(noise - min noise)); +inf where the kernel breaks down.
    double operator()(const VectorXd& raw, VectorXd& grad) const {
        const auto d = x.cols();
        const auto n = x.rows();
        grad = VectorXd::Zero(raw.size());
        if (!raw.allFinite() || raw.cwiseAbs().maxCoeff() > 25)
            return std::numeric_limits<double>::infinity();
        const VectorXd lam = raw.head(d).array().exp();
        const double s = std::exp(raw[d]);
        const double noiseExcess = deterministic ? 0.0 : std::exp(raw[d + 1]);
        const double noise = noiseExcess + kMinNoise;
        const MatrixXd r2 = sqDist(x, x, lam, cat);
        // The correlation and its derivative in r^2 share one sqrt and one exp per pair, and
        // the matrices are symmetric: the lower triangle is computed and mirrored. The
        // derivative is taken in r^2, -(5/6)(1 + sqrt5 r) exp(-sqrt5 r), finite at r = 0.
        MatrixXd f(n, n), dfdr2(n, n);
        for (Eigen::Index b = 0; b < n; ++b) {
            for (Eigen::Index a = b; a < n; ++a) {
                const double r = std::sqrt(r2(a, b));
                const double e = std::exp(-kSqrt5 * r);
                f(a, b) = f(b, a) = (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2(a, b)) * e;
                dfdr2(a, b) = dfdr2(b, a) = -(5.0 / 6.0) * (1.0 + kSqrt5 * r) * e;
            }
        }
        MatrixXd k = s * f;
        k.diagonal().array() += noise;
        Eigen::LLT<MatrixXd> llt(k);
        if (llt.info() != Eigen::Success)
            return std::numeric_limits<double>::infinity();
        const VectorXd alpha = llt.solve(y);
        const double logDet = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
        const double lml =
            -0.5 * y.dot(alpha) - 0.5 * logDet - 0.5 * static_cast<double>(n) * kLog2Pi;
        // d lml / d theta = 1/2 tr((alpha alpha^T - K^-1) dK/d theta)
        const MatrixXd w = alpha * alpha.transpose() - llt.solve(MatrixXd::Identity(n, n));
        const MatrixXd g = s * dfdr2.cwiseProduct(w);
        const VectorXd rowSum = g.rowwise().sum();
        double lp = 0;
        for (Eigen::Index j = 0; j < d; ++j) {
            double sum = 0; // sum_ik g_ik d_j(i, k)
            if (cat[static_cast<std::size_t>(j)]) {
                for (Eigen::Index b = 0; b < n; ++b)
                    for (Eigen::Index a = 0; a < n; ++a)
                        if (x(a, j) != x(b, j))
                            sum += g(a, b);
            } else {
                const VectorXd c = x.col(j);
                sum = 2.0 * (c.array().square().matrix().dot(rowSum) - c.dot(g * c));
            }
            grad[j] = 0.5 * lam[j] * sum + (0.1 / lam[j] - 0.1 * lam[j]);
            lp += -(0.1 / lam[j] + 0.1 * lam[j]);
        }
        grad[d] = 0.5 * s * w.cwiseProduct(f).sum() + (1.0 - s); // Gamma(2, 1)
        lp += std::log(s) - s;
        if (!deterministic) {
            // Gamma(1.1, 30): (1.1 - 1) log v - 30 v
            grad[d + 1] = (0.5 * w.trace() + 0.1 / noise - 30.0) * noiseExcess;
            lp += 0.1 * std::log(noise) - 30.0 * noise;
        }
        grad = -grad;
        const double value = -(lml + lp);
        if (!std::isfinite(value) || !grad.allFinite())
            return std::numeric_limits<double>::infinity();
        return value;
    }
};

// The posterior given fixed hyperparameters: Cholesky factor and weights.
struct Model {
    MatrixXd x;
    VectorXd lam;
    std::vector<bool> cat;
    double scale = 1, noise = kMinNoise;
    Eigen::LLT<MatrixXd> llt;
    VectorXd alpha;

    bool build(const VectorXd& y) {
        MatrixXd k = scale * maternOf(sqDist(x, x, lam, cat));
        k.diagonal().array() += noise;
        if (!choleskyWithJitter(std::move(k), llt))
            return false;
        alpha = llt.solve(y);
        return alpha.allFinite();
    }

    // Mean and latent variance at the rows of q.
    void predict(const MatrixXd& q, VectorXd& mean, VectorXd& var) const {
        const MatrixXd ks = scale * maternOf(sqDist(x, q, lam, cat)); // n x m
        mean = ks.transpose() * alpha;
        const MatrixXd v = llt.matrixL().solve(ks);
        var = (scale - v.colwise().squaredNorm().transpose().array()).matrix();
    }
};

// log EI for minimization at the rows of q; never NaN.
VectorXd logEiAt(const Model& m, const MatrixXd& q, double best) {
    VectorXd mean, var;
    m.predict(q, mean, var);
    VectorXd out(q.rows());
    for (Eigen::Index i = 0; i < q.rows(); ++i) {
        const double sigma = std::sqrt(std::max(var[i], 1e-12));
        const double z = (best - mean[i]) / sigma;
        const double v = std::log(sigma) + gp::logH(z);
        out[i] = std::isfinite(v) ? v : kNegInf;
    }
    return out;
}

// d logH / dz = Phi(z) / h(z), with the same split as gp::logH.
double logHGrad(double z) {
    if (z > -25.0) {
        const double phi = std::exp(-0.5 * z * z - 0.5 * kLog2Pi);
        const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
        const double h = phi + z * cdf;
        return h > 0 ? cdf / h : -z;
    }
    const double t = 1.0 / (z * z);
    const double series = 1.0 + t * (-3.0 + t * (15.0 + t * (-105.0 + t * 945.0)));
    const double dSeriesDt = -3.0 + t * (30.0 + t * (-315.0 + t * 3780.0));
    return -z - 2.0 / z + dSeriesDt / series * (-2.0 * t / z);
}

// log EI at one point and its gradient in the continuous coordinates (zero on categorical
// ones), for the local search: one pair of triangular solves per step instead of a batch of
// 2d probes.
double logEiWithGrad(const Model& m, const VectorXd& q, double best, VectorXd& grad) {
    const auto n = m.x.rows(), d = m.x.cols();
    grad = VectorXd::Zero(d);
    VectorXd k(n), fp(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        double r2 = 0;
        for (Eigen::Index j = 0; j < d; ++j) {
            const double diff = q[j] - m.x(i, j);
            r2 += m.cat[static_cast<std::size_t>(j)] ? (diff != 0 ? m.lam[j] : 0.0)
                                                     : m.lam[j] * diff * diff;
        }
        const double r = std::sqrt(r2);
        const double e = std::exp(-kSqrt5 * r);
        k[i] = m.scale * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * e;
        fp[i] = m.scale * -(5.0 / 6.0) * (1.0 + kSqrt5 * r) * e;
    }
    const double mean = k.dot(m.alpha);
    const VectorXd v = m.llt.matrixL().solve(k);
    const double var = m.scale - v.squaredNorm();
    const bool clamped = var < 1e-12;
    const double sigma = std::sqrt(std::max(var, 1e-12));
    const double z = (best - mean) / sigma;
    const double value = std::log(sigma) + gp::logH(z);
    if (!std::isfinite(value))
        return kNegInf;
    const VectorXd w = m.llt.matrixU().solve(v); // K^-1 k
    const VectorXd a = m.alpha.cwiseProduct(fp), b = w.cwiseProduct(fp);
    const VectorXd xa = m.x.transpose() * a, xb = m.x.transpose() * b;
    const double sa = a.sum(), sb = b.sum(), dh = logHGrad(z);
    for (Eigen::Index j = 0; j < d; ++j) {
        if (m.cat[static_cast<std::size_t>(j)])
            continue;
        const double dMean = 2.0 * m.lam[j] * (q[j] * sa - xa[j]);
        const double dVar = clamped ? 0.0 : -2.0 * 2.0 * m.lam[j] * (q[j] * sb - xb[j]);
        const double dSigma = dVar / (2.0 * sigma);
        const double dz = (-dMean - z * dSigma) / sigma;
        grad[j] = dSigma / sigma + dh * dz;
    }
    if (!grad.allFinite())
        grad.setZero();
    return value;
}

bool isModelled(const ParamSpec& p) {
    if (!(p.when.is_null() || p.when.empty()))
        return false;
    return p.type != ParamType::Categorical || !p.choices.empty();
}

// A trial's coordinate for parameter p: the unit-cube coordinate (the inverse of
// paramsFromUnitPoint) for float and int, the choice index for a categorical; nothing when
// the value is absent or unusable (a trial from before the space was edited).
std::optional<double> coordOf(const ParamSpec& p, const Json& params) {
    const auto it = params.find(p.name);
    if (it == params.end())
        return std::nullopt;
    if (p.type == ParamType::Categorical) {
        for (std::size_t c = 0; c < p.choices.size(); ++c) {
            if (*it == p.choices[c])
                return static_cast<double>(c);
        }
        return std::nullopt;
    }
    return unitCoordinate(p, params);
}

} // namespace

namespace gp {

double matern52(double r2) {
    const double r = std::sqrt(std::max(r2, 0.0));
    return (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * std::exp(-kSqrt5 * r);
}

double logH(double z) {
    if (std::isnan(z))
        return kNegInf;
    if (z > -25.0) {
        // Direct form; for z < 0 phi + z Phi loses at most ~3 digits down to z = -25.
        const double phi = std::exp(-0.5 * z * z - 0.5 * kLog2Pi);
        const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
        const double h = phi + z * cdf;
        return h > 0 ? std::log(h) : kNegInf;
    }
    // Left tail (Phi underflows by z = -38): h(z) = phi(z)/z^2 (1 - 3/z^2 + 15/z^4 - 105/z^6
    // + 945/z^8 - ...), the asymptotic expansion of the Mills ratio, accurate to ~1e-11 here.
    const double t = 1.0 / (z * z);
    const double series = 1.0 + t * (-3.0 + t * (15.0 + t * (-105.0 + t * 945.0)));
    return -0.5 * z * z - 0.5 * kLog2Pi + std::log(t) + std::log(series);
}

namespace {

MatrixXd toMatrix(const std::vector<std::vector<double>>& rows, std::size_t d) {
    MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(d));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < d; ++j)
            m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i].at(j);
    return m;
}

Hyper fitMatrix(const MatrixXd& x, const VectorXd& y, const std::vector<bool>& cat,
                bool deterministic) {
    const auto d = x.cols();
    const FitProblem problem{x, y, cat, deterministic};
    VectorXd raw = VectorXd::Zero(problem.size());
    if (!deterministic)
        raw[d + 1] = std::log(0.01);
    // Memory 10, Armijo backtracking, at most 50 iterations; stops at a gradient of 1e-2
    // as Optuna's L-BFGS-B call does.
    LbfgsOptions options;
    options.maxIterations = 50;
    options.gradientTolerance = 1e-2;
    options.lineSearch = LineSearch::Backtracking;
    const LbfgsObjective objective = [&problem](const std::vector<double>& v,
                                                std::vector<double>& g) {
        VectorXd grad;
        const double value = problem(
            Eigen::Map<const VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())), grad);
        std::copy(grad.data(), grad.data() + grad.size(), g.begin());
        return value;
    };
    const std::vector<double> fitted =
        minimizeLbfgs(objective, std::vector<double>(raw.data(), raw.data() + raw.size()), options)
            .x;
    raw = Eigen::Map<const VectorXd>(fitted.data(), static_cast<Eigen::Index>(fitted.size()));
    Hyper h;
    for (Eigen::Index j = 0; j < d; ++j)
        h.invSqLengthscales.push_back(std::exp(raw[j]));
    h.scale = std::exp(raw[d]);
    h.noise = kMinNoise + (deterministic ? 0.0 : std::exp(raw[d + 1]));
    return h;
}

} // namespace

Posterior posterior(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                    const std::vector<bool>& categorical, const Hyper& hyper,
                    const std::vector<std::vector<double>>& query) {
    const std::size_t d = categorical.size();
    Model m;
    m.x = toMatrix(x, d);
    m.lam =
        Eigen::Map<const VectorXd>(hyper.invSqLengthscales.data(), static_cast<Eigen::Index>(d));
    m.cat = categorical;
    m.scale = hyper.scale;
    m.noise = hyper.noise;
    Posterior p;
    if (!m.build(Eigen::Map<const VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()))))
        return p;
    VectorXd mean, var;
    m.predict(toMatrix(query, d), mean, var);
    p.mean.assign(mean.data(), mean.data() + mean.size());
    p.variance.assign(var.data(), var.data() + var.size());
    return p;
}

Hyper fit(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
          const std::vector<bool>& categorical, bool deterministic) {
    return fitMatrix(toMatrix(x, categorical.size()),
                     Eigen::Map<const VectorXd>(y.data(), static_cast<Eigen::Index>(y.size())),
                     categorical, deterministic);
}

} // namespace gp

GpSampler::GpSampler(std::uint64_t seed, Options options, Direction direction,
                     std::vector<Constraint> constraints)
    : m_seed(seed), m_options(options), m_direction(direction),
      m_constraints(std::move(constraints)) {}

SamplerInfo GpSampler::info() {
    return {"gp",
            "Gaussian-process Bayesian optimization (Matern-5/2, MAP hyperparameters, log EI; "
            "as Optuna's GPSampler); conditional parameters sampled at random",
            {
                makeSetting("n_startup_trials", SettingType::Int, 10, 0.0, std::nullopt,
                            "completed trials sampled at random before the GP takes over"),
                makeSetting("deterministic_objective", SettingType::Bool, false, std::nullopt,
                            std::nullopt,
                            "the objective has no noise: fix the noise variance at its minimum"),
            },
            [](const SamplerConfig& c) {
                Options o;
                o.nStartupTrials = c.options.value("n_startup_trials", o.nStartupTrials);
                o.deterministicObjective =
                    c.options.value("deterministic_objective", o.deterministicObjective);
                const Direction direction =
                    c.objectives.empty() ? Direction::Minimize : c.objectives.front().direction;
                return std::make_unique<GpSampler>(c.seed, o, direction, c.constraints);
            }};
}

Json GpSampler::sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) {
    // RandomSampler's unit point for this trial (the same stream, one draw per parameter):
    // the startup proposal, and the values of the parameters the GP does not model.
    std::vector<double> u = RandomSampler::unitPoint(m_seed, number, space.params.size());

    std::vector<std::size_t> dims;
    std::vector<bool> cat;
    for (std::size_t j = 0; j < space.params.size(); ++j) {
        if (isModelled(space.params[j])) {
            dims.push_back(j);
            cat.push_back(space.params[j].type == ParamType::Categorical);
        }
    }
    const auto d = static_cast<Eigen::Index>(dims.size());
    auto rowOf = [&](const Trial& t, std::vector<double>& row) {
        row.resize(dims.size());
        for (std::size_t j = 0; j < dims.size(); ++j) {
            const auto c = coordOf(space.params[dims[j]], t.params);
            if (!c)
                return false;
            row[j] = *c;
        }
        return true;
    };
    std::vector<std::vector<double>> done, pending;
    std::vector<double> values;
    std::vector<double> row;
    const double sign = m_direction == Direction::Maximize ? -1.0 : 1.0;
    std::vector<std::vector<double>> infeasibleRows;
    std::vector<double> violations;
    for (const auto& t : trials) {
        if (t.state == TrialState::Complete && t.value && std::isfinite(*t.value)) {
            const double v = violation(m_constraints, t);
            if (rowOf(t, row)) {
                if (v > 0) {
                    infeasibleRows.push_back(row);
                    violations.push_back(v);
                } else {
                    done.push_back(row);
                    values.push_back(sign * *t.value);
                }
            }
        } else if (t.state == TrialState::Waiting || t.state == TrialState::Running) {
            if (rowOf(t, row))
                pending.push_back(row);
        }
    }
    // Infeasible trials join at the worst feasible value; with none feasible, by violation.
    if (!infeasibleRows.empty()) {
        const bool anyFeasible = !values.empty();
        const double worst = anyFeasible ? *std::max_element(values.begin(), values.end()) : 0.0;
        double worstViolation = 0; // a missing constraint metric: worse than any finite one
        for (double v : violations)
            worstViolation = std::isfinite(v) ? std::max(worstViolation, v) : worstViolation;
        for (std::size_t i = 0; i < infeasibleRows.size(); ++i) {
            done.push_back(infeasibleRows[i]);
            values.push_back(
                anyFeasible ? worst
                            : (std::isfinite(violations[i]) ? violations[i] : worstViolation + 1));
        }
    }
    const int startup = std::max(1, m_options.nStartupTrials);
    if (d == 0 || static_cast<int>(done.size()) < startup)
        return paramsFromUnitPoint(space, u);

    // Standardize the observations (Optuna: mean / std); a constant history gives zeros.
    const auto n = static_cast<Eigen::Index>(done.size());
    VectorXd y = Eigen::Map<const VectorXd>(values.data(), n);
    const double mu = y.mean();
    const double sd = std::sqrt((y.array() - mu).square().mean());
    y = ((y.array() - mu) / std::max(sd, 1e-10)).matrix();
    const double best = y.minCoeff();

    MatrixXd x(n, d);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < d; ++j)
            x(i, j) = done[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    // The MAP fit costs O(n^3) per L-BFGS step (the inverse in the gradient): beyond
    // kMaxFitPoints it sees a deterministic subset, the best half plus an even spread of the
    // rest in trial order, which keeps the lengthscales global. The posterior uses every point.
    gp::Hyper h;
    if (n > kMaxFitPoints) {
        std::vector<Eigen::Index> idx(static_cast<std::size_t>(n));
        std::iota(idx.begin(), idx.end(), Eigen::Index{0});
        std::stable_sort(idx.begin(), idx.end(),
                         [&](Eigen::Index a, Eigen::Index b) { return y[a] < y[b]; });
        const Eigen::Index nBest = kMaxFitPoints / 2, nRest = kMaxFitPoints - nBest;
        std::vector<Eigen::Index> rest(idx.begin() + nBest, idx.end());
        std::sort(rest.begin(), rest.end());
        std::vector<Eigen::Index> pick(idx.begin(), idx.begin() + nBest);
        for (Eigen::Index i = 0; i < nRest; ++i)
            pick.push_back(
                rest[static_cast<std::size_t>(i * static_cast<Eigen::Index>(rest.size()) / nRest)]);
        MatrixXd xs(kMaxFitPoints, d);
        VectorXd ys(kMaxFitPoints);
        for (Eigen::Index i = 0; i < kMaxFitPoints; ++i) {
            xs.row(i) = x.row(pick[static_cast<std::size_t>(i)]);
            ys[i] = y[pick[static_cast<std::size_t>(i)]];
        }
        h = gp::fitMatrix(xs, ys, cat, m_options.deterministicObjective);
    } else {
        h = gp::fitMatrix(x, y, cat, m_options.deterministicObjective);
    }

    // Constant liar: pending points join the data with the best observed value, the
    // hyperparameters kept, so their neighbourhoods lose EI and parallel workers spread out.
    Model model;
    const auto np = static_cast<Eigen::Index>(pending.size());
    model.x.resize(n + np, d);
    model.x.topRows(n) = x;
    VectorXd yAll(n + np);
    yAll.head(n) = y;
    for (Eigen::Index i = 0; i < np; ++i) {
        for (Eigen::Index j = 0; j < d; ++j)
            model.x(n + i, j) = pending[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
        yAll[n + i] = best;
    }
    model.lam = Eigen::Map<const VectorXd>(h.invSqLengthscales.data(), d);
    model.cat = cat;
    model.scale = h.scale;
    model.noise = h.noise;
    if (!model.build(yAll))
        return paramsFromUnitPoint(space, u);

    // Candidates: stratified random (a Latin hypercube) on continuous dimensions, uniform
    // choices on categorical ones, plus the incumbent; seeded per trial.
    std::mt19937_64 rng(
        mixSeed(mixSeed(m_seed ^ kCandidateSalt) ^ mixSeed(static_cast<std::uint64_t>(number))));
    auto choicesOf = [&](Eigen::Index j) {
        return static_cast<int>(space.params[dims[static_cast<std::size_t>(j)]].choices.size());
    };
    MatrixXd cand(kCandidates + 1, d);
    std::vector<int> perm(kCandidates);
    for (Eigen::Index j = 0; j < d; ++j) {
        if (cat[static_cast<std::size_t>(j)]) {
            std::uniform_int_distribution<int> pick(0, choicesOf(j) - 1);
            for (int i = 0; i < kCandidates; ++i)
                cand(i, j) = pick(rng);
        } else {
            std::iota(perm.begin(), perm.end(), 0);
            std::shuffle(perm.begin(), perm.end(), rng);
            std::uniform_real_distribution<double> unit(0.0, 1.0);
            for (int i = 0; i < kCandidates; ++i)
                cand(i, j) = (perm[static_cast<std::size_t>(i)] + unit(rng)) / kCandidates;
        }
    }
    Eigen::Index bestIdx = 0;
    y.minCoeff(&bestIdx);
    cand.row(kCandidates) = x.row(bestIdx);
    const VectorXd score = logEiAt(model, cand, best);

    std::vector<Eigen::Index> order(static_cast<std::size_t>(cand.rows()));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::partial_sort(order.begin(), order.begin() + kLocalStarts, order.end(),
                      [&](Eigen::Index a, Eigen::Index b) {
                          return score[a] > score[b] || (score[a] == score[b] && a < b);
                      });
    std::vector<Eigen::Index> starts(order.begin(), order.begin() + kLocalStarts);
    if (std::find(starts.begin(), starts.end(), Eigen::Index{kCandidates}) == starts.end())
        starts.push_back(kCandidates); // Optuna also warm-starts a local search at the best

    // Local search from each start: projected gradient ascent on the continuous coordinates
    // (a step along the normalized gradient, grown on success and halved on failure, as
    // Optuna runs L-BFGS-B there), then one pass over every other choice of each categorical.
    VectorXd bestX = cand.row(order[0]).transpose();
    double bestScore = score[order[0]];
    VectorXd grad, gradNext;
    for (Eigen::Index s0 : starts) {
        VectorXd cur = cand.row(s0).transpose();
        double curScore = logEiWithGrad(model, cur, best, grad);
        double step = 0.05;
        for (int it = 0; it < 60 && step > 1e-6 && std::isfinite(curScore); ++it) {
            const double norm = grad.lpNorm<Eigen::Infinity>();
            if (!(norm > 0))
                break;
            VectorXd next = cur + (step / norm) * grad;
            for (Eigen::Index j = 0; j < d; ++j) {
                if (!cat[static_cast<std::size_t>(j)])
                    next[j] = std::clamp(next[j], 0.0, 1.0);
            }
            const double nextScore = logEiWithGrad(model, next, best, gradNext);
            if (nextScore > curScore) {
                cur = std::move(next);
                curScore = nextScore;
                std::swap(grad, gradNext);
                step = std::min(step * 1.5, 0.2);
            } else {
                step *= 0.5;
            }
        }
        for (Eigen::Index j = 0; j < d; ++j) {
            if (!cat[static_cast<std::size_t>(j)])
                continue;
            for (int c = 0; c < choicesOf(j); ++c) {
                VectorXd next = cur;
                next[j] = c;
                const double nextScore = logEiWithGrad(model, next, best, gradNext);
                if (nextScore > curScore) {
                    cur = std::move(next);
                    curScore = nextScore;
                }
            }
        }
        if (curScore > bestScore) {
            bestScore = curScore;
            bestX = cur;
        }
    }

    for (Eigen::Index j = 0; j < d; ++j) {
        const auto pj = dims[static_cast<std::size_t>(j)];
        const double v = std::isfinite(bestX[j]) ? bestX[j] : u[pj];
        u[pj] = cat[static_cast<std::size_t>(j)] ? (std::round(v) + 0.5) / choicesOf(j)
                                                 : std::clamp(v, 0.0, 1.0);
    }
    return paramsFromUnitPoint(space, u);
}

} // namespace ps
