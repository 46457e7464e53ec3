#include "core/execution/ask_tell.h"

#include "core/execution/orchestrator.h"
#include "core/execution/worker_loop.h"
#include "core/sampling/sample_allowed.h"

#include <cmath>
#include <stdexcept>

namespace ps {

AskTellStudy::AskTellStudy(StudyConfig config, Storage& storage)
    : m_config(std::move(config)), m_storage(storage), m_name(processName() + ":ask"),
      m_sampler(makeSampler(m_config.sampler)), m_fallback(m_config.sampler.seed),
      m_scheduler(makeScheduler({m_config.scheduler.kind, m_config.scheduler.options,
                                 m_config.objective().direction, m_config.name})) {
    m_studyId = Orchestrator::ensureStudy(m_storage, m_config);
}

Trial AskTellStudy::ask() {
    const auto all = m_storage.trials(m_studyId);
    const int number = all.empty() ? 0 : all.back().number + 1;
    // As in orchestrated runs: under Hyperband the sampler sees the new trial's bracket only.
    const auto trials = samplerHistory(m_scheduler.get(), all, number);
    Json params;
    try {
        params = sampleAllowed(*m_sampler, m_config.space, trials, number, m_config.sampler.seed);
    } catch (const std::exception& e) {
        m_storage.appendLog(m_studyId, "warning",
                            "sampler '" + m_config.sampler.kind + "' failed: " + e.what() +
                                "; trial " + std::to_string(number) + " was sampled at random");
        params = sampleAllowed(m_fallback, m_config.space, trials, number, m_config.sampler.seed);
    }
    return m_storage.createTrial(m_studyId, params, m_name,
                                 m_scheduler ? m_scheduler->assign(number) : Json::object());
}

std::optional<std::string> AskTellStudy::report(std::int64_t trialId, std::int64_t step,
                                                double value) {
    const auto trial = m_storage.trial(trialId);
    if (!trial || trial->state != TrialState::Running)
        throw std::invalid_argument("trial " + std::to_string(trialId) + " is not running");
    MetricPoint p;
    p.step = step;
    p.name = m_config.objective().metric;
    p.value = value;
    m_storage.appendMetrics(trialId, trial->attempts, {p});
    if (!m_scheduler || !m_scheduler->judgesAt(*trial, step))
        return std::nullopt;
    const auto peers = peersOf(m_storage.stepValues(m_studyId, p.name, step), trial->number);
    return m_scheduler->judge(*trial, step, value, peers);
}

Trial AskTellStudy::tell(std::int64_t trialId, double value) {
    if (!std::isfinite(value))
        return finish(trialId, TrialState::Fail, {{m_config.objective().metric, value}},
                      std::nullopt,
                      "objective " + m_config.objective().metric + " is " +
                          (std::isnan(value) ? "nan" : "infinite"));
    return finish(trialId, TrialState::Complete, {{m_config.objective().metric, value}}, value, {});
}

Trial AskTellStudy::tell(std::int64_t trialId, TrialState state,
                         const std::map<std::string, double>& metrics, const std::string& reason) {
    auto it = metrics.find(m_config.objective().metric);
    std::optional<double> value;
    if (it != metrics.end() && std::isfinite(it->second))
        value = it->second;
    if (state == TrialState::Complete && !value)
        return finish(trialId, TrialState::Fail, metrics, std::nullopt,
                      "objective " + m_config.objective().metric + " is missing or not finite");
    return finish(trialId, state, metrics, value, reason);
}

Trial AskTellStudy::finish(std::int64_t trialId, TrialState state,
                           const std::map<std::string, double>& m, std::optional<double> value,
                           const std::string& reason) {
    if (!isFinished(state))
        throw std::invalid_argument("tell() needs COMPLETE, PRUNED or FAIL");
    if (!m_storage.finishTrial(trialId, m_name, state, m, value, reason))
        throw std::invalid_argument("trial " + std::to_string(trialId) +
                                    " is not a running trial of this ask-and-tell study");
    return *m_storage.trial(trialId);
}

std::optional<Trial> AskTellStudy::bestTrial() {
    const auto trials = m_storage.trials(m_studyId);
    const Trial* best = ps::bestTrial(trials, m_config.objective().direction, m_config.constraints);
    return best ? std::optional<Trial>(*best) : std::nullopt;
}

} // namespace ps
