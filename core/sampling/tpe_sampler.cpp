#include "core/sampling/tpe_sampler.h"

#include "core/sampling/random_sampler.h"
#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <utility>

namespace ps {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLogSqrt2Pi = 0.91893853320467274178; // log(sqrt(2 pi))
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kMinSigma = 1e-12; // Optuna's EPS when the magic clip is off

// log Phi(x). erfc underflows near x = -37, and the discrete kernels of far-away components
// are evaluated there, so the left tail uses the asymptotic series instead.
double logNdtr(double x) {
    if (x == -kInf)
        return -kInf;
    if (x > -20.0)
        return std::log(0.5 * std::erfc(-x / kSqrt2));
    const double x2 = x * x;
    return -0.5 * x2 - std::log(-x) - kLogSqrt2Pi + std::log1p(-1.0 / x2 + 3.0 / (x2 * x2));
}

// log(exp(a) - exp(b)) for a >= b.
double logDiff(double a, double b) {
    if (b == -kInf)
        return a;
    if (!(a > b))
        return -kInf;
    return a + std::log1p(-std::exp(b - a));
}

// log of the standard normal mass on [a, b], computed on the side of the mean where the CDF
// differences do not cancel (as scipy's truncnorm does).
double logGaussMass(double a, double b) {
    if (!(b > a))
        return -kInf;
    if (b <= 0)
        return logDiff(logNdtr(b), logNdtr(a));
    if (a > 0)
        return logDiff(logNdtr(-a), logNdtr(-b));
    const double tails = 0.5 * std::erfc(-a / kSqrt2) + 0.5 * std::erfc(b / kSqrt2);
    return std::log1p(-std::min(tails, 1.0));
}

// logGaussMass for a grid cell, fast: the difference of two erf or erfc values taken on the
// cell's side of the mean does not cancel unless the cell is tiny or deep in a tail, and only
// then (the mass underflows or loses its digits) the careful path is taken.
double cellLogMass(double a, double b) {
    double mass;
    if (a >= 0)
        mass = 0.5 * (std::erfc(a / kSqrt2) - std::erfc(b / kSqrt2));
    else if (b <= 0)
        mass = 0.5 * (std::erfc(-b / kSqrt2) - std::erfc(-a / kSqrt2));
    else
        mass = 0.5 * (std::erf(b / kSqrt2) - std::erf(a / kSqrt2));
    return mass > 1e-280 ? std::log(mass) : logGaussMass(a, b);
}

double logSumExp(const std::vector<double>& v) {
    double m = -kInf;
    for (double x : v)
        m = std::max(m, x);
    if (m == -kInf || std::isnan(m))
        return m;
    // Terms more than 50 below the largest add under 1e-21 relative: skipping them avoids
    // exp's slow underflow path, which dominated the time with many far-away kernels.
    double s = 0;
    for (double x : v) {
        if (x - m > -50.0)
            s += std::exp(x - m);
    }
    return m + std::log(s);
}

enum class DimKind { Continuous, Discrete, Categorical };

// One parameter as the estimators see it: "internal" values are log(x) for log scales, the
// grid value for stepped and int parameters, and the choice index for categoricals.
struct Dim {
    const ParamSpec* spec = nullptr;
    DimKind kind = DimKind::Continuous;
    bool log = false;
    bool isInt = false;
    bool ordinal = false;     // Discrete over the index of the ordered choices
    double low = 0, high = 0; // the parameter's bounds, high snapped down to the grid
    double step = 0;          // Discrete only
    double maxK = 0;          // Discrete: the largest grid index
    double lo = 0, hi = 0;    // the kernels' support: internal bounds widened by step/2
    int nChoices = 0;

    double range() const { return hi - lo; }
    // A parameter with a single possible value needs no model (and would have zero sigma).
    bool fixed() const { return kind == DimKind::Categorical ? nChoices <= 1 : !(hi > lo); }
};

Dim makeDim(const ParamSpec& p) {
    Dim d;
    d.spec = &p;
    d.low = p.low;
    d.high = p.high;
    d.isInt = p.type == ParamType::Int;
    if (p.type == ParamType::Categorical) {
        d.kind = DimKind::Categorical;
        d.nChoices = static_cast<int>(p.choices.size());
    } else if (p.type == ParamType::Ordinal) {
        // the int kernel on the index 0..K-1
        d.kind = DimKind::Discrete;
        d.ordinal = true;
        d.step = 1.0;
        d.low = 0;
        d.high = d.maxK = std::max(0.0, static_cast<double>(p.choices.size()) - 1);
        d.lo = -0.5;
        d.hi = d.high + 0.5;
    } else if (p.log) {
        // Log-scale int: bounds widened by 1/2 before the log, like Optuna's discrete log
        // kernels (and RandomSampler), so the end values get their full share; each integer
        // k owns the cell [log(k - 1/2), log(k + 1/2)].
        d.log = true;
        if (d.isInt) {
            d.kind = DimKind::Discrete;
            d.step = 1.0;
        }
        d.lo = d.isInt ? std::log(std::max(p.low - 0.5, 1e-300)) : std::log(p.low);
        d.hi = d.isInt ? std::log(p.high + 0.5) : std::log(p.high);
    } else if (p.step || d.isInt) {
        d.kind = DimKind::Discrete;
        d.step = p.step ? *p.step : 1.0;
        d.maxK = std::max(0.0, std::floor((p.high - p.low) / d.step + 1e-9));
        d.high = p.low + d.maxK * d.step;
        d.lo = d.low - d.step / 2;
        d.hi = d.high + d.step / 2;
    } else {
        d.lo = p.low;
        d.hi = p.high;
    }
    return d;
}

// Discrete: the internal value of the parameter value nearest to internal value x.
double toGrid(const Dim& d, double x) {
    if (d.log)
        return std::log(std::clamp(std::round(std::exp(x)), d.low, d.high));
    const double k = std::clamp(std::round((x - d.low) / d.step), 0.0, d.maxK);
    return d.low + k * d.step;
}

// A trial's value of the parameter in internal form; nothing when it is absent or does not
// fit the current space (e.g. a trial from before the space was edited).
std::optional<double> internalValue(const Dim& d, const Json& params) {
    const auto it = params.find(d.spec->name);
    if (it == params.end())
        return std::nullopt;
    if (d.kind == DimKind::Categorical) {
        for (int c = 0; c < d.nChoices; ++c) {
            if (d.spec->choices[static_cast<std::size_t>(c)] == *it)
                return static_cast<double>(c);
        }
        return std::nullopt;
    }
    if (d.ordinal) {
        for (std::size_t c = 0; c < d.spec->choices.size(); ++c) {
            if (d.spec->choices[c] == *it)
                return static_cast<double>(c);
        }
        return std::nullopt;
    }
    if (!it->is_number())
        return std::nullopt;
    const double v = it->get<double>();
    const double tol = 1e-9 * (1.0 + std::abs(d.spec->high - d.spec->low));
    if (!std::isfinite(v) || v < d.spec->low - tol || v > d.spec->high + tol)
        return std::nullopt;
    const double x = std::clamp(v, d.spec->low, d.spec->high);
    if (d.kind == DimKind::Discrete)
        return toGrid(d, d.log ? std::log(x) : x);
    return d.log ? std::log(x) : x;
}

Json toJson(const Dim& d, double x) {
    switch (d.kind) {
    case DimKind::Categorical: {
        const auto c = static_cast<std::size_t>(std::clamp(x, 0.0, d.nChoices - 1.0));
        return d.spec->choices[c];
    }
    case DimKind::Discrete: {
        const double g = toGrid(d, x);
        if (d.ordinal)
            return d.spec->choices[static_cast<std::size_t>(std::clamp(g, 0.0, d.maxK))];
        const double v = std::clamp(d.log ? std::exp(g) : g, d.spec->low, d.spec->high);
        if (d.isInt)
            return static_cast<std::int64_t>(std::round(v));
        return v;
    }
    case DimKind::Continuous:
        break;
    }
    return std::clamp(d.log ? std::exp(x) : x, d.spec->low, d.spec->high);
}

// Per-dimension kernels of every mixture component (the observations, then the prior).
struct Kernels {
    std::vector<double> mu, invSigma;
    std::vector<double> logNorm; // Continuous: -log sigma - log sqrt(2 pi) - log mass on [lo, hi]
    std::vector<double> logMass; // Discrete: log mass on [lo, hi] in sigma units
    std::vector<double> prob;    // Categorical: component-major, nChoices per component
    std::vector<double> logProb;
};

// A Parzen estimator: a weighted mixture of product kernels. Univariate TPE builds one per
// parameter (a single dimension); multivariate builds one over the joint parameters.
struct Mixture {
    std::vector<double> logW, cumW;
    std::vector<Kernels> dims;
    std::size_t size() const { return logW.size(); }
};

// `rows`: the observations' internal values, row-major, dims.size() per observation.
Mixture buildMixture(const std::vector<Dim>& dims, const std::vector<double>& rows,
                     const TpeSampler::Options& o, bool multivariate) {
    const std::size_t nd = dims.size();
    const std::size_t n = nd ? rows.size() / nd : 0;
    Mixture m;
    std::vector<double> w;
    if (n == 0) {
        w = {1.0};
    } else {
        w = TpeSampler::weights(static_cast<int>(n));
        w.push_back(o.priorWeight);
    }
    double total = 0;
    for (double x : w)
        total += x;
    double cum = 0;
    for (double x : w) {
        m.logW.push_back(x > 0 ? std::log(x / total) : -kInf);
        cum += x / total;
        m.cumW.push_back(cum);
    }
    const std::size_t nk = m.logW.size(); // n + 1, or 1 without observations
    for (std::size_t j = 0; j < dims.size(); ++j) {
        const Dim& d = dims[j];
        Kernels k;
        if (d.kind == DimKind::Categorical) {
            const auto nc = static_cast<std::size_t>(d.nChoices);
            k.prob.assign(nk * nc, 1.0 / static_cast<double>(nc));
            if (n > 0) {
                // Optuna: every row prior_weight / n_kernels, +1 at the observed choice,
                // rows normalized; the prior's row is then uniform.
                const double base = o.priorWeight / static_cast<double>(nk);
                for (std::size_t i = 0; i < n; ++i) {
                    const auto obs = static_cast<std::size_t>(rows[i * nd + j]);
                    const double sum = base * static_cast<double>(nc) + 1.0;
                    for (std::size_t c = 0; c < nc; ++c)
                        k.prob[i * nc + c] = (base + (c == obs ? 1.0 : 0.0)) / sum;
                }
            }
            k.logProb.resize(k.prob.size());
            for (std::size_t i = 0; i < k.prob.size(); ++i)
                k.logProb[i] = k.prob[i] > 0 ? std::log(k.prob[i]) : -kInf;
            m.dims.push_back(std::move(k));
            continue;
        }
        const double range = d.range();
        const double priorMu = 0.5 * (d.lo + d.hi);
        std::vector<double> mu(n), sigma(n);
        for (std::size_t i = 0; i < n; ++i)
            mu[i] = rows[i * nd + j];
        if (multivariate) {
            // Optuna <= 4.9 multivariate: one Scott-like bandwidth for every kernel.
            const double s = 0.2 *
                             std::pow(std::max<double>(static_cast<double>(n), 1.0),
                                      -1.0 / (static_cast<double>(dims.size()) + 4.0)) *
                             range;
            std::fill(sigma.begin(), sigma.end(), s);
        } else if (n > 0) {
            // Neighbour-gap rule over the observations and the prior's mean, the widened
            // bounds as sentinels: sigma = the larger gap to a neighbour.
            std::vector<std::pair<double, std::size_t>> order(n + 1);
            for (std::size_t i = 0; i < n; ++i)
                order[i] = {mu[i], i};
            order[n] = {priorMu, n};
            std::sort(order.begin(), order.end());
            std::vector<double> ends(n + 3);
            ends[0] = d.lo;
            for (std::size_t i = 0; i <= n; ++i)
                ends[i + 1] = order[i].first;
            ends[n + 2] = d.hi;
            std::vector<double> gaps(n + 1);
            for (std::size_t i = 0; i <= n; ++i)
                gaps[i] = std::max(ends[i + 1] - ends[i], ends[i + 2] - ends[i + 1]);
            if (!o.considerEndpoints) {
                // the outermost kernels ignore the gap to the bound
                gaps[0] = ends[2] - ends[1];
                gaps[n] = ends[n + 1] - ends[n];
            }
            for (std::size_t i = 0; i <= n; ++i) {
                if (order[i].second < n)
                    sigma[order[i].second] = gaps[i];
            }
        }
        const double maxSigma = range;
        const double minSigma = o.considerMagicClip
                                    ? range / std::min(100.0, 1.0 + static_cast<double>(n + 1))
                                    : kMinSigma;
        for (auto& s : sigma)
            s = std::clamp(s, std::min(minSigma, maxSigma), maxSigma);
        mu.push_back(priorMu);
        sigma.push_back(range); // the prior kernel
        mu.resize(nk);          // without observations the prior is the only component
        sigma.resize(nk);
        k.mu = mu;
        k.invSigma.resize(nk);
        k.logNorm.resize(nk);
        k.logMass.resize(nk);
        for (std::size_t i = 0; i < nk; ++i) {
            k.invSigma[i] = 1.0 / sigma[i];
            k.logMass[i] =
                logGaussMass((d.lo - mu[i]) * k.invSigma[i], (d.hi - mu[i]) * k.invSigma[i]);
            k.logNorm[i] = -std::log(sigma[i]) - kLogSqrt2Pi - k.logMass[i];
        }
        m.dims.push_back(std::move(k));
    }
    return m;
}

template <class Rng> std::size_t pickComponent(const Mixture& m, Rng& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double u = unit(rng) * m.cumW.back();
    const auto it = std::upper_bound(m.cumW.begin(), m.cumW.end(), u);
    return std::min<std::size_t>(static_cast<std::size_t>(it - m.cumW.begin()), m.size() - 1);
}

// Draw dimension d from component c: a normal truncated to [lo, hi] by rejection (every
// kernel's mean lies inside its support and sigma <= the support's width, so at least about a
// third of the draws are accepted), then snapped to the parameter's values.
template <class Rng> double sampleDim(const Dim& d, const Kernels& k, std::size_t c, Rng& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    if (d.kind == DimKind::Categorical) {
        const auto nc = static_cast<std::size_t>(d.nChoices);
        double u = unit(rng);
        for (std::size_t i = 0; i + 1 < nc; ++i) {
            u -= k.prob[c * nc + i];
            if (u < 0)
                return static_cast<double>(i);
        }
        return static_cast<double>(nc - 1);
    }
    std::normal_distribution<double> normal(0.0, 1.0);
    const double sigma = 1.0 / k.invSigma[c];
    double x = std::numeric_limits<double>::quiet_NaN();
    for (int attempt = 0; attempt < 64; ++attempt) {
        const double y = k.mu[c] + sigma * normal(rng);
        if (y >= d.lo && y <= d.hi) {
            x = y;
            break;
        }
    }
    if (std::isnan(x)) // practically unreachable; keeps the result inside the support
        x = d.lo + unit(rng) * (d.hi - d.lo);
    if (d.kind == DimKind::Discrete)
        return toGrid(d, x);
    return std::clamp(x, d.lo, d.hi);
}

// log p(x) of the mixture at each candidate (rows of `cands`, one value per dimension).
std::vector<double> logPdf(const std::vector<Dim>& dims, const Mixture& m,
                           const std::vector<double>& cands, std::size_t nCand) {
    const std::size_t nd = dims.size(), nk = m.size();
    const bool skipFar = m.logW.back() > -30.0; // the prior kernel has a real weight
    std::vector<double> out(nCand), acc(nk);
    for (std::size_t c = 0; c < nCand; ++c) {
        // Discrete candidates of one parameter often repeat: reuse the density.
        if (nd == 1 && dims[0].kind != DimKind::Continuous) {
            std::size_t same = 0;
            while (same < c && cands[same] != cands[c])
                ++same;
            if (same < c) {
                out[c] = out[same];
                continue;
            }
        }
        acc = m.logW;
        for (std::size_t j = 0; j < nd; ++j) {
            const Dim& d = dims[j];
            const Kernels& k = m.dims[j];
            const double x = cands[c * nd + j];
            switch (d.kind) {
            case DimKind::Continuous:
                for (std::size_t i = 0; i < nk; ++i) {
                    const double z = (x - k.mu[i]) * k.invSigma[i];
                    acc[i] += k.logNorm[i] - 0.5 * z * z;
                }
                break;
            case DimKind::Discrete: {
                // mass of the value's grid cell, [x - step/2, x + step/2] (in log space for
                // log-scale ints), within the support
                double xl = x - d.step / 2, xu = x + d.step / 2;
                if (d.log) {
                    const double v = std::round(std::exp(x));
                    xl = std::log(std::max(v - 0.5, 1e-300));
                    xu = std::log(v + 0.5);
                }
                xl = std::max(xl, d.lo);
                xu = std::min(xu, d.hi);
                for (std::size_t i = 0; i < nk; ++i) {
                    const double zl = (xl - k.mu[i]) * k.invSigma[i];
                    const double zu = (xu - k.mu[i]) * k.invSigma[i];
                    double lm;
                    if (skipFar && (zl > 14.0 || zu < -14.0)) {
                        // log mass < -98, while the prior kernel (as wide as the range) keeps the
                        // mixture's largest term above about -50: it would be dropped by
                        // logSumExp anyway, and erfc in the tails is what makes this slow
                        lm = -kInf;
                    } else {
                        lm = cellLogMass(zl, zu);
                    }
                    acc[i] += lm - k.logMass[i];
                }
                break;
            }
            case DimKind::Categorical: {
                const auto nc = static_cast<std::size_t>(d.nChoices);
                const auto ci = static_cast<std::size_t>(x);
                for (std::size_t i = 0; i < nk; ++i)
                    acc[i] += k.logProb[i * nc + ci];
                break;
            }
            }
        }
        out[c] = logSumExp(acc);
    }
    return out;
}

// One TPE step over `dims`: candidates from l, the one with the largest log l - log g.
template <class Rng>
std::vector<double> propose(const std::vector<Dim>& dims, const std::vector<const Trial*>& below,
                            const std::vector<const Trial*>& above, const TpeSampler::Options& o,
                            bool multivariate, Rng& rng) {
    // A trial is an observation when it has a usable value for every dimension.
    auto rowsOf = [&](const std::vector<const Trial*>& trials) {
        std::vector<double> rows, row;
        rows.reserve(trials.size() * dims.size());
        for (const Trial* t : trials) {
            row.clear();
            for (const Dim& d : dims) {
                const auto v = internalValue(d, t->params);
                if (!v)
                    break;
                row.push_back(*v);
            }
            if (row.size() == dims.size())
                rows.insert(rows.end(), row.begin(), row.end());
        }
        return rows;
    };
    const Mixture l = buildMixture(dims, rowsOf(below), o, multivariate);
    const Mixture g = buildMixture(dims, rowsOf(above), o, multivariate);
    const std::size_t nd = dims.size();
    const auto nCand = static_cast<std::size_t>(std::max(1, o.nEiCandidates));
    std::vector<double> cands(nCand * nd);
    for (std::size_t c = 0; c < nCand; ++c) {
        // Multivariate: one component for all dimensions of a candidate (a joint draw);
        // univariate has a single dimension, so this is the same as Optuna's per-parameter draw.
        const std::size_t comp = pickComponent(l, rng);
        for (std::size_t j = 0; j < nd; ++j)
            cands[c * nd + j] = sampleDim(dims[j], l.dims[j], comp, rng);
    }
    const std::vector<double> ll = logPdf(dims, l, cands, nCand);
    const std::vector<double> lg = logPdf(dims, g, cands, nCand);
    std::size_t best = 0;
    double bestScore = -kInf;
    for (std::size_t c = 0; c < nCand; ++c) {
        const double s = ll[c] - lg[c];
        if (!std::isnan(s) && s > bestScore) { // first maximum wins, like numpy's argmax
            bestScore = s;
            best = c;
        }
    }
    return {cands.begin() + static_cast<std::ptrdiff_t>(best * nd),
            cands.begin() + static_cast<std::ptrdiff_t>((best + 1) * nd)};
}

} // namespace

TpeSampler::TpeSampler(std::uint64_t seed, Options options, Direction direction,
                       std::vector<Constraint> constraints)
    : m_seed(seed), m_options(options), m_direction(direction),
      m_constraints(std::move(constraints)) {}

SamplerInfo TpeSampler::info() {
    return {
        "tpe",
        "Tree-structured Parzen Estimator (Optuna 4.x TPESampler defaults)",
        {
            makeSetting("n_startup_trials", SettingType::Int, 10, 0.0, std::nullopt,
                        "random sampling until this many trials are complete or pruned"),
            makeSetting("n_ei_candidates", SettingType::Int, 24, 1.0, std::nullopt,
                        "candidates drawn from l(x) per suggestion"),
            makeSetting("multivariate", SettingType::Bool, false, std::nullopt, std::nullopt,
                        "model the always-active parameters jointly"),
            makeSetting("group", SettingType::Bool, false, std::nullopt, std::nullopt,
                        "with multivariate: also model each set of parameters sharing a "
                        "condition jointly"),
            makeSetting("constant_liar", SettingType::Bool, false, std::nullopt, std::nullopt,
                        "count running trials as bad, so parallel workers spread out"),
            makeSetting("prior_weight", SettingType::Float, 1.0, 0.0, std::nullopt,
                        "weight of the prior kernel"),
            makeSetting("consider_endpoints", SettingType::Bool, false, std::nullopt, std::nullopt,
                        "let the outermost kernels' widths use the gap to the bounds"),
            makeSetting("consider_magic_clip", SettingType::Bool, true, std::nullopt, std::nullopt,
                        "lower-bound kernel widths by range / min(100, 1 + kernels)"),
        },
        [](const SamplerConfig& c) {
            Options o;
            o.nStartupTrials = c.options.value("n_startup_trials", o.nStartupTrials);
            o.nEiCandidates = c.options.value("n_ei_candidates", o.nEiCandidates);
            o.multivariate = c.options.value("multivariate", o.multivariate);
            o.group = c.options.value("group", o.group);
            o.constantLiar = c.options.value("constant_liar", o.constantLiar);
            o.priorWeight = c.options.value("prior_weight", o.priorWeight);
            o.considerEndpoints = c.options.value("consider_endpoints", o.considerEndpoints);
            o.considerMagicClip = c.options.value("consider_magic_clip", o.considerMagicClip);
            const Direction dir =
                c.objectives.empty() ? Direction::Minimize : c.objectives.front().direction;
            return std::make_unique<TpeSampler>(c.seed, o, dir, c.constraints);
        },
    };
}

int TpeSampler::gamma(int n) {
    return std::min(static_cast<int>(std::ceil(0.1 * n)), 25);
}

std::vector<double> TpeSampler::weights(int n) {
    if (n <= 0)
        return {};
    if (n < 25)
        return std::vector<double>(static_cast<std::size_t>(n), 1.0);
    const int ramp = n - 25;
    std::vector<double> w;
    w.reserve(static_cast<std::size_t>(n));
    const double start = 1.0 / n;
    for (int i = 0; i < ramp; ++i) // numpy.linspace(1/n, 1, ramp), endpoint included
        w.push_back(ramp == 1 ? start : start + (1.0 - start) * i / (ramp - 1));
    w.insert(w.end(), 25, 1.0);
    return w;
}

Json TpeSampler::sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) {
    // Optuna counts COMPLETE and PRUNED trials towards n_startup_trials and gamma; FAIL trials
    // carry no information about the objective and are ignored.
    std::vector<const Trial*> complete, pruned, pending;
    std::vector<std::pair<double, const Trial*>> infeasible; // (violation, trial)
    for (const Trial& t : trials) {
        if (t.number == number)
            continue;
        if (!m_constraints.empty() &&
            (t.state == TrialState::Complete || t.state == TrialState::Pruned)) {
            const double v = violation(m_constraints, t);
            if (v > 0) {
                infeasible.emplace_back(v, &t);
                continue;
            }
        }
        switch (t.state) {
        case TrialState::Complete:
            complete.push_back(&t);
            break;
        case TrialState::Pruned:
            pruned.push_back(&t);
            break;
        case TrialState::Waiting:
        case TrialState::Running:
            pending.push_back(&t);
            break;
        case TrialState::Fail:
            break;
        }
    }
    const int nDone = static_cast<int>(complete.size() + pruned.size() + infeasible.size());
    if (nDone < m_options.nStartupTrials)
        return RandomSampler(m_seed).sample(space, trials, number);

    // Split into below (the best gamma(n)) and above. Lower is better after the sign flip.
    const double sign = m_direction == Direction::Maximize ? -1.0 : 1.0;
    std::vector<const Trial*> below, above;
    auto rank = [&](std::vector<const Trial*>& ts, std::size_t& budget) {
        std::vector<const Trial*> valued;
        for (const Trial* t : ts) {
            // a COMPLETE trial without a finite value cannot be ranked either
            if (t->value && std::isfinite(*t->value))
                valued.push_back(t);
            else
                above.push_back(t);
        }
        std::stable_sort(valued.begin(), valued.end(), [&](const Trial* a, const Trial* b) {
            return sign * *a->value < sign * *b->value;
        });
        const std::size_t take = std::min(budget, valued.size());
        below.insert(below.end(), valued.begin(), valued.begin() + static_cast<long>(take));
        above.insert(above.end(), valued.begin() + static_cast<long>(take), valued.end());
        budget -= take;
    };
    std::size_t budget = static_cast<std::size_t>(gamma(nDone));
    rank(complete, budget);
    // PRUNED after COMPLETE. Optuna ranks them by the deeper last step first; the sampler does
    // not see intermediate values, so they are ranked by their value alone.
    rank(pruned, budget);
    // Infeasible last, the least violating first (Optuna's _split_infeasible_trials).
    std::stable_sort(infeasible.begin(), infeasible.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [v, t] : infeasible) {
        if (budget > 0 && std::isfinite(v)) {
            below.push_back(t);
            --budget;
        } else {
            above.push_back(t);
        }
    }
    if (m_options.constantLiar)
        above.insert(above.end(), pending.begin(), pending.end());
    auto byNumber = [](const Trial* a, const Trial* b) { return a->number < b->number; };
    std::sort(below.begin(), below.end(), byNumber);
    std::sort(above.begin(), above.end(), byNumber);

    std::mt19937_64 rng(
        mixSeed(mixSeed(m_seed ^ 0x7470652d73616d70ULL) ^ static_cast<std::uint64_t>(number)));
    Json params = Json::object();
    std::vector<bool> done(space.params.size(), false);

    std::vector<Dim> dims;
    dims.reserve(space.params.size());
    for (const auto& p : space.params)
        dims.push_back(makeDim(p));

    if (m_options.multivariate) {
        // The joint model covers the unconditional parameters only: they are present in every
        // trial, so every trial is a complete joint observation. Conditional parameters fall
        // back to univariate TPE after them (as Optuna does for parameters outside the
        // intersection search space when group=False).
        std::vector<Dim> joint;
        std::vector<std::size_t> index;
        for (std::size_t i = 0; i < dims.size(); ++i) {
            if (space.params[i].when.empty() && !dims[i].fixed()) {
                joint.push_back(dims[i]);
                index.push_back(i);
            }
        }
        if (!joint.empty()) {
            const std::vector<double> x = propose(joint, below, above, m_options, true, rng);
            for (std::size_t j = 0; j < joint.size(); ++j) {
                params[space.params[index[j]].name] = toJson(joint[j], x[j]);
                done[index[j]] = true;
            }
        }
    }
    // Parents come before their children (the parser sorts them), so conditions can be
    // evaluated in declaration order.
    if (m_options.multivariate && m_options.group) {
        // Each set of parameters with the same condition, active now, drawn jointly from the
        // trials where all of them are present (propose() skips the others).
        for (std::size_t i = 0; i < space.params.size(); ++i) {
            if (done[i] || dims[i].fixed() || !SearchSpace::isActive(space.params[i], params))
                continue;
            const std::string condition = space.params[i].when.dump();
            std::vector<Dim> members;
            std::vector<std::size_t> index;
            for (std::size_t j = i; j < space.params.size(); ++j) {
                if (!done[j] && !dims[j].fixed() && space.params[j].when.dump() == condition &&
                    SearchSpace::isActive(space.params[j], params)) {
                    members.push_back(dims[j]);
                    index.push_back(j);
                }
            }
            const std::vector<double> x = propose(members, below, above, m_options, true, rng);
            for (std::size_t k = 0; k < members.size(); ++k) {
                params[space.params[index[k]].name] = toJson(members[k], x[k]);
                done[index[k]] = true;
            }
        }
    }
    for (std::size_t i = 0; i < space.params.size(); ++i) {
        const ParamSpec& p = space.params[i];
        if (done[i] || !SearchSpace::isActive(p, params))
            continue;
        const Dim& d = dims[i];
        if (d.fixed()) {
            params[p.name] = d.kind == DimKind::Categorical ? p.choices.front() : toJson(d, d.lo);
            continue;
        }
        const std::vector<double> x = propose({d}, below, above, m_options, false, rng);
        params[p.name] = toJson(d, x[0]);
    }
    return params;
}

} // namespace ps
