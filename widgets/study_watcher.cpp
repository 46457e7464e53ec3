#include "widgets/study_watcher.h"

#include "core/execution/study_control.h"

#include <QThread>
#include <QTimer>
#include <algorithm>
#include <filesystem>
#include <limits>

namespace ps {

void registerWidgetMetaTypes() {
    qRegisterMetaType<ps::StudyRecord>("ps::StudyRecord");
    qRegisterMetaType<ps::TrialList>("ps::TrialList");
    qRegisterMetaType<ps::MetricList>("ps::MetricList");
    qRegisterMetaType<ps::TrialCounts>("ps::TrialCounts");
    qRegisterMetaType<ps::AnalysisList>("ps::AnalysisList");
}

namespace detail {

namespace {

bool sameStudy(const StudyRecord& a, const StudyRecord& b) {
    return a.id == b.id && a.name == b.name && a.studyFile == b.studyFile &&
           a.configText == b.configText && a.objectiveMetric == b.objectiveMetric &&
           a.direction == b.direction && a.plannedTrials == b.plannedTrials &&
           a.control == b.control && a.orchestrator == b.orchestrator &&
           a.orchestratorHeartbeat == b.orchestratorHeartbeat && a.createdAt == b.createdAt;
}

bool sameCounts(const TrialCounts& a, const TrialCounts& b) {
    return a.waiting == b.waiting && a.running == b.running && a.complete == b.complete &&
           a.pruned == b.pruned && a.fail == b.fail;
}

} // namespace

// Lives on the watcher thread and owns the Storage there: a Storage is one connection and
// belongs to one thread (storage.h).
class StudyPoller : public QObject {
    Q_OBJECT

public:
    StudyPoller(std::string url, std::string studyName, int intervalMs)
        : m_url(std::move(url)), m_studyName(std::move(studyName)), m_timer(this) {
        m_timer.setInterval(intervalMs);
        connect(&m_timer, &QTimer::timeout, this, &StudyPoller::poll);
    }

public Q_SLOTS:
    void begin() {
        poll();
        m_timer.start();
    }

    // A poll that reads the analyses too, whatever the count (one was just asked for).
    void pollWithAnalyses() {
        m_polls = 0;
        poll();
    }

    void poll() {
        try {
            if (!openIfThere())
                return;
            readStudies();
            if (m_studyId == 0)
                return;
            readStudy();
            readTrialsAndMetrics();
            readAnalyses();
            setProblem({});
        } catch (const std::exception& e) {
            // Keep the connection: SQLite errors here are mostly "busy" and pass; the next
            // tick tries again from the same revision, so nothing is lost.
            setProblem(QString::fromStdString(e.what()));
        }
    }

    void requestStop() {
        try {
            if (!m_storage || m_studyId == 0) {
                setProblem(tr("cannot stop: the study is not in its storage yet"));
                return;
            }
            m_storage->setControl(m_studyId, StudyControl::Stop);
            poll();
        } catch (const std::exception& e) {
            setProblem(tr("stop failed: %1").arg(QString::fromStdString(e.what())));
        }
    }

    void requestControl(ps::StudyControl wanted) {
        const QString what = wanted == StudyControl::Pause ? tr("pause") : tr("resume");
        try {
            if (!m_storage || m_studyId == 0) {
                Q_EMIT requestRefused(
                    tr("cannot %1: the study is not in its storage yet").arg(what));
                return;
            }
            ps::requestControl(*m_storage, m_studyId, wanted);
            poll();
        } catch (const std::exception& e) {
            Q_EMIT requestRefused(tr("cannot %1: %2").arg(what, QString::fromStdString(e.what())));
        }
    }

    void requestRetry(qint64 trialNumber) {
        try {
            if (!m_storage || m_studyId == 0) {
                Q_EMIT requestRefused(
                    tr("cannot retry trial %1: the study is not in its storage yet")
                        .arg(trialNumber));
                return;
            }
            if (trialNumber < 0 || trialNumber > std::numeric_limits<int>::max()) {
                Q_EMIT requestRefused(
                    tr("cannot retry trial %1: there is no such trial").arg(trialNumber));
                return;
            }
            m_storage->enqueueRetry(m_studyId, static_cast<int>(trialNumber));
            poll();
        } catch (const std::exception& e) {
            // The storage's message names the trial and why.
            Q_EMIT requestRefused(QString::fromStdString(e.what()));
        }
    }

Q_SIGNALS:
    void studiesListed(QStringList names);
    void studyChanged(ps::StudyRecord study);
    void trialsChanged(ps::TrialList trials);
    void metricsAdded(ps::MetricList points);
    void countsChanged(ps::TrialCounts counts);
    void analysesChanged(ps::AnalysisList analyses);
    void problemChanged(QString message);
    void requestRefused(QString message);

private:
    static constexpr int kAnalysisEvery = 8; // 2 s at the default 250 ms
    // Opening an SQLite store creates the file; a viewer must not leave empty databases
    // behind for studies that never ran, so it waits until the file is there.
    bool openIfThere() {
        if (m_storage)
            return true;
        const std::string resolved = resolveStorageUrl(m_url, ".");
        const std::string path = resolved.substr(std::string("sqlite:").size());
        if (!std::filesystem::exists(path)) {
            setProblem(
                tr("waiting for %1 (the study has not run yet)").arg(QString::fromStdString(path)));
            return false;
        }
        m_storage = openStorage(resolved);
        return true;
    }

    void readStudies() {
        const auto all = m_storage->studies();
        QStringList names;
        for (const auto& s : all)
            names << QString::fromStdString(s.name);
        if (names != m_names) {
            m_names = names;
            Q_EMIT studiesListed(names);
        }
        if (m_studyId != 0)
            return;
        for (const auto& s : all) {
            if (m_studyName.empty() || s.name == m_studyName) {
                m_studyId = s.id;
                return;
            }
        }
        setProblem(m_studyName.empty() ? tr("the storage holds no study yet")
                                       : tr("waiting for study '%1' (it has not run yet)")
                                             .arg(QString::fromStdString(m_studyName)));
    }

    void readStudy() {
        const auto record = m_storage->study(m_studyId);
        if (!record)
            throw StorageError("study " + std::to_string(m_studyId) + " is gone from storage");
        if (!m_study || !sameStudy(*m_study, *record)) {
            m_study = record;
            Q_EMIT studyChanged(*record);
        }
    }

    void readTrialsAndMetrics() {
        // Trials first: a view that draws a metric needs the trial's attempt, and a metric
        // whose trial arrives only next tick is simply kept until then.
        auto changed = m_storage->trials(m_studyId, m_rev);
        if (!changed.empty()) {
            std::sort(changed.begin(), changed.end(),
                      [](const Trial& a, const Trial& b) { return a.rev < b.rev; });
            m_rev = changed.back().rev;
            const TrialCounts counts = m_storage->counts(m_studyId);
            // Moved into shared trials here: a queued signal copies its argument, and a copy
            // of 100,000 trials took seconds; a TrialList copies one pointer.
            std::vector<TrialPtr> shared;
            shared.reserve(changed.size());
            for (auto& t : changed)
                shared.push_back(std::make_shared<const Trial>(std::move(t)));
            Q_EMIT trialsChanged(TrialList(std::move(shared)));
            if (!m_countsSent || !sameCounts(counts, m_counts)) {
                m_counts = counts;
                m_countsSent = true;
                Q_EMIT countsChanged(counts);
            }
        }
        auto points = m_storage->metrics(m_studyId, m_seq);
        if (!points.empty()) {
            for (const auto& p : points)
                m_seq = std::max(m_seq, p.seq);
            Q_EMIT metricsAdded(points);
        }
    }

    // Stored analyses carry their whole results (grids, curves), so they are read every
    // kAnalysisEvery-th poll and sent only when one was added or changed state.
    void readAnalyses() {
        if (m_polls++ % kAnalysisEvery != 0)
            return;
        auto all = m_storage->analyses(m_studyId);
        std::string key;
        for (const auto& a : all)
            key += std::to_string(a.id) + ":" + std::to_string(int(a.state)) + ":" +
                   std::to_string(a.finishedAt) + ";";
        if (key != m_analysesKey) {
            m_analysesKey = std::move(key);
            Q_EMIT analysesChanged(all);
        }
    }

    void setProblem(const QString& message) {
        if (message != m_problem) {
            m_problem = message;
            Q_EMIT problemChanged(message);
        }
    }

    std::string m_url, m_studyName;
    QTimer m_timer;
    std::unique_ptr<Storage> m_storage;
    std::int64_t m_studyId = 0, m_rev = 0, m_seq = 0;
    std::optional<StudyRecord> m_study;
    TrialCounts m_counts;
    bool m_countsSent = false;
    QStringList m_names;
    QString m_problem;
    int m_polls = 0;
    std::string m_analysesKey;
};

} // namespace detail

StudyWatcher::StudyWatcher(QString storageUrl, QString studyName, QString baseDir, QObject* parent)
    : QObject(parent), m_studyName(std::move(studyName)) {
    registerWidgetMetaTypes();
    // Resolve here, where the base folder is known, so the poller needs no notion of one;
    // resolveStorageUrl only builds a path and does not touch the store.
    m_storageUrl =
        QString::fromStdString(resolveStorageUrl(storageUrl.toStdString(), baseDir.toStdString()));
}

StudyWatcher::~StudyWatcher() {
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

void StudyWatcher::start(int intervalMs) {
    if (m_thread)
        return;
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("StudyWatcher"));
    m_poller =
        new detail::StudyPoller(m_storageUrl.toStdString(), m_studyName.toStdString(), intervalMs);
    m_poller->moveToThread(m_thread.get());
    // The storage connection is closed where it was opened: deleteLater runs on the thread's
    // way out.
    connect(m_thread.get(), &QThread::finished, m_poller, &QObject::deleteLater);
    connect(m_thread.get(), &QThread::started, m_poller, &detail::StudyPoller::begin);
    connect(m_poller, &detail::StudyPoller::studiesListed, this, &StudyWatcher::studiesListed);
    connect(m_poller, &detail::StudyPoller::studyChanged, this, &StudyWatcher::studyChanged);
    connect(m_poller, &detail::StudyPoller::trialsChanged, this, &StudyWatcher::trialsChanged);
    connect(m_poller, &detail::StudyPoller::metricsAdded, this, &StudyWatcher::metricsAdded);
    connect(m_poller, &detail::StudyPoller::countsChanged, this, &StudyWatcher::countsChanged);
    connect(m_poller, &detail::StudyPoller::analysesChanged, this, &StudyWatcher::analysesChanged);
    connect(m_poller, &detail::StudyPoller::problemChanged, this, &StudyWatcher::problemChanged);
    connect(m_poller, &detail::StudyPoller::requestRefused, this, &StudyWatcher::requestRefused);
    m_thread->start();
}

void StudyWatcher::requestStop() {
    if (m_poller)
        QMetaObject::invokeMethod(m_poller, &detail::StudyPoller::requestStop,
                                  Qt::QueuedConnection);
}

void StudyWatcher::requestPause() {
    if (m_poller)
        QMetaObject::invokeMethod(
            m_poller, [p = m_poller] { p->requestControl(StudyControl::Pause); },
            Qt::QueuedConnection);
}

void StudyWatcher::requestResume() {
    if (m_poller)
        QMetaObject::invokeMethod(
            m_poller, [p = m_poller] { p->requestControl(StudyControl::Run); },
            Qt::QueuedConnection);
}

void StudyWatcher::requestRetry(qint64 trialNumber) {
    if (m_poller)
        QMetaObject::invokeMethod(
            m_poller, [p = m_poller, trialNumber] { p->requestRetry(trialNumber); },
            Qt::QueuedConnection);
}

void StudyWatcher::pollNow() {
    if (m_poller)
        QMetaObject::invokeMethod(m_poller, &detail::StudyPoller::poll, Qt::QueuedConnection);
}

void StudyWatcher::pollAnalysesNow() {
    if (m_poller)
        QMetaObject::invokeMethod(m_poller, &detail::StudyPoller::pollWithAnalyses,
                                  Qt::QueuedConnection);
}

} // namespace ps

#include "study_watcher.moc"
