// The LR range test's arithmetic: the exponential ramp, the bias-corrected smoothing and its
// stopping rule, and the suggestions on a curve whose good region is known.

#include "core/train/lr_range.h"

#include <QTest>
#include <cmath>

using namespace ps;

namespace {

// A loss that sits at 2.3 for tiny lrs, falls between 1e-4 and 3e-2, and explodes past 1.
double syntheticLoss(double lr) {
    const double x = std::log10(lr);
    if (x < -4)
        return 2.3;
    if (x < -1.5)
        return 2.3 - 2.0 * (x + 4) / 2.5;
    if (x < 0)
        return 0.3 + 0.1 * (x + 1.5);
    return 0.45 * std::pow(10.0, 2 * x);
}

} // namespace

class TestLrRange : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rampIsExponential() {
        const LrRangeConfig c; // 1e-7 to 10 over 100 batches
        QCOMPARE(lrRangeAt(c, 0), 1e-7);
        QVERIFY(std::abs(lrRangeAt(c, 99) - 10) < 1e-12);
        // equal ratios between neighbours
        const double r1 = lrRangeAt(c, 11) / lrRangeAt(c, 10);
        const double r2 = lrRangeAt(c, 71) / lrRangeAt(c, 70);
        QVERIFY(std::abs(r1 - r2) < 1e-12);
    }

    void smoothingIsBiasCorrected() {
        LrRangeRecorder r({});
        QCOMPARE(r.add(2.0), 2.0); // the first value comes back unchanged
        // second: (0.98 * 0.02 * 2 + 0.02 * 1) / (1 - 0.98^2)
        const double expected = (0.98 * 0.02 * 2.0 + 0.02 * 1.0) / (1 - 0.98 * 0.98);
        QVERIFY(std::abs(r.add(1.0) - expected) < 1e-12);
        QVERIFY(!r.diverged());
    }

    void stopsOnDivergenceAndSuggestsTheGoodRegion() {
        LrRangeConfig c;
        c.numIt = 200;
        LrRangeRecorder r(c);
        while (r.size() < 200 && !r.diverged())
            r.add(syntheticLoss(lrRangeAt(c, static_cast<std::int64_t>(r.size()))));
        QVERIFY(r.diverged());
        QVERIFY2(r.lrs().back() > 1 && r.lrs().back() < 10,
                 qPrintable(QString::number(r.lrs().back()))); // stopped soon after it blew up

        const LrSuggestions s = suggestLearningRates(r.lrs(), r.smoothed());
        QVERIFY2(s.valley > 1e-4 && s.valley < 3e-2, qPrintable(QString::number(s.valley)));
        QVERIFY2(s.steep > 1e-4 && s.steep < 3e-2, qPrintable(QString::number(s.steep)));
        QVERIFY2(s.lowest > 1e-2 && s.lowest < 1.5, qPrintable(QString::number(s.lowest)));
        QCOMPARE(s.minimum, s.lowest / 10);
        QVERIFY(s.start < s.valley && s.valley < s.lowest);
    }

    void nanDivergesAndShortCurvesAreRefused() {
        LrRangeRecorder r({});
        r.add(1.0);
        r.add(NAN);
        QVERIFY(r.diverged());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 suggestLearningRates({1e-3, 1e-2, 1e-1}, {1.0, 0.5, 0.2}));
    }
};

QTEST_GUILESS_MAIN(TestLrRange)
#include "tst_lr_range.moc"
