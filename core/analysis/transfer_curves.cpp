#include "core/analysis/transfer_curves.h"

#include "core/analysis/trial_column.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>

namespace ps {

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// A run that ended in divergence: the classify task fails it with "training diverged: ...".
bool divergedFailure(const Trial& t) {
    return t.state == TrialState::Fail && t.failReason.find("diverged") != std::string::npos;
}

struct Optimum {
    OptimumKind kind = OptimumKind::None;
    int best = -1;
    double x = NAN, loss = NAN;
    int fitPoints = 0;
};

// Weighted least squares of y = c0 + c1 t + c2 t^2 (t = x - centre); false when singular.
bool fitParabola(const std::vector<double>& x, const std::vector<double>& y,
                 const std::vector<double>& w, double centre, double c[3]) {
    double m[3][4] = {};
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double t = x[i] - centre;
        const double basis[3] = {1, t, t * t};
        for (int r = 0; r < 3; ++r) {
            for (int k = 0; k < 3; ++k)
                m[r][k] += w[i] * basis[r] * basis[k];
            m[r][3] += w[i] * basis[r] * y[i];
        }
    }
    for (int col = 0; col < 3; ++col) { // Gaussian elimination with partial pivoting
        int pivot = col;
        for (int r = col + 1; r < 3; ++r)
            if (std::abs(m[r][col]) > std::abs(m[pivot][col]))
                pivot = r;
        if (!(std::abs(m[pivot][col]) > 1e-300))
            return false;
        std::swap(m[col], m[pivot]);
        for (int r = 0; r < 3; ++r) {
            if (r == col)
                continue;
            const double f = m[r][col] / m[col][col];
            for (int k = col; k < 4; ++k)
                m[r][k] -= f * m[col][k];
        }
    }
    for (int r = 0; r < 3; ++r)
        c[r] = m[r][3] / m[r][r];
    return std::isfinite(c[0]) && std::isfinite(c[1]) && std::isfinite(c[2]);
}

// The best point of a curve (x increasing) and the optimum around it. Weights: seeds per
// point (a median of k seeds is k times as reliable, roughly).
Optimum findOptimum(const std::vector<double>& x, const std::vector<double>& y,
                    const std::vector<double>& w, bool anyFinite, int window) {
    Optimum o;
    const int n = static_cast<int>(x.size());
    if (!anyFinite || n == 0)
        return o;
    o.best = static_cast<int>(std::min_element(y.begin(), y.end()) - y.begin());
    o.x = x[static_cast<std::size_t>(o.best)];
    o.loss = y[static_cast<std::size_t>(o.best)];
    if (n < 3)
        return o; // kind None: too few learning rates to place an optimum
    if (o.best == 0 || o.best == n - 1) {
        o.kind = OptimumKind::AtEdge;
        return o;
    }
    const int half = window / 2;
    const int lo = std::max(0, o.best - half), hi = std::min(n - 1, o.best + half);
    std::vector<double> fx, fy, fw;
    for (int i = lo; i <= hi; ++i) {
        fx.push_back(x[static_cast<std::size_t>(i)]);
        fy.push_back(y[static_cast<std::size_t>(i)]);
        fw.push_back(w[static_cast<std::size_t>(i)]);
    }
    o.fitPoints = hi - lo + 1;
    double c[3];
    if (!fitParabola(fx, fy, fw, o.x, c) || !(c[2] > 0)) {
        o.kind = OptimumKind::GridPoint;
        return o;
    }
    const double t = std::clamp(-c[1] / (2 * c[2]), fx.front() - o.x, fx.back() - o.x);
    o.kind = OptimumKind::Parabola;
    o.x += t;
    o.loss = c[0] + c[1] * t + c[2] * t * t;
    return o;
}

// Least squares of y on x: slope, intercept, the slope's standard error from the residuals
// (NaN below 3 points), and from the errors of y (NaN when one is not finite).
struct Line {
    double slope = NAN, intercept = NAN, stdErr = NAN, stdErrFromY = NAN;
};

Line fitLine(const std::vector<double>& x, const std::vector<double>& y,
             const std::vector<double>& yErr) {
    Line l;
    const std::size_t n = x.size();
    if (n < 2)
        return l;
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / double(n);
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / double(n);
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    if (!(sxx > 0))
        return l;
    l.slope = sxy / sxx;
    l.intercept = my - l.slope * mx;
    if (n >= 3) {
        double rss = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double r = y[i] - l.intercept - l.slope * x[i];
            rss += r * r;
        }
        l.stdErr = std::sqrt(rss / double(n - 2) / sxx);
    }
    double var = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double k = (x[i] - mx) / sxx;
        var += k * k * yErr[i] * yErr[i];
    }
    l.stdErrFromY = std::sqrt(var); // NaN propagates from any NaN error
    return l;
}

struct Run {
    double width, log2Lr, lr, loss;
    bool diverged;
    int trial;
};

void summarize(TransferCurve& curve, const TransferOptions& options, std::mt19937_64& rng) {
    std::vector<double> x, y, w;
    bool anyFinite = false;
    bool resamplable = false;
    for (const TransferPoint& p : curve.points) {
        x.push_back(p.log2Lr);
        y.push_back(p.loss);
        w.push_back(static_cast<double>(p.seedLosses.size()));
        anyFinite = anyFinite || p.diverged < static_cast<int>(p.seedLosses.size());
        resamplable = resamplable || p.seedLosses.size() > 1;
    }
    const Optimum o = findOptimum(x, y, w, anyFinite, options.window);
    curve.best = o.best;
    curve.kind = o.kind;
    curve.optimumLog2Lr = o.x;
    curve.optimumLoss = o.loss;
    curve.fitPoints = o.fitPoints;
    if (!resamplable || options.bootstrap < 2 || o.kind == OptimumKind::None)
        return;
    // The bootstrap: an argmin that jumps to another grid point in a resample counts in
    // full, so a flat optimum gets a wide error even when each parabola is sharp.
    std::vector<double> optima;
    std::vector<double> ys(y.size());
    for (int b = 0; b < options.bootstrap; ++b) {
        for (std::size_t i = 0; i < curve.points.size(); ++i) {
            const std::vector<double>& seeds = curve.points[i].seedLosses;
            std::uniform_int_distribution<std::size_t> pick(0, seeds.size() - 1);
            std::vector<double> sample(seeds.size());
            for (double& s : sample)
                s = seeds[pick(rng)];
            ys[i] = median(std::move(sample));
        }
        const Optimum r = findOptimum(x, ys, w, anyFinite, options.window);
        if (std::isfinite(r.x))
            optima.push_back(r.x);
    }
    if (optima.size() < 2)
        return;
    const double mean = std::accumulate(optima.begin(), optima.end(), 0.0) / double(optima.size());
    double ss = 0;
    for (double v : optima)
        ss += (v - mean) * (v - mean);
    curve.optimumStdErr = std::sqrt(ss / double(optima.size() - 1));
}

std::string widthText(double w) {
    std::string s = std::to_string(w);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.')
        s.pop_back();
    return s;
}

Json number(double v) {
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

} // namespace

std::string_view toText(OptimumKind kind) {
    switch (kind) {
    case OptimumKind::Parabola:
        return "parabola";
    case OptimumKind::GridPoint:
        return "grid_point";
    case OptimumKind::AtEdge:
        return "at_edge";
    case OptimumKind::Suggestion:
        return "suggestion";
    case OptimumKind::None:
        return "none";
    }
    return "?";
}

TransferAnalysis transferCurves(const std::vector<Trial>& trials, const TransferColumns& columns,
                                const TransferOptions& options) {
    if (options.window != 3 && options.window != 5)
        throw std::invalid_argument("the parabola window must be 3 or 5 points, not " +
                                    std::to_string(options.window));
    if (!(options.divergedLoss > 0) || !std::isfinite(options.divergedLoss))
        throw std::invalid_argument("the loss given to diverged runs must be positive");
    if (!columns.where.is_object())
        throw std::invalid_argument("the trial filter ('where') must be an object");
    if (columns.lr.empty() || !anyTrialHasColumn(trials, columns.lr))
        throw std::invalid_argument("no trial has the learning-rate column '" + columns.lr + "'");
    if (columns.width.empty() || !anyTrialHasColumn(trials, columns.width))
        throw std::invalid_argument("no trial has the width column '" + columns.width + "'");

    TransferAnalysis out;
    std::vector<Run> runs;
    bool anyLoss = false;
    for (const Trial& t : trials) {
        const std::optional<double> lr = trialColumn(t, columns.lr);
        const std::optional<double> width = trialColumn(t, columns.width);
        const bool diverged = divergedFailure(t);
        std::optional<double> loss;
        if (t.state == TrialState::Complete)
            loss = columns.loss.empty() ? t.value : trialColumn(t, columns.loss);
        anyLoss = anyLoss || loss.has_value();
        if (!trialMatches(t, columns.where) || !lr || !width || (!loss && !diverged)) {
            ++out.trialsSkipped;
            continue;
        }
        if (!(*lr > 0) || !std::isfinite(*lr))
            throw std::invalid_argument("trial " + std::to_string(t.number) + ": learning rate '" +
                                        columns.lr + "' must be positive, got " +
                                        std::to_string(*lr));
        if (!(*width > 0) || !std::isfinite(*width))
            throw std::invalid_argument("trial " + std::to_string(t.number) + ": width '" +
                                        columns.width + "' must be positive, got " +
                                        std::to_string(*width));
        Run r{*width, std::log2(*lr), *lr, options.divergedLoss, true, t.number};
        if (loss && std::isfinite(*loss)) {
            r.loss = std::min(*loss, options.divergedLoss);
            r.diverged = false;
        }
        runs.push_back(r);
    }
    if (!anyLoss)
        throw std::invalid_argument(
            "no trial reported the loss '" +
            (columns.loss.empty() ? std::string("objective value") : columns.loss) + "'");
    out.trialsUsed = static_cast<int>(runs.size());
    if (runs.empty())
        throw std::invalid_argument(
            "no trial has a learning rate, a width and a loss (or diverged)" +
            (columns.where.empty() ? std::string()
                                   : " among those matching " + columns.where.dump()));
    if (std::all_of(runs.begin(), runs.end(), [](const Run& r) { return r.diverged; }))
        throw std::invalid_argument("every run diverged (" + std::to_string(runs.size()) +
                                    " runs): no curve has a finite loss");

    // Widths (exact values: they are integers in practice), then grid points within a width.
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
        if (a.width != b.width)
            return a.width < b.width;
        return a.log2Lr != b.log2Lr ? a.log2Lr < b.log2Lr : a.trial < b.trial;
    });
    for (const Run& r : runs) {
        if (out.curves.empty() || out.curves.back().width != r.width) {
            out.curves.emplace_back();
            out.curves.back().width = r.width;
        }
        std::vector<TransferPoint>& points = out.curves.back().points;
        if (points.empty() || r.log2Lr - points.back().log2Lr > options.gridTolerance) {
            points.emplace_back();
            points.back().lr = r.lr;
            points.back().log2Lr = r.log2Lr;
        }
        points.back().seedLosses.push_back(r.loss);
        points.back().diverged += r.diverged ? 1 : 0;
        points.back().trialNumbers.push_back(r.trial);
    }
    if (out.curves.size() < 2)
        throw std::invalid_argument("too few widths: " + std::to_string(out.curves.size()) + " (" +
                                    columns.width + " = " + widthText(out.curves.front().width) +
                                    "); the transfer analysis needs at least 2");

    std::mt19937_64 rng(options.seed);
    std::vector<double> xs, ys, errs, bests;
    for (TransferCurve& c : out.curves) {
        for (TransferPoint& p : c.points)
            p.loss = median(p.seedLosses);
        summarize(c, options, rng);
        const std::string name = columns.width + " = " + widthText(c.width);
        if (c.best >= 0)
            bests.push_back(c.points[static_cast<std::size_t>(c.best)].log2Lr);
        switch (c.kind) {
        case OptimumKind::Suggestion: // not made here
        case OptimumKind::None:
            out.notes.push_back(
                name + ": " + (c.best < 0 ? "every run diverged" : "fewer than 3 learning rates") +
                "; no optimum");
            break;
        case OptimumKind::AtEdge:
            out.notes.push_back(name + ": the best learning rate is at the edge of the grid; " +
                                "the optimum may lie beyond it and is left out of the slope");
            break;
        case OptimumKind::GridPoint:
            out.notes.push_back(name + ": the loss near the best learning rate is flat or " +
                                "concave; the optimum is the best grid point");
            [[fallthrough]];
        case OptimumKind::Parabola:
            xs.push_back(std::log2(c.width));
            ys.push_back(c.optimumLog2Lr);
            errs.push_back(c.optimumStdErr);
            break;
        }
    }
    const bool oneSeed = std::all_of(out.curves.begin(), out.curves.end(), [](const auto& c) {
        return std::all_of(c.points.begin(), c.points.end(),
                           [](const TransferPoint& p) { return p.seedLosses.size() < 2; });
    });
    if (oneSeed)
        out.notes.push_back("one run per point: the optima have no bootstrap error");

    const Line line = fitLine(xs, ys, errs);
    out.slope = line.slope;
    out.intercept = line.intercept;
    out.slopeStdErr = line.stdErr;
    out.slopeStdErrFromOptima = line.stdErrFromY;
    out.widthsInSlope = static_cast<int>(xs.size());
    if (xs.size() < 2)
        out.notes.push_back("fewer than 2 widths have an interior optimum: no slope");
    else if (xs.size() < 3)
        out.notes.push_back("2 widths in the slope: no residual standard error");

    if (bests.size() >= 2) { // bests follow the widths
        out.bestShift = bests.back() - bests.front();
        const auto [lo, hi] = std::minmax_element(bests.begin(), bests.end());
        out.bestSpread = *hi - *lo;
    }

    // Nesting around the median optimum (interior ones; else the median best grid point).
    out.referenceLog2Lr = !ys.empty() ? median(ys) : median(bests);
    std::vector<double> grid; // every learning rate of any width near the reference
    for (const TransferCurve& c : out.curves)
        for (const TransferPoint& p : c.points)
            if (std::abs(p.log2Lr - out.referenceLog2Lr) <= options.nearOptimum + 1e-12)
                grid.push_back(p.log2Lr);
    std::sort(grid.begin(), grid.end());
    for (std::size_t i = 0; i < grid.size(); ++i) {
        if (i > 0 && grid[i] - grid[i - 1] <= options.gridTolerance)
            continue;
        NestingCheck check;
        check.log2Lr = grid[i];
        for (const TransferCurve& c : out.curves) {
            for (const TransferPoint& p : c.points) {
                if (std::abs(p.log2Lr - grid[i]) <= options.gridTolerance) {
                    check.widths.push_back(c.width);
                    check.losses.push_back(p.loss);
                    break;
                }
            }
        }
        if (check.widths.size() < 2)
            continue;
        for (std::size_t k = 0; k + 1 < check.widths.size(); ++k) {
            if (check.losses[k + 1] > check.losses[k] + options.nestTolerance) {
                check.holds = false;
                check.violations.emplace_back(static_cast<int>(k), static_cast<int>(k + 1));
            }
        }
        out.widerNeverWorse = out.widerNeverWorse && check.holds;
        out.nesting.push_back(std::move(check));
    }
    if (out.nesting.empty())
        out.notes.push_back("no learning rate near the optimum was run at 2 or more widths: "
                            "nesting not checked");
    return out;
}

LrRangeAnalysis lrRangeCurves(const std::vector<MetricPoint>& metrics, const std::string& rule) {
    if (rule != "valley" && rule != "minimum" && rule != "steep")
        throw std::invalid_argument("unknown lr suggestion rule '" + rule +
                                    "' (valley, minimum or steep)");
    int attempt = 0;
    for (const MetricPoint& m : metrics)
        attempt = std::max(attempt, m.attempt);
    std::map<std::int64_t, std::map<std::string, double>> steps;
    for (const MetricPoint& m : metrics)
        if (m.attempt == attempt)
            steps[m.step][m.name] = m.value;
    std::vector<double> lrs, raw, smoothed;
    for (const auto& [step, values] : steps) {
        const auto lr = values.find("lr");
        const auto loss = values.find("loss");
        const auto smooth = values.find("smoothed_loss");
        if (lr == values.end() || smooth == values.end())
            continue;
        lrs.push_back(lr->second);
        raw.push_back(loss == values.end() ? NAN : loss->second);
        smoothed.push_back(smooth->second);
    }
    if (lrs.empty())
        throw std::invalid_argument("no step reported both 'lr' and 'smoothed_loss': not an "
                                    "lr_range trial's metrics");
    LrRangeAnalysis out;
    out.suggestions = suggestLearningRates(lrs, smoothed); // throws when too short
    out.rawLoss = raw;
    for (std::size_t i = 0; i < lrs.size(); ++i) {
        TransferPoint p;
        p.lr = lrs[i];
        p.log2Lr = std::log2(lrs[i]);
        p.loss = smoothed[i];
        p.seedLosses = {smoothed[i]};
        p.diverged = std::isfinite(smoothed[i]) ? 0 : 1;
        out.curve.points.push_back(std::move(p));
    }
    // The curve's minimum, and the suggestion as its optimum (the task's rule: "valley" by
    // default): a parabola has no meaning on a curve measured while the weights move.
    double bestLoss = INFINITY;
    for (std::size_t i = 0; i < smoothed.size(); ++i) {
        if (smoothed[i] < bestLoss) {
            bestLoss = smoothed[i];
            out.curve.best = static_cast<int>(i);
        }
    }
    const LrSuggestions& g = out.suggestions;
    out.curve.kind = OptimumKind::Suggestion;
    out.curve.optimumLog2Lr = std::log2(rule == "minimum" ? g.minimum
                                        : rule == "steep" ? g.steep
                                                          : g.valley);
    out.curve.optimumLoss = bestLoss;
    return out;
}

Json toJson(const TransferCurve& c) {
    Json points = Json::array();
    for (const TransferPoint& p : c.points)
        points.push_back({{"lr", p.lr},
                          {"log2_lr", p.log2Lr},
                          {"loss", number(p.loss)},
                          {"seeds", p.seedLosses.size()},
                          {"diverged", p.diverged},
                          {"trials", p.trialNumbers}});
    return {{"width", c.width},
            {"points", std::move(points)},
            {"best", c.best},
            {"optimum",
             {{"kind", std::string(toText(c.kind))},
              {"log2_lr", number(c.optimumLog2Lr)},
              {"lr", number(std::exp2(c.optimumLog2Lr))},
              {"loss", number(c.optimumLoss)},
              {"std_err", number(c.optimumStdErr)},
              {"std_err_method", "bootstrap over seeds"},
              {"fit_points", c.fitPoints}}}};
}

Json toJson(const TransferAnalysis& a) {
    Json curves = Json::array();
    for (const TransferCurve& c : a.curves)
        curves.push_back(toJson(c));
    Json nesting = Json::array();
    for (const NestingCheck& n : a.nesting) {
        Json violations = Json::array();
        for (const auto& [narrow, wide] : n.violations)
            violations.push_back({{"narrow", n.widths[static_cast<std::size_t>(narrow)]},
                                  {"wide", n.widths[static_cast<std::size_t>(wide)]}});
        nesting.push_back({{"log2_lr", n.log2Lr},
                           {"widths", n.widths},
                           {"losses", n.losses},
                           {"holds", n.holds},
                           {"violations", std::move(violations)}});
    }
    return {{"curves", std::move(curves)},
            {"slope",
             {{"per_doubling", number(a.slope)},
              {"intercept", number(a.intercept)},
              {"std_err", number(a.slopeStdErr)},
              {"std_err_from_optima", number(a.slopeStdErrFromOptima)},
              {"widths", a.widthsInSlope}}},
            {"best_shift", number(a.bestShift)},
            {"best_spread", number(a.bestSpread)},
            {"reference_log2_lr", number(a.referenceLog2Lr)},
            {"nesting", std::move(nesting)},
            {"wider_never_worse", a.widerNeverWorse},
            {"trials_used", a.trialsUsed},
            {"trials_skipped", a.trialsSkipped},
            {"notes", a.notes}};
}

Json toJson(const LrRangeAnalysis& a) {
    Json curve = toJson(a.curve);
    curve["optimum"]["std_err_method"] = nullptr;
    Json raw = Json::array();
    for (double v : a.rawLoss)
        raw.push_back(number(v));
    curve["raw_loss"] = std::move(raw);
    const LrSuggestions& s = a.suggestions;
    return {{"curves", Json::array({std::move(curve)})},
            {"suggestions",
             {{"valley", s.valley},
              {"minimum", s.minimum},
              {"steep", s.steep},
              {"lowest", s.lowest},
              {"start", s.start}}}};
}

} // namespace ps
