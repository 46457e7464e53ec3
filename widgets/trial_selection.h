#pragma once
// What links the views (DESIGN.md, data flow 5): the one selection of trials that every view
// shows and changes (brushing in one view highlights in all), and the one filter every view
// applies (trials it rejects are hidden everywhere). GUI thread only; views hold a pointer to
// it and do not own it.

#include "core/explore/trial_filter.h"
#include "core/study/trial_list.h"

#include <QObject>
#include <QSet>
#include <vector>

namespace ps {

class TrialSelection : public QObject {
    Q_OBJECT

public:
    explicit TrialSelection(QObject* parent = nullptr) : QObject(parent) {}

    const QSet<qint64>& selected() const { return m_selected; }
    bool isSelected(qint64 trialId) const { return m_selected.contains(trialId); }
    bool isEmpty() const { return m_selected.isEmpty(); }

    // The filter and the trials it hides.
    const TrialFilter& filter() const { return m_filter; }
    bool isHidden(qint64 trialId) const { return m_hidden.contains(trialId); }
    const QSet<qint64>& hidden() const { return m_hidden; }
    // Sets the filter and hides those of `trials` (every trial the views know) it rejects;
    // emits filterChanged.
    void setFilter(const TrialFilter& filter, const TrialList& trials);
    // Judges new or changed trials by the current filter; emits filterChanged when one of
    // them was hidden or shown by it.
    void judge(const TrialList& trials);

public Q_SLOTS:
    // Replaces the selection; emits selectionChanged only when it differs, so views that
    // answer a change by setting the selection again do not loop.
    void setSelected(const QSet<qint64>& trialIds);
    void toggle(qint64 trialId);
    void clear() { setSelected({}); }

Q_SIGNALS:
    void selectionChanged(const QSet<qint64>& selected);
    void filterChanged();

private:
    QSet<qint64> m_selected;
    TrialFilter m_filter;
    QSet<qint64> m_hidden;
};

} // namespace ps
