#pragma once
// The analysis framework: what an analysis declares (its options, whether it needs a worker),
// how its inputs are hashed, and how a request is answered, from storage when the same inputs
// were analysed before, else by computing it here (ps_core analyses) or by queueing it for a
// worker (LibTorch ones). Each analysis computes pure data (Json); views draw it.

#include "core/space/setting_spec.h"
#include "core/space/study_config.h"
#include "core/storage/storage.h"

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ps {

// Bad options or data the analysis cannot work with; the message names the option or trial.
class AnalysisError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What an analysis reads.
struct AnalysisContext {
    Storage& storage;
    std::int64_t studyId = 0;
    const StudyConfig& config;
    std::vector<Trial> trials; // every trial of the study
    // Called now and then by long analyses: fraction done in [0, 1]. May be empty.
    std::function<void(double fraction)> progress;
    // True when the analysis should stop (a worker told to stop). May be empty.
    std::function<bool()> canceled;
};

// The trial an analysis option names: its number, or the best feasible complete trial for
// -1. Throws AnalysisError naming the option when there is none.
const Trial& analysisTrial(const AnalysisContext& context, std::int64_t number,
                           const std::string& option = "trial");

class Analysis {
public:
    virtual ~Analysis() = default;
    // The result as data. Throws AnalysisError (or std::invalid_argument) for what it cannot do.
    virtual Json run(const AnalysisContext& context, const Json& options) = 0;
};

struct AnalysisSpec {
    std::string kind;
    std::string description;
    std::vector<SettingSpec> options; // flat names ("trial", "points_x")
    // True when it needs LibTorch: it runs as a job in a worker (paramscope-worker).
    bool needsWorker = false;
    // The data a run with `options` reads, as Json, hashed with the options so that a result
    // is reused exactly while its data is unchanged. Empty: every finished trial's number and
    // storage revision (new or changed trials give a new result).
    std::function<Json(const AnalysisContext& context, const Json& options)> dataIdentity;
    // The implementation's version, hashed with the inputs: raise it when what a run computes
    // or reports changes, so results stored by older code are computed again.
    int version = 1;
};

class AnalysisCatalog {
public:
    using Factory = std::function<std::unique_ptr<Analysis>()>;
    void add(AnalysisSpec spec, Factory factory = {});
    void setFactory(const std::string& kind, Factory factory);
    const AnalysisSpec* spec(const std::string& kind) const;
    std::unique_ptr<Analysis> make(const std::string& kind) const; // null when not runnable here
    std::vector<std::string> kinds() const;                        // sorted
    std::vector<std::string> runnableKinds() const; // those with a factory in this process

    // The ps_core analyses, runnable; the LibTorch ones as specs (the worker adds factories).
    static AnalysisCatalog withBuiltins();

private:
    struct Entry {
        AnalysisSpec spec;
        Factory factory;
    };
    std::map<std::string, Entry> m_entries;
};

// `given` checked against `spec`'s options, defaults filled in: unknown names, wrong types,
// values out of range or not among the choices throw AnalysisError naming the option.
Json analysisOptions(const AnalysisSpec& spec, const Json& given);

// The hash a result is stored under: 16 hex digits of FNV-1a over the kind, the options and
// the data identity (canonical JSON: keys sorted).
std::string analysisHash(const std::string& kind, const Json& options, const Json& data,
                         int version = 1);

struct AnalysisOutcome {
    AnalysisRecord record; // DONE or FAIL when computed or reused; WAITING when queued
    bool reused = false;   // the stored result of the same inputs
};

// Answers a request for `kind` on study `studyId` with `options` (checked, defaults filled):
// the stored result when the same inputs were analysed before; else computed at once when this
// process can run it, or queued WAITING for a worker. A failure is stored as FAIL with its
// reason (asking again retries it). Throws AnalysisError for an unknown kind or bad options.
AnalysisOutcome requestAnalysis(Storage& storage, std::int64_t studyId, const StudyConfig& config,
                                const AnalysisCatalog& catalog, const std::string& kind,
                                const Json& options);

// Runs one claimed analysis record (a worker's job) and stores its end. The record's inputs
// hold the options under "options".
void runClaimedAnalysis(Storage& storage, const AnalysisRecord& record, const StudyConfig& config,
                        const AnalysisCatalog& catalog, const std::string& worker,
                        const std::function<bool()>& canceled = {});

} // namespace ps
