#pragma once
// One trial in full: its number, state, times and worker, every parameter and final metric,
// its scheduler group and checkpoint, why it failed or was pruned, and the end of its log
// (the task's log file, read when the trial is shown). Shows the trial when exactly one is
// selected; with several, the newest of them; the text can be selected and copied. GUI thread
// only; the selection is not owned.

#include "core/study/trial.h"
#include "core/study/trial_list.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTextBrowser;

namespace ps {

class TrialSelection;

class TrialDetails : public QWidget {
    Q_OBJECT

public:
    explicit TrialDetails(TrialSelection* selection, QWidget* parent = nullptr);

    void applyTrials(const TrialList& trials);
    void clear();
    // The trial shown; 0 when none.
    qint64 shownTrial() const { return m_shown; }
    QString detailsText() const; // what the upper panel shows, as plain text
    QString logText() const;

private:
    void showSelected();
    void show(const Trial& trial);

    TrialSelection* m_selection;
    QHash<qint64, TrialPtr> m_trials; // shared with the other views, not copied
    qint64 m_shown = 0;
    QTextBrowser* m_details;
    QLabel* m_logLabel;
    QPlainTextEdit* m_log;
};

} // namespace ps
