#pragma once
// Watches one study in its storage and turns what changed into Qt signals (DESIGN.md, data
// flow 5). The storage is opened and read on a thread of the watcher's own, never on the GUI
// thread; the signals carry copies and arrive queued on the thread that created the watcher
// (trials as a TrialList: the trials themselves are shared, never copied on the way).
// Create, start and destroy it on the GUI thread.

#include "core/storage/storage.h"
#include "core/study/trial_list.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

class QThread;

namespace ps {

using MetricList = std::vector<MetricPoint>;
using AnalysisList = std::vector<AnalysisRecord>;

// Registers the value types the widgets pass through queued signals. Idempotent; the watcher
// calls it, and so may anyone who queues these types elsewhere.
void registerWidgetMetaTypes();

namespace detail {
class StudyPoller;
}

class StudyWatcher : public QObject {
    Q_OBJECT

public:
    // `storageUrl` as a study file or the CLI names it (resolved against `baseDir`);
    // `studyName` empty: the first study in the store.
    StudyWatcher(QString storageUrl, QString studyName, QString baseDir = QStringLiteral("."),
                 QObject* parent = nullptr);
    // Stops polling and waits for a poll in flight to end.
    ~StudyWatcher() override;

    // Starts the thread and the polling; the first poll runs at once.
    void start(int intervalMs = 250);
    QString storageUrl() const { return m_storageUrl; }
    QString studyName() const { return m_studyName; }

public Q_SLOTS:
    // Asks the study's orchestrator to stop (StudyControl::Stop), from the watcher thread.
    void requestStop();
    // Pause (no new trial starts, running ones finish) and resume a running study, from the
    // watcher thread; a request the study's state refuses (not running, paused already, not
    // paused) comes back as requestRefused.
    void requestPause();
    void requestResume();
    // Runs FAIL trial `trialNumber` again as a new trial with the same parameters
    // (Storage::enqueueRetry), from the watcher thread; any other trial, or one whose retry is
    // waiting or running already, comes back as requestRefused.
    void requestRetry(qint64 trialNumber);
    // Polls now rather than at the next tick; for after a change this process made.
    void pollNow();
    // The same, reading the stored analyses too (they are otherwise read every few polls).
    void pollAnalysesNow();

Q_SIGNALS:
    // The names of every study in the store, when they change.
    void studiesListed(QStringList names);
    // The study record, the first time and whenever it changes (control, orchestrator beat).
    void studyChanged(ps::StudyRecord study);
    // Trials created or changed since the last emission, in storage-revision order, each
    // shared by every receiver that keeps it.
    void trialsChanged(ps::TrialList trials);
    // Intermediate metrics appended since the last emission, in storage order.
    void metricsAdded(ps::MetricList points);
    void countsChanged(ps::TrialCounts counts);
    // The study's stored analyses (oldest first), when one was added or changed state; read
    // every 8th poll, as results can be large.
    void analysesChanged(ps::AnalysisList analyses);
    // What keeps the watcher from reading (no database yet, no such study, a storage error);
    // an empty message once it reads again.
    void problemChanged(QString message);
    // Why a pause, resume or retry was not done, naming the study or the trial. Apart from
    // problemChanged, which the next good poll clears, so a refusal would vanish at once.
    void requestRefused(QString message);

private:
    QString m_storageUrl, m_studyName;
    std::unique_ptr<QThread> m_thread;
    detail::StudyPoller* m_poller = nullptr; // lives in m_thread; deleted there when it ends
};

} // namespace ps

Q_DECLARE_METATYPE(ps::StudyRecord)
Q_DECLARE_METATYPE(ps::TrialList)
Q_DECLARE_METATYPE(ps::MetricList)
Q_DECLARE_METATYPE(ps::TrialCounts)
Q_DECLARE_METATYPE(ps::AnalysisList)
