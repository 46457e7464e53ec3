// The scatter-plot matrix through its model and the mouse: the default dimensions (the
// objective and the parameters that matter most), a rubber band that selects exactly the
// trials inside it (Shift adds), a selection made elsewhere ringed in the cells, the filter
// hiding trials, live insertions, the log-axis mapping, categorical dimensions, a double click
// asking for a pair, and how long 100,000 trials take.

#include "../core/test_util.h"
#include "widgets/scatter_matrix.h"
#include "widgets/trial_selection.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <set>

using namespace ps;

namespace {

// lr (log), width, opt (categorical), then four parameters without effect.
SearchSpace space() {
    SearchSpace s;
    s.params = {test::floatParam("lr", 1e-4, 1e-1, true),
                test::intParam("width", 16, 512),
                test::categoricalParam("opt", {"sgd", "adam", "adamw"}),
                test::floatParam("a", 0, 1),
                test::floatParam("b", 0, 1),
                test::floatParam("c", 0, 1),
                test::floatParam("d", 0, 1)};
    return s;
}
constexpr std::size_t kLr = 0, kWidth = 1, kOpt = 2, kLoss = 7;
const char* const kOpts[] = {"sgd", "adam", "adamw"};

// Trial i has lr = 10^(-4 + 3 i / (n - 1)); the loss has its optimum inside the lr range and
// grows from sgd to adamw; the other parameters only add scatter.
std::vector<Trial> trials(int n, int first = 0, int total = 0) {
    total = std::max(total, first + n);
    std::vector<Trial> out;
    for (int i = first; i < first + n; ++i) {
        Trial t;
        t.id = i + 1;
        t.number = i;
        t.state = TrialState::Complete;
        const double lr = std::pow(10.0, -4.0 + 3.0 * i / std::max(1, total - 1));
        const int opt = (i * 7) % 3;
        const auto noise = [&](int k) { return double((i * (11 + 4 * k)) % 97) / 97.0; };
        t.params = {{"lr", lr},          {"width", 16 + (i * 211) % 497},
                    {"opt", kOpts[opt]}, {"a", noise(0)},
                    {"b", noise(1)},     {"c", noise(2)},
                    {"d", noise(3)}};
        t.values["loss"] = std::pow(std::log10(lr) + 2.5, 2) + 0.4 * opt + 0.05 * noise(0);
        t.value = t.values["loss"];
        out.push_back(std::move(t));
    }
    return out;
}

struct Fixture {
    TrialSelection selection;
    ScatterMatrix view{&selection};
    std::vector<Trial> all = trials(40);
    explicit Fixture(QSize size = {700, 700}) {
        QFont font(QStringLiteral("DejaVu Sans"));
        font.setPixelSize(12);
        view.setFont(font);
        view.resize(size);
        view.setStudyLayout(space(), {{"loss", Direction::Minimize}});
        view.applyTrials(all);
        view.rebuildNow();
    }
    void show() {
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.rebuildNow();
    }
};

void drag(QWidget* w, QPointF from, QPointF to, Qt::KeyboardModifiers mods = Qt::NoModifier) {
    const QPoint a = from.toPoint(), b = to.toPoint();
    QTest::mousePress(w, Qt::LeftButton, mods, a);
    QMouseEvent move(QEvent::MouseMove, QPointF(b), w->mapToGlobal(QPointF(b)), Qt::NoButton,
                     Qt::LeftButton, mods);
    QApplication::sendEvent(w, &move);
    QTest::mouseRelease(w, Qt::LeftButton, mods, b);
}

bool reddish(QRgb c) {
    return qRed(c) > 170 && qGreen(c) < 110 && qBlue(c) < 110;
}

int reddishPixels(const QImage& image, const QRect& r) {
    int n = 0;
    for (int y = std::max(0, r.top()); y <= std::min(image.height() - 1, r.bottom()); ++y)
        for (int x = std::max(0, r.left()); x <= std::min(image.width() - 1, r.right()); ++x)
            n += reddish(image.pixel(x, y)) ? 1 : 0;
    return n;
}

} // namespace

class TestScatterMatrix : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultDimensions() {
        TrialSelection selection;
        ScatterMatrix view(&selection);
        view.setStudyLayout(space(), {{"loss", Direction::Minimize}});
        // no trials yet: the objective and the first five parameters
        QCOMPARE(view.dimensions(), (std::vector<std::size_t>{kLoss, 0, 1, 2, 3, 4}));
        view.applyTrials(trials(300));
        // ranked: lr explains most of the loss, then the optimizer
        const auto dims = view.dimensions();
        QCOMPARE(dims.size(), std::size_t(6));
        QCOMPARE(dims[0], kLoss);
        QCOMPARE(dims[1], kLr);
        QCOMPARE(dims[2], kOpt);
        QVERIFY(view.dimensionsAutomatic());
        // chosen by hand: unknown and repeated dimensions dropped, and kept as trials arrive
        view.setDimensions({kWidth, kLr, 99, kWidth});
        QCOMPARE(view.dimensions(), (std::vector<std::size_t>{kWidth, kLr}));
        QVERIFY(!view.dimensionsAutomatic());
        view.applyTrials(trials(100, 300, 400));
        QCOMPARE(view.dimensions(), (std::vector<std::size_t>{kWidth, kLr}));
        view.chooseDimensionsAutomatically();
        QCOMPARE(view.dimensions().front(), kLoss);
        QCOMPARE(view.dimensions()[1], kLr);
        // without an objective: six parameters
        view.setStudyLayout(space(), {});
        QCOMPARE(view.dimensions(), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
    }

    void rubberBandSelectsInside() {
        Fixture f;
        f.view.setDimensions({kLoss, kLr, kOpt});
        f.show();
        // cell (0, 1): lr across, loss up. A band from between trials 12 and 13 to between
        // 25 and 26 on the lr axis, the cell's full height.
        const QRectF area = f.view.plotArea(0, 1), cell = f.view.cellRect(0, 1);
        const auto xOfT = [&](double t) { return area.left() + t * area.width(); };
        const double x0 = std::round(xOfT(12.5 / 39)), x1 = std::round(xOfT(25.5 / 39));
        QSet<qint64> expected;
        for (const Trial& t : f.all) {
            // where lr lies on a log axis from 1e-4 to 1e-1
            const double x = xOfT(std::log(t.params["lr"].get<double>() / 1e-4) / std::log(1e3));
            QVERIFY(std::abs(x - x0) > 0.6 && std::abs(x - x1) > 0.6); // none on an edge
            if (x >= x0 && x <= x1)
                expected.insert(t.id);
        }
        QCOMPARE(expected.size(), 13);
        drag(&f.view, {x0, cell.top() + 1}, {x1, cell.bottom() - 1});
        QCOMPARE(f.selection.selected(), expected);
        QCOMPARE(f.view.highlightedPoints(), 13);
        // Shift adds: a band over adamw's band in cell (0, 2), opt across
        const QRectF optArea = f.view.plotArea(0, 2), optCell = f.view.cellRect(0, 2);
        drag(&f.view, {optArea.left() + optArea.width() * 0.69, optCell.top() + 1},
             {optCell.right() - 1, optCell.bottom() - 1}, Qt::ShiftModifier);
        for (const Trial& t : f.all)
            if (t.params["opt"] == "adamw")
                expected.insert(t.id);
        QCOMPARE(f.selection.selected(), expected);
        // without Shift a band replaces the selection; over nothing it empties it
        drag(&f.view, {optArea.left() + optArea.width() * 0.69, optCell.top() + 1},
             {optCell.right() - 1, optCell.bottom() - 1});
        QCOMPARE(f.selection.selected().size(), 13); // (i * 7) % 3 == 2 for 13 of 40
        // a click on a point selects its trial, and the tool tip finds it
        const QPointF p = f.view.pointPosition(4, 1, 0); // lr up, loss across
        QCOMPARE(f.view.rowNear(p), std::optional<std::size_t>(4));
        QTest::mouseClick(&f.view, Qt::LeftButton, {}, p.toPoint());
        QCOMPARE(f.selection.selected(), QSet<qint64>{5});
        // a click on empty space clears it
        QTest::mouseClick(&f.view, Qt::LeftButton, {},
                          f.view.cellRect(1, 0).topLeft().toPoint() + QPoint(2, 2));
        QVERIFY(f.selection.isEmpty());
    }

    void selectionFromElsewhereIsRinged() {
        Fixture f;
        f.view.setDimensions({kLoss, kLr, kOpt});
        f.show();
        const QRect cell = f.view.cellRect(1, 0).toAlignedRect(); // loss across, lr up
        QImage image = f.view.grab().toImage();
        QCOMPARE(reddishPixels(image, cell), 0);
        f.selection.setSelected({1, 20, 40});
        QCOMPARE(f.view.highlightedPoints(), 3);
        f.view.rebuildNow();
        image = f.view.grab().toImage();
        for (std::size_t row : {0, 19, 39}) {
            const QPoint p = f.view.pointPosition(row, 1, 0).toPoint();
            QVERIFY(reddishPixels(image, QRect(p - QPoint(6, 6), p + QPoint(6, 6))) > 6);
        }
        // an unselected point far from the selected ones is not ringed
        const QPoint q = f.view.pointPosition(10, 1, 0).toPoint();
        QCOMPARE(reddishPixels(image, QRect(q - QPoint(4, 4), q + QPoint(4, 4))), 0);
        // a selected trial the filter hides is not drawn
        f.selection.setFilter(TrialFilter::parse("number != 19"), f.all);
        f.view.rebuildNow();
        QCOMPARE(f.view.highlightedPoints(), 2);
    }

    void filterHidesTrials() {
        Fixture f;
        f.view.setDimensions({kLoss, kLr, kOpt});
        f.show();
        QCOMPARE(f.view.drawnPoints(), 40);
        QCOMPARE(f.view.histogram(2), (std::vector<int>{14, 13, 13}));
        f.selection.setFilter(TrialFilter::parse("opt == \"sgd\""), f.all);
        f.view.rebuildNow();
        QCOMPARE(f.view.drawnPoints(), 14);
        QCOMPARE(f.view.histogram(2), (std::vector<int>{14, 0, 0}));
        int lrTotal = 0;
        for (int c : f.view.histogram(1))
            lrTotal += c;
        QCOMPARE(lrTotal, 14);
        // a band over a whole cell selects only the trials shown
        const QRectF cell = f.view.cellRect(0, 1);
        drag(&f.view, cell.topLeft() + QPointF(1, 1), cell.bottomRight() - QPointF(1, 1));
        QCOMPARE(f.selection.selected().size(), 14);
        for (qint64 id : f.selection.selected())
            QCOMPARE(f.all[std::size_t(id - 1)].params["opt"].get<std::string>(),
                     std::string("sgd"));
    }

    void liveTrialsAppear() {
        Fixture f;
        f.view.setDimensions({kLoss, kLr, kOpt});
        auto more = trials(10, 40, 50);
        more[0].params["dropout"] = 0.5; // a parameter the space did not declare
        Trial waiting;
        waiting.id = 100;
        waiting.number = 99;
        waiting.state = TrialState::Waiting;
        waiting.params = {{"lr", 1e-3}, {"opt", "sgd"}};
        more.push_back(waiting);
        f.view.applyTrials(more);
        f.view.rebuildNow();
        QCOMPARE(f.view.drawnPoints(), 50); // the waiting one has nothing to show yet
        // the shown dimensions are still loss, lr and opt, the objective one index further
        std::vector<std::string> names;
        for (std::size_t d : f.view.dimensions())
            names.push_back(f.view.columns().dimension(d).name);
        QCOMPARE(names, (std::vector<std::string>{"loss", "lr", "opt"}));
        // a new trial's point is where its values say
        const long long row = f.view.columns().rowOf(45);
        QVERIFY(row >= 0);
        QVERIFY(std::isfinite(f.view.pointPosition(std::size_t(row), 0, 1).x()));
    }

    void logAxisMapping() {
        Fixture f;
        f.view.setDimensions({kLoss, kLr, kWidth});
        f.view.rebuildNow();
        const QRectF area = f.view.plotArea(2, 1); // lr across, width up
        for (std::size_t row : {0, 13, 27, 39}) {
            const double lr = f.all[row].params["lr"].get<double>();
            const double width = f.all[row].params["width"].get<double>();
            const QPointF p = f.view.pointPosition(row, 2, 1);
            QVERIFY(std::abs(p.x() - (area.left() + area.width() * std::log10(lr / 1e-4) / 3)) <
                    1e-3);
            const Dimension& w = f.view.columns().dimension(kWidth);
            QVERIFY(std::abs(p.y() - (area.bottom() -
                                      area.height() * (width - w.min) / (w.max - w.min))) < 1e-3);
        }
        // 1e-3 is a third of the way along: a log axis, not a linear one
        QVERIFY(std::abs(f.view.pointPosition(13, 2, 1).x() - (area.left() + area.width() / 3)) <
                1e-3);
    }

    void categoricalDimensions() {
        Fixture f;
        f.view.setDimensions({kOpt, kLoss});
        f.view.rebuildNow();
        QCOMPARE(f.view.histogram(0), (std::vector<int>{14, 13, 13}));
        const QRectF area = f.view.plotArea(1, 0); // opt across
        std::set<int> offsets;
        for (std::size_t row = 0; row < f.all.size(); ++row) {
            const int opt = int((row * 7) % 3);
            const double t = (f.view.pointPosition(row, 1, 0).x() - area.left()) / area.width();
            // inside its category's band, spread over half of it
            QVERIFY(std::abs(t - (opt + 0.5) / 3) <= 0.25 / 3 + 1e-6);
            offsets.insert(int(std::lround((t - (opt + 0.5) / 3) * 3000)));
        }
        QVERIFY(offsets.size() > 20); // spread, not stacked
    }

    void doubleClickAsksForThePair() {
        Fixture f;
        f.view.setDimensions({kLoss, kLr, kOpt});
        f.show();
        QSignalSpy spy(&f.view, &ScatterMatrix::pairActivated);
        QTest::mouseDClick(&f.view, Qt::LeftButton, {}, f.view.cellRect(0, 2).center().toPoint());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("opt"));
        QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("loss"));
        QTest::mouseDClick(&f.view, Qt::LeftButton, {}, f.view.cellRect(1, 1).center().toPoint());
        QCOMPARE(spy.count(), 1); // a histogram is no pair
    }

    // Not a timed assertion: the figures go to the log for the record.
    void hundredThousandTrials() {
        Fixture f(QSize(1400, 350));
        f.view.applyTrials(trials(100000 - 40, 40, 100000));
        f.show();
        QElapsedTimer clock;
        clock.start();
        f.view.resize(700, 700); // size and data changed: a full rebuild
        f.view.rebuildNow();
        const qint64 rebuild = clock.elapsed();
        QSet<qint64> some;
        for (qint64 id = 1; id <= 100000; id += 100)
            some.insert(id);
        clock.restart();
        f.selection.setSelected(some);
        f.view.rebuildNow();
        const qint64 select1k = clock.elapsed();
        QSet<qint64> half;
        for (qint64 id = 1; id <= 100000; id += 2)
            half.insert(id);
        clock.restart();
        f.selection.setSelected(half);
        f.view.rebuildNow();
        const qint64 select50k = clock.elapsed();
        clock.restart();
        f.view.repaint();
        const qint64 repaint = clock.restart();
        QCOMPARE(f.view.dimensions().size(), std::size_t(6));
        QCOMPARE(f.view.drawnPoints(), 100000);
        QCOMPARE(f.view.highlightedPoints(), 50000);
        qDebug("100k trials x 6 dims at 700x700: rebuild %lld ms, select 1k %lld ms, select 50k "
               "%lld ms, repaint %lld ms",
               rebuild, select1k, select50k, repaint);
    }
};

QTEST_MAIN(TestScatterMatrix)
#include "tst_scatter_matrix.moc"
