// Chinchilla Approach 3 (METHODS.md 9.2, 9.4) on synthetic data from the published law:
// recovery with and without noise, the 4500-start grid, the pitfalls of 9.3 that are cheap to
// show (an unlucky start, least squares instead of Huber, a loose tolerance), the one-variable
// form, the compute-optimal allocation, trials as input, refused input.
#include "core/analysis/scaling_law.h"

#include <QtTest>
#include <cmath>
#include <random>

using namespace ps;

namespace {

// Hoffmann et al.'s published law (METHODS 9.1).
const ScalingLawParams kChinchilla{1.69, 406.4, 410.7, 0.34, 0.28, true};
const double kAllocation = 0.28 / (0.34 + 0.28); // a = beta / (alpha + beta)

// METHODS 9.4.1: N log-uniform in [1e7, 1e9], D in [1e8, 1e10], L times exp(eps),
// eps ~ N(0, sd^2).
std::vector<ScalingPoint> chinchillaPoints(std::uint64_t seed, double sd, int count = 100) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    std::normal_distribution<double> noise(0, 1);
    std::vector<ScalingPoint> points;
    for (int i = 0; i < count; ++i) {
        ScalingPoint p;
        p.n = std::pow(10, 7 + 2 * unit(rng));
        p.d = std::pow(10, 8 + 2 * unit(rng));
        p.loss = predictLoss(kChinchilla, p.n, p.d) * std::exp(sd * noise(rng));
        points.push_back(p);
    }
    return points;
}

// The Huber objective of METHODS 9.2 at given parameters.
double objectiveAt(const ScalingLawParams& p, const std::vector<ScalingPoint>& points,
                   double delta = 1e-3) {
    double f = 0;
    for (const ScalingPoint& q : points) {
        const double r = std::abs(std::log(predictLoss(p, q.n, q.d)) - std::log(q.loss));
        f += r <= delta ? 0.5 * r * r : delta * (r - 0.5 * delta);
    }
    return f;
}

// Every other value of the METHODS grid: 3^5 = 243 starts, for the tests that are not about
// the grid itself.
ScalingLawOptions sparseGrid() {
    ScalingLawOptions o;
    o.alphaGrid = o.betaGrid = {0, 1, 2};
    o.eGrid = {-1, 0, 1};
    o.aGrid = o.bGrid = {0, 10, 20};
    return o;
}

ScalingLawOptions singleStart(double alpha, double beta, double e, double a, double b) {
    ScalingLawOptions o;
    o.alphaGrid = {alpha};
    o.betaGrid = {beta};
    o.eGrid = {e};
    o.aGrid = {a};
    o.bGrid = {b};
    return o;
}

void expectError(const std::function<void()>& call, const char* needle) {
    try {
        call();
        QFAIL((std::string("no error; expected one mentioning '") + needle + "'").c_str());
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
    }
}

} // namespace

class TestScalingLaw : public QObject {
    Q_OBJECT

    std::vector<ScalingPoint> m_noisy; // METHODS 9.4.1: 100 points, 1% noise, seed 1
    ScalingLawFit m_fit;               // the full 4500-start fit of m_noisy

private Q_SLOTS:
    void initTestCase() {
        m_noisy = chinchillaPoints(1, 0.01);
        m_fit = fitScalingLaw(m_noisy); // the METHODS grid; the one slow fit (a few seconds)
    }

    void methodsAcceptanceWithOnePercentNoise() {
        QCOMPARE(m_fit.starts.size(), std::size_t(4500));
        QVERIFY(m_fit.params.joint);
        // The fit is at least as good as the truth under its own objective: whatever distance
        // remains to the true exponents is the data's, not the optimizer's.
        QVERIFY(m_fit.objective <= objectiveAt(kChinchilla, m_noisy));
        QVERIFY2(m_fit.gradientNorm < 1e-8, QByteArray::number(m_fit.gradientNorm));
        // METHODS 9.4.1 expects |alpha - 0.34| < 0.02, |beta - 0.28| < 0.02, |E - 1.69| < 0.05,
        // |a - 0.456| < 0.03. With 100 points and 1% noise those are the *median* errors, not
        // bounds: over seeds 1-40 the median (max) errors were 0.020 (0.050), 0.015 (0.043),
        // 0.064 (0.19) and 0.025 (0.052), all four within METHODS' bounds in 10 of 40. Seed 1
        // has alpha 0.306, beta 0.285, E 1.63, a 0.483; the bounds here are the 40-seed maxima.
        QVERIFY2(std::abs(m_fit.params.alpha - 0.34) < 0.06,
                 QByteArray::number(m_fit.params.alpha));
        QVERIFY2(std::abs(m_fit.params.beta - 0.28) < 0.05, QByteArray::number(m_fit.params.beta));
        QVERIFY2(std::abs(m_fit.params.E - 1.69) < 0.2, QByteArray::number(m_fit.params.E));
        QVERIFY2(std::abs(m_fit.allocation.a - kAllocation) < 0.06,
                 QByteArray::number(m_fit.allocation.a));
        QCOMPARE(m_fit.allocation.a + m_fit.allocation.b, 1.0);
        // Residuals at the noise level.
        QVERIFY(m_fit.rmsLogResidual > 0.007 && m_fit.rmsLogResidual < 0.013);
        QCOMPARE(m_fit.predicted.size(), m_noisy.size());
    }

    void methodsBoundsHoldWithSmallNoise() {
        // At 0.1% noise the errors shrink tenfold and METHODS' bounds hold.
        const ScalingLawFit fit = fitScalingLaw(chinchillaPoints(2, 0.001), sparseGrid());
        QVERIFY(std::abs(fit.params.alpha - 0.34) < 0.02);
        QVERIFY(std::abs(fit.params.beta - 0.28) < 0.02);
        QVERIFY(std::abs(fit.params.E - 1.69) < 0.05);
        QVERIFY(std::abs(fit.allocation.a - kAllocation) < 0.03);
    }

    void noiseFreeRecoveredExactly() {
        const ScalingLawFit fit = fitScalingLaw(chinchillaPoints(3, 0), sparseGrid());
        // METHODS: "noise-free data must be recovered to ~1e-4".
        QVERIFY2(std::abs(fit.params.alpha - 0.34) < 1e-4, QByteArray::number(fit.params.alpha));
        QVERIFY(std::abs(fit.params.beta - 0.28) < 1e-4);
        QVERIFY(std::abs(fit.params.E / 1.69 - 1) < 1e-4);
        QVERIFY(std::abs(fit.params.A / 406.4 - 1) < 1e-4);
        QVERIFY(std::abs(fit.params.B / 410.7 - 1) < 1e-4);
        QVERIFY(fit.rmsLogResidual < 1e-8);
        for (std::size_t i = 0; i < fit.points.size(); ++i)
            QVERIFY(std::abs(fit.predicted[i] / fit.points[i].loss - 1) < 1e-8);
    }

    void pitfallAnUnluckyStartLandsInAWorseMinimum() {
        // METHODS 9.3/9.4.2: the grid matters. About two fifths of the 4500 starts end in
        // other local minima (an E that collapses, a term that switches off), ten times worse.
        int worse = 0;
        const ScalingLawStart* unlucky = nullptr;
        for (const ScalingLawStart& s : m_fit.starts) {
            if (s.objective > 5 * m_fit.objective) {
                ++worse;
                if (!unlucky)
                    unlucky = &s;
            }
        }
        QVERIFY2(worse > 900, QByteArray::number(worse));
        QVERIFY(m_fit.startsAtBest > 900 && m_fit.startsAtBest < 4500);
        QVERIFY(m_fit.alphaMax - m_fit.alphaMin > 1); // the spread the UI shows
        // Fitted alone, that start reports its bad minimum as the answer.
        const ScalingLawParams& init = unlucky->init;
        const ScalingLawFit alone =
            fitScalingLaw(m_noisy, singleStart(init.alpha, init.beta, std::log(init.E),
                                               std::log(init.A), std::log(init.B)));
        QVERIFY(alone.objective > 5 * m_fit.objective);
        QVERIFY(std::abs(alone.params.alpha - m_fit.params.alpha) > 0.1 ||
                std::abs(alone.params.beta - m_fit.params.beta) > 0.1 ||
                std::abs(alone.params.E - m_fit.params.E) > 0.5);
        // METHODS names the start (0, 0, 0, 0, 0) as one that goes wrong; with this L-BFGS
        // (strong Wolfe, tight tolerance) it reaches the grid's optimum on this data.
        const ScalingLawFit zero = fitScalingLaw(m_noisy, singleStart(0, 0, 0, 0, 0));
        QVERIFY(zero.objective <= m_fit.objective * (1 + 1e-9));
    }

    void pitfallLeastSquaresFollowsOutliers() {
        // One point in ten 30% too high: Huber (delta 1e-3) in log space barely moves, least
        // squares in log space (delta = infinity) does.
        std::vector<ScalingPoint> points = chinchillaPoints(4, 0.001);
        for (std::size_t i = 0; i < points.size(); i += 10)
            points[i].loss *= 1.3;
        ScalingLawOptions o = sparseGrid();
        const ScalingLawFit huber = fitScalingLaw(points, o);
        o.huberDelta = INFINITY;
        const ScalingLawFit squares = fitScalingLaw(points, o);
        QVERIFY(std::abs(huber.params.alpha - 0.34) < 0.01);
        QVERIFY(std::abs(huber.params.beta - 0.28) < 0.01);
        QVERIFY(std::abs(huber.params.E - 1.69) < 0.03);
        const double huberError =
            std::abs(huber.params.alpha - 0.34) + std::abs(huber.params.beta - 0.28);
        const double squaresError =
            std::abs(squares.params.alpha - 0.34) + std::abs(squares.params.beta - 0.28);
        QVERIFY2(squaresError > 5 * huberError,
                 (std::to_string(squaresError) + " vs " + std::to_string(huberError)).c_str());
    }

    void pitfallLooseToleranceStopsBeforeTheOptimum() {
        // Besiroglu et al.: the original fit stopped early. SciPy's L-BFGS-B defaults (gradient
        // 1e-5, relative decrease 2.2e-9 of max(1, |f|)) on an objective of order 1e-3 stop
        // with a 10% higher objective and a much smaller E and beta.
        ScalingLawOptions o = singleStart(0.5, 0.5, 0, 5, 5);
        const ScalingLawFit tight = fitScalingLaw(m_noisy, o);
        o.lbfgs.gradientTolerance = 1e-5;
        o.lbfgs.functionTolerance = 2.2e-9;
        o.polishIterations = 0;
        const ScalingLawFit loose = fitScalingLaw(m_noisy, o);
        QCOMPARE(loose.status, LbfgsStatus::FunctionTolerance);
        QVERIFY(std::abs(tight.objective / m_fit.objective - 1) < 1e-9);
        QVERIFY(loose.objective > 1.05 * tight.objective);
        QVERIFY(tight.params.E - loose.params.E > 0.2);
        QVERIFY(tight.params.beta - loose.params.beta > 0.03);
    }

    void oneVariableForm() {
        // L(N) = 2 + 300 / N^0.3 over N in [1e5, 1e9], 0.1% noise, the 150-start grid.
        const ScalingLawParams truth{2.0, 300, 0, 0.3, 0, false};
        std::mt19937_64 rng(5);
        std::normal_distribution<double> noise(0, 0.001);
        std::vector<ScalingPoint> points;
        for (int i = 0; i < 30; ++i) {
            ScalingPoint p;
            p.n = std::pow(10, 5 + 4 * i / 29.0);
            p.loss = predictLoss(truth, p.n) * std::exp(noise(rng));
            points.push_back(p);
        }
        const ScalingLawFit fit = fitScalingLaw(points);
        QCOMPARE(fit.starts.size(), std::size_t(150));
        QVERIFY(!fit.params.joint);
        QVERIFY2(std::abs(fit.params.alpha - 0.3) < 0.02, QByteArray::number(fit.params.alpha));
        QVERIFY(std::abs(fit.params.E - 2.0) < 0.05);
        QCOMPARE(fit.params.B, 0.0);
        QVERIFY(std::isnan(fit.allocation.a));
        expectError([&] { computeOptimal(fit.params, 1e20); }, "joint form");
        const Json j = toJson(fit);
        QCOMPARE(j["form"], Json("E + A/N^alpha"));
        QVERIFY(!j.contains("beta") && !j.contains("compute_optimal"));
    }

    void computeOptimalAllocation() {
        const ComputeOptimal c = computeOptimal(kChinchilla, 1e21);
        QVERIFY(std::abs(c.a - kAllocation) < 1e-12);
        QVERIFY(std::abs(c.b - 0.34 / 0.62) < 1e-12);
        QVERIFY(std::abs(6 * c.n * c.d / 1e21 - 1) < 1e-12); // on the budget
        const double g = std::pow(0.34 * 406.4 / (0.28 * 410.7), 1 / 0.62);
        QVERIFY(std::abs(c.G / g - 1) < 1e-12);
        // And the best split of that budget: any other N on 6 N D = C predicts a higher loss.
        for (double factor : {0.5, 0.9, 1.1, 2.0}) {
            const double n = c.n * factor;
            QVERIFY(predictLoss(kChinchilla, n, 1e21 / (6 * n)) > c.loss);
        }
        expectError([] { computeOptimal(kChinchilla, -1); }, "compute budget");
    }

    void bootstrapIntervals() {
        ScalingLawOptions o = singleStart(0.5, 0.5, 0, 5, 5);
        o.bootstrap = 40;
        o.seed = 7;
        const ScalingLawFit fit = fitScalingLaw(m_noisy, o);
        QCOMPARE(fit.bootstrapFits.size(), std::size_t(40));
        QVERIFY(fit.alphaCi.low < fit.params.alpha && fit.params.alpha < fit.alphaCi.high);
        QVERIFY(fit.betaCi.low < fit.params.beta && fit.params.beta < fit.betaCi.high);
        QVERIFY(fit.eCi.low < fit.params.E && fit.params.E < fit.eCi.high);
        QVERIFY(fit.aCi.low < fit.allocation.a && fit.allocation.a < fit.aCi.high);
        QVERIFY(fit.alphaCi.low < 0.34 && 0.34 < fit.alphaCi.high); // the truth, seed 1
        const ScalingLawFit again = fitScalingLaw(m_noisy, o);
        QCOMPARE(again.alphaCi.low, fit.alphaCi.low); // seeded
        QCOMPARE(toJson(fit)["bootstrap"]["resamples"], Json(40));
    }

    void fromTrials() {
        // An MLP 784-w-w-10 without biases: N = 784 w + w^2 + 10 w, from model.width.
        std::vector<Trial> trials;
        const ScalingLawParams truth{1.0, 80, 60, 0.4, 0.3, true};
        int number = 0;
        for (int w : {32, 64, 128, 256, 512, 1024}) {
            for (int samples : {1000, 4000, 16000, 60000}) {
                Trial t;
                t.number = number++;
                t.state = TrialState::Complete;
                t.params = {{"model.width", w}, {"dataset.train_size", samples}};
                const double n = 794.0 * w + double(w) * w;
                t.values = {{"val_loss", predictLoss(truth, n, samples)}};
                trials.push_back(t);
            }
        }
        Trial failed;
        failed.state = TrialState::Fail;
        failed.number = number++;
        failed.params = {{"model.width", 8}, {"dataset.train_size", 10}};
        trials.push_back(failed);
        Trial noLoss = trials.front();
        noLoss.number = number++;
        noLoss.values.clear();
        trials.push_back(noLoss);

        ScalingColumns columns;
        columns.n = "model.width";
        columns.nOf = [](double w) { return 794.0 * w + w * w; };
        columns.d = "dataset.train_size";
        columns.loss = "val_loss";
        const std::vector<ScalingPoint> points = scalingPoints(trials, columns);
        QCOMPARE(points.size(), std::size_t(24)); // the failed and the loss-less trial left out
        QCOMPARE(points[5].trialNumber, 5);
        QCOMPARE(points[0].n, 794.0 * 32 + 32 * 32);
        const ScalingLawFit fit = fitScalingLaw(points, sparseGrid());
        QVERIFY2(std::abs(fit.params.alpha - 0.4) < 1e-4, QByteArray::number(fit.params.alpha));
        QVERIFY(std::abs(fit.params.beta - 0.3) < 1e-4);

        const Json j = toJson(fit);
        QCOMPARE(j["points"].size(), std::size_t(24));
        QCOMPARE(j["points"][5]["trial"], Json(5));
        QVERIFY(j["points"][0].contains("predicted") && j["points"][0].contains("d"));
        QCOMPARE(j["starts"]["count"], Json(243));
        QCOMPARE(j["starts"]["objective"].size(), std::size_t(243));
        QVERIFY(j["compute_optimal"].contains("G"));
        QCOMPARE(j["form"], Json("E + A/N^alpha + B/D^beta"));

        columns.loss = "test_loss";
        expectError([&] { scalingPoints(trials, columns); }, "'test_loss' (the loss)");
        columns.loss.clear();
        expectError([&] { scalingPoints(trials, columns); }, "no column named for the loss");
    }

    void refusesWhatCannotBeFitted() {
        std::vector<ScalingPoint> points = chinchillaPoints(6, 0, 5);
        expectError([&] { fitScalingLaw(points); }, "too few points: 5");
        points = chinchillaPoints(6, 0, 10);
        points[3].loss = -1;
        expectError([&] { fitScalingLaw(points); }, "point 3: the loss must be positive");
        points = chinchillaPoints(6, 0, 10);
        points[4].d = NAN;
        expectError([&] { fitScalingLaw(points); }, "point 4 has no data size");
        points = chinchillaPoints(6, 0, 10);
        for (ScalingPoint& p : points)
            p.d = 1e9;
        expectError([&] { fitScalingLaw(points); }, "same data size D");
        points = chinchillaPoints(6, 0, 10);
        ScalingLawOptions o;
        o.aGrid.clear();
        expectError([&] { fitScalingLaw(points, o); }, "grid is empty");
        expectError([] { fitScalingLaw({}); }, "no points");
    }
};

QTEST_GUILESS_MAIN(TestScalingLaw)
#include "tst_scaling_law.moc"
