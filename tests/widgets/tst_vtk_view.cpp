// VtkView renders a VTK scene inside a Qt 6 widget and turns mouse input into camera moves.
// VTK needs a real X server (GLX): run under Xvfb (`xvfb-run -a ctest ...`). Without DISPLAY
// every test is skipped. When PS_TEST_TMP is set, the grabbed images are saved there
// (vtk_view.png, vtk_view_rotated.png) so a person can look at them.

#include "widgets/vtk_view.h"

#include <QApplication>
#include <QDir>
#include <QWheelEvent>
#include <QtTest>
#include <cmath>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkRenderer.h>

using namespace ps;

namespace {

// Dark blue-grey, far from every colour of the surface's map.
constexpr double kBackground[3] = {0.1, 0.1, 0.15};
// Per-channel tolerance for "this is the background" (the blit is exact; this absorbs
// rounding of the float colour to 8 bits).
constexpr int kBackgroundTolerance = 3;
// The surface's peak maps to red (hue 0); lighting changes brightness, not hue.
constexpr double kPeakHueToleranceDeg = 20.0;
constexpr int kGrid = 41;
constexpr double kPeak = 0.6;

// A Gaussian bump z = 0.6 exp(-3 (x^2 + y^2)) over [-1, 1]^2, coloured by height from blue
// (low) to red (the peak at the centre): the shape of a loss-landscape surface.
void addBump(vtkRenderer* renderer) {
    vtkNew<vtkPoints> points;
    vtkNew<vtkFloatArray> heights;
    heights->SetName("height");
    for (int j = 0; j < kGrid; ++j) {
        for (int i = 0; i < kGrid; ++i) {
            const double x = -1.0 + 2.0 * i / (kGrid - 1);
            const double y = -1.0 + 2.0 * j / (kGrid - 1);
            const double z = kPeak * std::exp(-3.0 * (x * x + y * y));
            points->InsertNextPoint(x, y, z);
            heights->InsertNextValue(static_cast<float>(z));
        }
    }
    vtkNew<vtkCellArray> quads;
    for (int j = 0; j + 1 < kGrid; ++j) {
        for (int i = 0; i + 1 < kGrid; ++i) {
            const vtkIdType a = j * kGrid + i;
            const vtkIdType quad[4] = {a, a + 1, a + 1 + kGrid, a + kGrid};
            quads->InsertNextCell(4, quad);
        }
    }
    vtkNew<vtkPolyData> surface;
    surface->SetPoints(points);
    surface->SetPolys(quads);
    surface->GetPointData()->SetScalars(heights);

    vtkNew<vtkLookupTable> colours;
    colours->SetHueRange(0.667, 0.0); // blue -> red
    colours->SetTableRange(0.0, kPeak);
    colours->Build();
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(surface);
    mapper->SetLookupTable(colours);
    mapper->SetScalarRange(0.0, kPeak);
    mapper->ScalarVisibilityOn();
    vtkNew<vtkActor> actor;
    actor->SetMapper(mapper);

    renderer->AddActor(actor);
    renderer->SetBackground(kBackground[0], kBackground[1], kBackground[2]);
    renderer->ResetCamera(); // looks down -z at the bump: its peak is at the image centre
}

QColor backgroundColour() {
    return QColor::fromRgbF(static_cast<float>(kBackground[0]), static_cast<float>(kBackground[1]),
                            static_cast<float>(kBackground[2]));
}

bool nearColour(QColor a, QColor b, int tolerance) {
    return std::abs(a.red() - b.red()) <= tolerance &&
           std::abs(a.green() - b.green()) <= tolerance &&
           std::abs(a.blue() - b.blue()) <= tolerance;
}

QString describe(QColor c) {
    return QStringLiteral("rgba(%1, %2, %3, %4) hue %5")
        .arg(c.red())
        .arg(c.green())
        .arg(c.blue())
        .arg(c.alpha())
        .arg(c.hueF() * 360.0, 0, 'f', 1);
}

// Fraction of pixels whose colour moved by more than a small amount in some channel.
double changedFraction(const QImage& a, const QImage& b) {
    const QImage x = a.convertToFormat(QImage::Format_RGB32);
    const QImage y = b.convertToFormat(QImage::Format_RGB32);
    qint64 changed = 0;
    for (int row = 0; row < x.height(); ++row) {
        const auto* p = reinterpret_cast<const QRgb*>(x.constScanLine(row));
        const auto* q = reinterpret_cast<const QRgb*>(y.constScanLine(row));
        for (int col = 0; col < x.width(); ++col) {
            if (!nearColour(QColor(p[col]), QColor(q[col]), 8))
                ++changed;
        }
    }
    return double(changed) / double(x.width() * x.height());
}

void saveForPeople(const QImage& image, const QString& name) {
    const QString dir = qEnvironmentVariable("PS_TEST_TMP");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    const QString path = dir + QLatin1Char('/') + name;
    if (image.save(path))
        qInfo("saved %s", qPrintable(path));
}

} // namespace

class TestVtkView : public QObject {
    Q_OBJECT

public:
    explicit TestVtkView(bool haveDisplay) : m_haveDisplay(haveDisplay) {}

private Q_SLOTS:
    void init();
    void rendersTheSurfaceOnTheBackground();
    void dragRotatesWheelZoomsMiddleDragPans();
    void followsResize();

private:
    bool m_haveDisplay;
};

void TestVtkView::init() {
    if (!m_haveDisplay)
        QSKIP("VTK needs an X server and DISPLAY is not set: run under xvfb-run -a");
}

void TestVtkView::rendersTheSurfaceOnTheBackground() {
    VtkView view;
    view.resize(400, 300);
    addBump(view.renderer());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    const QImage image = view.grabImage();
    saveForPeople(image, QStringLiteral("vtk_view.png"));
    QCOMPARE(image.size(), view.size() * view.devicePixelRatio());

    const QColor background = backgroundColour();
    const int w = image.width();
    const int h = image.height();
    for (const QPoint corner :
         {QPoint(2, 2), QPoint(w - 3, 2), QPoint(2, h - 3), QPoint(w - 3, h - 3)}) {
        const QColor c = image.pixelColor(corner);
        QVERIFY2(nearColour(c, background, kBackgroundTolerance) && c.alpha() == 255,
                 qPrintable(QStringLiteral("corner (%1, %2) is %3, expected the background %4")
                                .arg(corner.x())
                                .arg(corner.y())
                                .arg(describe(c), describe(background))));
    }

    const QColor centre = image.pixelColor(w / 2, h / 2);
    QVERIFY2(!nearColour(centre, background, 24),
             qPrintable(QStringLiteral("centre is the background: ") + describe(centre)));
    QCOMPARE(centre.alpha(), 255);
    const double hue = centre.hueF() * 360.0;
    const double fromRed = std::min(std::abs(hue), std::abs(360.0 - hue));
    QVERIFY2(centre.hueF() >= 0 && fromRed <= kPeakHueToleranceDeg && centre.saturationF() > 0.5 &&
                 centre.valueF() > 0.3,
             qPrintable(QStringLiteral("centre should be a lit red, is ") + describe(centre)));
}

void TestVtkView::dragRotatesWheelZoomsMiddleDragPans() {
    VtkView view;
    view.resize(400, 300);
    addBump(view.renderer());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage before = view.grabImage();
    vtkCamera* camera = view.renderer()->GetActiveCamera();

    double position[3];
    camera->GetPosition(position);
    const double distance = camera->GetDistance();
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, QPoint(200, 150));
    QTest::mouseMove(&view, QPoint(230, 140));
    QTest::mouseMove(&view, QPoint(260, 120));
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, QPoint(260, 120));
    double rotated[3];
    camera->GetPosition(rotated);
    // Rotation moves the camera around the focal point: same distance, different place.
    QVERIFY(std::hypot(rotated[0] - position[0], rotated[1] - position[1],
                       rotated[2] - position[2]) > 0.1 * distance);
    QVERIFY(std::abs(camera->GetDistance() - distance) < 1e-6 * distance);

    const QImage after = view.grabImage();
    saveForPeople(after, QStringLiteral("vtk_view_rotated.png"));
    const double changed = changedFraction(before, after);
    QVERIFY2(changed > 0.02,
             qPrintable(QStringLiteral("only %1% of the pixels changed").arg(100 * changed)));

    // Wheel forward zooms in (the camera moves toward the focal point).
    QWheelEvent wheel(QPointF(200, 150), view.mapToGlobal(QPointF(200, 150)), QPoint(),
                      QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    QVERIFY(camera->GetDistance() < 0.99 * distance);

    // Middle drag pans: the focal point moves, the distance stays.
    double focal[3];
    camera->GetFocalPoint(focal);
    const double zoomed = camera->GetDistance();
    QTest::mousePress(&view, Qt::MiddleButton, Qt::NoModifier, QPoint(200, 150));
    QTest::mouseMove(&view, QPoint(240, 170));
    QTest::mouseRelease(&view, Qt::MiddleButton, Qt::NoModifier, QPoint(240, 170));
    double panned[3];
    camera->GetFocalPoint(panned);
    QVERIFY(std::hypot(panned[0] - focal[0], panned[1] - focal[1], panned[2] - focal[2]) >
            0.01 * zoomed);
    QVERIFY(std::abs(camera->GetDistance() - zoomed) < 1e-6 * zoomed);
}

void TestVtkView::followsResize() {
    VtkView view;
    view.resize(400, 300);
    addBump(view.renderer());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.resize(240, 320);
    QTRY_COMPARE(view.size(), QSize(240, 320));
    const QImage image = view.grabImage();
    QCOMPARE(image.size(), view.size() * view.devicePixelRatio());
    // The scene fills the new size: background in the corners, the surface in the middle.
    const QColor background = backgroundColour();
    QVERIFY(nearColour(image.pixelColor(2, 2), background, kBackgroundTolerance));
    QVERIFY(nearColour(image.pixelColor(image.width() - 3, image.height() - 3), background,
                       kBackgroundTolerance));
    QVERIFY(!nearColour(image.pixelColor(image.width() / 2, image.height() / 2), background, 24));
    // VTK rendered at the new size rather than being stretched into it: seen from above, the
    // square surface still covers a square of pixels (a 400x300 frame stretched to 240x320
    // would make it about 0.56 times as wide as high).
    QRect covered;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (!nearColour(image.pixelColor(x, y), background, 24))
                covered |= QRect(x, y, 1, 1);
        }
    }
    const double aspect = double(covered.width()) / double(covered.height());
    QVERIFY2(std::abs(aspect - 1.0) < 0.1,
             qPrintable(QStringLiteral("the surface covers %1x%2 pixels")
                            .arg(covered.width())
                            .arg(covered.height())));
}

int main(int argc, char** argv) {
    // Decide the platform before QApplication exists: xcb (GLX) when there is an X server,
    // otherwise offscreen so that the tests can start and skip.
    const bool haveDisplay = !qEnvironmentVariableIsEmpty("DISPLAY");
    qputenv("QT_QPA_PLATFORM", haveDisplay ? "xcb" : "offscreen");
    QApplication app(argc, argv);
    TestVtkView test(haveDisplay);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_vtk_view.moc"
