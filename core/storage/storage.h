#pragma once
// Where studies, trials and intermediate metrics live. One Storage object per thread: an
// implementation holds one connection and is not thread-safe, but any number of objects in
// any number of processes may use the same store at once.

#include "core/study/trial.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ps {

// What the orchestrator of a study should be doing; written by the GUI or the CLI, obeyed
// by the orchestrator process (DESIGN.md, data flow 5). Pause: start no new trial, let the
// running ones finish; Run resumes. Stop ends the run, paused or not.
enum class StudyControl { Run, Pause, Stop };
std::string_view toText(StudyControl control); // "run", "pause", "stop"

struct StudyRecord {
    std::int64_t id = 0;
    std::string name;
    std::string studyFile;  // absolute path of the YAML it was created from
    std::string configText; // that file's text at the last run
    std::string objectiveMetric;
    Direction direction = Direction::Minimize;
    int plannedTrials = 0;
    StudyControl control = StudyControl::Run;
    std::string orchestrator;         // host:pid of the orchestrator that runs it, if any
    double orchestratorHeartbeat = 0; // unix seconds
    double createdAt = 0;
};

// One line of a study's log: what the orchestrator wants a person to know (a sampler that
// failed and was replaced, a trial handed back).
struct LogEntry {
    std::int64_t seq = 0;
    std::int64_t studyId = 0;
    double time = 0;
    std::string level; // "info", "warning", "error"
    std::string message;
};

// An analysis's result kept with its study (DESIGN.md, data flow 4): computed once per input
// hash, by whoever asked (cheap ones) or by a worker (those that need LibTorch).
enum class AnalysisState { Waiting, Running, Done, Fail };
std::string_view toText(AnalysisState state);

struct AnalysisRecord {
    std::int64_t id = 0;
    std::int64_t studyId = 0;
    std::string kind;             // "fanova", "lime", "landscape", ...
    std::string inputHash;        // of the kind, its options and the data they read
    Json inputs = Json::object(); // those options, defaults filled in, and the data's identity
    AnalysisState state = AnalysisState::Waiting;
    Json result;       // DONE: the analysis's data (grids, curves, tables)
    std::string error; // FAIL: why
    std::string worker;
    double createdAt = 0, startedAt = 0, finishedAt = 0, heartbeatAt = 0; // unix seconds
};

// Thrown for anything storage refuses or cannot do; the message names the store and the cause.
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Storage {
public:
    virtual ~Storage() = default;

    virtual std::string url() const = 0;

    // Studies
    virtual std::int64_t createStudy(const StudyRecord& study) = 0; // throws if the name exists
    virtual void updateStudy(const StudyRecord& study) = 0;         // config, plan, objective
    virtual std::optional<StudyRecord> findStudy(const std::string& name) = 0;
    virtual std::optional<StudyRecord> study(std::int64_t studyId) = 0;
    virtual std::vector<StudyRecord> studies() = 0;
    virtual void setControl(std::int64_t studyId, StudyControl control) = 0;
    virtual void setOrchestrator(std::int64_t studyId, const std::string& who) = 0; // also beats

    virtual void appendLog(std::int64_t studyId, const std::string& level,
                           const std::string& message) = 0;
    virtual std::vector<LogEntry> studyLog(std::int64_t studyId, std::int64_t sinceSeq = 0) = 0;

    // Trials
    // A WAITING trial; or, when `runningBy` names a worker, one already RUNNING for it (the
    // ask-and-tell path, where the caller evaluates the trial itself).
    // `system` starts Trial::system (a scheduler group, say).
    virtual Trial createTrial(std::int64_t studyId, const Json& params,
                              const std::string& runningBy = {},
                              const Json& system = Json::object()) = 0;
    // Atomically takes the oldest WAITING trial, retries (Trial::retryOf) first, and makes it
    // RUNNING for `worker`; nothing while the study is paused, so a Pause holds from the
    // moment it is written. A trial that resumes (resumeStep > 0) starts its new attempt
    // with the previous attempt's metrics up to that step, so its curve stays whole.
    virtual std::optional<Trial> claimTrial(std::int64_t studyId, const std::string& worker) = 0;
    virtual void heartbeat(std::int64_t trialId) = 0;
    virtual void appendMetrics(std::int64_t trialId, int attempt,
                               const std::vector<MetricPoint>& points) = 0;
    // Ends a RUNNING trial claimed by `worker`; returns false (and changes nothing) when the
    // trial is no longer that worker's, e.g. because it was requeued meanwhile.
    virtual bool finishTrial(std::int64_t trialId, const std::string& worker, TrialState state,
                             const std::map<std::string, double>& values,
                             std::optional<double> value, const std::string& reason) = 0;
    // Asks for FAIL trial `trialNumber` to run again: a new WAITING trial with the same
    // parameters (and scheduler group), whose Trial::retryOf is that number. Workers claim
    // such retries before other WAITING trials. Throws StorageError naming the trial when
    // there is no such trial, it did not fail, or a retry of it is WAITING or RUNNING already
    // (asking twice must not run it twice).
    virtual Trial enqueueRetry(std::int64_t studyId, int trialNumber) = 0;
    // Puts a RUNNING trial back to WAITING (its metrics stay, under their attempt number).
    virtual bool requeueTrial(std::int64_t trialId, const std::string& reason) = 0;
    // Merges `patch` into Trial::system (JSON merge patch: a null removes a key).
    virtual void updateTrialSystem(std::int64_t trialId, const Json& patch) = 0;
    // Reopens a COMPLETE trial to train it further: WAITING again, to continue from its
    // checkpoint at `fromStep` (0: from the start). Its objective value is cleared until it
    // finishes anew; its metrics stay. False when the trial is not COMPLETE.
    virtual bool resumeTrial(std::int64_t trialId, std::int64_t fromStep,
                             const std::string& reason) = 0;
    // Turns a COMPLETE trial into a PRUNED one, keeping its values, with `reason`: a schedule
    // that grew decided it stops where it stopped. False when the trial is not COMPLETE.
    virtual bool pruneCompletedTrial(std::int64_t trialId, const std::string& reason) = 0;

    // Reads. `sinceRev` / `sinceSeq` make them incremental: only what changed after that.
    virtual std::vector<Trial> trials(std::int64_t studyId, std::int64_t sinceRev = 0) = 0;
    virtual std::optional<Trial> trial(std::int64_t trialId) = 0;
    virtual std::vector<MetricPoint> metrics(std::int64_t studyId, std::int64_t sinceSeq = 0) = 0;
    virtual std::vector<MetricPoint> trialMetrics(std::int64_t trialId) = 0;
    virtual TrialCounts counts(std::int64_t studyId) = 0;
    // What every trial's current attempt reported for `metric` at exactly `step`:
    // (trial number, state, value) rows, for schedulers comparing trials at a rung.
    struct StepValue {
        int number = 0;
        TrialState state = TrialState::Running;
        double value = 0;
        int group = -1; // Trial::system's "group", -1 when it has none
    };
    virtual std::vector<StepValue> stepValues(std::int64_t studyId, const std::string& metric,
                                              std::int64_t step) = 0;

    // Analyses. requestAnalysis returns the record of `inputHash` in the study, creating it
    // WAITING when there is none; a FAIL one goes back to WAITING (what failed may be fixed).
    virtual AnalysisRecord requestAnalysis(std::int64_t studyId, const std::string& kind,
                                           const std::string& inputHash, const Json& inputs) = 0;
    virtual std::optional<AnalysisRecord> analysis(std::int64_t analysisId) = 0;
    virtual std::optional<AnalysisRecord> findAnalysis(std::int64_t studyId,
                                                       const std::string& inputHash) = 0;
    virtual std::vector<AnalysisRecord> analyses(std::int64_t studyId) = 0; // oldest first
    // Claims the oldest WAITING analysis of one of `kinds` (any kind when empty), or a RUNNING
    // one whose worker has not beaten for `staleSeconds` (it died), for `worker`.
    virtual std::optional<AnalysisRecord> claimAnalysis(std::int64_t studyId,
                                                        const std::string& worker,
                                                        const std::vector<std::string>& kinds,
                                                        double staleSeconds = 120) = 0;
    // Claims that one analysis for `worker` (as claimAnalysis would); false when it is not
    // WAITING (or stale RUNNING): someone else computes it, or it is done.
    virtual bool startAnalysis(std::int64_t analysisId, const std::string& worker,
                               double staleSeconds = 120) = 0;
    virtual void heartbeatAnalysis(std::int64_t analysisId) = 0;
    // DONE with `result` or FAIL with `error`; false when `worker` no longer holds it.
    virtual bool finishAnalysis(std::int64_t analysisId, const std::string& worker,
                                AnalysisState state, const Json& result,
                                const std::string& error) = 0;
};

// Where the files of study `studyId`'s trials (checkpoints, weights) live for the store
// `url`: beside an SQLite file, in "<file>.artifacts/study-<id>/". Not created here.
std::string artifactDir(const std::string& url, std::int64_t studyId);

// Opens (creating when needed) the store named by `url`: "sqlite:PATH" or a plain path to an
// SQLite file; a relative PATH is taken relative to `baseDir`.
std::unique_ptr<Storage> openStorage(const std::string& url, const std::string& baseDir = ".");
// The absolute form of `url` resolved against `baseDir`, as openStorage would use it.
std::string resolveStorageUrl(const std::string& url, const std::string& baseDir);

} // namespace ps
