#pragma once
// Runs one study: asks the sampler for configurations, writes them as WAITING trials, keeps
// the executor's workers supplied, hands back the trials of workers that died, and stops on
// an interrupt, a Stop written to storage, the budget or the timeout. A Pause written to
// storage holds it: no new trial is sampled or claimed until Run. Retries of failed trials
// (Storage::enqueueRetry) run before new samples and on top of the budget. Everything it
// knows it reads from storage, so a study stopped any way at all resumes where it was.

#include "core/execution/executor.h"
#include "core/sampling/random_sampler.h"
#include "core/sampling/sampler.h"
#include "core/scheduling/scheduler.h"
#include "core/storage/storage.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace ps {

struct RunProgress {
    TrialCounts counts;
    int planned = 0; // the budget's trials plus the retries asked for
    bool paused = false;
    std::optional<double> best;
    int bestNumber = -1;
    double elapsedSeconds = 0;
};

enum class RunEnd { Finished, Interrupted, Stopped, TimedOut };
std::string_view toText(RunEnd end);

struct OrchestratorOptions {
    double staleHeartbeatSeconds = 60; // a RUNNING trial silent this long is handed back
    int maxAttempts = 3;               // claims before a trial whose workers keep dying fails
    double stopGraceSeconds = 10;
    double progressSeconds = 0.2; // how often the progress callback runs
};

class Orchestrator {
public:
    using ExecutorFactory = std::function<std::unique_ptr<Executor>(std::int64_t studyId)>;
    using ProgressCallback = std::function<void(const RunProgress&)>;

    Orchestrator(StudyConfig config, Storage& storage, ExecutorFactory makeExecutor,
                 OrchestratorOptions options = {});

    // Creates the study in storage (or picks up the one of that name) and runs it until it
    // ends; `interrupt` (e.g. set by a SIGINT handler) stops it cleanly.
    RunEnd run(const std::atomic<bool>& interrupt, const ProgressCallback& progress = {});

    std::int64_t studyId() const { return m_studyId; }
    // Replaces the sampler the study file names (code-driven studies, tests).
    void setSampler(std::unique_ptr<Sampler> sampler) { m_sampler = std::move(sampler); }

    // Creates or updates the study record from `config`; returns its id. Also used by the GUI
    // path that opens a study file that never ran.
    static std::int64_t ensureStudy(Storage& storage, const StudyConfig& config);

private:
    void refreshTrials();
    void recoverOrphans(const std::vector<std::string>& deadWorkers, bool checkStale);
    void handBack(const Trial& trial, const std::string& why);
    RunProgress progress(double elapsed, bool paused) const;
    // Reads the study's control; nullopt when the study is gone.
    std::optional<StudyControl> readControl();
    Json suggest(int number);

    StudyConfig m_config;
    Storage& m_storage;
    ExecutorFactory m_makeExecutor;
    OrchestratorOptions m_options;
    std::unique_ptr<Sampler> m_sampler;
    RandomSampler m_fallback; // for a suggestion the configured sampler could not make
    std::unique_ptr<Scheduler> m_scheduler; // only to ask which trials a sampler may see
    std::int64_t m_studyId = 0;
    std::int64_t m_rev = 0;
    std::vector<Trial> m_trials; // by number; refreshed incrementally
};

} // namespace ps
