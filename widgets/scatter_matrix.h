#pragma once
// A scatter-plot matrix of the study: an N x N grid over a chosen list of dimensions
// (parameters and objectives), each off-diagonal cell one dimension against another, each
// diagonal cell a histogram of its dimension. By default the first objective and up to five
// parameters, ranked by how much of the objective's variance they explain (re-ranked as a
// live study grows, until the user picks dimensions from the context menu or setDimensions).
// Points are coloured by the first objective (dark = best) as in the other views; log-scale
// parameters get log axes, categories a band each with the trials spread inside it.
//
// Linked through the shared TrialSelection: a rubber band (left drag) in an off-diagonal cell
// selects the trials inside it, on a histogram those in its range (Shift adds); a click
// selects the trial under the cursor. The selection is ringed in every cell and stacked on
// the histograms; trials the filter hides disappear. A double click on an off-diagonal cell
// asks for that pair in the single scatter (pairActivated). Hovering shows the trial under
// the cursor.
//
// Built for 100,000 trials x 36 cells: the points of every cell are written into one cached
// image only when the data, the size, the dimensions or the filter change (coalesced), and the
// selection into a second cached image only when the selection changes; a repaint for the
// rubber band or a tool tip draws no point. GUI thread only; the selection is not owned.

#include "core/explore/trial_columns.h"

#include <QImage>
#include <QWidget>
#include <cmath>
#include <optional>
#include <vector>

class QTimer;

namespace ps {

class TrialSelection;

class ScatterMatrix : public QWidget {
    Q_OBJECT

public:
    explicit ScatterMatrix(TrialSelection* selection, QWidget* parent = nullptr);

    // The dimensions (TrialColumns::setLayout). Forgets the trials and goes back to the
    // automatic choice of dimensions.
    void setStudyLayout(const SearchSpace& space, const std::vector<Objective>& objectives);
    // New or changed trials, as the StudyWatcher reports them; the redraw is coalesced.
    void applyTrials(const TrialList& trials);
    void clear();
    const TrialColumns& columns() const { return m_columns; }

    // The dimensions shown (TrialColumns indices), top to bottom and left to right.
    const std::vector<std::size_t>& dimensions() const { return m_dims; }
    // Shows `dims` (unknown and repeated ones dropped) and keeps them as trials arrive.
    void setDimensions(std::vector<std::size_t> dims);
    // Back to the automatic choice (defaultDimensions), re-ranked as trials arrive.
    void chooseDimensionsAutomatically();
    bool dimensionsAutomatic() const { return m_autoDims; }
    // The first objective, then up to five parameters by decreasing variance explained
    // (varianceExplained); without an objective, up to six parameters.
    std::vector<std::size_t> defaultDimensions() const;

    // Draws the cached images now rather than after the coalescing delay: for export, tests
    // and benchmarks.
    void rebuildNow();
    // Trials the last rebuild drew (shown by the filter, not waiting) and the selected ones
    // among them.
    int drawnPoints() const { return int(m_visible.size()); }
    int highlightedPoints() const { return int(m_selectedRows.size()); }
    // Trials per bin of the histogram of the k-th dimension shown (categories: one bin each).
    std::vector<int> histogram(std::size_t k) const;

    // Geometry, in widget pixels, as of the last rebuild: the cell in grid row i (its y
    // dimension is dimensions()[i]) and column j (x: dimensions()[j]), the area inside it
    // that positions 0..1 span, and where a trial's point lies (NaN when a value is missing).
    QRectF cellRect(std::size_t i, std::size_t j) const;
    QRectF plotArea(std::size_t i, std::size_t j) const;
    QPointF pointPosition(std::size_t row, std::size_t i, std::size_t j) const;
    // The cell under `pos` as (i, j), if any.
    std::optional<std::pair<std::size_t, std::size_t>> cellAt(const QPointF& pos) const;
    // Selects the trials whose points in cell (i, j) lie in `pixels` (a histogram, i == j:
    // whose value lies in its horizontal span); `add` keeps the current selection. What the
    // rubber band does.
    void selectInRect(std::size_t i, std::size_t j, const QRectF& pixels, bool add);
    // The trial whose point lies nearest `pos` (within a few pixels), for tool tips and clicks.
    std::optional<std::size_t> rowNear(const QPointF& pos) const;

Q_SIGNALS:
    // A double click on the cell of dimension `x` against `y` (their names).
    void pairActivated(const QString& x, const QString& y);

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool event(QEvent* event) override;

private:
    void scheduleRebuild();
    void rebuildBase();
    void rebuildOverlay();
    void onSelectionChanged();
    void updateSelectedRows(); // the selected trials among those drawn
    void rerankIfGrown();
    void updateColours();
    void updateMargins();
    // Writes the points of `rows` into every off-diagonal cell of `image`; `ring` circles
    // each (few rows only), otherwise they are drawn in their colour.
    void drawPoints(QImage& image, const std::vector<std::size_t>& rows, bool ring) const;
    // Bars of the trials `rows` on the diagonal, scaled to the visible trials' tallest bar.
    void drawHistograms(QImage& image, const std::vector<std::size_t>& rows, QColor colour) const;
    std::vector<int> countBins(std::size_t k, const std::vector<std::size_t>& rows) const;
    void drawLabels(QPainter& p) const;
    void drawLegend(QPainter& p) const;
    QFont smallFont() const;
    QRectF gridRect() const;
    double pointDiameter() const;

    TrialSelection* m_selection;
    TrialColumns m_columns;
    std::vector<std::size_t> m_dims;
    bool m_autoDims = true;
    std::size_t m_rankedRows = 0; // complete trials when the automatic choice was last ranked

    // as of the last rebuild
    std::vector<std::vector<float>> m_pos; // per shown dimension, per row: position 0..1
    std::vector<std::size_t> m_visible;    // rows drawn, worst colour first
    std::vector<std::size_t> m_drawRank;   // per row: its place in m_visible, or -1
    std::vector<QRgb> m_colour;            // per row
    double m_colourLow = NAN, m_colourHigh = NAN;
    std::size_t m_colourDim = 0;     // == dimensions() when there is no objective
    std::vector<double> m_maxCounts; // per shown dimension: its histogram's tallest bar
    std::vector<std::size_t> m_selectedRows;
    double m_leftMargin = 40, m_bottomMargin = 20, m_legendWidth = 0;

    QImage m_base, m_overlay;
    bool m_baseDirty = true, m_overlayDirty = true;
    QTimer* m_rebuildTimer;

    bool m_dragging = false;
    std::pair<std::size_t, std::size_t> m_dragCell{0, 0};
    QPointF m_pressPos, m_dragPos;
};

} // namespace ps
