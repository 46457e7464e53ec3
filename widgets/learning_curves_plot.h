#pragma once
// Learning curves: one intermediate metric (chosen in a combo box) against step, one line per
// trial labelled "#number", only the trial's current attempt. Shows the selected trials, or
// the most recent ones when nothing is selected. Clicking a line or its legend entry selects
// its trial; drag and wheel pan and zoom, a double click fits again. GUI thread only; the
// selection is not owned.

#include "core/study/trial.h"
#include "core/study/trial_list.h"

#include <QHash>
#include <QList>
#include <QWidget>
#include <map>
#include <set>
#include <string>
#include <vector>

class QCheckBox;
class QComboBox;
class QCPLayoutGrid;
class QCustomPlot;
class QLabel;
class QTimer;

namespace ps {

class TrialSelection;

class LearningCurvesPlot : public QWidget {
    Q_OBJECT

public:
    static constexpr int kDefaultMaxCurves = 30;

    explicit LearningCurvesPlot(TrialSelection* selection, QWidget* parent = nullptr);

    // The objective's metric is the one shown first, until the user picks another.
    void setObjective(const QString& metric);
    void applyTrials(const TrialList& trials);
    void addMetrics(const std::vector<MetricPoint>& points);
    void clear();
    // How many curves to draw when nothing is selected (the most recent trials win).
    void setMaxCurves(int count);
    void setMetric(const QString& name);
    QString metric() const;
    void setLogScale(bool log);
    QStringList metricNames() const;
    // Redraws now rather than after the coalescing delay: for export and tests.
    void rebuildNow();

    QCustomPlot* plot() const { return m_plot; }
    // The trials the last redraw drew, by id, in trial-number order.
    const QList<qint64>& shownTrials() const { return m_shown; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    // trial id -> attempt -> metric name -> step -> value; a step reported twice keeps the
    // later value.
    using TrialMetrics = std::map<int, std::map<std::string, std::map<std::int64_t, double>>>;

    void scheduleRebuild();
    void rebuild();
    void updateMetricCombo();
    void placeLegend(int entries);
    std::vector<qint64> trialsToShow(const std::string& metric, int& candidates);
    // The trials that have `metric` in their current attempt and are not hidden, by number:
    // cached, as a selection change (the usual reason to redraw) changes none of it.
    const std::vector<const Trial*>& trialsWithMetric(const std::string& metric);
    void forgetTrialsWithMetric() { m_withMetricValid = false; }

    TrialSelection* m_selection;
    QComboBox* m_metricCombo;
    QLabel* m_info;
    QCheckBox* m_logScale;
    QCustomPlot* m_plot;
    QCPLayoutGrid* m_legendColumn = nullptr; // holds the legend while it is beside the axes
    QTimer* m_rebuildTimer;
    QHash<qint64, TrialPtr> m_trials;
    QHash<qint64, TrialMetrics> m_metrics;
    std::set<std::string> m_names;
    QString m_objective;
    bool m_userChoseMetric = false;
    bool m_autoRange = true; // false once the user pans or zooms, until a double click
    int m_maxCurves = kDefaultMaxCurves;
    QList<qint64> m_shown;
    std::vector<const Trial*> m_withMetric; // trialsWithMetric's cache, for m_withMetricName
    std::string m_withMetricName;
    bool m_withMetricValid = false;
};

} // namespace ps
