// The scatter view through its model and the mouse: axes from the space (log, categorical),
// a rubber band that selects exactly the trials inside it (Shift adds), a click on a point,
// the shared selection drawn on top, live insertions, and axes chosen by name.

#include "../core/test_util.h"
#include "widgets/scatter_view.h"
#include "widgets/trial_selection.h"

#include <QApplication>
#include <QMouseEvent>
#include <QTest>
#include <cmath>

using namespace ps;

namespace {

SearchSpace space() {
    SearchSpace s;
    s.params = {test::floatParam("lr", 1e-4, 1e-1, true),
                test::categoricalParam("opt", {"sgd", "adam"})};
    return s;
}

std::vector<Trial> trials(int n, int firstId = 1) {
    std::vector<Trial> out;
    for (int i = 0; i < n; ++i) {
        Trial t;
        t.id = firstId + i;
        t.number = firstId - 1 + i;
        t.state = TrialState::Complete;
        const double lr = std::pow(10.0, -4.0 + 3.0 * i / std::max(1, n - 1));
        t.params = {{"lr", lr}, {"opt", i % 2 ? "adam" : "sgd"}};
        t.values["loss"] = 1.0 + std::log10(lr); // -3 .. 0
        t.value = t.values["loss"];
        out.push_back(std::move(t));
    }
    return out;
}

void drag(QWidget* w, QPoint from, QPoint to, Qt::KeyboardModifiers mods = Qt::NoModifier) {
    QTest::mousePress(w, Qt::LeftButton, mods, from);
    QMouseEvent move(QEvent::MouseMove, to, w->mapToGlobal(to), Qt::NoButton, Qt::LeftButton, mods);
    QApplication::sendEvent(w, &move);
    QTest::mouseRelease(w, Qt::LeftButton, mods, to);
}

} // namespace

class TestScatterView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sliceByDefaultWithLogAxis() {
        TrialSelection selection;
        ScatterView view(&selection);
        view.setStudyLayout(space(), {{"loss", Direction::Minimize}});
        view.applyTrials(trials(30));
        view.rebuildNow();
        QCOMPARE(view.xDimension(), std::size_t(0)); // lr
        QCOMPARE(view.yDimension(), std::size_t(2)); // against the objective
        QCOMPARE(view.plot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
        QCOMPARE(view.pointCount(), 30);
        QCOMPARE(view.highlightedCount(), 0);
        // a categorical axis: points spread around their category's index
        view.setAxes(1, 2);
        view.rebuildNow();
        const double c = view.coordinate(1, 1); // trial 2: adam, index 1
        QVERIFY(c > 0.7 && c < 1.3);
    }

    void rubberBandSelectsInside() {
        TrialSelection selection;
        ScatterView view(&selection);
        view.resize(600, 400);
        view.setStudyLayout(space(), {{"loss", Direction::Minimize}});
        const auto all = trials(30);
        view.applyTrials(all);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.rebuildNow();
        // by coordinates: lr in [1e-3, 1e-2], any loss
        view.selectInRect(QRectF(QPointF(1e-3, -10), QPointF(1e-2, 10)), false);
        QSet<qint64> expected;
        for (const Trial& t : all) {
            const double lr = t.params["lr"].get<double>();
            if (lr >= 1e-3 && lr <= 1e-2)
                expected.insert(t.id);
        }
        QCOMPARE(selection.selected(), expected);
        view.rebuildNow();
        QCOMPARE(view.highlightedCount(), int(expected.size()));
        // by the mouse: a band over the whole plot area selects every trial
        QCustomPlot* plot = view.plot();
        const QRect area = plot->axisRect()->rect();
        drag(plot, area.topLeft() + QPoint(2, 2), area.bottomRight() - QPoint(2, 2));
        QCOMPARE(selection.selected().size(), 30);
        // a band over nothing, with Shift, keeps what was selected
        selection.setSelected({1});
        drag(plot, area.topRight() + QPoint(-6, 2), area.topRight() + QPoint(-3, 5),
             Qt::ShiftModifier);
        QCOMPARE(selection.selected(), QSet<qint64>{1});
        // a click on a point selects its trial
        const double px = plot->xAxis->coordToPixel(view.coordinate(4, 0));
        const double py = plot->yAxis->coordToPixel(view.coordinate(4, 2));
        QTest::mouseClick(plot, Qt::LeftButton, {},
                          QPoint(int(std::lround(px)), int(std::lround(py))));
        QCOMPARE(selection.selected(), QSet<qint64>{5});
    }

    void liveTrialsAndNewParameters() {
        TrialSelection selection;
        ScatterView view(&selection);
        view.setStudyLayout(space(), {{"loss", Direction::Minimize}});
        view.applyTrials(trials(10));
        auto more = trials(5, 11);
        more[0].params["dropout"] = 0.2;
        view.applyTrials(more);
        view.rebuildNow();
        QCOMPARE(view.pointCount(), 15);
        // the axes still show lr against the objective, now at index 3
        QCOMPARE(view.columns().dimension(view.xDimension()).name, std::string("lr"));
        QCOMPARE(view.columns().dimension(view.yDimension()).name, std::string("loss"));
    }
};

QTEST_MAIN(TestScatterView)
#include "tst_scatter_view.moc"
