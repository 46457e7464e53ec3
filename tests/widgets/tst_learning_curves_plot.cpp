#include "widgets/learning_curves_plot.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/trial_selection.h"

#include <QtTest>

using namespace ps;

namespace {

Trial trial(qint64 id, int number, int attempts) {
    Trial t;
    t.id = id;
    t.number = number;
    t.attempts = attempts;
    t.state = TrialState::Running;
    return t;
}

MetricPoint point(qint64 trialId, int attempt, std::int64_t step, const char* name, double v) {
    MetricPoint p;
    p.trialId = trialId;
    p.attempt = attempt;
    p.step = step;
    p.name = name;
    p.value = v;
    return p;
}

} // namespace

class TestLearningCurvesPlot : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsOnlyTheCurrentAttempt();
    void followsTheSelectionAndTheLimit();
    void offersEveryMetricAndPrefersTheObjective();
};

void TestLearningCurvesPlot::showsOnlyTheCurrentAttempt() {
    TrialSelection selection;
    LearningCurvesPlot plot(&selection);
    // Trial 1 was requeued: its first attempt's three points stay in storage, but the curve
    // shows the second attempt only.
    plot.applyTrials({trial(1, 0, 2)});
    plot.addMetrics({point(1, 1, 1, "loss", 3), point(1, 1, 2, "loss", 2),
                     point(1, 1, 3, "loss", 1), point(1, 2, 1, "loss", 2.5)});
    plot.rebuildNow();
    QCOMPARE(plot.shownTrials(), QList<qint64>{1});
    QCOMPARE(plot.plot()->graphCount(), 1);
    QCOMPARE(plot.plot()->graph(0)->dataCount(), 1);
    QCOMPARE(plot.plot()->graph(0)->name(), QStringLiteral("#0"));
    QCOMPARE(plot.plot()->xAxis->label(), QStringLiteral("epoch/step"));
}

void TestLearningCurvesPlot::followsTheSelectionAndTheLimit() {
    TrialSelection selection;
    LearningCurvesPlot plot(&selection);
    plot.setMaxCurves(3);
    std::vector<Trial> trials;
    std::vector<MetricPoint> points;
    for (int i = 0; i < 5; ++i) {
        trials.push_back(trial(10 + i, i, 1));
        points.push_back(point(10 + i, 1, 1, "loss", i));
    }
    plot.applyTrials(trials);
    plot.addMetrics(points);
    // Nothing selected: the most recent trials, up to the limit.
    QTRY_COMPARE(plot.shownTrials(), (QList<qint64>{12, 13, 14}));
    selection.setSelected({10, 14});
    QTRY_COMPARE(plot.shownTrials(), (QList<qint64>{10, 14}));
    // A selection larger than the limit (a brush over thousands) shows its newest trials only.
    selection.setSelected({10, 11, 12, 13, 14});
    QTRY_COMPARE(plot.shownTrials(), (QList<qint64>{12, 13, 14}));
    selection.clear();
    QTRY_COMPARE(plot.shownTrials().size(), 3);
}

void TestLearningCurvesPlot::offersEveryMetricAndPrefersTheObjective() {
    TrialSelection selection;
    LearningCurvesPlot plot(&selection);
    plot.setObjective("val_acc");
    plot.applyTrials({trial(1, 0, 1)});
    plot.addMetrics({point(1, 1, 1, "train_loss", 1), point(1, 1, 1, "val_loss", 1),
                     point(1, 1, 1, "val_acc", 0.5)});
    QCOMPARE(plot.metricNames(), (QStringList{"train_loss", "val_acc", "val_loss"}));
    QCOMPARE(plot.metric(), QStringLiteral("val_acc"));
    plot.setMetric("train_loss");
    // A new metric arriving later does not take the user's choice away.
    plot.addMetrics({point(1, 1, 2, "lr", 0.1)});
    QCOMPARE(plot.metric(), QStringLiteral("train_loss"));
    plot.rebuildNow();
    QCOMPARE(plot.plot()->yAxis->label(), QStringLiteral("train_loss"));
}

QTEST_MAIN(TestLearningCurvesPlot)
#include "tst_learning_curves_plot.moc"
