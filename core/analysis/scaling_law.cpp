#include "core/analysis/scaling_law.h"

#include "core/analysis/trial_column.h"

#include <algorithm>
#include <limits>
#include <random>
#include <stdexcept>

namespace ps {

namespace {

// The fitted vector: joint (a, b, e, alpha, beta), one-variable (a, e, alpha); a = log A,
// b = log B, e = log E.
struct Problem {
    bool joint = true;
    double delta = 1e-3;
    std::vector<double> logN, logD, logL;
    std::vector<double> weight; // multiplicity of each point (bootstrap), 1 otherwise

    std::size_t dims() const { return joint ? 5 : 3; }

    // Sum of weight * Huber(LSE(a - alpha log N, b - beta log D, e) - log L), and its gradient.
    double operator()(const std::vector<double>& x, std::vector<double>& g) const {
        const double a = x[0];
        const double b = joint ? x[1] : 0;
        const double e = joint ? x[2] : x[1];
        const double alpha = joint ? x[3] : x[2];
        const double beta = joint ? x[4] : 0;
        double f = 0, ga = 0, gb = 0, ge = 0, galpha = 0, gbeta = 0;
        for (std::size_t i = 0; i < logL.size(); ++i) {
            const double w = weight[i];
            if (w == 0)
                continue;
            const double t1 = a - alpha * logN[i];
            const double t2 = joint ? b - beta * logD[i] : -INFINITY;
            // exp(t - max) for the three terms; the largest is 1 without calling exp (the
            // exps are the cost of the 4500-start fit).
            double e1 = 1, e2 = 0, e3 = 1, m = 0;
            if (t1 >= t2 && t1 >= e) {
                m = t1;
                e2 = joint ? std::exp(t2 - m) : 0.0;
                e3 = std::exp(e - m);
            } else if (t2 >= e) {
                m = t2;
                e1 = std::exp(t1 - m);
                e2 = 1;
                e3 = std::exp(e - m);
            } else {
                m = e;
                e1 = std::exp(t1 - m);
                e2 = joint ? std::exp(t2 - m) : 0.0;
            }
            const double s = e1 + e2 + e3;
            const double r = m + std::log(s) - logL[i];
            double dr = 0;
            if (std::abs(r) <= delta) {
                f += w * 0.5 * r * r;
                dr = w * r;
            } else {
                f += w * delta * (std::abs(r) - 0.5 * delta);
                dr = w * std::copysign(delta, r);
            }
            const double p1 = dr * e1 / s, p2 = dr * e2 / s;
            ga += p1;
            galpha -= p1 * logN[i];
            ge += dr * e3 / s;
            if (joint) {
                gb += p2;
                gbeta -= p2 * logD[i];
            }
        }
        if (joint) {
            g = {ga, gb, ge, galpha, gbeta};
        } else {
            g = {ga, ge, galpha};
        }
        return f;
    }

    ScalingLawParams paramsOf(const std::vector<double>& x) const {
        ScalingLawParams p;
        p.joint = joint;
        p.A = std::exp(x[0]);
        if (joint) {
            p.B = std::exp(x[1]);
            p.E = std::exp(x[2]);
            p.alpha = x[3];
            p.beta = x[4];
        } else {
            p.E = std::exp(x[1]);
            p.alpha = x[2];
        }
        return p;
    }

    std::vector<double> vectorOf(const ScalingLawParams& p) const {
        if (joint)
            return {std::log(p.A), std::log(p.B), std::log(p.E), p.alpha, p.beta};
        return {std::log(p.A), std::log(p.E), p.alpha};
    }
};

std::string describe(const ScalingPoint& p, std::size_t index) {
    return "point " + std::to_string(index) +
           (p.trialNumber >= 0 ? " (trial " + std::to_string(p.trialNumber) + ")" : "");
}

void requireVaries(const std::vector<double>& logs, const char* what) {
    const auto [lo, hi] = std::minmax_element(logs.begin(), logs.end());
    if (!(*hi - *lo > 1e-9))
        throw std::invalid_argument(std::string("every point has the same ") + what +
                                    ": its exponent cannot be fitted");
}

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

Interval percentile(const std::vector<ScalingLawParams>& fits, double confidence,
                    double (*get)(const ScalingLawParams&)) {
    std::vector<double> v;
    for (const ScalingLawParams& p : fits)
        if (std::isfinite(get(p)))
            v.push_back(get(p));
    if (v.empty())
        return {};
    const double tail = 0.5 * (1 - confidence);
    return {quantile(v, tail), quantile(v, 1 - tail)};
}

} // namespace

double predictLoss(const ScalingLawParams& p, double n, double d) {
    double loss = p.E + p.A / std::pow(n, p.alpha);
    if (p.joint)
        loss += p.B / std::pow(d, p.beta);
    return loss;
}

ComputeOptimal computeOptimal(const ScalingLawParams& p, double compute) {
    if (!p.joint)
        throw std::invalid_argument(
            "the compute-optimal allocation needs the joint form L(N, D); this fit is L(N)");
    if (!(compute > 0) || !std::isfinite(compute))
        throw std::invalid_argument("the compute budget must be positive and finite");
    ComputeOptimal c;
    const double sum = p.alpha + p.beta;
    c.a = p.beta / sum;
    c.b = p.alpha / sum;
    c.G = std::pow(p.alpha * p.A / (p.beta * p.B), 1 / sum);
    c.n = c.G * std::pow(compute / 6, c.a);
    c.d = std::pow(compute / 6, c.b) / c.G;
    c.loss = predictLoss(p, c.n, c.d);
    return c;
}

ScalingLawFit fitScalingLaw(const std::vector<ScalingPoint>& points,
                            const ScalingLawOptions& options) {
    if (points.empty())
        throw std::invalid_argument("no points to fit");
    Problem problem;
    problem.joint = !std::isnan(points.front().d);
    problem.delta = options.huberDelta;
    if (!(options.huberDelta > 0))
        throw std::invalid_argument("the Huber delta must be positive");
    const std::size_t needed = problem.joint ? 6 : 4;
    if (points.size() < needed)
        throw std::invalid_argument(
            "too few points: " + std::to_string(points.size()) + " (the form " +
            (problem.joint ? "L(N, D) = E + A/N^alpha + B/D^beta" : "L(N) = E + A/N^alpha") +
            " needs at least " + std::to_string(needed) + ")");
    for (std::size_t i = 0; i < points.size(); ++i) {
        const ScalingPoint& p = points[i];
        if (std::isnan(p.d) == problem.joint)
            throw std::invalid_argument(describe(p, i) + (problem.joint ? " has no" : " has a") +
                                        " data size d, unlike point 0");
        if (!(p.n > 0) || !std::isfinite(p.n))
            throw std::invalid_argument(describe(p, i) + ": model size N must be positive and " +
                                        "finite, got " + std::to_string(p.n));
        if (problem.joint && (!(p.d > 0) || !std::isfinite(p.d)))
            throw std::invalid_argument(describe(p, i) + ": data size D must be positive and " +
                                        "finite, got " + std::to_string(p.d));
        if (!(p.loss > 0) || !std::isfinite(p.loss))
            throw std::invalid_argument(describe(p, i) + ": the loss must be positive and " +
                                        "finite (it is fitted as log L), got " +
                                        std::to_string(p.loss));
        problem.logN.push_back(std::log(p.n));
        problem.logD.push_back(problem.joint ? std::log(p.d) : 0.0);
        problem.logL.push_back(std::log(p.loss));
    }
    problem.weight.assign(points.size(), 1.0);
    requireVaries(problem.logN, "model size N");
    if (problem.joint)
        requireVaries(problem.logD, "data size D");

    const LbfgsObjective objective = [&problem](const std::vector<double>& x,
                                                std::vector<double>& g) { return problem(x, g); };
    ScalingLawFit fit;
    fit.points = points;
    const std::vector<double> noGrid = {0.0};
    const std::vector<double>& betas = problem.joint ? options.betaGrid : noGrid;
    const std::vector<double>& bs = problem.joint ? options.bGrid : noGrid;
    if (options.alphaGrid.empty() || betas.empty() || options.eGrid.empty() ||
        options.aGrid.empty() || bs.empty())
        throw std::invalid_argument("an initialization grid is empty");
    std::size_t best = 0;
    for (double alpha : options.alphaGrid)
        for (double beta : betas)
            for (double e : options.eGrid)
                for (double a : options.aGrid)
                    for (double b : bs) {
                        ScalingLawStart start;
                        start.init = {std::exp(e), std::exp(a), problem.joint ? std::exp(b) : 0,
                                      alpha,       beta,        problem.joint};
                        const LbfgsResult r =
                            minimizeLbfgs(objective, problem.vectorOf(start.init), options.lbfgs);
                        start.fitted = problem.paramsOf(r.x);
                        start.objective = r.value;
                        start.status = r.status;
                        start.iterations = r.iterations;
                        start.gradientNorm = r.gradientNorm;
                        if (fit.starts.empty() || start.objective < fit.starts[best].objective)
                            best = fit.starts.size();
                        fit.starts.push_back(start);
                    }
    // The best start continued with a larger iteration budget: the grid's starts are capped
    // so that 4500 of them stay affordable; nothing is lost when the best had converged.
    const ScalingLawStart& winner = fit.starts[best];
    fit.bestStart = static_cast<int>(best);
    fit.params = winner.fitted;
    fit.objective = winner.objective;
    fit.status = winner.status;
    fit.gradientNorm = winner.gradientNorm;
    if (options.polishIterations > 0) {
        LbfgsOptions polish = options.lbfgs;
        polish.maxIterations = options.polishIterations;
        const LbfgsResult polished = minimizeLbfgs(objective, problem.vectorOf(fit.params), polish);
        fit.params = problem.paramsOf(polished.x);
        fit.objective = polished.value;
        fit.status = polished.status;
        fit.gradientNorm = polished.gradientNorm;
    }

    double sq = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        fit.predicted.push_back(predictLoss(fit.params, points[i].n, points[i].d));
        const double r = std::log(fit.predicted.back()) - problem.logL[i];
        sq += r * r;
    }
    fit.rmsLogResidual = std::sqrt(sq / static_cast<double>(points.size()));
    fit.alphaMin = fit.betaMin = INFINITY;
    fit.alphaMax = fit.betaMax = -INFINITY;
    for (const ScalingLawStart& s : fit.starts) {
        if (s.objective - fit.objective <= std::max(1e-12, 1e-6 * std::abs(fit.objective)))
            ++fit.startsAtBest;
        if (!std::isfinite(s.objective))
            continue;
        fit.alphaMin = std::min(fit.alphaMin, s.fitted.alpha);
        fit.alphaMax = std::max(fit.alphaMax, s.fitted.alpha);
        fit.betaMin = std::min(fit.betaMin, s.fitted.beta);
        fit.betaMax = std::max(fit.betaMax, s.fitted.beta);
    }
    if (problem.joint && fit.params.alpha > 0 && fit.params.beta > 0) {
        const ComputeOptimal c = computeOptimal(fit.params, 6.0);
        fit.allocation.a = c.a;
        fit.allocation.b = c.b;
        fit.allocation.G = c.G;
    }

    if (options.bootstrap > 0) {
        std::mt19937_64 rng(options.seed);
        std::uniform_int_distribution<std::size_t> pick(0, points.size() - 1);
        const std::vector<double> from = problem.vectorOf(fit.params);
        for (int k = 0; k < options.bootstrap; ++k) {
            std::fill(problem.weight.begin(), problem.weight.end(), 0.0);
            for (std::size_t i = 0; i < points.size(); ++i)
                problem.weight[pick(rng)] += 1;
            fit.bootstrapFits.push_back(
                problem.paramsOf(minimizeLbfgs(objective, from, options.lbfgs).x));
        }
        const double conf = options.confidence;
        fit.alphaCi =
            percentile(fit.bootstrapFits, conf, [](const ScalingLawParams& p) { return p.alpha; });
        fit.eCi =
            percentile(fit.bootstrapFits, conf, [](const ScalingLawParams& p) { return p.E; });
        if (problem.joint) {
            fit.betaCi = percentile(fit.bootstrapFits, conf,
                                    [](const ScalingLawParams& p) { return p.beta; });
            fit.aCi = percentile(fit.bootstrapFits, conf, [](const ScalingLawParams& p) {
                return p.beta / (p.alpha + p.beta);
            });
        }
    }
    return fit;
}

std::vector<ScalingPoint> scalingPoints(const std::vector<Trial>& trials,
                                        const ScalingColumns& columns) {
    if (columns.n.empty())
        throw std::invalid_argument("no column named for the model size N");
    if (columns.loss.empty())
        throw std::invalid_argument("no column named for the loss");
    const std::pair<const std::string*, const char*> named[] = {
        {&columns.n, "model size N"}, {&columns.d, "data size D"}, {&columns.loss, "loss"}};
    for (const auto& [name, what] : named)
        if (!name->empty() && !anyTrialHasColumn(trials, *name))
            throw std::invalid_argument("no trial has a metric or numeric parameter '" + *name +
                                        "' (the " + what + ")");
    std::vector<ScalingPoint> points;
    for (const Trial& t : trials) {
        if (t.state != TrialState::Complete)
            continue;
        const std::optional<double> n = trialColumn(t, columns.n);
        const std::optional<double> loss = trialColumn(t, columns.loss);
        std::optional<double> d;
        if (!columns.d.empty()) {
            d = trialColumn(t, columns.d);
            if (!d)
                continue;
        }
        if (!n || !loss)
            continue;
        ScalingPoint p;
        p.n = columns.nOf ? columns.nOf(*n) : *n;
        if (d)
            p.d = columns.dOf ? columns.dOf(*d) : *d;
        p.loss = *loss;
        p.trialNumber = t.number;
        points.push_back(p);
    }
    return points;
}

Json toJson(const ScalingLawParams& p) {
    Json j = {{"form", p.joint ? "E + A/N^alpha + B/D^beta" : "E + A/N^alpha"},
              {"E", p.E},
              {"A", p.A},
              {"alpha", p.alpha}};
    if (p.joint) {
        j["B"] = p.B;
        j["beta"] = p.beta;
    }
    return j;
}

Json toJson(const ScalingLawFit& fit) {
    Json j = toJson(fit.params);
    j["objective"] = fit.objective;
    j["status"] = std::string(toText(fit.status));
    j["gradient_norm"] = fit.gradientNorm;
    j["best_start"] = fit.bestStart;
    j["rms_log_residual"] = fit.rmsLogResidual;
    Json points = Json::array();
    for (std::size_t i = 0; i < fit.points.size(); ++i) {
        const ScalingPoint& p = fit.points[i];
        Json row = {{"n", p.n}, {"loss", p.loss}, {"predicted", fit.predicted[i]}};
        if (fit.params.joint)
            row["d"] = p.d;
        if (p.trialNumber >= 0)
            row["trial"] = p.trialNumber;
        points.push_back(std::move(row));
    }
    j["points"] = std::move(points);
    // The starts as columns: 4500 rows of objects would triple the size.
    Json objective = Json::array(), alpha = Json::array(), beta = Json::array(), e = Json::array(),
         converged = Json::array();
    for (const ScalingLawStart& s : fit.starts) {
        objective.push_back(s.objective);
        alpha.push_back(s.fitted.alpha);
        beta.push_back(s.fitted.beta);
        e.push_back(s.fitted.E);
        converged.push_back(s.status == LbfgsStatus::GradientTolerance);
    }
    j["starts"] = {{"count", fit.starts.size()},
                   {"at_best", fit.startsAtBest},
                   {"alpha_range", {fit.alphaMin, fit.alphaMax}},
                   {"objective", std::move(objective)},
                   {"alpha", std::move(alpha)},
                   {"E", std::move(e)},
                   {"converged", std::move(converged)}};
    if (fit.params.joint) {
        j["starts"]["beta_range"] = {fit.betaMin, fit.betaMax};
        j["starts"]["beta"] = std::move(beta);
        j["compute_optimal"] = {{"a", fit.allocation.a},
                                {"b", fit.allocation.b},
                                {"G", fit.allocation.G},
                                {"n_opt", "G (C/6)^a"},
                                {"d_opt", "(C/6)^b / G"}};
    }
    if (!fit.bootstrapFits.empty()) {
        Json ci = {{"resamples", fit.bootstrapFits.size()},
                   {"alpha", {fit.alphaCi.low, fit.alphaCi.high}},
                   {"E", {fit.eCi.low, fit.eCi.high}}};
        if (fit.params.joint) {
            ci["beta"] = {fit.betaCi.low, fit.betaCi.high};
            ci["a"] = {fit.aCi.low, fit.aCi.high};
        }
        j["bootstrap"] = std::move(ci);
    }
    return j;
}

} // namespace ps
