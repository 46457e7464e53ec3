#include "widgets/landscape_surface.h"

#include "core/explore/contour_lines.h"
#include "widgets/color_maps.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/vtk_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellPicker.h>
#include <vtkCubeAxesActor.h>
#include <vtkDoubleArray.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkSphereSource.h>
#include <vtkTextProperty.h>

namespace ps {

struct LandscapeSurface::Scene {
    vtkNew<vtkPolyData> surface;
    vtkNew<vtkPolyDataMapper> surfaceMapper;
    vtkNew<vtkActor> surfaceActor;
    vtkNew<vtkLookupTable> colours;
    vtkNew<vtkScalarBarActor> colourBar;
    vtkNew<vtkCubeAxesActor> axes;
    vtkNew<vtkPolyData> path;
    vtkNew<vtkPolyDataMapper> pathMapper;
    vtkNew<vtkActor> pathActor;
    vtkNew<vtkPolyData> contours;
    vtkNew<vtkPolyDataMapper> contourMapper;
    vtkNew<vtkActor> contourActor;
    vtkNew<vtkSphereSource> markerSource;
    vtkNew<vtkPolyDataMapper> markerMapper;
    vtkNew<vtkActor> markerActor;
    vtkNew<vtkCellPicker> picker;
    int pathPoints = 0;
    int contourLines = 0;
};

namespace {

constexpr double kBackground[3] = {0.11, 0.12, 0.15};

QColor paletteColour(LandscapeSurface::Palette palette, double t) {
    switch (palette) {
    case LandscapeSurface::Palette::Viridis:
        return viridis(t);
    case LandscapeSurface::Palette::Grey:
        return QColor::fromRgbF(float(0.15 + 0.8 * t), float(0.15 + 0.8 * t),
                                float(0.15 + 0.8 * t));
    case LandscapeSurface::Palette::Thermal:
        break;
    }
    // the 2-D map's gradient, so one loss has one colour in both views
    static QCPColorGradient thermal(QCPColorGradient::gpThermal); // color() is not const
    return QColor::fromRgb(thermal.color(t, QCPRange(0, 1)));
}

void setTextColour(vtkTextProperty* p, double size = 0) {
    p->SetColor(0.92, 0.92, 0.92);
    if (size > 0)
        p->SetFontSize(int(size));
}

} // namespace

LandscapeSurface::LandscapeSurface(QWidget* parent)
    : QWidget(parent), m_view(new VtkView(this)), m_heightBox(new QComboBox(this)),
      m_paletteBox(new QComboBox(this)), m_scaleBox(new QDoubleSpinBox(this)),
      m_pathBox(new QCheckBox(tr("&Trajectory"), this)),
      m_contourBox(new QCheckBox(tr("C&ontours"), this)), m_pickLabel(new QLabel(this)),
      m_scene(std::make_unique<Scene>()) {
    m_heightBox->addItem(tr("log10(loss)"));
    m_heightBox->addItem(tr("loss"));
    m_heightBox->setToolTip(tr("What the height and the colour show"));
    m_paletteBox->addItems({tr("Thermal"), tr("Viridis"), tr("Grey")});
    m_paletteBox->setToolTip(tr("Colour map (Thermal is the 2-D map's)"));
    m_scaleBox->setRange(0.05, 5);
    m_scaleBox->setSingleStep(0.1);
    m_scaleBox->setValue(m_verticalScale);
    m_scaleBox->setPrefix(tr("height × "));
    m_scaleBox->setToolTip(
        tr("The height of the loss range relative to the side of the (square) grid"));
    m_pathBox->setChecked(true);
    m_pathBox->setToolTip(tr("The training trajectory projected on the plane, over the surface"));
    m_contourBox->setChecked(true);
    m_pickLabel->setText(tr("Click the surface to read a point's coordinates and loss; drag to "
                            "rotate, wheel to zoom."));
    m_pickLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Height:"), this));
    controls->addWidget(m_heightBox);
    controls->addWidget(m_paletteBox);
    controls->addWidget(m_scaleBox);
    controls->addWidget(m_pathBox);
    controls->addWidget(m_contourBox);
    auto* reset = new QPushButton(tr("Reset &view"), this);
    reset->setToolTip(tr("Back to the view from the front and above"));
    connect(reset, &QPushButton::clicked, this, &LandscapeSurface::resetView);
    controls->addWidget(reset);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_pickLabel);

    connect(m_heightBox, &QComboBox::currentIndexChanged, this,
            [this](int i) { setHeight(i == 1 ? Height::Loss : Height::Log10Loss); });
    connect(m_paletteBox, &QComboBox::currentIndexChanged, this, [this](int i) {
        setPalette(i == 1 ? Palette::Viridis : i == 2 ? Palette::Grey : Palette::Thermal);
    });
    connect(m_scaleBox, &QDoubleSpinBox::valueChanged, this, &LandscapeSurface::setVerticalScale);
    connect(m_pathBox, &QCheckBox::toggled, this, &LandscapeSurface::setTrajectoryVisible);
    connect(m_contourBox, &QCheckBox::toggled, this, &LandscapeSurface::setContoursVisible);
    connect(m_view, &VtkView::clicked, this, [this](QPoint pos) { pickAt(pos); });

    auto& s = *m_scene;
    vtkRenderer* renderer = m_view->renderer();
    renderer->SetBackground(kBackground[0], kBackground[1], kBackground[2]);
    s.surfaceMapper->SetInputData(s.surface);
    s.surfaceMapper->SetLookupTable(s.colours);
    s.surfaceMapper->SetScalarModeToUsePointData();
    s.surfaceMapper->ScalarVisibilityOn();
    s.surfaceActor->SetMapper(s.surfaceMapper);
    s.surfaceActor->GetProperty()->SetSpecular(0.15);
    s.colours->SetNanColor(0.5, 0.5, 0.5, 1.0);
    s.colourBar->SetLookupTable(s.colours);
    s.colourBar->SetNumberOfLabels(5);
    s.colourBar->SetMaximumWidthInPixels(90);
    s.colourBar->SetPosition(0.88, 0.1);
    s.colourBar->SetWidth(0.1);
    s.colourBar->SetHeight(0.8);
    s.colourBar->SetLabelFormat("%.3g");
    setTextColour(s.colourBar->GetTitleTextProperty(), 14);
    setTextColour(s.colourBar->GetLabelTextProperty(), 12);
    s.colourBar->UnconstrainedFontSizeOn();
    s.axes->SetCamera(renderer->GetActiveCamera());
    s.axes->SetFlyModeToOuterEdges();
    s.axes->SetGridLineLocation(vtkCubeAxesActor::VTK_GRID_LINES_FURTHEST);
    s.axes->SetLabelScaling(false, 0, 0, 0);
    s.axes->SetScreenSize(12);
    // The loss axis is short on screen and its labels pile up; the colour bar reads the
    // values, the axis keeps its title.
    s.axes->SetZAxisLabelVisibility(false);
    s.axes->SetZAxisMinorTickVisibility(false);
    for (int k = 0; k < 3; ++k) {
        setTextColour(s.axes->GetTitleTextProperty(k));
        setTextColour(s.axes->GetLabelTextProperty(k));
    }
    for (vtkProperty* p : {s.axes->GetXAxesLinesProperty(), s.axes->GetYAxesLinesProperty(),
                           s.axes->GetZAxesLinesProperty()})
        p->SetColor(0.75, 0.75, 0.75);
    s.pathMapper->SetInputData(s.path);
    s.pathMapper->ScalarVisibilityOff();
    s.pathActor->SetMapper(s.pathMapper);
    s.pathActor->GetProperty()->SetColor(1, 1, 1);
    s.pathActor->GetProperty()->SetLineWidth(3);
    s.pathActor->GetProperty()->SetPointSize(7);
    s.pathActor->GetProperty()->SetRenderPointsAsSpheres(true);
    s.pathActor->GetProperty()->SetRenderLinesAsTubes(true);
    s.pathActor->PickableOff();
    s.contourMapper->SetInputData(s.contours);
    s.contourMapper->ScalarVisibilityOff();
    s.contourActor->SetMapper(s.contourMapper);
    s.contourActor->GetProperty()->SetColor(0.05, 0.05, 0.05);
    s.contourActor->GetProperty()->SetOpacity(0.55);
    s.contourActor->GetProperty()->SetLineWidth(1);
    s.contourActor->PickableOff();
    s.markerSource->SetThetaResolution(16);
    s.markerSource->SetPhiResolution(16);
    s.markerMapper->SetInputConnection(s.markerSource->GetOutputPort());
    s.markerActor->SetMapper(s.markerMapper);
    s.markerActor->GetProperty()->SetColor(1.0, 0.25, 0.2);
    s.markerActor->VisibilityOff();
    s.markerActor->PickableOff();
    s.picker->SetTolerance(0.0005);
    s.picker->PickFromListOn();
    s.picker->AddPickList(s.surfaceActor);
    const std::initializer_list<vtkProp*> props = {s.surfaceActor, s.pathActor, s.contourActor,
                                                   s.markerActor,  s.axes,      s.colourBar};
    for (vtkProp* prop : props)
        renderer->AddViewProp(prop);
}

LandscapeSurface::~LandscapeSurface() = default;

void LandscapeSurface::setMap(LandscapeMap map) {
    m_map = std::move(map);
    m_cameraSet = false;
    m_scene->markerActor->VisibilityOff();
    m_pickLabel->setText(tr("Click the surface to read a point's coordinates and loss; drag to "
                            "rotate, wheel to zoom."));
    rebuild();
}

void LandscapeSurface::setHeight(Height height) {
    if (m_height == height)
        return;
    m_height = height;
    const QSignalBlocker block(m_heightBox);
    m_heightBox->setCurrentIndex(height == Height::Loss ? 1 : 0);
    m_scene->markerActor->VisibilityOff();
    rebuild();
}

void LandscapeSurface::setPalette(Palette palette) {
    m_palette = palette;
    const QSignalBlocker block(m_paletteBox);
    m_paletteBox->setCurrentIndex(palette == Palette::Viridis ? 1
                                  : palette == Palette::Grey  ? 2
                                                              : 0);
    rebuild();
}

void LandscapeSurface::setVerticalScale(double scale) {
    if (!(scale > 0) || scale == m_verticalScale)
        return;
    m_verticalScale = scale;
    const QSignalBlocker block(m_scaleBox);
    m_scaleBox->setValue(scale);
    m_scene->markerActor->VisibilityOff();
    rebuild();
}

void LandscapeSurface::setTrajectoryVisible(bool on) {
    m_scene->pathActor->SetVisibility(on && m_scene->pathPoints > 0);
    const QSignalBlocker block(m_pathBox);
    m_pathBox->setChecked(on);
    m_view->requestRender();
}

void LandscapeSurface::setContoursVisible(bool on) {
    m_scene->contourActor->SetVisibility(on);
    const QSignalBlocker block(m_contourBox);
    m_contourBox->setChecked(on);
    m_view->requestRender();
}

double LandscapeSurface::heightOf(double loss) const {
    if (m_height == Height::Loss)
        return loss;
    return loss > 0 ? std::log10(loss) : NAN;
}

double LandscapeSurface::worldX(double x) const {
    return m_xSpan > 0 ? (x - m_x0) / m_xSpan : 0.0;
}

double LandscapeSurface::worldY(double y) const {
    return m_ySpan > 0 ? (y - m_y0) / m_ySpan : 0.0;
}

std::array<double, 3> LandscapeSurface::worldOf(double x, double y) const {
    return {worldX(x), worldY(y), worldZ(heightOf(m_map.lossAt(x, y)))};
}

double LandscapeSurface::worldZ(double height) const {
    return m_hi > m_lo ? (height - m_lo) / (m_hi - m_lo) * m_verticalScale * m_span : 0.0;
}

void LandscapeSurface::rebuild() {
    auto& s = *m_scene;
    const LandscapeMap& g = m_map;
    const std::size_t nx = g.nx(), ny = g.ny();
    std::vector<double> heights(g.loss.size());
    std::transform(g.loss.begin(), g.loss.end(), heights.begin(),
                   [this](double v) { return heightOf(v); });
    m_lo = INFINITY, m_hi = -INFINITY;
    for (const double h : heights)
        if (std::isfinite(h))
            m_lo = std::min(m_lo, h), m_hi = std::max(m_hi, h);
    if (!(m_lo <= m_hi))
        m_lo = 0, m_hi = 1;
    // The grid is drawn on a unit square whatever its extent: PCA directions often span 10
    // times more along the first component than the second, and a true-scale surface would
    // be a sliver. The axes are labelled in the grid's own coordinates.
    m_x0 = nx >= 2 ? g.xs.front() : 0.0;
    m_y0 = ny >= 2 ? g.ys.front() : 0.0;
    m_xSpan = nx >= 2 ? g.xs.back() - g.xs.front() : 1.0;
    m_ySpan = ny >= 2 ? g.ys.back() - g.ys.front() : 1.0;
    m_span = 1.0;

    // the surface: one point per sample, a quad per cell whose four samples are all there
    vtkNew<vtkPoints> points;
    vtkNew<vtkDoubleArray> scalars;
    scalars->SetName("height");
    points->SetNumberOfPoints(vtkIdType(nx * ny));
    scalars->SetNumberOfValues(vtkIdType(nx * ny));
    for (std::size_t j = 0; j < ny; ++j)
        for (std::size_t i = 0; i < nx; ++i) {
            const double h = heights[j * nx + i];
            const vtkIdType id = vtkIdType(j * nx + i);
            points->SetPoint(id, worldX(g.xs[i]), worldY(g.ys[j]),
                             worldZ(std::isfinite(h) ? h : m_lo));
            scalars->SetValue(id, h);
        }
    vtkNew<vtkCellArray> quads;
    for (std::size_t j = 0; j + 1 < ny; ++j)
        for (std::size_t i = 0; i + 1 < nx; ++i) {
            const std::size_t a = j * nx + i;
            if (!std::isfinite(heights[a]) || !std::isfinite(heights[a + 1]) ||
                !std::isfinite(heights[a + nx]) || !std::isfinite(heights[a + nx + 1]))
                continue;
            const vtkIdType quad[4] = {vtkIdType(a), vtkIdType(a + 1), vtkIdType(a + 1 + nx),
                                       vtkIdType(a + nx)};
            quads->InsertNextCell(4, quad);
        }
    s.surface->SetPoints(points);
    s.surface->SetPolys(quads);
    s.surface->GetPointData()->SetScalars(scalars);
    s.surface->Modified();

    constexpr int kColours = 256;
    s.colours->SetNumberOfTableValues(kColours);
    for (int k = 0; k < kColours; ++k) {
        const QColor c = paletteColour(m_palette, double(k) / (kColours - 1));
        s.colours->SetTableValue(k, c.redF(), c.greenF(), c.blueF(), 1.0);
    }
    s.colours->SetTableRange(m_lo, m_hi);
    s.colours->Modified();
    s.surfaceMapper->SetScalarRange(m_lo, m_hi);
    s.colourBar->SetTitle(m_height == Height::Loss ? "loss" : "log10(loss)");

    // the trajectory, on the surface and a little above it so that it is never buried
    const double lift = 0.01 * m_span;
    vtkNew<vtkPoints> pathPoints;
    vtkNew<vtkCellArray> pathCells;
    std::vector<vtkIdType> line;
    for (const auto& [x, y] : g.path) {
        const double h = heightOf(g.lossAt(x, y));
        if (!std::isfinite(h))
            continue; // off the grid
        line.push_back(pathPoints->InsertNextPoint(worldX(x), worldY(y), worldZ(h) + lift));
    }
    if (line.size() >= 2)
        pathCells->InsertNextCell(vtkIdType(line.size()), line.data());
    vtkNew<vtkCellArray> pathVerts;
    for (const vtkIdType id : line)
        pathVerts->InsertNextCell(1, &id);
    s.path->SetPoints(pathPoints);
    s.path->SetLines(pathCells);
    s.path->SetVerts(pathVerts);
    s.path->Modified();
    s.pathPoints = int(line.size());
    s.pathActor->SetVisibility(m_pathBox->isChecked() && s.pathPoints > 0);

    // contour lines at round levels of the shown height, each at its own height
    vtkNew<vtkPoints> contourPoints;
    vtkNew<vtkCellArray> contourCells;
    s.contourLines = 0;
    if (nx >= 2 && ny >= 2)
        for (const ContourLine& c :
             contourLines(heights, g.xs, g.ys, contourLevels(m_lo, m_hi, 12))) {
            std::vector<vtkIdType> ids;
            for (const auto& [x, y] : c.points)
                ids.push_back(contourPoints->InsertNextPoint(worldX(x), worldY(y),
                                                             worldZ(c.level) + 0.3 * lift));
            if (c.closed && !ids.empty())
                ids.push_back(ids.front());
            if (ids.size() >= 2) {
                contourCells->InsertNextCell(vtkIdType(ids.size()), ids.data());
                ++s.contourLines;
            }
        }
    s.contours->SetPoints(contourPoints);
    s.contours->SetLines(contourCells);
    s.contours->Modified();

    double bounds[6];
    s.surface->GetBounds(bounds);
    s.axes->SetBounds(bounds);
    s.axes->SetXAxisRange(m_x0, m_x0 + m_xSpan); // labelled in the grid's coordinates
    s.axes->SetYAxisRange(m_y0, m_y0 + m_ySpan);
    s.axes->SetZAxisRange(m_lo, m_hi); // labelled in the height's unit, not world units
    s.axes->SetXTitle(g.xLabel.c_str());
    s.axes->SetYTitle(g.yLabel.c_str());
    s.axes->SetZTitle(m_height == Height::Loss ? "loss" : "log10(loss)");
    s.markerSource->SetRadius(0.012 * m_span);

    if (!m_cameraSet && nx >= 2 && isVisible()) { // else when shown, at its size
        resetView();
        m_cameraSet = true;
    }
    m_view->renderer()->ResetCameraClippingRange();
    m_view->requestRender();
}

void LandscapeSurface::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!m_cameraSet && m_map.nx() >= 2) {
        resetView();
        m_cameraSet = true;
    }
}

void LandscapeSurface::resetView() {
    // from the front and above, the way loss-landscape figures are drawn
    double bounds[6];
    m_scene->surface->GetBounds(bounds);
    vtkRenderer* renderer = m_view->renderer();
    vtkCamera* camera = renderer->GetActiveCamera();
    const double cx = (bounds[0] + bounds[1]) / 2, cy = (bounds[2] + bounds[3]) / 2;
    const double cz = (bounds[4] + bounds[5]) / 2;
    camera->SetFocalPoint(cx, cy, cz);
    camera->SetPosition(cx + 0.9 * m_span, cy - 1.6 * m_span, cz + 1.3 * m_span);
    camera->SetViewUp(0, 0, 1);
    renderer->ResetCamera();
    // ResetCamera fits the scene's sphere into the view's height; a wide, low view (a docked
    // panel) has room to spare sideways, so come closer there
    const double aspect = m_view->height() > 0 ? double(m_view->width()) / m_view->height() : 1.0;
    camera->Zoom(0.9 * std::clamp(aspect / 1.4, 1.0, 1.8));
    renderer->ResetCameraClippingRange();
    m_view->requestRender();
}

std::optional<LandscapeSurface::Pick> LandscapeSurface::pickAt(QPoint viewPos) {
    auto& s = *m_scene;
    const double dpr = m_view->devicePixelRatioF();
    const double x = viewPos.x() * dpr, y = (m_view->height() - 1 - viewPos.y()) * dpr;
    if (m_map.nx() < 2 || !s.picker->Pick(x, y, 0, m_view->renderer()) ||
        s.picker->GetActor() != s.surfaceActor.Get()) {
        s.markerActor->VisibilityOff();
        m_view->requestRender();
        return std::nullopt;
    }
    double world[3];
    s.picker->GetPickPosition(world);
    const double px = m_x0 + world[0] * m_xSpan, py = m_y0 + world[1] * m_ySpan;
    Pick pick{px, py, m_map.lossAt(px, py)};
    if (!std::isfinite(pick.loss))
        return std::nullopt;
    s.markerSource->SetCenter(worldX(pick.x), worldY(pick.y), worldZ(heightOf(pick.loss)));
    s.markerActor->VisibilityOn();
    m_pickLabel->setText(tr("%1 = %2, %3 = %4: loss %5 (log10 %6)")
                             .arg(QString::fromStdString(m_map.xLabel))
                             .arg(pick.x, 0, 'g', 4)
                             .arg(QString::fromStdString(m_map.yLabel))
                             .arg(pick.y, 0, 'g', 4)
                             .arg(pick.loss, 0, 'g', 5)
                             .arg(std::log10(pick.loss), 0, 'f', 3));
    m_view->requestRender();
    Q_EMIT picked(pick.x, pick.y, pick.loss);
    return pick;
}

int LandscapeSurface::trajectoryPointCount() const {
    return m_scene->pathPoints;
}

int LandscapeSurface::contourLineCount() const {
    return m_scene->contourLines;
}

QString LandscapeSurface::pickText() const {
    return m_pickLabel->text();
}

} // namespace ps

// As for VtkView: the moc output stays with the VTK code, out of the CLI's link.
#include "moc_landscape_surface.cpp"
