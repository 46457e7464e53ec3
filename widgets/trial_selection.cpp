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

void TrialSelection::setFilter(const TrialFilter& filter, const TrialList& trials) {
    m_filter = filter;
    m_hidden.clear();
    if (!m_filter.empty())
        for (const Trial& t : trials)
            if (!m_filter.matches(t))
                m_hidden.insert(t.id);
    Q_EMIT filterChanged();
}

void TrialSelection::judge(const TrialList& trials) {
    if (m_filter.empty())
        return;
    bool changed = false;
    for (const Trial& t : trials) {
        const bool hide = !m_filter.matches(t);
        changed = changed || hide != m_hidden.contains(t.id);
        if (hide)
            m_hidden.insert(t.id);
        else
            m_hidden.remove(t.id);
    }
    if (changed)
        Q_EMIT filterChanged();
}

} // namespace ps
