#pragma once
// Optimization history: each finished trial's objective value against its number, the best
// value so far as a step line (minimum or maximum, as the objective says), the shared
// selection drawn on top. Clicking a point selects its trial (Ctrl+click adds or removes);
// drag and wheel pan and zoom, a double click fits the data again, the context menu switches
// the value axis to log scale. GUI thread only; the selection is not owned.

#include "core/space/constraints.h"
#include "core/study/trial.h"
#include "core/study/trial_list.h"
#include "widgets/qcustomplot_include.h"

#include <QHash>
#include <QSet>
#include <optional>
#include <vector>

class QTimer;

namespace ps {

class TrialSelection;

class HistoryPlot : public QCustomPlot {
    Q_OBJECT

public:
    explicit HistoryPlot(TrialSelection* selection, QWidget* parent = nullptr);

    void setObjective(const QString& metric, Direction direction);
    // The study's constraint metrics: the best-so-far line counts feasible trials only.
    void setConstraints(std::vector<Constraint> constraints);
    // Takes new or changed trials (as the StudyWatcher reports them), kept shared, not copied;
    // redraws coalesced.
    void applyTrials(const TrialList& trials);
    void clear();
    // Redraws now rather than after the coalescing delay: for export and tests.
    void rebuildNow();

    // What the last redraw drew: trials shown as points, and those highlighted.
    int pointCount() const;
    QSet<qint64> highlighted() const { return m_highlighted; }
    std::optional<double> bestValue() const { return m_bestValue; }
    // A logarithmic value axis (also in the context menu); values <= 0 are then not drawn.
    void setLogScale(bool log);
    bool logScale() const { return m_logScale; }

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    struct Point {
        double x, y;
        qint64 id;
    };
    void scheduleRebuild();
    void rebuild();
    std::optional<qint64> trialNear(const QPointF& pos) const;
    void updateLegend();
    void updateSelection(); // the highlighted points only

    TrialSelection* m_selection;
    QTimer* m_rebuildTimer;
    QHash<qint64, TrialPtr> m_trials;
    QString m_metric;
    Direction m_direction = Direction::Minimize;
    std::vector<Constraint> m_constraints;
    QCPGraph* m_complete;
    QCPGraph* m_pruned;
    QCPGraph* m_best;
    QCPGraph* m_selected;
    std::vector<Point> m_points; // every drawn trial, for clicks and tool tips
    QSet<qint64> m_highlighted;
    std::optional<double> m_bestValue;
    QPoint m_pressPos;
    bool m_logScale = false;
    bool m_autoRange = true; // false once the user pans or zooms, until a double click
};

} // namespace ps
