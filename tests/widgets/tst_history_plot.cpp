#include "widgets/history_plot.h"
#include "widgets/trial_selection.h"

#include <QSignalSpy>
#include <QtTest>

using namespace ps;

namespace {

std::vector<Trial>
trials(std::initializer_list<std::pair<TrialState, std::optional<double>>> list) {
    std::vector<Trial> out;
    int n = 0;
    for (const auto& [state, value] : list) {
        Trial t;
        t.id = 100 + n;
        t.number = n++;
        t.state = state;
        t.value = value;
        out.push_back(t);
    }
    return out;
}

} // namespace

class TestHistoryPlot : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void bestSoFarFollowsTheDirection();
    void bestSoFarSkipsInfeasibleTrials();
    void selectionIsHighlighted();
    void clickingAPointSelectsItsTrial();
};

void TestHistoryPlot::bestSoFarFollowsTheDirection() {
    TrialSelection selection;
    HistoryPlot plot(&selection);
    const auto list = trials({{TrialState::Complete, 3.0},
                              {TrialState::Complete, 1.0},
                              {TrialState::Fail, std::nullopt},
                              {TrialState::Pruned, 0.1},
                              {TrialState::Complete, 2.0},
                              {TrialState::Complete, 0.5},
                              {TrialState::Running, std::nullopt}});
    plot.setObjective("val_loss", Direction::Minimize);
    plot.applyTrials(list);
    // Redraws are coalesced: nothing is drawn until the timer fires.
    QCOMPARE(plot.pointCount(), 0);
    QTRY_COMPARE(plot.pointCount(), 5); // 4 complete + 1 pruned; FAIL and RUNNING not drawn
    // A pruned trial's value is not a result: it does not count as the best.
    QCOMPARE(plot.bestValue(), std::optional<double>(0.5));
    plot.setObjective("val_acc", Direction::Maximize);
    plot.rebuildNow();
    QCOMPARE(plot.bestValue(), std::optional<double>(3.0));
    QCOMPARE(plot.yAxis->label(), QStringLiteral("val_acc"));
    QCOMPARE(plot.xAxis->label(), QStringLiteral("trial"));
}

void TestHistoryPlot::bestSoFarSkipsInfeasibleTrials() {
    TrialSelection selection;
    HistoryPlot plot(&selection);
    auto list = trials({{TrialState::Complete, 3.0},
                        {TrialState::Complete, 1.0},
                        {TrialState::Complete, 2.0},
                        {TrialState::Complete, 0.5}});
    const double acc[] = {0.9, 0.5, 0.95, 0.7}; // trials 1 and 3 fall short of 0.8
    for (std::size_t i = 0; i < list.size(); ++i)
        list[i].values = {{"acc", acc[i]}};
    plot.setObjective("loss", Direction::Minimize);
    plot.setConstraints({Constraint{"acc", 0.8, std::nullopt}});
    plot.applyTrials(list);
    plot.rebuildNow();
    QCOMPARE(plot.pointCount(), 4); // infeasible trials are still drawn
    QCOMPARE(plot.bestValue(), std::optional<double>(2.0));
    plot.setConstraints({});
    plot.rebuildNow();
    QCOMPARE(plot.bestValue(), std::optional<double>(0.5));
}

void TestHistoryPlot::selectionIsHighlighted() {
    TrialSelection selection;
    HistoryPlot plot(&selection);
    plot.applyTrials(trials({{TrialState::Complete, 3.0}, {TrialState::Complete, 1.0}}));
    selection.setSelected({101, 999});
    QTRY_COMPARE(plot.highlighted(), QSet<qint64>{101});
    selection.clear();
    QTRY_VERIFY(plot.highlighted().isEmpty());
}

void TestHistoryPlot::clickingAPointSelectsItsTrial() {
    TrialSelection selection;
    HistoryPlot plot(&selection);
    plot.resize(600, 400);
    plot.applyTrials(trials(
        {{TrialState::Complete, 3.0}, {TrialState::Complete, 1.0}, {TrialState::Complete, 2.0}}));
    plot.rebuildNow();
    plot.replot(); // lay out the axes now, so that coordToPixel is where the point is drawn
    const QPoint second(int(plot.xAxis->coordToPixel(1)), int(plot.yAxis->coordToPixel(1.0)));
    QTest::mouseClick(&plot, Qt::LeftButton, {}, second);
    QCOMPARE(selection.selected(), QSet<qint64>{101});
    const QPoint third(int(plot.xAxis->coordToPixel(2)), int(plot.yAxis->coordToPixel(2.0)));
    QTest::mouseClick(&plot, Qt::LeftButton, Qt::ControlModifier, third);
    QCOMPARE(selection.selected(), (QSet<qint64>{101, 102}));
    // A click on nothing clears.
    QTest::mouseClick(&plot, Qt::LeftButton, {}, QPoint(plot.width() / 2, 5));
    QVERIFY(selection.isEmpty());
}

QTEST_MAIN(TestHistoryPlot)
#include "tst_history_plot.moc"
