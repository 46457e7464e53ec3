#pragma once
// A 2-D loss landscape as a surface in 3-D (VTK through VtkView): height and colour are the
// loss (log10 or linear), the projected training trajectory runs over it as a polyline, and
// contour lines can be laid on it. Left drag rotates, the wheel zooms (VtkView); a click
// without dragging picks the surface and reports the point's coordinates and loss, which come
// from the grid itself (bilinear), not from the rendered depth. Needs an X server like every
// VTK view. GUI thread only.

#include "core/explore/landscape_map.h"

#include <QWidget>
#include <array>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace ps {

class VtkView;

class LandscapeSurface : public QWidget {
    Q_OBJECT

public:
    enum class Height { Log10Loss, Loss };
    enum class Palette { Viridis, Thermal, Grey };
    struct Pick {
        double x = 0, y = 0, loss = 0;
    };

    explicit LandscapeSurface(QWidget* parent = nullptr);
    ~LandscapeSurface() override;

    void setMap(LandscapeMap map);
    const LandscapeMap& map() const { return m_map; }
    void setHeight(Height height);
    void setPalette(Palette palette);
    // Height of the surface's loss range relative to its widest side.
    void setVerticalScale(double scale);
    void setTrajectoryVisible(bool on);
    void setContoursVisible(bool on);
    // The camera back to its first place (front and above), framed to the view's size.
    void resetView();

    // The surface under a point of the widget's 3-D view (its own coordinates); nothing off
    // the surface. Also marks the point and shows it in the label below the view.
    std::optional<Pick> pickAt(QPoint viewPos);
    // Where the surface point over grid coordinates (x, y) is in the 3-D scene (the grid is
    // drawn on the unit square), for tests and overlays.
    std::array<double, 3> worldOf(double x, double y) const;
    // The range the colours span, in the shown height's unit (log10(loss) or loss).
    std::pair<double, double> colourRange() const { return {m_lo, m_hi}; }
    int trajectoryPointCount() const;
    int contourLineCount() const;
    QString pickText() const;
    VtkView* view() const { return m_view; }

Q_SIGNALS:
    void picked(double x, double y, double loss);

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Scene;
    void rebuild();
    double heightOf(double loss) const;
    double worldX(double x) const;
    double worldY(double y) const;
    double worldZ(double height) const;

    VtkView* m_view;
    QComboBox* m_heightBox;
    QComboBox* m_paletteBox;
    QDoubleSpinBox* m_scaleBox;
    QCheckBox* m_pathBox;
    QCheckBox* m_contourBox;
    QLabel* m_pickLabel;
    std::unique_ptr<Scene> m_scene;
    LandscapeMap m_map;
    Height m_height = Height::Log10Loss;
    Palette m_palette = Palette::Thermal;
    double m_verticalScale = 0.6;
    double m_lo = 0, m_hi = 1; // colour and height range of the shown height
    double m_span = 1;         // the drawn grid's side (a unit square)
    double m_x0 = 0, m_y0 = 0, m_xSpan = 1, m_ySpan = 1; // the grid's extent
    bool m_cameraSet = false;
};

} // namespace ps
