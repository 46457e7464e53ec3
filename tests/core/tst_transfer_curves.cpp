// The muP transfer analysis (METHODS.md 3.4, 3.7) on synthetic sweeps: an SP-like optimum
// that moves left by 0.75 log2 units per width doubling, a muP-like one that stays with nested
// curves, diverged runs, uneven grids, seeds; and the LR range test's curve.
#include "core/analysis/transfer_curves.h"

#include <QtTest>
#include <cmath>
#include <functional>
#include <random>

using namespace ps;

namespace {

const std::vector<int> kWidths = {64, 128, 256, 512, 1024, 2048};

// A loss curve in x = log2(lr): its floor falls with width (a wider model at its own best lr
// is better), it rises more steeply towards large learning rates than towards small ones
// (so a parabola through 3 points is not exact), and it diverges past opt + 2.5.
struct Shape {
    double optAt64 = -7;
    double shiftPerDoubling = 0; // SP-like: -0.75
    double diverge = 2.5;

    double opt(double width) const { return optAt64 + shiftPerDoubling * std::log2(width / 64); }
    // NaN where the run diverges.
    double loss(double width, double x) const {
        const double d = x - opt(width);
        if (d > diverge)
            return NAN;
        const double floor = 0.40 - 0.03 * std::log2(width / 64);
        return floor + (d < 0 ? 0.04 * d * d : 0.09 * d * d);
    }
};

struct Sweep {
    std::vector<Trial> trials;
    int next = 0;

    // One run; a NaN loss becomes a FAIL trial as the classify task writes it.
    void add(double width, double lr, double loss, int seed = 0) {
        Trial t;
        t.number = next++;
        t.params = {{"model.width", width}, {"optimizer.lr", lr}, {"seed", seed}};
        if (std::isnan(loss)) {
            t.state = TrialState::Fail;
            t.failReason = "training diverged: loss is nan at epoch 1, step 37";
        } else {
            t.state = TrialState::Complete;
            t.values = {{"train_loss", loss}};
        }
        trials.push_back(std::move(t));
    }

    // The METHODS 3.7 grid: log2 lr in {-14, ..., -4}, `seeds` seeds with Gaussian noise.
    void grid(const Shape& shape, int seeds, double noise, std::uint64_t rngSeed,
              const std::vector<int>& widths = kWidths) {
        std::mt19937_64 rng(rngSeed);
        std::normal_distribution<double> n(0, 1);
        for (int w : widths)
            for (int x = -14; x <= -4; ++x)
                for (int s = 0; s < seeds; ++s)
                    add(w, std::exp2(x), shape.loss(w, x) + noise * n(rng), s);
    }
};

const TransferCurve& curveOf(const TransferAnalysis& a, double width) {
    for (const TransferCurve& c : a.curves)
        if (c.width == width)
            return c;
    throw std::logic_error("no curve of width " + std::to_string(width));
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

class TestTransferCurves : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void spOptimumMovesLeft() {
        Shape sp;
        sp.shiftPerDoubling = -0.75;
        Sweep s;
        s.grid(sp, 2, 0.002, 1);
        const TransferAnalysis a = transferCurves(s.trials, {});
        QCOMPARE(a.curves.size(), std::size_t(6));
        QCOMPARE(a.trialsUsed, 6 * 11 * 2);
        for (const TransferCurve& c : a.curves) {
            QCOMPARE(c.kind, OptimumKind::Parabola);
            QCOMPARE(c.points.size(), std::size_t(11));
            // Within half a grid step of the true optimum, with a finite error.
            QVERIFY2(std::abs(c.optimumLog2Lr - sp.opt(c.width)) < 0.5,
                     QByteArray::number(c.optimumLog2Lr));
            QVERIFY(std::isfinite(c.optimumStdErr) && c.optimumStdErr < 0.5);
        }
        QCOMPARE(a.widthsInSlope, 6);
        qInfo("SP-like: slope %.3f +- %.3f (residuals), +- %.3f (optima); best shift %.0f", a.slope,
              a.slopeStdErr, a.slopeStdErrFromOptima, a.bestShift);
        QVERIFY2(std::abs(a.slope + 0.75) < 0.1, QByteArray::number(a.slope));
        QVERIFY(a.slopeStdErr > 0 && a.slopeStdErr < 0.1);
        QVERIFY(std::isfinite(a.slopeStdErrFromOptima));
        // METHODS 3.7: the argmin moves left by at least 2 grid points from 64 to 2048, and the
        // curves cross: near the optimum a wider model is sometimes worse.
        QVERIFY2(a.bestShift <= -2, QByteArray::number(a.bestShift));
        QVERIFY(!a.widerNeverWorse);
        QVERIFY(!a.nesting.empty());
        // At the best lr of width 64 (-7), width 2048 (optimum -10.75) is far worse.
        const TransferCurve& narrow = curveOf(a, 64);
        const TransferCurve& wide = curveOf(a, 2048);
        QCOMPARE(narrow.points[7].log2Lr, -7.0);
        QVERIFY(wide.points[7].loss > narrow.points[7].loss);
        // The divergence side: width 2048 diverges from log2 lr -8 on, as ln 10.
        QCOMPARE(wide.points[6].diverged, 2);
        QCOMPARE(wide.points[6].loss, std::log(10.0));
        QCOMPARE(wide.points[5].diverged, 0);
    }

    void mupOptimumStaysAndCurvesNest() {
        Shape mup;
        mup.optAt64 = -8.3;
        Sweep s;
        s.grid(mup, 2, 0.002, 2);
        const TransferAnalysis a = transferCurves(s.trials, {});
        qInfo("muP-like: slope %.3f +- %.3f (residuals), +- %.3f (optima)", a.slope, a.slopeStdErr,
              a.slopeStdErrFromOptima);
        QVERIFY2(std::abs(a.slope) < 0.05, QByteArray::number(a.slope));
        QVERIFY(std::abs(a.slope) < 3 * a.slopeStdErr + 0.02); // zero within its error
        QCOMPARE(a.bestSpread, 0.0); // METHODS: argmin identical within +-1 grid point
        for (const TransferCurve& c : a.curves)
            QVERIFY(std::abs(c.optimumLog2Lr + 8.3) < 0.3);
        QVERIFY(a.widerNeverWorse);
        QVERIFY(std::abs(a.referenceLog2Lr + 8.3) < 0.3);
        QCOMPARE(a.nesting.size(), std::size_t(2)); // log2 lr -9 and -8 within 1 of -8.3
        for (const NestingCheck& n : a.nesting) {
            QVERIFY(n.holds);
            QCOMPARE(n.widths.size(), std::size_t(6));
        }
    }

    void noiseFreeParabolaIsExactOnAParabola() {
        // A true parabola: 3 points or 5 give its vertex exactly, wherever it lies between
        // grid points; and with one run per point there is no bootstrap error.
        Sweep s;
        for (int w : {64, 128, 256})
            for (int x = -10; x <= -4; ++x) {
                const double opt = -7.3 - 0.4 * std::log2(w / 64.0);
                s.add(w, std::exp2(x), 0.5 + 0.1 * (x - opt) * (x - opt));
            }
        for (int window : {3, 5}) {
            TransferOptions o;
            o.window = window;
            const TransferAnalysis a = transferCurves(s.trials, {}, o);
            for (const TransferCurve& c : a.curves) {
                QVERIFY(std::abs(c.optimumLog2Lr - (-7.3 - 0.4 * std::log2(c.width / 64))) < 1e-9);
                QVERIFY(std::abs(c.optimumLoss - 0.5) < 1e-9);
                QCOMPARE(c.fitPoints, window);
                QVERIFY(std::isnan(c.optimumStdErr));
            }
            QVERIFY(std::abs(a.slope + 0.4) < 1e-9);
            QVERIFY(a.slopeStdErr < 1e-9);
            QVERIFY(std::isnan(a.slopeStdErrFromOptima));
            QVERIFY(std::any_of(a.notes.begin(), a.notes.end(), [](const std::string& n) {
                return n.find("no bootstrap error") != std::string::npos;
            }));
        }
    }

    void ragged5PointWindowFallsBackToTheGridPoint() {
        // Around the best point (-7) the 5 points zig-zag: the least-squares parabola is
        // concave, so the optimum is the best grid point itself.
        Sweep s;
        const std::vector<double> ragged = {0.9, 0.8, 0.3, 0.5, 0.29, 0.5, 0.3, 0.8, 0.9};
        for (int w : {64, 128})
            for (std::size_t i = 0; i < ragged.size(); ++i)
                s.add(w, std::exp2(-11.0 + double(i)), ragged[i] - 0.01 * std::log2(w / 64.0));
        TransferOptions o;
        o.window = 5;
        const TransferAnalysis a = transferCurves(s.trials, {}, o);
        QCOMPARE(curveOf(a, 64).kind, OptimumKind::GridPoint);
        QCOMPARE(curveOf(a, 64).optimumLog2Lr, -7.0);
        QCOMPARE(curveOf(a, 64).optimumLoss, 0.29);
        QCOMPARE(a.widthsInSlope, 2); // a grid-point optimum is interior: it counts
        QCOMPARE(a.slope, 0.0);
        QVERIFY(std::isnan(a.slopeStdErr)); // 2 widths: no residuals
        // With 3 points the same curve has a proper vertex.
        o.window = 3;
        QCOMPARE(transferCurves(s.trials, {}, o).curves[0].kind, OptimumKind::Parabola);
    }

    void divergedAndFailedRuns() {
        Shape mup;
        Sweep s;
        s.grid(mup, 1, 0, 3, {64, 128, 256});
        // A COMPLETE trial that reported NaN counts as diverged; a FAIL for another reason,
        // a RUNNING trial and one without the loss are left out.
        s.add(64, std::exp2(-7), NAN);
        s.trials.back().state = TrialState::Complete;
        s.trials.back().values = {{"train_loss", NAN}};
        s.add(64, std::exp2(-7), 0.1);
        s.trials.back().state = TrialState::Fail;
        s.trials.back().failReason = "CUDA out of memory";
        s.add(64, std::exp2(-7), 0.1);
        s.trials.back().state = TrialState::Running;
        s.add(64, std::exp2(-7), 0.1);
        s.trials.back().values.clear();
        // A finite loss above ln 10 is clipped to it.
        s.add(128, std::exp2(-4), 7.5);

        const TransferAnalysis a = transferCurves(s.trials, {});
        QCOMPARE(a.trialsSkipped, 3);
        const TransferCurve& c64 = curveOf(a, 64);
        const TransferPoint& p = c64.points[7]; // log2 lr -7, the optimum
        QCOMPARE(p.seedLosses.size(), std::size_t(2));
        QCOMPARE(p.diverged, 1);
        QCOMPARE(p.loss, 0.5 * (0.40 + std::log(10.0))); // median of 2: their mean
        // The diverged run moved the best grid point of width 64 off -7.
        QVERIFY(c64.points[static_cast<std::size_t>(c64.best)].log2Lr != -7);
        const TransferPoint& last = curveOf(a, 128).points.back();
        QCOMPARE(last.seedLosses.size(), std::size_t(2));
        QCOMPARE(last.diverged, 1); // the original run at -4 (past opt + 2.5)
        QCOMPARE(last.seedLosses[1], std::log(10.0));
        QCOMPARE(last.seedLosses[0], std::log(10.0));

        TransferOptions o;
        o.divergedLoss = 1.0;
        const TransferAnalysis capped = transferCurves(s.trials, {}, o);
        QCOMPARE(curveOf(capped, 64).points[7].loss, 0.5 * (0.40 + 1.0));
    }

    void medianIgnoresAnOutlierSeed() {
        Shape mup;
        Sweep s;
        s.grid(mup, 3, 0, 4, {64, 128});
        for (Trial& t : s.trials)
            if (t.params["seed"] == 2 && t.params["optimizer.lr"] == std::exp2(-7) &&
                t.params["model.width"] == 64)
                t.values["train_loss"] = 2.0;
        const TransferAnalysis a = transferCurves(s.trials, {});
        QCOMPARE(curveOf(a, 64).points[7].loss, 0.40);
        QCOMPARE(curveOf(a, 64).points[7].seedLosses.size(), std::size_t(3));
        QVERIFY(std::abs(curveOf(a, 64).optimumLog2Lr + 7) < 0.3);
    }

    void unevenGrids() {
        // Width 64 on the integer grid, 256 on half steps near its optimum only, 1024 with
        // holes and a 1.5 step: every curve finds the stable optimum of -8.3, and nesting is
        // only judged where 2 or more widths ran the same lr.
        Shape mup;
        mup.optAt64 = -8.3;
        Sweep s;
        for (int x = -14; x <= -4; ++x)
            s.add(64, std::exp2(x), mup.loss(64, x));
        for (double x = -10; x <= -6.9; x += 0.5)
            s.add(256, std::exp2(x), mup.loss(256, x));
        for (double x : {-13.0, -11.0, -9.5, -8.0, -6.5, -5.0})
            s.add(1024, std::exp2(x), mup.loss(1024, x));
        const TransferAnalysis a = transferCurves(s.trials, {});
        QCOMPARE(curveOf(a, 256).points.size(), std::size_t(7));
        for (const TransferCurve& c : a.curves) {
            QCOMPARE(c.kind, OptimumKind::Parabola);
            QVERIFY2(std::abs(c.optimumLog2Lr + 8.3) < 0.35,
                     (std::to_string(c.width) + ": " + std::to_string(c.optimumLog2Lr)).c_str());
        }
        QVERIFY(std::abs(a.slope) < 0.1);
        QVERIFY(a.widerNeverWorse);
        for (const NestingCheck& n : a.nesting) {
            QVERIFY(n.widths.size() >= 2);
            QVERIFY(std::abs(n.log2Lr + 8.3) <= 1.0);
        }
        // -9 (64, 256), -8 (all three), -7.5 would be 256 alone: left out.
        QCOMPARE(a.nesting.size(), std::size_t(2));
        QCOMPARE(a.nesting[1].widths.size(), std::size_t(3));
    }

    void optimumAtTheEdgeIsLeftOutOfTheSlope() {
        Shape sp;
        sp.optAt64 = -5.5;
        sp.shiftPerDoubling = -1;
        sp.diverge = 10;
        Sweep s;
        s.grid(sp, 1, 0, 5, {16, 32, 64, 128}); // width 16: optimum -3.5, beyond the grid
        const TransferAnalysis a = transferCurves(s.trials, {});
        QCOMPARE(curveOf(a, 16).kind, OptimumKind::AtEdge);
        QCOMPARE(curveOf(a, 16).optimumLog2Lr, -4.0);
        QCOMPARE(a.widthsInSlope, 3);
        QVERIFY(std::abs(a.slope + 1) < 0.15);
        QVERIFY(std::any_of(a.notes.begin(), a.notes.end(), [](const std::string& n) {
            return n.find("model.width = 16: the best learning rate is at the edge") == 0;
        }));
    }

    void filtersOnePanel() {
        Shape sp, mup;
        sp.shiftPerDoubling = -0.75;
        Sweep s;
        s.grid(sp, 1, 0, 6);
        for (Trial& t : s.trials)
            t.params["parametrization.kind"] = "sp";
        const std::size_t spCount = s.trials.size();
        s.grid(mup, 1, 0, 7);
        for (std::size_t i = spCount; i < s.trials.size(); ++i)
            s.trials[i].params["parametrization.kind"] = "mup";
        TransferColumns columns;
        columns.where = {{"parametrization.kind", "mup"}};
        const TransferAnalysis a = transferCurves(s.trials, columns);
        QCOMPARE(a.trialsUsed, 66);
        QCOMPARE(a.trialsSkipped, 66);
        QVERIFY(std::abs(a.slope) < 0.1);
        columns.where = {{"parametrization.kind", "u-mup"}};
        expectError([&] { transferCurves(s.trials, columns); }, "matching");
    }

    void toJsonCarriesCurvesAndVerdict() {
        Shape mup;
        Sweep s;
        s.grid(mup, 2, 0.002, 8, {64, 128, 256});
        const TransferAnalysis a = transferCurves(s.trials, {});
        const Json j = toJson(a);
        QCOMPARE(j["curves"].size(), std::size_t(3));
        QCOMPARE(j["curves"][0]["width"], Json(64.0));
        QCOMPARE(j["curves"][0]["points"].size(), std::size_t(11));
        QCOMPARE(j["curves"][0]["points"][0]["seeds"], Json(2));
        QCOMPARE(j["curves"][0]["optimum"]["kind"], Json("parabola"));
        QCOMPARE(j["curves"][0]["optimum"]["std_err_method"], Json("bootstrap over seeds"));
        QVERIFY(j["slope"]["per_doubling"].is_number());
        QVERIFY(j["wider_never_worse"].is_boolean());
        QVERIFY(j["nesting"][0].contains("violations"));
        // A diverged point's loss is ln 10, never NaN in the JSON.
        QCOMPARE(j["curves"][0]["points"][10]["diverged"], Json(2));
        QCOMPARE(j["curves"][0]["points"][10]["loss"], Json(std::log(10.0)));
    }

    void refusesWhatCannotBeAnalysed() {
        Shape mup;
        Sweep s;
        s.grid(mup, 1, 0, 9, {64, 128});
        TransferColumns columns;
        columns.lr = "optimizer.learning_rate";
        expectError([&] { transferCurves(s.trials, columns); },
                    "no trial has the learning-rate column 'optimizer.learning_rate'");
        columns = {};
        columns.width = "model.depth";
        expectError([&] { transferCurves(s.trials, columns); }, "width column 'model.depth'");
        columns = {};
        columns.loss = "val_loss";
        expectError([&] { transferCurves(s.trials, columns); }, "no trial reported the loss");

        Sweep one;
        one.grid(mup, 1, 0, 9, {64});
        expectError([&] { transferCurves(one.trials, {}); },
                    "too few widths: 1 (model.width = 64)");

        Sweep dead;
        dead.grid(mup, 1, 0, 9, {64, 128});
        for (Trial& t : dead.trials) {
            t.state = TrialState::Fail;
            t.failReason = "training diverged";
        }
        dead.trials[0].state = TrialState::Complete; // one run reported, with NaN
        dead.trials[0].values = {{"train_loss", NAN}};
        expectError([&] { transferCurves(dead.trials, {}); }, "every run diverged");

        TransferOptions o;
        o.window = 4;
        expectError([&] { transferCurves(s.trials, {}, o); }, "3 or 5 points");
        s.trials[3].params["optimizer.lr"] = -0.1;
        expectError([&] { transferCurves(s.trials, {}); }, "trial 3: learning rate");
    }

    void lrRangeCurveFromMetrics() {
        // What the lr_range task reports per mini-batch: lr, loss, smoothed_loss.
        const LrRangeConfig config; // 1e-7 to 10 over 100 batches
        auto record = [&](int attempt, double shift) {
            std::vector<MetricPoint> points;
            LrRangeRecorder recorder(config);
            for (std::int64_t i = 0; i < config.numIt; ++i) {
                const double x = std::log10(lrRangeAt(config, i));
                // falls from 2.3 to 0.3 between 1e-5 and 1e-2, explodes past 1e-1
                const double loss = x < -1 + shift ? 0.3 + 2 / (1 + std::exp(3 * (x + 3.5)))
                                                   : 0.3 * std::exp(4 * (x + 1 - shift));
                const double smooth = recorder.add(loss);
                const std::vector<std::pair<std::string, double>> step = {
                    {"lr", recorder.lrs().back()}, {"loss", loss}, {"smoothed_loss", smooth}};
                for (const auto& [name, v] : step)
                    points.push_back({0, 1, attempt, i + 1, name, v});
                if (recorder.diverged())
                    break;
            }
            return std::make_pair(points, recorder);
        };
        auto [first, ignored] = record(0, 1.0);
        auto [latest, recorder] = record(1, 0.0);
        std::vector<MetricPoint> all = first;
        all.insert(all.end(), latest.begin(), latest.end());

        const LrRangeAnalysis a = lrRangeCurves(all);
        const LrSuggestions want = suggestLearningRates(recorder.lrs(), recorder.smoothed());
        QCOMPARE(a.curve.points.size(), recorder.size()); // the latest attempt only
        QCOMPARE(a.suggestions.valley, want.valley);
        QCOMPARE(a.suggestions.steep, want.steep);
        QCOMPARE(a.curve.kind, OptimumKind::Suggestion);
        QCOMPARE(a.curve.optimumLog2Lr, std::log2(want.valley));
        QCOMPARE(a.curve.points[5].loss, recorder.smoothed()[5]);
        QCOMPARE(a.rawLoss.size(), recorder.size());
        QVERIFY(a.suggestions.valley > 1e-5 && a.suggestions.valley < 1e-1);
        QCOMPARE(lrRangeCurves(all, "steep").curve.optimumLog2Lr, std::log2(want.steep));

        const Json j = toJson(a);
        QCOMPARE(j["curves"].size(), std::size_t(1));
        QCOMPARE(j["curves"][0]["optimum"]["kind"], Json("suggestion"));
        QCOMPARE(j["suggestions"]["valley"], Json(want.valley));
        QCOMPARE(j["curves"][0]["raw_loss"].size(), recorder.size());

        expectError([&] { lrRangeCurves(all, "fastest"); }, "unknown lr suggestion rule");
        std::vector<MetricPoint> noSmooth;
        for (const MetricPoint& m : all)
            if (m.name != "smoothed_loss")
                noSmooth.push_back(m);
        expectError([&] { lrRangeCurves(noSmooth); }, "'smoothed_loss'");
        all.resize(3 * 5); // 5 steps of the first attempt: too few to suggest anything
        expectError([&] { lrRangeCurves(all); }, "recorded 5 points");
    }
};

QTEST_GUILESS_MAIN(TestTransferCurves)
#include "tst_transfer_curves.moc"
