// The objective view: the empirical distribution climbs by one trial's share per complete
// trial, the Pareto front holds exactly the non-dominated feasible trials, the filter hides
// and a click selects.

#include "widgets/objective_view.h"
#include "widgets/trial_selection.h"

#include <QTest>

using namespace ps;

namespace {

// (loss, latency) points: the front under min/min is 1, 2, 4 (3 is dominated by 2, 5 by 4).
std::vector<Trial> trials() {
    const double points[][2] = {{0.1, 9.0}, {0.3, 4.0}, {0.5, 5.0}, {0.6, 1.0}, {0.9, 2.0}};
    std::vector<Trial> out;
    for (int i = 0; i < 5; ++i) {
        Trial t;
        t.id = i + 1;
        t.number = i;
        t.state = TrialState::Complete;
        t.params = {{"x", i}};
        t.value = points[i][0];
        t.values = {{"loss", points[i][0]}, {"latency", points[i][1]}};
        out.push_back(std::move(t));
    }
    Trial running; // no values: not drawn
    running.id = 6;
    running.number = 5;
    running.state = TrialState::Running;
    out.push_back(running);
    return out;
}

} // namespace

class TestObjectiveView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void empiricalDistribution() {
        TrialSelection selection;
        ObjectiveView view(&selection);
        view.setObjectives({{"loss", Direction::Minimize}}, {});
        view.applyTrials(trials());
        view.rebuildNow();
        QCOMPARE(view.pointCount(), 5);
        QCPGraph* edf = view.plot()->graph(0);
        QCOMPARE(edf->dataCount(), 5);
        QCOMPARE(edf->data()->at(1)->key, 0.3);
        QCOMPARE(edf->data()->at(1)->value, 0.4); // two of five at or below 0.3
        QCOMPARE(edf->data()->at(4)->value, 1.0);
        // the Pareto front needs two objectives: the view stays on the distribution
        view.setMode(ObjectiveView::Mode::Pareto);
        QCOMPARE(view.mode(), ObjectiveView::Mode::Distribution);
    }

    void paretoFrontAndFilter() {
        TrialSelection selection;
        ObjectiveView view(&selection);
        view.setObjectives({{"loss", Direction::Minimize}, {"latency", Direction::Minimize}}, {});
        view.applyTrials(trials());
        view.setMode(ObjectiveView::Mode::Pareto);
        view.rebuildNow();
        QCOMPARE(view.frontTrials(), (QList<qint64>{1, 2, 4}));
        // an infeasible trial is never on the front
        view.setObjectives({{"loss", Direction::Minimize}, {"latency", Direction::Minimize}},
                           {Constraint{"latency", std::nullopt, 5.0}});
        view.rebuildNow();
        QCOMPARE(view.frontTrials(), (QList<qint64>{2, 4}));
        // hidden trials leave the plot and the front
        selection.setFilter(TrialFilter::parse("loss > 0.35"), trials());
        view.rebuildNow();
        QCOMPARE(view.pointCount(), 3);
        QCOMPARE(view.frontTrials(), (QList<qint64>{3, 4})); // 5 is dominated by 4
    }

    void clickSelects() {
        TrialSelection selection;
        ObjectiveView view(&selection);
        view.resize(500, 350);
        view.setObjectives({{"loss", Direction::Minimize}, {"latency", Direction::Minimize}}, {});
        view.applyTrials(trials());
        view.setMode(ObjectiveView::Mode::Pareto);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.rebuildNow();
        QCustomPlot* plot = view.plot();
        const QPoint at(int(plot->xAxis->coordToPixel(0.6)), int(plot->yAxis->coordToPixel(1.0)));
        QTest::mouseClick(plot, Qt::LeftButton, {}, at);
        QCOMPARE(selection.selected(), QSet<qint64>{4});
    }
};

QTEST_MAIN(TestObjectiveView)
#include "tst_objective_view.moc"
