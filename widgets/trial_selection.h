#pragma once
// The one selection of trials that every view shows and changes: brushing in one view
// highlights in all (DESIGN.md, data flow 5). GUI thread only; views hold a pointer to it and
// do not own it.

#include <QObject>
#include <QSet>

namespace ps {

class TrialSelection : public QObject {
    Q_OBJECT

public:
    explicit TrialSelection(QObject* parent = nullptr) : QObject(parent) {}

    const QSet<qint64>& selected() const { return m_selected; }
    bool isSelected(qint64 trialId) const { return m_selected.contains(trialId); }
    bool isEmpty() const { return m_selected.isEmpty(); }

public Q_SLOTS:
    // Replaces the selection; emits selectionChanged only when it differs, so views that
    // answer a change by setting the selection again do not loop.
    void setSelected(const QSet<qint64>& trialIds);
    void toggle(qint64 trialId);
    void clear() { setSelected({}); }

Q_SIGNALS:
    void selectionChanged(const QSet<qint64>& selected);

private:
    QSet<qint64> m_selected;
};

} // namespace ps
