// contourLines against functions whose iso-lines are known: circles of a paraboloid, the
// straight lines of a plane, a saddle's two branches, holes where samples are missing.

#include "core/explore/contour_lines.h"

#include <QtTest>
#include <cmath>
#include <stdexcept>

using namespace ps;

namespace {

std::vector<double> axis(double lo, double hi, int n) {
    std::vector<double> out;
    for (int i = 0; i < n; ++i)
        out.push_back(lo + (hi - lo) * i / (n - 1));
    return out;
}

template <class F>
std::vector<double> sample(const std::vector<double>& xs, const std::vector<double>& ys, F f) {
    std::vector<double> v;
    for (const double y : ys)
        for (const double x : xs)
            v.push_back(f(x, y));
    return v;
}

} // namespace

class TestContourLines : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void circlesOfAParaboloid();
    void straightLinesOfAPlane();
    void saddleBranchesDoNotCross();
    void missingSamplesLeaveHoles();
    void levelsAreRound();
    void badGridsAreRefused();
};

void TestContourLines::circlesOfAParaboloid() {
    const auto xs = axis(-1, 1, 41), ys = axis(-1, 1, 41);
    const auto v = sample(xs, ys, [](double x, double y) { return x * x + y * y; });
    const auto lines = contourLines(v, xs, ys, {0.25, 0.64});
    QCOMPARE(int(lines.size()), 2);
    for (const ContourLine& line : lines) {
        QVERIFY(line.closed);
        QVERIFY(line.points.size() > 20);
        const double r = std::sqrt(line.level);
        for (const auto& [x, y] : line.points) {
            // linear interpolation of x^2 between samples 0.05 apart errs by under 0.05^2/4
            // in value, so by under 0.01 in radius at these radii
            QVERIFY2(std::abs(std::hypot(x, y) - r) < 0.01,
                     qPrintable(QStringLiteral("(%1, %2) is off the circle of radius %3")
                                    .arg(x)
                                    .arg(y)
                                    .arg(r)));
        }
    }
}

void TestContourLines::straightLinesOfAPlane() {
    const auto xs = axis(0, 1, 11), ys = axis(0, 2, 5);
    const auto v = sample(xs, ys, [](double x, double) { return x; });
    const auto lines = contourLines(v, xs, ys, {0.33});
    QCOMPARE(int(lines.size()), 1);
    const ContourLine& line = lines[0];
    QVERIFY(!line.closed);
    QCOMPARE(int(line.points.size()), 5); // one point on each row of the grid
    double ymin = 10, ymax = -10;
    for (const auto& [x, y] : line.points) {
        QVERIFY(std::abs(x - 0.33) < 1e-12); // linear data: interpolation is exact
        ymin = std::min(ymin, y);
        ymax = std::max(ymax, y);
    }
    QCOMPARE(ymin, 0.0); // from one border of the grid to the other
    QCOMPARE(ymax, 2.0);
    // a level outside the data has no line
    QVERIFY(contourLines(v, xs, ys, {1.5}).empty());
}

void TestContourLines::saddleBranchesDoNotCross() {
    // f = x y: the level 0.1 has one branch in the first quadrant and one in the third
    const auto xs = axis(-1, 1, 21), ys = axis(-1, 1, 21);
    const auto v = sample(xs, ys, [](double x, double y) { return x * y; });
    const auto lines = contourLines(v, xs, ys, {0.1});
    QCOMPARE(int(lines.size()), 2);
    for (const ContourLine& line : lines) {
        QVERIFY(!line.closed);
        const double sign = line.points.front().first > 0 ? 1 : -1;
        for (const auto& [x, y] : line.points) {
            QVERIFY(x * sign > 0 && y * sign > 0); // stays in its quadrant
            QVERIFY(std::abs(x * y - 0.1) < 0.01);
        }
    }
}

void TestContourLines::missingSamplesLeaveHoles() {
    const auto xs = axis(0, 1, 11), ys = axis(0, 1, 11);
    auto v = sample(xs, ys, [](double x, double) { return x; });
    v[5 * 11 + 3] = NAN; // between rows 4..6 the cells around column 3 have no line
    const auto lines = contourLines(v, xs, ys, {0.35});
    QCOMPARE(int(lines.size()), 2); // the vertical line is cut in two
    for (const ContourLine& line : lines)
        for (const auto& p : line.points)
            QVERIFY(std::abs(p.second - 0.5) > 0.05);
}

void TestContourLines::levelsAreRound() {
    const auto levels = contourLevels(-0.73, 1.9, 10);
    // a raw step of 0.263 rounds up to 0.5: -0.5, 0, 0.5, 1, 1.5
    QCOMPARE(int(levels.size()), 5);
    QVERIFY(std::abs(levels.front() + 0.5) < 1e-12);
    QVERIFY(std::abs(levels.back() - 1.5) < 1e-12);
    QVERIFY(contourLevels(1, 1, 10).empty());
    QVERIFY(contourLevels(0, NAN, 10).empty());
    // exact multiples at the ends are outside (lo, hi)
    const auto inner = contourLevels(0, 1, 5); // step 0.2
    QCOMPARE(int(inner.size()), 4);
}

void TestContourLines::badGridsAreRefused() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, contourLines({1, 2}, {0, 1}, {0}, {1.5}));
    try {
        contourLines({1, 2, 3}, {0, 1}, {0, 1}, {1.5});
        QFAIL("a short value list was accepted");
    } catch (const std::invalid_argument& e) {
        QVERIFY(std::string(e.what()).find("3 values for a grid of 2 x 2") != std::string::npos);
    }
}

QTEST_APPLESS_MAIN(TestContourLines)
#include "tst_contour_lines.moc"
