#include "core/execution/orchestrator.h"

#include "core/execution/deepening.h"
#include "core/execution/study_control.h"
#include "core/execution/worker_loop.h"
#include "core/sampling/sample_allowed.h"

#include <chrono>
#include <cmath>
#include <thread>

namespace ps {

std::string_view toText(RunEnd end) {
    switch (end) {
    case RunEnd::Finished:
        return "finished";
    case RunEnd::Interrupted:
        return "interrupted";
    case RunEnd::Stopped:
        return "stopped";
    case RunEnd::TimedOut:
        return "timed out";
    }
    return "?";
}

namespace {

// The study file's retry policy overrides the defaults.
OrchestratorOptions withStudySettings(OrchestratorOptions options, const StudyConfig& config) {
    options.maxAttempts = config.maxAttempts;
    options.staleHeartbeatSeconds = config.heartbeatTimeoutSeconds;
    return options;
}

} // namespace

Orchestrator::Orchestrator(StudyConfig config, Storage& storage, ExecutorFactory makeExecutor,
                           OrchestratorOptions options)
    : m_config(std::move(config)), m_storage(storage), m_makeExecutor(std::move(makeExecutor)),
      m_options(withStudySettings(options, m_config)), m_sampler(makeSampler(m_config.sampler)),
      m_fallback(m_config.sampler.seed),
      m_scheduler(makeScheduler({m_config.scheduler.kind, m_config.scheduler.options,
                                 m_config.objective().direction, m_config.name})) {}

std::int64_t Orchestrator::ensureStudy(Storage& storage, const StudyConfig& config) {
    StudyRecord record;
    record.name = config.name;
    record.studyFile = config.file;
    record.configText = config.text;
    record.objectiveMetric = config.objective().metric;
    record.direction = config.objective().direction;
    record.plannedTrials = config.budget.trials;
    if (auto existing = storage.findStudy(config.name)) {
        // The stored values were measured against the stored objective; silently switching
        // it would make them mean something else.
        if (existing->objectiveMetric != record.objectiveMetric ||
            existing->direction != record.direction)
            throw std::runtime_error(
                "study '" + config.name + "' in " + storage.url() + " was run to " +
                std::string(toText(existing->direction)) + " " + existing->objectiveMetric +
                "; the study file now says " + std::string(toText(record.direction)) + " " +
                record.objectiveMetric + ": give the study a new name to start afresh");
        record.id = existing->id;
        storage.updateStudy(record);
        return existing->id;
    }
    return storage.createStudy(record);
}

void Orchestrator::refreshTrials() {
    for (auto& t : m_storage.trials(m_studyId, m_rev)) {
        m_rev = std::max(m_rev, t.rev);
        if (static_cast<std::size_t>(t.number) >= m_trials.size())
            m_trials.resize(static_cast<std::size_t>(t.number) + 1);
        m_trials[static_cast<std::size_t>(t.number)] = std::move(t);
    }
}

void Orchestrator::handBack(const Trial& trial, const std::string& why) {
    if (trial.attempts >= m_options.maxAttempts) {
        // finishTrial checks the worker, so a worker that comes back cannot overwrite this.
        m_storage.finishTrial(trial.id, trial.worker, TrialState::Fail, {}, std::nullopt,
                              why + " on each of " + std::to_string(trial.attempts) + " attempts");
    } else {
        m_storage.requeueTrial(trial.id, why + "; running it again");
    }
}

void Orchestrator::recoverOrphans(const std::vector<std::string>& deadWorkers, bool checkStale) {
    const double now = nowSeconds();
    for (const auto& t : m_trials) {
        if (t.state != TrialState::Running)
            continue;
        const bool dead =
            std::find(deadWorkers.begin(), deadWorkers.end(), t.worker) != deadWorkers.end() ||
            isDeadLocalProcess(t.worker);
        if (dead)
            handBack(t, "worker " + t.worker + " died");
        else if (checkStale && now - t.heartbeatAt > m_options.staleHeartbeatSeconds)
            handBack(t, "worker " + t.worker + " sent no heartbeat for " +
                            std::to_string(static_cast<int>(now - t.heartbeatAt)) + " s");
    }
}

RunProgress Orchestrator::progress(double elapsed, bool paused) const {
    RunProgress p;
    p.planned = m_config.budget.trials;
    p.paused = paused;
    p.elapsedSeconds = elapsed;
    for (const auto& t : m_trials) {
        if (t.retryOf)
            ++p.planned;
        switch (t.state) {
        case TrialState::Waiting:
            ++p.counts.waiting;
            break;
        case TrialState::Running:
            ++p.counts.running;
            break;
        case TrialState::Complete:
            ++p.counts.complete;
            break;
        case TrialState::Pruned:
            ++p.counts.pruned;
            break;
        case TrialState::Fail:
            ++p.counts.fail;
            break;
        }
    }
    // The best feasible trial, as everywhere (constraints.h).
    if (const Trial* best =
            bestTrial(m_trials, m_config.objective().direction, m_config.constraints)) {
        p.best = best->value;
        p.bestNumber = best->number;
    }
    return p;
}

namespace {

bool hasNonFinite(const Json& params) {
    for (const auto& [name, v] : params.items()) {
        if (v.is_number_float() && !std::isfinite(v.get<double>()))
            return true;
    }
    return false;
}

} // namespace

Json Orchestrator::suggest(int number) {
    std::string problem;
    // Under Hyperband a sampler models only the trials of the new trial's bracket.
    const std::vector<Trial> history = samplerHistory(m_scheduler.get(), m_trials, number);
    try {
        // Forbidden combinations are enforced there, for every sampler.
        std::string note;
        Json params = sampleAllowed(*m_sampler, m_config.space, history, number,
                                    m_config.sampler.seed, &note);
        if (!note.empty())
            m_storage.appendLog(m_studyId, "info",
                                "sampler '" + m_config.sampler.kind + "', trial " +
                                    std::to_string(number) + ": " + note);
        if (!hasNonFinite(params))
            return params;
        problem = "proposed a non-finite value (" + params.dump() + ")";
    } catch (const std::exception& e) {
        problem = std::string("failed: ") + e.what();
    }
    // One bad suggestion must not stop the study: this trial gets a random configuration.
    m_storage.appendLog(m_studyId, "warning",
                        "sampler '" + m_config.sampler.kind + "' " + problem + "; trial " +
                            std::to_string(number) + " was sampled at random instead");
    return sampleAllowed(m_fallback, m_config.space, history, number, m_config.sampler.seed);
}

std::optional<StudyControl> Orchestrator::readControl() {
    const auto rec = m_storage.study(m_studyId);
    return rec ? std::optional(rec->control) : std::nullopt;
}

namespace {

// Where the budget stands: retries are extra trials a person asked for, so they neither use
// up the budget nor let the study end while one of them is still to run.
struct BudgetCounts {
    int planned = 0, plannedFinished = 0, openRetries = 0;
    int outstanding = 0; // WAITING or RUNNING, retries included
};

BudgetCounts budgetCounts(const std::vector<Trial>& trials) {
    BudgetCounts b;
    for (const auto& t : trials) {
        b.outstanding += isFinished(t.state) ? 0 : 1;
        if (t.retryOf) {
            b.openRetries += isFinished(t.state) ? 0 : 1;
        } else {
            ++b.planned;
            b.plannedFinished += isFinished(t.state) ? 1 : 0;
        }
    }
    return b;
}

} // namespace

RunEnd Orchestrator::run(const std::atomic<bool>& interrupt, const ProgressCallback& onProgress) {
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };

    m_studyId = ensureStudy(m_storage, m_config);
    if (auto rec = m_storage.study(m_studyId);
        rec && rec->orchestrator != processName() && orchestratorAlive(*rec))
        throw std::runtime_error("study '" + m_config.name + "' is being run by " +
                                 rec->orchestrator + " already");
    m_storage.setControl(m_studyId, StudyControl::Run);
    m_storage.setOrchestrator(m_studyId, processName());
    refreshTrials();
    // Trials left RUNNING by an earlier run that was killed.
    recoverOrphans({}, /*checkStale=*/true);
    refreshTrials();
    // A study resumed with a larger maximum carries its finished trials on (deepening.h).
    if (m_scheduler && m_scheduler->deepens()) {
        deepenStudy(*m_scheduler, m_storage, m_studyId, m_trials, m_config.objective().metric);
        refreshTrials();
    }

    auto executor = m_makeExecutor(m_studyId);
    const int outstanding = 2 * std::max(1, m_config.budget.parallel);
    executor->start(std::min(m_config.workers, m_config.budget.parallel));

    RunEnd end = RunEnd::Finished;
    auto lastBeat = Clock::now() - std::chrono::hours(1);
    auto lastProgress = lastBeat, lastStaleCheck = Clock::now();
    double idle = 0.001;
    // The budget's timeout counts only time the study was not paused: it bounds the time
    // spent exploring, and a person who pauses a study (to free the machine, say) should
    // not find it timed out when they resume it. Running trials still finish while paused.
    bool paused = false;
    double pausedSeconds = 0;
    auto pausedSince = Clock::now();
    auto follow = [&](StudyControl control) {
        const bool nowPaused = control == StudyControl::Pause;
        if (nowPaused && !paused) {
            pausedSince = Clock::now();
            m_storage.appendLog(m_studyId, "info",
                                "paused: no new trial starts until the study is resumed");
        } else if (!nowPaused && paused) {
            pausedSeconds += std::chrono::duration<double>(Clock::now() - pausedSince).count();
            m_storage.appendLog(m_studyId, "info", "resumed");
        }
        paused = nowPaused;
    };
    auto budgetElapsed = [&] {
        const double pausedNow =
            paused ? std::chrono::duration<double>(Clock::now() - pausedSince).count() : 0;
        return elapsed() - pausedSeconds - pausedNow;
    };
    for (;;) {
        if (interrupt.load()) {
            end = RunEnd::Interrupted;
            break;
        }
        const auto now = Clock::now();
        const auto dead = executor->poll();
        // Workers end by themselves when they read a Stop, so their ending is a cue to look.
        if (now - lastBeat > std::chrono::seconds(1) || !dead.empty()) {
            lastBeat = now;
            const auto control = readControl();
            if (!control || *control == StudyControl::Stop) {
                end = RunEnd::Stopped;
                break;
            }
            follow(*control);
            m_storage.setOrchestrator(m_studyId, processName()); // beats while paused too
        }
        if (m_config.budget.timeoutSeconds > 0 &&
            budgetElapsed() > m_config.budget.timeoutSeconds) {
            end = RunEnd::TimedOut;
            break;
        }
        refreshTrials();
        const bool staleCheck = now - lastStaleCheck > std::chrono::seconds(5);
        if (!dead.empty() || staleCheck) {
            if (staleCheck)
                lastStaleCheck = now;
            recoverOrphans(dead, staleCheck);
            refreshTrials();
        }
        const BudgetCounts budget = budgetCounts(m_trials);
        const bool budgetDone =
            budget.plannedFinished >= m_config.budget.trials && budget.openRetries == 0;
        int toCreate =
            std::min(m_config.budget.trials - budget.planned, outstanding - budget.outstanding);
        // Whether to end or to sample is decided on the control as it is now, not as of the
        // last beat: a Pause must hold from the moment it is written, and a paused study is
        // not finished (its running trials may still be judged, retries may be asked for).
        if (budgetDone || toCreate > 0) {
            const auto control = readControl();
            if (!control || *control == StudyControl::Stop) {
                end = RunEnd::Stopped;
                break;
            }
            follow(*control);
        }
        const RunProgress p = progress(elapsed(), paused);
        if (budgetDone && !paused) {
            lastProgress = Clock::time_point{};
            if (onProgress)
                onProgress(p);
            break;
        }
        if (executor->liveWorkers() == 0)
            throw std::runtime_error("every worker of study '" + m_config.name +
                                     "' ended and none could be restarted; see the worker log");
        if (paused)
            toCreate = 0;
        for (int i = 0; i < toCreate; ++i) {
            const int number = static_cast<int>(m_trials.size());
            m_storage.createTrial(m_studyId, suggest(number), {},
                                  m_scheduler ? m_scheduler->assign(number) : Json::object());
            refreshTrials();
        }
        if (onProgress &&
            now - lastProgress > std::chrono::duration<double>(m_options.progressSeconds)) {
            lastProgress = now;
            onProgress(p);
        }
        // Poll fast while trials finish quickly, back off while they run long.
        idle = toCreate > 0 || !dead.empty() ? 0.001 : std::min(idle * 1.5, 0.05);
        std::this_thread::sleep_for(std::chrono::duration<double>(idle));
    }

    const auto workers = executor->stop(m_options.stopGraceSeconds);
    refreshTrials();
    // Trials of workers that had to be killed: interrupted, not failed, so no attempt counts.
    for (const auto& t : m_trials) {
        if (t.state == TrialState::Running &&
            std::find(workers.begin(), workers.end(), t.worker) != workers.end())
            m_storage.requeueTrial(t.id, "interrupted; it runs again when the study resumes");
    }
    if (onProgress)
        onProgress(progress(elapsed(), paused));
    m_storage.setOrchestrator(m_studyId, "");
    return end;
}

} // namespace ps
