#include "core/analysis/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <utility>

namespace ps {

namespace {

using Vec = std::vector<double>;

double dot(const Vec& a, const Vec& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += a[i] * b[i];
    return s;
}

double maxAbs(const Vec& a) {
    double m = 0;
    for (double v : a)
        m = std::max(m, std::abs(v));
    return m;
}

bool allFinite(const Vec& a) {
    return std::all_of(a.begin(), a.end(), [](double v) { return std::isfinite(v); });
}

// One point on the search line x + step * dir.
struct Probe {
    double step = 0;
    double value = 0;
    double slope = 0; // d f / d step: gradient . dir
    Vec x, g;
};

class Evaluator {
public:
    Evaluator(const LbfgsObjective& f, int& count) : m_f(f), m_count(count) {}

    // f at x; a non-finite value or gradient makes the value +inf.
    double operator()(const Vec& x, Vec& g) const {
        g.assign(x.size(), 0.0);
        ++m_count;
        const double v = m_f(x, g);
        if (!std::isfinite(v) || g.size() != x.size() || !allFinite(g))
            return INFINITY;
        return v;
    }

    Probe probe(const Vec& x, const Vec& dir, double step) const {
        Probe p;
        p.step = step;
        p.x.resize(x.size());
        for (std::size_t i = 0; i < x.size(); ++i)
            p.x[i] = x[i] + step * dir[i];
        p.value = (*this)(p.x, p.g);
        p.slope = std::isfinite(p.value) ? dot(p.g, dir) : NAN;
        return p;
    }

private:
    const LbfgsObjective& m_f;
    int& m_count;
};

// The minimizer of the cubic through (a, fa, da) and (b, fb, db), kept at least a tenth of
// the interval away from both ends; the midpoint when the cubic has none or a value is not
// finite.
double interpolate(const Probe& a, const Probe& b) {
    const double lo = std::min(a.step, b.step), hi = std::max(a.step, b.step);
    const double margin = 0.1 * (hi - lo);
    const double mid = 0.5 * (lo + hi);
    if (!std::isfinite(a.value) || !std::isfinite(b.value) || !std::isfinite(a.slope) ||
        !std::isfinite(b.slope))
        return mid;
    const double d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.step - b.step);
    const double disc = d1 * d1 - a.slope * b.slope;
    if (!(disc >= 0))
        return mid;
    const double d2 = std::copysign(std::sqrt(disc), b.step - a.step);
    const double denom = b.slope - a.slope + 2.0 * d2;
    if (denom == 0)
        return mid;
    const double t = b.step - (b.step - a.step) * (b.slope + d2 - d1) / denom;
    if (!std::isfinite(t))
        return mid;
    return std::clamp(t, lo + margin, hi - margin);
}

// Nocedal & Wright, Algorithm 3.6: shrinks [lo, hi] (lo satisfies sufficient decrease and
// has the lower value; hi does not, or the slope at lo points towards hi) until a point
// satisfies the strong Wolfe conditions. Returns lo when the budget runs out and lo is a
// step at all (a sufficient decrease without the curvature condition).
std::optional<Probe> zoom(const Evaluator& eval, const Vec& x, const Vec& dir, const Probe& at0,
                          Probe lo, Probe hi, int& budget, const LbfgsOptions& o) {
    while (budget-- > 0) {
        const double step = interpolate(lo, hi);
        if (!(std::abs(hi.step - lo.step) > 1e-16 * std::max(1.0, std::abs(lo.step))))
            break;
        Probe p = eval.probe(x, dir, step);
        if (!(p.value <= at0.value + o.c1 * step * at0.slope) || p.value >= lo.value) {
            hi = std::move(p);
            continue;
        }
        if (std::abs(p.slope) <= -o.c2 * at0.slope)
            return p;
        if (p.slope * (hi.step - lo.step) >= 0)
            hi = std::move(lo);
        lo = std::move(p);
    }
    if (lo.step > 0)
        return lo;
    return std::nullopt;
}

// Nocedal & Wright, Algorithm 3.5. at0 is the current point (step 0, slope < 0).
std::optional<Probe> strongWolfe(const Evaluator& eval, const Vec& x, const Vec& dir,
                                 const Probe& at0, const LbfgsOptions& o) {
    int budget = o.maxLineSearchEvaluations;
    Probe prev = at0;
    double step = 1.0;
    for (int i = 0; budget-- > 0; ++i) {
        Probe p = eval.probe(x, dir, step);
        if (!std::isfinite(p.value) || p.value > at0.value + o.c1 * step * at0.slope ||
            (i > 0 && p.value >= prev.value))
            return zoom(eval, x, dir, at0, std::move(prev), std::move(p), budget, o);
        if (std::abs(p.slope) <= -o.c2 * at0.slope)
            return p;
        if (p.slope >= 0)
            return zoom(eval, x, dir, at0, std::move(p), std::move(prev), budget, o);
        prev = std::move(p);
        step *= 2.0;
    }
    if (prev.step > 0) // still descending after the budget: take the longest step tried
        return prev;
    return std::nullopt;
}

std::optional<Probe> backtracking(const Evaluator& eval, const Vec& x, const Vec& dir,
                                  const Probe& at0, const LbfgsOptions& o) {
    double step = 1.0;
    for (int i = 0; i < o.maxLineSearchEvaluations; ++i) {
        Probe p = eval.probe(x, dir, step);
        if (std::isfinite(p.value) && p.value <= at0.value + o.c1 * step * at0.slope)
            return p;
        step *= 0.5;
    }
    return std::nullopt;
}

} // namespace

std::string_view toText(LbfgsStatus status) {
    switch (status) {
    case LbfgsStatus::GradientTolerance:
        return "gradient below tolerance";
    case LbfgsStatus::FunctionTolerance:
        return "function decrease below tolerance";
    case LbfgsStatus::MaxIterations:
        return "iteration limit reached";
    case LbfgsStatus::LineSearchFailed:
        return "line search failed";
    case LbfgsStatus::NotFiniteAtStart:
        return "not finite at the start";
    }
    return "?";
}

LbfgsResult minimizeLbfgs(const LbfgsObjective& f, std::vector<double> x0, const LbfgsOptions& o) {
    LbfgsResult r;
    const Evaluator eval(f, r.evaluations);
    Probe cur;
    cur.x = std::move(x0);
    cur.value = eval(cur.x, cur.g);
    const std::size_t n = cur.x.size();
    auto finish = [&](LbfgsStatus status) {
        r.status = status;
        r.value = cur.value;
        r.gradientNorm = std::isfinite(cur.value) ? maxAbs(cur.g) : INFINITY;
        r.x = std::move(cur.x);
        return std::move(r);
    };
    if (!std::isfinite(cur.value))
        return finish(LbfgsStatus::NotFiniteAtStart);

    std::deque<std::pair<Vec, Vec>> pairs; // (s, y), newest last
    std::vector<double> alpha;
    Vec dir(n);
    for (r.iterations = 0; r.iterations < o.maxIterations; ++r.iterations) {
        if (maxAbs(cur.g) < o.gradientTolerance)
            return finish(LbfgsStatus::GradientTolerance);

        // Two-loop recursion: dir = -H g.
        Vec q = cur.g;
        alpha.assign(pairs.size(), 0.0);
        for (std::size_t i = pairs.size(); i-- > 0;) {
            const auto& [s, y] = pairs[i];
            alpha[i] = dot(s, q) / dot(y, s);
            for (std::size_t k = 0; k < n; ++k)
                q[k] -= alpha[i] * y[k];
        }
        double gamma = 0;
        if (!pairs.empty()) {
            const auto& [s, y] = pairs.back();
            gamma = dot(s, y) / dot(y, y);
        } else {
            gamma = 1.0 / std::max(1.0, std::sqrt(dot(cur.g, cur.g))); // at most unit length
        }
        for (double& v : q)
            v *= gamma;
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            const auto& [s, y] = pairs[i];
            const double beta = dot(y, q) / dot(y, s);
            for (std::size_t k = 0; k < n; ++k)
                q[k] += (alpha[i] - beta) * s[k];
        }
        for (std::size_t k = 0; k < n; ++k)
            dir[k] = -q[k];
        cur.slope = dot(cur.g, dir);
        if (!(cur.slope < 0)) { // not a descent direction: restart from steepest descent
            pairs.clear();
            const double scale = 1.0 / std::max(1.0, std::sqrt(dot(cur.g, cur.g)));
            for (std::size_t k = 0; k < n; ++k)
                dir[k] = -cur.g[k] * scale;
            cur.slope = dot(cur.g, dir);
        }

        cur.step = 0; // the line search starts here
        std::optional<Probe> next = o.lineSearch == LineSearch::StrongWolfe
                                        ? strongWolfe(eval, cur.x, dir, cur, o)
                                        : backtracking(eval, cur.x, dir, cur, o);
        if (!next || !(next->value <= cur.value)) {
            if (!pairs.empty()) { // a stale memory can point badly: retry once without it
                pairs.clear();
                --r.iterations;
                continue;
            }
            return finish(LbfgsStatus::LineSearchFailed);
        }

        Vec s(n), y(n);
        for (std::size_t k = 0; k < n; ++k) {
            s[k] = next->x[k] - cur.x[k];
            y[k] = next->g[k] - cur.g[k];
        }
        const double sy = dot(s, y);
        // Keep the pair only when it keeps H positive definite, judged scale-free (the
        // cosine between s and y).
        if (sy > 1e-10 * std::sqrt(dot(s, s) * dot(y, y))) {
            pairs.emplace_back(std::move(s), std::move(y));
            if (static_cast<int>(pairs.size()) > std::max(1, o.memory))
                pairs.pop_front();
        }
        const double decrease = cur.value - next->value;
        const double scale = std::max(1.0, std::abs(cur.value));
        cur = std::move(*next);
        if (!(decrease > 0) || decrease < o.functionTolerance * scale) {
            ++r.iterations;
            return finish(maxAbs(cur.g) < o.gradientTolerance ? LbfgsStatus::GradientTolerance
                                                              : LbfgsStatus::FunctionTolerance);
        }
    }
    return finish(maxAbs(cur.g) < o.gradientTolerance ? LbfgsStatus::GradientTolerance
                                                      : LbfgsStatus::MaxIterations);
}

} // namespace ps
