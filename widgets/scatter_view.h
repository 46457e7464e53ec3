#pragma once
// One scatter plot of the study: any parameter or objective against any other (by default the
// first parameter against the first objective: a slice plot), points coloured by the first
// objective (dark = best), log axes for log-scale parameters, categories spread a little around
// their ticks. A rubber band (left drag) selects the trials inside it, Shift adds to the
// selection, a click selects the trial under the cursor; the shared selection is drawn ringed
// on top. Wheel and right drag zoom and pan; a double click fits the data again. Draws from its
// own TrialColumns, updated in place; redraws are coalesced. GUI thread only; the selection is
// not owned.

#include "core/explore/trial_columns.h"
#include "widgets/qcustomplot_include.h"

#include <QRectF>
#include <QWidget>
#include <optional>
#include <vector>

class QComboBox;
class QTimer;

namespace ps {

class TrialSelection;

class ScatterView : public QWidget {
    Q_OBJECT

public:
    explicit ScatterView(TrialSelection* selection, QWidget* parent = nullptr);

    void setStudyLayout(const SearchSpace& space, const std::vector<Objective>& objectives);
    void applyTrials(const TrialList& trials);
    void clear();
    const TrialColumns& columns() const { return m_columns; }

    // The dimensions on the axes (TrialColumns indices).
    void setAxes(std::size_t x, std::size_t y);
    std::size_t xDimension() const { return m_x; }
    std::size_t yDimension() const { return m_y; }

    // Selects the trials whose points lie in `rect` (plot coordinates: values, category
    // indices); `add` keeps the current selection. What the rubber band does.
    void selectInRect(const QRectF& rect, bool add);
    // The plot coordinate of a row on a dimension (the value; a category's index, spread).
    double coordinate(std::size_t row, std::size_t d) const;

    void rebuildNow();
    int pointCount() const { return m_points; }
    int highlightedCount() const { return m_highlighted; }
    QCustomPlot* plot() const { return m_plot; }
    std::optional<std::size_t> rowNear(const QPointF& pixel) const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void scheduleRebuild();
    void rebuild();
    void fillCombos();
    void setupAxis(QCPAxis* axis, std::size_t d);
    bool eventFilter(QObject* watched, QEvent* event) override;

    TrialSelection* m_selection;
    TrialColumns m_columns;
    QComboBox* m_xCombo;
    QComboBox* m_yCombo;
    QCustomPlot* m_plot;
    QTimer* m_rebuildTimer;
    std::size_t m_x = 0, m_y = 0;
    bool m_autoRange = true;
    int m_points = 0, m_highlighted = 0;
    QPoint m_pressPos;
};

} // namespace ps
