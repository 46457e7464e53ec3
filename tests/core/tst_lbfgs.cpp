// L-BFGS on the classic test problems: Rosenbrock's valley, an ill-conditioned quadratic, a
// function with a restricted domain; both line searches; the stopping reasons.
#include "core/analysis/lbfgs.h"

#include <QtTest>
#include <cmath>

using namespace ps;

namespace {

// Extended Rosenbrock: sum over pairs of 100 (x_{2i+1} - x_{2i}^2)^2 + (1 - x_{2i})^2,
// minimum 0 at (1, ..., 1).
double rosenbrock(const std::vector<double>& x, std::vector<double>& g) {
    double f = 0;
    for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
        const double a = x[i + 1] - x[i] * x[i];
        const double b = 1 - x[i];
        f += 100 * a * a + b * b;
        g[i] = -400 * a * x[i] - 2 * b;
        g[i + 1] = 200 * a;
    }
    return f;
}

// 0.5 sum_i c_i (x_i - i)^2 with curvatures c_i from 1 to 1e4: condition number 1e4.
double quadratic(const std::vector<double>& x, std::vector<double>& g) {
    double f = 0;
    const double n = static_cast<double>(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double c = std::pow(1e4, static_cast<double>(i) / (n - 1));
        const double d = x[i] - static_cast<double>(i);
        f += 0.5 * c * d * d;
        g[i] = c * d;
    }
    return f;
}

double maxError(const std::vector<double>& x, const std::vector<double>& want) {
    double e = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        e = std::max(e, std::abs(x[i] - want[i]));
    return e;
}

} // namespace

class TestLbfgs : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rosenbrock_data() {
        QTest::addColumn<int>("search");
        QTest::addColumn<int>("dims");
        QTest::newRow("strong Wolfe, 2-D") << int(LineSearch::StrongWolfe) << 2;
        QTest::newRow("strong Wolfe, 10-D") << int(LineSearch::StrongWolfe) << 10;
        QTest::newRow("backtracking, 2-D") << int(LineSearch::Backtracking) << 2;
        QTest::newRow("backtracking, 10-D") << int(LineSearch::Backtracking) << 10;
    }

    void rosenbrock() {
        QFETCH(int, search);
        QFETCH(int, dims);
        LbfgsOptions o;
        o.lineSearch = static_cast<LineSearch>(search);
        o.gradientTolerance = 1e-9;
        o.functionTolerance = 0;
        std::vector<double> x0(static_cast<std::size_t>(dims));
        for (std::size_t i = 0; i < x0.size(); i += 2) { // the classic start (-1.2, 1)
            x0[i] = -1.2;
            x0[i + 1] = 1.0;
        }
        const LbfgsResult r = minimizeLbfgs(::rosenbrock, x0, o);
        QVERIFY2(r.converged(), std::string(toText(r.status)).c_str());
        QVERIFY2(maxError(r.x, std::vector<double>(x0.size(), 1.0)) < 1e-6,
                 QByteArray::number(maxError(r.x, std::vector<double>(x0.size(), 1.0))));
        QVERIFY(r.value < 1e-12);
        QVERIFY(r.gradientNorm < 1e-9);
        QVERIFY(r.iterations < 200);
        QVERIFY(r.evaluations >= r.iterations);
    }

    void strongWolfeNeedsNoMoreIterationsOnRosenbrock() {
        LbfgsOptions o;
        o.gradientTolerance = 1e-9;
        const LbfgsResult wolfe = minimizeLbfgs(::rosenbrock, {-1.2, 1.0}, o);
        o.lineSearch = LineSearch::Backtracking;
        const LbfgsResult back = minimizeLbfgs(::rosenbrock, {-1.2, 1.0}, o);
        QVERIFY(wolfe.converged() && back.converged());
        // The bracketing search can lengthen steps; backtracking only shortens them.
        QVERIFY2(
            wolfe.iterations <= back.iterations,
            (std::to_string(wolfe.iterations) + " vs " + std::to_string(back.iterations)).c_str());
    }

    void illConditionedQuadratic() {
        const std::vector<double> want = {0, 1, 2, 3, 4, 5, 6, 7};
        LbfgsOptions o;
        o.gradientTolerance = 1e-10;
        o.functionTolerance = 0;
        const LbfgsResult r = minimizeLbfgs(quadratic, std::vector<double>(8, 10.0), o);
        QVERIFY2(r.converged(), std::string(toText(r.status)).c_str());
        QVERIFY(maxError(r.x, want) < 1e-8);
        // Inexact line searches (c2 = 0.9) cost L-BFGS its finite termination on quadratics:
        // 88 iterations here, still far from steepest descent's ~1e5.
        QVERIFY2(r.iterations < 150, QByteArray::number(r.iterations));

        o.memory = 1; // still converges, only slower
        o.maxIterations = 20000;
        const LbfgsResult lean = minimizeLbfgs(quadratic, std::vector<double>(8, 10.0), o);
        QVERIFY(lean.converged());
        QVERIFY(maxError(lean.x, want) < 1e-8);
        QVERIFY(lean.iterations > r.iterations);
    }

    void stepsBackFromOutsideTheDomain() {
        // x - log x: minimum at x = 1; undefined for x <= 0, reported as NaN. The first step
        // from 0.05 along -g = 19 would land at -0.95 without a guard.
        const LbfgsObjective f = [](const std::vector<double>& x, std::vector<double>& g) {
            if (!(x[0] > 0))
                return double(NAN);
            g[0] = 1 - 1 / x[0];
            return x[0] - std::log(x[0]);
        };
        for (LineSearch search : {LineSearch::StrongWolfe, LineSearch::Backtracking}) {
            LbfgsOptions o;
            o.lineSearch = search;
            o.gradientTolerance = 1e-10;
            o.maxLineSearchEvaluations = 60;
            const LbfgsResult r = minimizeLbfgs(f, {0.05}, o);
            QVERIFY2(r.converged(), std::string(toText(r.status)).c_str());
            QVERIFY(std::abs(r.x[0] - 1) < 1e-8);
        }
    }

    void reportsWhyItStopped() {
        LbfgsOptions o;
        o.maxIterations = 3;
        LbfgsResult r = minimizeLbfgs(::rosenbrock, {-1.2, 1.0}, o);
        QCOMPARE(r.status, LbfgsStatus::MaxIterations);
        QCOMPARE(r.iterations, 3);

        r = minimizeLbfgs(
            [](const std::vector<double>&, std::vector<double>&) { return double(NAN); },
            {1.0, 2.0});
        QCOMPARE(r.status, LbfgsStatus::NotFiniteAtStart);
        QCOMPARE(r.x, (std::vector<double>{1.0, 2.0}));
        QCOMPARE(r.evaluations, 1);

        // Already at the minimum: no iteration at all.
        r = minimizeLbfgs(::rosenbrock, {1.0, 1.0});
        QCOMPARE(r.status, LbfgsStatus::GradientTolerance);
        QCOMPARE(r.iterations, 0);

        // A loose function tolerance stops before the gradient is small.
        o = {};
        o.gradientTolerance = 1e-12;
        o.functionTolerance = 1e-2;
        r = minimizeLbfgs(::rosenbrock, {-1.2, 1.0}, o);
        QCOMPARE(r.status, LbfgsStatus::FunctionTolerance);
        QVERIFY(r.value < 24.2); // f(-1.2, 1) = 24.2: it only ever goes down
    }

    void neverReturnsAWorsePointThanTheStart() {
        // A gradient that lies (the sign flipped): no step along it lowers f.
        const LbfgsObjective f = [](const std::vector<double>& x, std::vector<double>& g) {
            g[0] = -2 * x[0];
            return x[0] * x[0];
        };
        const LbfgsResult r = minimizeLbfgs(f, {3.0});
        QCOMPARE(r.status, LbfgsStatus::LineSearchFailed);
        QCOMPARE(r.x[0], 3.0);
        QCOMPARE(r.value, 9.0);
    }
};

QTEST_GUILESS_MAIN(TestLbfgs)
#include "tst_lbfgs.moc"
