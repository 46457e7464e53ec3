#pragma once
// Parallel coordinates: one vertical axis per parameter and objective, one polyline per trial,
// coloured by a chosen dimension (the first objective by default). Log-scale parameters get
// log axes and categorical ones an axis of their categories. Dragging along an axis brushes a
// range on it; the trials inside every brush become the shared selection, which every other
// view highlights; a selection made elsewhere is drawn here on top of the dimmed rest. Axes are
// reordered by dragging their titles, or by importance from the context menu. Hovering shows
// the trial under the cursor.
//
// Built for 100,000 trials: the trials live in TrialColumns (updated in place), the lines of
// all trials are drawn into a cached image only when the data, the axes or the size change
// (coalesced), and the selected lines into a second cached image only when the selection
// changes, both as densities (LineDensity) rasterized on several threads; a repaint for a
// hover or a brush outline draws no line at all. A selection of more than a few thousand lines
// is drawn as an even sample of them, so a wide brush redraws as fast as a narrow one. GUI thread
// only; the selection is not owned.

#include "core/explore/trial_columns.h"

#include <QImage>
#include <QSet>
#include <QWidget>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

class QTimer;

namespace ps {

class TrialSelection;

class ParallelCoordinates : public QWidget {
    Q_OBJECT

public:
    explicit ParallelCoordinates(TrialSelection* selection, QWidget* parent = nullptr);

    // The axes: the space's parameters and the objectives (TrialColumns::setLayout). Forgets
    // trials, brushes and axis order.
    void setStudyLayout(const SearchSpace& space, const std::vector<Objective>& objectives);
    // New or changed trials, as the StudyWatcher reports them; the redraw is coalesced.
    void applyTrials(const TrialList& trials);
    void clear();
    const TrialColumns& columns() const { return m_columns; }

    // Axis order: dimension indices, left to right; every dimension exactly once.
    const std::vector<std::size_t>& axisOrder() const { return m_order; }
    void setAxisOrder(std::vector<std::size_t> order);
    void moveAxis(std::size_t from, std::size_t to); // positions in axisOrder()
    // Parameters by decreasing importance (name -> score; missing names last), objectives kept
    // at the right end. The context menu orders by varianceExplained (core/explore).
    void orderByImportance(const std::map<std::string, double>& importance);
    void setColorDimension(std::size_t dimension);
    std::size_t colorDimension() const { return m_colorDim; }

    // Brushes, in dimension values (categorical: category indices). Setting or clearing one
    // makes the trials inside every brush the selection (none left: the selection is cleared).
    void setBrush(std::size_t dimension, double low, double high);
    void clearBrush(std::size_t dimension);
    void clearBrushes();
    std::vector<Brush> brushes() const;

    // Draws the cached layers now rather than after the coalescing delay: for export, tests
    // and benchmarks.
    void rebuildNow();
    // Lines the last rebuild drew (trials with at least two values on the axes) and the
    // selected ones drawn on top (above a few thousand, the highlight rasterizes an even sample
    // of them at a matching opacity; this counts them all).
    int drawnLines() const { return m_drawnLines; }
    int highlightedLines() const { return m_highlightedLines; }
    // The x of an axis at a position, and the y of a value's position t in [0, 1].
    double axisX(std::size_t position) const;
    double positionY(double t) const;
    // The trial whose line passes nearest `pos` (within a few pixels); for tool tips and tests.
    std::optional<std::size_t> rowNear(const QPointF& pos) const;

Q_SIGNALS:
    void brushesChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool event(QEvent* event) override;

private:
    enum class Drag { None, Brush, Axis };
    void scheduleRebuild();
    void rebuildBase();
    void rebuildHighlight();
    void onSelectionChanged();
    void brushesToSelection();
    // The lines of `rows` as a density image of the widget's size (LineDensity).
    QImage drawLines(const std::vector<std::size_t>& rows, double gain) const;
    void drawAxes(QPainter& p) const;
    QRectF plotRect() const;
    int axisAt(const QPointF& pos, double tolerance) const; // position in m_order, or -1
    // Where a row's colour comes from on the colour scale, in [0, 1] (NaN: missing).
    double colorPosition(std::size_t row) const;
    void updateColorRange();
    // The position a row's line is drawn at on dimension d: categorical ones spread a little.
    double drawnPosition(std::size_t row, std::size_t d) const;
    void drawLegend(QPainter& p) const;

    TrialSelection* m_selection;
    TrialColumns m_columns;
    std::vector<std::size_t> m_order;
    std::map<std::size_t, std::pair<double, double>> m_brushes; // dimension -> (low, high)
    std::size_t m_colorDim = 0;
    double m_colorLow = NAN, m_colorHigh = NAN; // the colour scale's ends, as axis positions
    std::vector<std::size_t> m_selectedRows;
    QImage m_base, m_highlight;
    bool m_baseDirty = true, m_highlightDirty = true;
    QTimer* m_rebuildTimer;
    int m_drawnLines = 0, m_highlightedLines = 0;
    std::optional<std::size_t> m_hover;

    Drag m_drag = Drag::None;
    int m_dragAxis = -1;
    QPointF m_pressPos, m_dragPos;
    bool m_applyingBrush = false; // the selection change is ours: keep the brushes
};

} // namespace ps
