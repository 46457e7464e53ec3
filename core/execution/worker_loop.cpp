#include "core/execution/worker_loop.h"

#include "core/scheduling/scheduler.h"
#include "core/space/study_file.h"
#include "core/storage/storage.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <signal.h>
#include <thread>
#include <unistd.h>

namespace ps {

std::string processName() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(getpid());
}

bool isDeadLocalProcess(const std::string& name) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    const std::string prefix = std::string(host) + ":";
    if (name.rfind(prefix, 0) != 0)
        return false;
    const std::string rest = name.substr(prefix.size());
    const pid_t pid = static_cast<pid_t>(std::atol(rest.c_str()));
    if (pid <= 0)
        return false;
    if (rest.find(':') != std::string::npos)
        return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH; // a thread worker
    return kill(pid, 0) != 0 && errno == ESRCH;
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Collects a trial's metrics and writes them in batches; polls the study's control now and
// then so a Stop from the GUI reaches a running task.
class BatchingFeedback final : public TaskFeedback {
public:
    BatchingFeedback(Storage& storage, const Trial& trial, const WorkerOptions& options,
                     const std::atomic<bool>& stop, Scheduler* scheduler,
                     const std::string& objective)
        : m_storage(storage), m_trial(trial), m_options(options), m_stop(stop),
          m_scheduler(scheduler), m_objective(objective) {}

    bool isCanceled() const override {
        if (m_stop.load() || m_canceled || m_pruneReason)
            return true;
        if (secondsSince(m_lastControlCheck) > 0.5) {
            m_lastControlCheck = Clock::now();
            auto study = m_storage.study(m_trial.studyId);
            m_canceled = !study || study->control == StudyControl::Stop;
        }
        return m_canceled;
    }

    void report(std::int64_t step, const std::map<std::string, double>& metrics) override {
        for (const auto& [name, value] : metrics) {
            MetricPoint p;
            p.step = step;
            p.name = name;
            p.value = value;
            m_pending.push_back(std::move(p));
        }
        if (secondsSince(m_lastFlush) >= m_options.flushSeconds || m_pending.size() > 1000)
            flush();
        auto it = metrics.find(m_objective);
        if (it == metrics.end())
            return;
        m_lastObjective = it->second;
        if (m_scheduler && !m_pruneReason && m_scheduler->judgesAt(m_trial, step)) {
            flush(); // others judged at this step must see this value
            const auto peers =
                peersOf(m_storage.stepValues(m_trial.studyId, m_objective, step), m_trial.number);
            m_pruneReason = m_scheduler->judge(m_trial, step, it->second, peers);
            if (m_pruneReason)
                *m_pruneReason = "pruned at step " + std::to_string(step) + ": " + *m_pruneReason;
        }
    }

    const std::optional<std::string>& pruneReason() const { return m_pruneReason; }
    std::optional<double> lastObjective() const { return m_lastObjective; }

    // A task's log lines go to task.log in its trial folder, recorded as the trial's log
    // unless the task keeps a log file of its own (an external command's standard error).
    void log(const std::string& line) override {
        if (m_trialDir.empty())
            return;
        const std::filesystem::path path = m_trialDir / "task.log";
        std::error_code ec;
        std::filesystem::create_directories(m_trialDir, ec);
        std::ofstream out(path, std::ios::app);
        if (!out)
            return; // the log is a convenience; a full disk must not fail the trial
        out << line << '\n';
        if (!m_logRecorded && !m_taskKeepsLog) {
            m_storage.updateTrialSystem(m_trial.id, {{"log", path.string()}});
            m_logRecorded = true;
        }
    }
    void setTrialDir(std::filesystem::path dir) { m_trialDir = std::move(dir); }

    void checkpointSaved(std::int64_t step) override {
        m_storage.updateTrialSystem(m_trial.id,
                                    {{"checkpoint", {{"step", step}, {"path", m_checkpointPath}}}});
    }
    void setCheckpointPath(std::string path) { m_checkpointPath = std::move(path); }

    void logFileCreated(const std::string& path) override {
        m_taskKeepsLog = true;
        m_storage.updateTrialSystem(m_trial.id, {{"log", path}});
    }

    void artifactSaved(const std::string& name, const std::string& kind, std::int64_t step,
                       const std::string& path) override {
        m_storage.updateTrialSystem(
            m_trial.id,
            {{"artifacts", {{name, {{"kind", kind}, {"step", step}, {"path", path}}}}}});
    }

    void flush() {
        m_storage.appendMetrics(m_trial.id, m_trial.attempts, m_pending);
        m_pending.clear();
        m_lastFlush = Clock::now();
    }

private:
    Storage& m_storage;
    const Trial& m_trial;
    const WorkerOptions& m_options;
    const std::atomic<bool>& m_stop;
    Scheduler* m_scheduler;
    std::string m_objective;
    std::optional<std::string> m_pruneReason;
    std::optional<double> m_lastObjective;
    std::vector<MetricPoint> m_pending;
    std::filesystem::path m_trialDir;
    bool m_logRecorded = false, m_taskKeepsLog = false;
    std::string m_checkpointPath;
    Clock::time_point m_lastFlush = Clock::now();
    mutable Clock::time_point m_lastControlCheck = Clock::now();
    mutable bool m_canceled = false;
};

// Beats for the trial in hand from its own thread and connection, so a long step without
// reports does not look like a dead worker.
class HeartbeatThread {
public:
    explicit HeartbeatThread(const WorkerOptions& options)
        : m_options(options), m_thread([this] { loop(); }) {}
    ~HeartbeatThread() {
        {
            std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    void setTrial(std::int64_t id) {
        std::lock_guard lock(m_mutex);
        m_trial = id;
    }

private:
    void loop() {
        std::unique_ptr<Storage> storage;
        std::unique_lock lock(m_mutex);
        while (!m_quit) {
            m_wake.wait_for(lock, std::chrono::duration<double>(m_options.heartbeatSeconds));
            if (m_quit || m_trial == 0)
                continue;
            const auto id = m_trial;
            lock.unlock();
            try {
                if (!storage)
                    storage = openStorage(m_options.storageUrl);
                storage->heartbeat(id);
            } catch (const std::exception&) {
                // a missed beat is harmless; the next one retries
            }
            lock.lock();
        }
    }

    const WorkerOptions& m_options;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::int64_t m_trial = 0;
    bool m_quit = false;
    std::thread m_thread;
};

} // namespace

WorkerStats runWorker(const WorkerOptions& options, const TaskCatalog& catalog,
                      const std::atomic<bool>& stop) {
    auto storage = openStorage(options.storageUrl);
    auto study = storage->study(options.studyId);
    if (!study)
        throw StorageError(options.storageUrl + ": no study with id " +
                           std::to_string(options.studyId));
    const std::string dir = std::filesystem::path(study->studyFile).parent_path().string();
    const StudyConfig config =
        parseStudyText(study->configText, study->studyFile, dir.empty() ? "." : dir, catalog,
                       /*checkData=*/false);
    std::unique_ptr<Task> task = catalog.make(config.taskKind);
    const TaskSpec* spec = catalog.spec(config.taskKind);
    if (!task)
        throw std::runtime_error("this worker cannot run tasks of kind '" + config.taskKind + "'");
    const Objective& objective = config.objective();
    std::unique_ptr<Scheduler> scheduler = makeScheduler(
        {config.scheduler.kind, config.scheduler.options, objective.direction, config.name});

    WorkerStats stats;
    HeartbeatThread heartbeat(options);
    double idleSleep = 0.001;
    const std::vector<std::string> analysisKinds =
        options.analyses ? options.analyses->runnableKinds() : std::vector<std::string>{};
    while (!stop.load()) {
        if (!analysisKinds.empty()) {
            if (auto job = storage->claimAnalysis(options.studyId, options.name, analysisKinds)) {
                runClaimedAnalysis(*storage, *job, config, *options.analyses, options.name,
                                   [&stop] { return stop.load(); });
                ++stats.analyses;
                idleSleep = 0.001;
                continue;
            }
        }
        auto current = storage->study(options.studyId);
        if (!current || (current->control == StudyControl::Stop && !options.analysesOnly))
            break;
        std::optional<Trial> trial;
        if (!options.analysesOnly)
            trial = storage->claimTrial(options.studyId, options.name);
        if (!trial) {
            if (options.exitWhenIdle)
                break;
            std::this_thread::sleep_for(std::chrono::duration<double>(idleSleep));
            idleSleep = std::min(idleSleep * 2, options.idlePollMaxSeconds);
            continue;
        }
        idleSleep = 0.001;
        heartbeat.setTrial(trial->id);

        TaskInput input;
        input.trialId = trial->id;
        input.trialNumber = trial->number;
        input.params = trial->params;
        input.settings = taskSettingsFor(config, trial->params);
        const std::filesystem::path trialDir =
            std::filesystem::path(artifactDir(options.storageUrl, options.studyId)) /
            ("trial-" + std::to_string(trial->number));
        input.trialDir = trialDir.string();
        input.baseDir = config.baseDir;
        BatchingFeedback feedback(*storage, *trial, options, stop, scheduler.get(),
                                  objective.metric);
        feedback.setTrialDir(trialDir);
        TaskResult result;
        try {
            // Checkpoints are written only where something will resume from them.
            if (spec && spec->resumable && scheduler && scheduler->deepens()) {
                std::filesystem::create_directories(trialDir);
                input.checkpointPath = (trialDir / "checkpoint.bin").string();
            }
            if (trial->resumeStep > 0) {
                const Json saved = trial->system.value("checkpoint", Json::object());
                const std::string path = saved.value("path", std::string());
                if (!spec || !spec->resumable)
                    throw std::runtime_error("tasks of kind '" + config.taskKind +
                                             "' cannot resume from a checkpoint");
                if (saved.value("step", std::int64_t{0}) != trial->resumeStep || path.empty() ||
                    !std::filesystem::exists(path))
                    throw std::runtime_error("no checkpoint of step " +
                                             std::to_string(trial->resumeStep) + " to resume from" +
                                             (path.empty() ? "" : " (" + path + ")"));
                input.resumeStep = trial->resumeStep;
                input.checkpointPath = path;
            }
            feedback.setCheckpointPath(input.checkpointPath);
            result = task->run(input, feedback);
        } catch (const std::exception& e) {
            result.end = TaskEnd::Fail;
            result.reason = std::string("task threw: ") + e.what();
        } catch (...) {
            result.end = TaskEnd::Fail;
            result.reason = "task threw an unknown exception";
        }
        feedback.flush();
        heartbeat.setTrial(0);

        // Pruned: the scheduler stopped it (the task saw a cancel) or judged its last step.
        if (feedback.pruneReason() && result.end != TaskEnd::Fail) {
            const auto value = feedback.lastObjective();
            if (storage->finishTrial(trial->id, options.name, TrialState::Pruned, result.metrics,
                                     value && std::isfinite(*value) ? value : std::nullopt,
                                     *feedback.pruneReason()))
                ++stats.finished;
            continue;
        }
        if (result.end == TaskEnd::Canceled) {
            storage->requeueTrial(trial->id, "interrupted; it runs again when the study resumes");
            ++stats.requeued;
            continue;
        }
        TrialState state = result.end == TaskEnd::Complete ? TrialState::Complete
                           : result.end == TaskEnd::Pruned ? TrialState::Pruned
                                                           : TrialState::Fail;
        std::optional<double> value;
        std::string reason = result.reason;
        auto it = result.metrics.find(objective.metric);
        if (state == TrialState::Complete) {
            if (it == result.metrics.end()) {
                state = TrialState::Fail;
                reason = "the task did not report the objective metric '" + objective.metric + "'" +
                         (result.reason.empty() ? "" : "; " + result.reason);
            } else if (!std::isfinite(it->second)) {
                state = TrialState::Fail;
                reason = "objective " + objective.metric + " is " +
                         (std::isnan(it->second) ? "nan" : "infinite");
            } else {
                value = it->second;
                reason.clear();
            }
        } else if (it != result.metrics.end() && std::isfinite(it->second)) {
            value = it->second;
        }
        if (storage->finishTrial(trial->id, options.name, state, result.metrics, value, reason))
            ++stats.finished;
    }
    return stats;
}

} // namespace ps
