#include "widgets/trial_selection.h"

namespace ps {

void TrialSelection::setSelected(const QSet<qint64>& trialIds) {
    if (trialIds == m_selected)
        return;
    m_selected = trialIds;
    Q_EMIT selectionChanged(m_selected);
}

void TrialSelection::toggle(qint64 trialId) {
    QSet<qint64> next = m_selected;
    if (!next.remove(trialId))
        next.insert(trialId);
    setSelected(next);
}

} // namespace ps
