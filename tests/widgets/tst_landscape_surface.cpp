// LandscapeSurface draws a 2-D loss landscape in 3-D: the surface, its colours and range, the
// trajectory over it, contour lines, and picking a point by clicking it. The landscape is a
// bowl, loss = 1 + x^2 + y^2 on [-1, 1]^2, whose values at every point are known. VTK needs an
// X server: run under Xvfb (`xvfb-run -a`); without DISPLAY every test is skipped. With
// PS_TEST_TMP set, the rendered views are saved there for a person to look at. The rendered
// surface is also compared with its golden image (golden_image.h), as CI renders it: Mesa's
// llvmpipe under Xvfb.

#include "golden_image.h"
#include "widgets/analysis_view.h"
#include "widgets/landscape_surface.h"
#include "widgets/vtk_view.h"

#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>
#include <vtkRenderer.h>

using namespace ps;

namespace {

constexpr int kGrid = 31;

double bowl(double x, double y) {
    return 1 + x * x + y * y;
}

Json bowlResult() {
    Json xs = Json::array(), loss = Json::array();
    for (int i = 0; i < kGrid; ++i)
        xs.push_back(-1.0 + 2.0 * i / (kGrid - 1));
    for (int j = 0; j < kGrid; ++j) {
        Json row = Json::array();
        for (int i = 0; i < kGrid; ++i)
            row.push_back(bowl(xs[std::size_t(i)].get<double>(), xs[std::size_t(j)].get<double>()));
        loss.push_back(row);
    }
    // a trajectory from a corner down to the minimum, with one point off the grid
    Json path = Json::array();
    for (int k = 0; k <= 8; ++k)
        path.push_back({0.8 - 0.1 * k, 0.6 - 0.075 * k, k});
    path.push_back({1.5, 0.0, 9});
    return {{"mode", "pca"}, {"x", xs},      {"y", xs},
            {"loss", loss},  {"path", path}, {"explained_variance", {0.8, 0.15}}};
}

// Where a world point appears in the view, in the widget's coordinates.
QPoint onScreen(VtkView* view, double x, double y, double z) {
    vtkRenderer* renderer = view->renderer();
    renderer->SetWorldPoint(x, y, z, 1.0);
    renderer->WorldToDisplay();
    double d[3];
    renderer->GetDisplayPoint(d);
    const double dpr = view->devicePixelRatioF();
    return {int(std::lround(d[0] / dpr)), int(std::lround(view->height() - 1 - d[1] / dpr))};
}

void saveForPeople(const QImage& image, const QString& name) {
    const QString dir = qEnvironmentVariable("PS_TEST_TMP");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    if (image.save(dir + QLatin1Char('/') + name))
        qInfo("saved %s/%s", qPrintable(dir), qPrintable(name));
}

} // namespace

class TestLandscapeSurface : public QObject {
    Q_OBJECT

public:
    explicit TestLandscapeSurface(bool haveDisplay) : m_haveDisplay(haveDisplay) {}

private Q_SLOTS:
    void init() {
        if (!m_haveDisplay)
            QSKIP("VTK needs an X server and DISPLAY is not set: run under xvfb-run -a");
    }

    void buildsTheSurfaceTrajectoryAndContours() {
        LandscapeSurface surface;
        surface.resize(700, 500);
        auto map = readLandscapeMap(bowlResult());
        QVERIFY(map);
        surface.setMap(*map);
        surface.show();
        QVERIFY(QTest::qWaitForWindowExposed(&surface));
        // log10(loss) spans log10(1) .. log10(3)
        const auto [lo, hi] = surface.colourRange();
        QVERIFY(std::abs(lo) < 1e-12);
        QVERIFY(std::abs(hi - std::log10(3.0)) < 1e-12);
        QCOMPARE(surface.trajectoryPointCount(), 9); // the point off the grid is left out
        // round levels of log10(loss) in (0, 0.477): step 0.05, 0.05 .. 0.45. The circles of
        // 0.05 .. 0.30 (radius sqrt(10^L - 1) <= 0.998) are whole; those of 0.35, 0.40 and 0.45
        // leave the square and are cut into four arcs each: 6 + 3 x 4 lines.
        QCOMPARE(surface.contourLineCount(), 18);
        surface.setHeight(LandscapeSurface::Height::Loss);
        const auto [lo2, hi2] = surface.colourRange();
        QCOMPARE(lo2, 1.0);
        QCOMPARE(hi2, 3.0);
        QVERIFY(surface.contourLineCount() > 0);
        const QImage image = surface.view()->grabImage();
        saveForPeople(surface.grab().toImage(), QStringLiteral("landscape_surface.png"));
        // the surface fills the middle of the view: not the background there
        const QColor centre = image.pixelColor(image.width() / 2, image.height() / 2);
        QVERIFY2(std::abs(centre.redF() - 0.11) + std::abs(centre.greenF() - 0.12) +
                         std::abs(centre.blueF() - 0.15) >
                     0.15,
                 qPrintable(QString("the centre is the background: %1").arg(centre.name())));
    }

    void clickingPicksThePointAndItsLoss() {
        LandscapeSurface surface;
        surface.resize(700, 500);
        surface.setMap(*readLandscapeMap(bowlResult()));
        surface.show();
        QVERIFY(QTest::qWaitForWindowExposed(&surface));
        surface.view()->grabImage(); // one render, so the camera is in place
        QSignalSpy picked(&surface, &LandscapeSurface::picked);

        // (0.3, 0.5) on the surface: loss 1.34. It is on the bowl's far side, which faces the
        // camera (looking from the front and above): no nearer part of the surface hides it.
        const auto w = surface.worldOf(0.3, 0.5);
        QVERIFY(std::abs(w[0] - 0.65) < 1e-12 && std::abs(w[1] - 0.75) < 1e-12); // unit square
        QVERIFY(std::abs(w[2] - std::log10(1.34) / std::log10(3.0) * 0.6) < 3e-3);
        const QPoint at = onScreen(surface.view(), w[0], w[1], w[2]);
        QTest::mouseClick(surface.view(), Qt::LeftButton, Qt::NoModifier, at);
        QCOMPARE(picked.count(), 1);
        const double px = picked[0][0].toDouble(), py = picked[0][1].toDouble();
        const double loss = picked[0][2].toDouble();
        // a pixel is about 0.01 of the grid here
        QVERIFY2(std::abs(px - 0.3) < 0.03 && std::abs(py - 0.5) < 0.03,
                 qPrintable(QString("picked (%1, %2)").arg(px).arg(py)));
        // the loss is the grid's (bilinear), at the picked point
        QVERIFY(std::abs(loss - bowl(px, py)) < 3e-3); // bilinear: under h^2/4 per axis, h = 1/15
        QVERIFY2(surface.pickText().contains("loss 1.3"), qPrintable(surface.pickText()));
        QVERIFY(surface.pickText().contains("PC 1 (80.0 %)"));

        // a drag rotates and picks nothing
        QTest::mousePress(surface.view(), Qt::LeftButton, Qt::NoModifier, at);
        QTest::mouseMove(surface.view(), at + QPoint(40, 10));
        QTest::mouseRelease(surface.view(), Qt::LeftButton, Qt::NoModifier, at + QPoint(40, 10));
        QCOMPARE(picked.count(), 1);
        // the background is off the surface
        QVERIFY(!surface.pickAt(QPoint(3, 3)));
        QCOMPARE(picked.count(), 1);
    }

    void paletteAndScaleChangeTheImage() {
        LandscapeSurface surface;
        surface.resize(600, 450);
        surface.setMap(*readLandscapeMap(bowlResult()));
        surface.show();
        QVERIFY(QTest::qWaitForWindowExposed(&surface));
        const QImage thermal = surface.view()->grabImage();
        surface.setPalette(LandscapeSurface::Palette::Grey);
        const QImage grey = surface.view()->grabImage();
        QVERIFY(thermal != grey);
        // grey: every surface pixel has r = g = b (lighting scales the channels alike)
        const QColor c = grey.pixelColor(grey.width() / 2, grey.height() / 2);
        QVERIFY2(std::abs(c.red() - c.green()) <= 3 && std::abs(c.green() - c.blue()) <= 3,
                 qPrintable(c.name()));
        surface.setVerticalScale(2.0);
        QVERIFY(surface.view()->grabImage() != grey);
        surface.setTrajectoryVisible(false);
        surface.setContoursVisible(false);
        surface.view()->grabImage(); // renders without them
    }

    void matchesItsGoldenImage() {
        LandscapeSurface surface;
        surface.resize(640, 480);
        surface.setMap(*readLandscapeMap(bowlResult()));
        surface.show();
        QVERIFY(QTest::qWaitForWindowExposed(&surface));
        // the 3-D view alone: the controls around it are plain widgets, drawn by the style
        test::compareWithGolden(QStringLiteral("landscape_surface"), surface.view()->grabImage());
    }

    void analysisViewShowsLandscapesIn3D() {
        AnalysisView view;
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.showResult("landscape", bowlResult()));
        QVERIFY(view.hasSurface());
        QVERIFY(!view.surface()); // made on first use only
        view.setSurfaceShown(true);
        QVERIFY(view.surfaceShown());
        QVERIFY(view.surface());
        QCOMPARE(int(view.surface()->map().nx()), kGrid);
        // the same result shown again (the watcher's refresh) stays in 3-D
        QVERIFY(view.showResult("landscape", bowlResult()));
        QVERIFY(view.surfaceShown());
        saveForPeople(view.grab().toImage(), QStringLiteral("analysis_view_surface.png"));
        // another kind has no surface: back to the plot
        QVERIFY(view.showResult(
            "lime",
            {{"metric", "loss"}, {"trial", 1}, {"features", {{{"name", "lr"}, {"weight", 0.2}}}}}));
        QVERIFY(!view.hasSurface());
        QVERIFY(!view.surfaceShown());
    }

private:
    bool m_haveDisplay;
};

int main(int argc, char** argv) {
    const bool haveDisplay = !qEnvironmentVariableIsEmpty("DISPLAY");
    qputenv("QT_QPA_PLATFORM", haveDisplay ? "xcb" : "offscreen");
    QApplication app(argc, argv);
    TestLandscapeSurface test(haveDisplay);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_landscape_surface.moc"
