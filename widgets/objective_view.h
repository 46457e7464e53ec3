#pragma once
// The objective as a whole: its empirical distribution (the fraction of complete trials at or
// below each value: Optuna's plot_edf), and, for a study of two or more objectives, the first
// two against each other with the Pareto front of the feasible trials drawn as a step line.
// Trials the shared filter hides are left out; the shared selection is ringed; a click on a
// point selects its trial. Redraws are coalesced. GUI thread only; the selection is not owned.

#include "core/space/constraints.h"
#include "core/space/study_config.h"
#include "core/study/trial_list.h"
#include "widgets/qcustomplot_include.h"

#include <QHash>
#include <QWidget>
#include <optional>
#include <vector>

class QComboBox;
class QTimer;

namespace ps {

class TrialSelection;

class ObjectiveView : public QWidget {
    Q_OBJECT

public:
    enum class Mode { Distribution, Pareto };

    explicit ObjectiveView(TrialSelection* selection, QWidget* parent = nullptr);

    void setObjectives(std::vector<Objective> objectives, std::vector<Constraint> constraints);
    void applyTrials(const TrialList& trials);
    void clear();
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }

    void rebuildNow();
    QCustomPlot* plot() const { return m_plot; }
    // What the last redraw drew: points, and the trials on the Pareto front (Pareto mode).
    int pointCount() const { return int(m_points.size()); }
    QList<qint64> frontTrials() const { return m_front; }

private:
    struct Point {
        double x, y;
        qint64 id;
    };
    void scheduleRebuild();
    void rebuild();
    bool eventFilter(QObject* watched, QEvent* event) override;

    TrialSelection* m_selection;
    QComboBox* m_modeCombo;
    QCustomPlot* m_plot;
    QTimer* m_rebuildTimer;
    QHash<qint64, TrialPtr> m_trials; // shared with the other views, not copied
    std::vector<Objective> m_objectives;
    std::vector<Constraint> m_constraints;
    Mode m_mode = Mode::Distribution;
    std::vector<Point> m_points;
    QList<qint64> m_front;
    QPoint m_pressPos;
};

} // namespace ps
