#pragma once
// The trials of one study as a table: #, state, objective value, one column per parameter,
// duration, worker, fail reason. Fed incrementally with what the StudyWatcher reports: new
// trials become inserted rows and changed ones dataChanged, never a reset, so views keep their
// scroll position, sorting and selection while a study runs. GUI thread only.

#include "core/space/constraints.h"
#include "core/study/trial.h"
#include "core/study/trial_list.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>
#include <optional>
#include <vector>

namespace ps {

class TrialTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    // Numbers as numbers (for QSortFilterProxyModel::setSortRole), missing values invalid so
    // that they sort last.
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int TrialIdRole = Qt::UserRole + 2; // qint64
    // The fixed columns in front; the parameter columns follow, then the trailing ones.
    enum Column { NumberColumn = 0, StateColumn, ValueColumn, FirstParamColumn };

    explicit TrialTableModel(QObject* parent = nullptr);

    // The objective names the value column and decides which trial is best (shown bold).
    void setObjective(const QString& metric, Direction direction);
    Direction direction() const { return m_direction; }
    // The study's constraint metrics: an infeasible trial is never the best.
    void setConstraints(std::vector<Constraint> constraints);
    QString objectiveMetric() const { return m_metric; }

    // Takes trials that are new or changed. New trials are appended with one rowsInserted per
    // call; changed rows get one dataChanged per run of adjacent rows, and only when something
    // shown changed (a heartbeat alone changes nothing visible). New parameter names insert
    // columns before the trailing ones. The trials are kept shared, not copied.
    void applyTrials(const TrialList& trials);
    // Forgets every trial (a reset): for when another study is opened.
    void clear();
    // Durations of running trials grow with the clock: one dataChanged for the duration column
    // per run of adjacent running rows.
    void refreshRunning();

    const Trial* trialAt(int row) const;
    // Every trial, in row order, shared: for handing them all on without copying them.
    TrialList trials() const { return TrialList(m_trials); }
    int rowOf(qint64 trialId) const; // -1 when unknown
    const QStringList& paramNames() const { return m_params; }
    std::optional<qint64> bestTrialId() const { return m_best; }
    int durationColumn() const { return FirstParamColumn + int(m_params.size()); }
    int workerColumn() const { return durationColumn() + 1; }
    int failReasonColumn() const { return durationColumn() + 2; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Seconds a trial has run (until now when it still runs); nothing before it started.
    static std::optional<double> durationOf(const Trial& trial, double now);
    static QString formatDuration(double seconds);
    static QString stateText(TrialState state); // "COMPLETE", as storage spells it

private:
    QVariant displayData(const Trial& trial, int column) const;
    QVariant sortData(const Trial& trial, int column) const;
    std::optional<qint64> findBest() const;
    void emitRowRuns(std::vector<int> rows, int firstColumn, int lastColumn);

    std::vector<TrialPtr> m_trials; // in the order they arrived; shared with the other views
    QHash<qint64, int> m_rowOf;
    QStringList m_params;
    QString m_metric;
    Direction m_direction = Direction::Minimize;
    std::vector<Constraint> m_constraints;
    std::optional<qint64> m_best;
};

} // namespace ps
