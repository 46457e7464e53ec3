#pragma once
// Drives a study's sampler from code instead of workers: ask() for a configuration, evaluate
// it however you like, tell() how it went. Trials land in the same storage as any other study,
// so the desktop app shows them live and the CLI can export them. One object per thread.

#include "core/sampling/random_sampler.h"
#include "core/sampling/sampler.h"
#include "core/scheduling/scheduler.h"
#include "core/storage/storage.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ps {

class AskTellStudy {
public:
    // Creates the study in `storage` (or continues the one of that name). `storage` must
    // outlive this object. Throws what Orchestrator::ensureStudy throws.
    AskTellStudy(StudyConfig config, Storage& storage);

    // A new RUNNING trial with the sampler's parameters (random if the sampler fails, with a
    // warning in the study log, as in orchestrated runs).
    Trial ask();
    // An intermediate value of the objective at `step`; returns the scheduler's reason to stop
    // the trial now (then tell() it PRUNED), or nothing.
    std::optional<std::string> report(std::int64_t trialId, std::int64_t step, double value);
    // Finishes the trial COMPLETE with this objective value; a NaN or infinite value finishes it
    // FAIL with that reason instead, so it never feeds a model.
    Trial tell(std::int64_t trialId, double value);
    // Finishes it in any final state, with every final metric and a reason.
    Trial tell(std::int64_t trialId, TrialState state, const std::map<std::string, double>& metrics,
               const std::string& reason = {});

    // The best feasible COMPLETE trial (see bestTrial in core/space/constraints.h).
    std::optional<Trial> bestTrial();
    std::int64_t studyId() const { return m_studyId; }

private:
    Trial finish(std::int64_t trialId, TrialState state, const std::map<std::string, double>& m,
                 std::optional<double> value, const std::string& reason);

    StudyConfig m_config;
    Storage& m_storage;
    std::int64_t m_studyId = 0;
    std::string m_name; // how storage names this caller, like a worker
    std::unique_ptr<Sampler> m_sampler;
    RandomSampler m_fallback;
    std::unique_ptr<Scheduler> m_scheduler;
};

} // namespace ps
