// Parallel coordinates driven through its model and the mouse: axes from the space (log and
// categorical), brushes that select exactly the trials inside them (by API and by dragging
// along an axis), the selection reaching another view, live insertions, axis reordering by
// drag and by importance, and the hovered trial.

#include "../core/test_util.h"
#include "core/explore/variance_explained.h"
#include "widgets/history_plot.h"
#include "widgets/parallel_coordinates.h"
#include "widgets/trial_selection.h"

#include <QApplication>
#include <QMouseEvent>
#include <QTest>
#include <cmath>

using namespace ps;

namespace {

SearchSpace space() {
    SearchSpace s;
    s.params = {test::floatParam("lr", 1e-4, 1e-1, true), test::intParam("width", 0, 100),
                test::categoricalParam("opt", {"sgd", "adam"})};
    return s;
}

// Trial i: lr 10^(-4 + 3 i / (n - 1)), width from a fixed shuffle, opt alternating, and a loss
// that depends on lr alone, so lr is the important parameter.
std::vector<Trial> trials(int n, int firstId = 1) {
    std::vector<Trial> out;
    for (int i = 0; i < n; ++i) {
        Trial t;
        t.id = firstId + i;
        t.number = firstId - 1 + i;
        t.state = TrialState::Complete;
        const double lr = std::pow(10.0, -4.0 + 3.0 * i / std::max(1, n - 1));
        t.params = {{"lr", lr}, {"width", (i * 37) % 101}, {"opt", i % 2 ? "adam" : "sgd"}};
        const double loss = std::pow(std::log10(lr) + 2.5, 2) + 0.01 * ((i * 13) % 7);
        t.value = loss;
        t.values["loss"] = loss;
        out.push_back(std::move(t));
    }
    return out;
}

struct Fixture {
    TrialSelection selection;
    ParallelCoordinates view{&selection};
    explicit Fixture(int n = 40) {
        view.resize(900, 420);
        view.setStudyLayout(space(), {{"loss", Direction::Minimize}});
        view.applyTrials(trials(n));
        view.rebuildNow();
    }
};

// Presses at `from`, moves to `to` with the button held, and releases there.
void drag(QWidget* w, QPointF from, QPointF to) {
    QMouseEvent press(QEvent::MouseButtonPress, from, w->mapToGlobal(from), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w, &press);
    QMouseEvent move(QEvent::MouseMove, to, w->mapToGlobal(to), Qt::NoButton, Qt::LeftButton,
                     Qt::NoModifier);
    QApplication::sendEvent(w, &move);
    QMouseEvent release(QEvent::MouseButtonRelease, to, w->mapToGlobal(to), Qt::LeftButton,
                        Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(w, &release);
}

QSet<qint64> idsWhere(const std::vector<Trial>& all, const std::function<bool(const Trial&)>& f) {
    QSet<qint64> ids;
    for (const Trial& t : all)
        if (f(t))
            ids.insert(t.id);
    return ids;
}

} // namespace

class TestParallelCoordinates : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void axesFollowTheSpace() {
        Fixture f;
        const TrialColumns& c = f.view.columns();
        QCOMPARE(c.dimensions(), std::size_t(4));
        QCOMPARE(c.dimension(0).scale, AxisScale::Log);
        QCOMPARE(c.dimension(2).scale, AxisScale::Categorical);
        QVERIFY(c.dimension(3).objective);
        QCOMPARE(f.view.axisOrder(), (std::vector<std::size_t>{0, 1, 2, 3}));
        QCOMPARE(f.view.colorDimension(), std::size_t(3)); // coloured by the objective
        QCOMPARE(f.view.drawnLines(), 40);
        QCOMPARE(f.view.highlightedLines(), 0);
    }

    void brushesSelectTheTrialsInside() {
        Fixture f;
        const auto all = trials(40);
        f.view.setBrush(0, 1e-3, 1e-2);
        const QSet<qint64> inLr = idsWhere(all, [](const Trial& t) {
            const double lr = t.params["lr"].get<double>();
            return lr >= 1e-3 && lr <= 1e-2;
        });
        QVERIFY(!inLr.isEmpty());
        QCOMPARE(f.selection.selected(), inLr);
        f.view.setBrush(2, 1, 1); // and adam
        const QSet<qint64> both = idsWhere(
            all, [&](const Trial& t) { return inLr.contains(t.id) && t.params["opt"] == "adam"; });
        QCOMPARE(f.selection.selected(), both);
        f.view.rebuildNow();
        QCOMPARE(f.view.highlightedLines(), int(both.size()));
        f.view.clearBrush(0);
        QCOMPARE(f.selection.selected(),
                 idsWhere(all, [](const Trial& t) { return t.params["opt"] == "adam"; }));
        f.view.clearBrushes();
        QVERIFY(f.selection.isEmpty());
    }

    void draggingAlongAnAxisBrushes() {
        Fixture f;
        f.view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        const auto all = trials(40);
        // width axis (position 1), from 75 % down to 25 % of its height
        const double x = f.view.axisX(1);
        drag(&f.view, {x + 2, f.view.positionY(0.75)}, {x + 2, f.view.positionY(0.25)});
        const auto brushes = f.view.brushes();
        QCOMPARE(brushes.size(), std::size_t(1));
        QCOMPARE(brushes[0].dimension, std::size_t(1));
        QVERIFY(std::abs(brushes[0].low - 25) < 1.0); // widths span 0..100
        QVERIFY(std::abs(brushes[0].high - 75) < 1.0);
        QCOMPARE(f.selection.selected(), idsWhere(all, [&](const Trial& t) {
                     const double w = t.params["width"].get<double>();
                     return w >= brushes[0].low && w <= brushes[0].high;
                 }));
        // a categorical axis: a drag over the upper half takes "adam" (category 1) only
        const double cx = f.view.axisX(2);
        drag(&f.view, {cx, f.view.positionY(0.95)}, {cx, f.view.positionY(0.6)});
        QCOMPARE(f.view.brushes().size(), std::size_t(2));
        QCOMPARE(f.view.brushes()[1].low, 1.0);
        QCOMPARE(f.view.brushes()[1].high, 1.0);
        // a click on an axis clears its brush
        drag(&f.view, {x, f.view.positionY(0.5)}, {x, f.view.positionY(0.5)});
        QCOMPARE(f.view.brushes().size(), std::size_t(1));
        QCOMPARE(f.selection.selected(),
                 idsWhere(all, [](const Trial& t) { return t.params["opt"] == "adam"; }));
    }

    void selectionReachesOtherViewsAndBack() {
        Fixture f;
        HistoryPlot history(&f.selection);
        history.setObjective(QStringLiteral("loss"), Direction::Minimize);
        history.applyTrials(trials(40));
        f.view.setBrush(3, 0.0, 0.5); // the good trials
        history.rebuildNow();
        QCOMPARE(history.highlighted(), f.selection.selected());
        QVERIFY(!history.highlighted().isEmpty());
        // a selection made elsewhere is highlighted here, and drops the brushes once cleared
        f.selection.setSelected({1, 2, 3});
        f.view.rebuildNow();
        QCOMPARE(f.view.highlightedLines(), 3);
        f.selection.clear();
        QVERIFY(f.view.brushes().empty());
        f.view.rebuildNow();
        QCOMPARE(f.view.highlightedLines(), 0);
    }

    void liveTrialsAppearAndJoinTheBrush() {
        Fixture f(20);
        f.view.setBrush(2, 1, 1); // adam
        const int before = int(f.selection.selected().size());
        auto more = trials(20, 21);      // ids 21..40
        more[1].params["dropout"] = 0.5; // a parameter the space did not declare
        f.view.applyTrials(more);
        f.view.rebuildNow();
        QCOMPARE(f.view.drawnLines(), 40);
        QCOMPARE(int(f.selection.selected().size()), before + 10); // the new adam trials
        QCOMPARE(f.view.columns().dimensions(), std::size_t(5));
        QCOMPARE(f.view.columns().dimension(3).name, std::string("dropout"));
        QCOMPARE(f.view.axisOrder().size(), std::size_t(5));
        QCOMPARE(f.view.axisOrder().back(), std::size_t(4)); // the objective stays last
        QCOMPARE(f.view.brushes()[0].dimension, std::size_t(2));
    }

    void axesReorder() {
        Fixture f;
        f.view.moveAxis(0, 2);
        QCOMPARE(f.view.axisOrder(), (std::vector<std::size_t>{1, 2, 0, 3}));
        // dragging a title sideways moves its axis
        f.view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        drag(&f.view, {f.view.axisX(2), 20}, {f.view.axisX(0) + 5, 20});
        QCOMPARE(f.view.axisOrder(), (std::vector<std::size_t>{0, 1, 2, 3}));
        // the loss depends on lr only: it is the most important parameter
        const auto importance = varianceExplained(f.view.columns());
        QVERIFY(importance.at("lr") > importance.at("width"));
        f.view.setAxisOrder({2, 1, 0, 3});
        f.view.orderByImportance(importance);
        QCOMPARE(f.view.axisOrder().front(), std::size_t(0));
        QCOMPARE(f.view.axisOrder().back(), std::size_t(3));
        f.view.setAxisOrder({0, 0, 1, 2}); // not a permutation: refused
        QCOMPARE(f.view.axisOrder().front(), std::size_t(0));
        QCOMPARE(f.view.axisOrder()[1] + f.view.axisOrder()[2], std::size_t(3));
    }

    void hoverFindsTheLine() {
        Fixture f;
        const TrialColumns& c = f.view.columns();
        // halfway between the lr and width axes, on row 7's line
        const std::size_t row = 7;
        const double y =
            (f.view.positionY(c.position(row, 0)) + f.view.positionY(c.position(row, 1))) / 2;
        const auto near = f.view.rowNear({(f.view.axisX(0) + f.view.axisX(1)) / 2, y});
        QVERIFY(near.has_value());
        const double nearY =
            (f.view.positionY(c.position(*near, 0)) + f.view.positionY(c.position(*near, 1))) / 2;
        QVERIFY(std::abs(nearY - y) < 4);
        QVERIFY(!f.view.rowNear({5, 5}));
    }
};

QTEST_MAIN(TestParallelCoordinates)
#include "tst_parallel_coordinates.moc"
