#include "core/execution/deepening.h"

#include <filesystem>
#include <map>

namespace ps {

std::vector<DeepeningDecision> planDeepening(Scheduler& scheduler, const std::vector<Trial>& trials,
                                             const LastPoint& lastPoint, const PeersAt& peersAt,
                                             const HasCheckpoint& hasCheckpoint) {
    std::vector<DeepeningDecision> plan;
    const std::int64_t max = scheduler.maxResource();
    if (max <= 0)
        return plan;
    std::map<std::int64_t, std::vector<PeerValue>> peersByStep; // one read per step
    for (const auto& t : trials) {
        if (t.state != TrialState::Complete)
            continue;
        const auto last = lastPoint(t);
        if (!last || last->first >= max)
            continue;
        const auto [step, value] = *last;
        DeepeningDecision d;
        d.trialId = t.id;
        d.number = t.number;
        std::optional<std::string> why;
        if (scheduler.judgesAt(t, step)) {
            auto it = peersByStep.find(step);
            if (it == peersByStep.end())
                it = peersByStep.emplace(step, peersAt(step)).first;
            std::vector<PeerValue> others;
            for (const auto& p : it->second) {
                if (p.number != t.number)
                    others.push_back(p);
            }
            why = scheduler.judge(t, step, value, others);
        }
        const std::string grown = "the maximum grew to " + std::to_string(max);
        if (why) {
            d.reason = "stopped at step " + std::to_string(step) + " when " + grown + ": " + *why;
        } else if (hasCheckpoint(t, step)) {
            d.promote = true;
            d.fromStep = step;
            d.reason = "promoted past step " + std::to_string(step) + " when " + grown +
                       "; continues from its checkpoint";
        } else {
            d.promote = true;
            d.reason = "promoted past step " + std::to_string(step) + " when " + grown +
                       "; no checkpoint of that step, so it trains again from the start";
        }
        plan.push_back(std::move(d));
    }
    return plan;
}

bool hasCheckpointFile(const Trial& trial, std::int64_t step) {
    const auto it = trial.system.find("checkpoint");
    if (it == trial.system.end() || !it->is_object())
        return false;
    const std::string path = it->value("path", std::string());
    std::error_code ec;
    return it->value("step", std::int64_t{-1}) == step && !path.empty() &&
           std::filesystem::exists(path, ec);
}

DeepeningSummary deepenStudy(Scheduler& scheduler, Storage& storage, std::int64_t studyId,
                             const std::vector<Trial>& trials, const std::string& metric) {
    const LastPoint lastPoint =
        [&](const Trial& t) -> std::optional<std::pair<std::int64_t, double>> {
        std::optional<std::pair<std::int64_t, double>> last;
        for (const auto& p : storage.trialMetrics(t.id)) {
            if (p.attempt == t.attempts && p.name == metric && (!last || p.step >= last->first))
                last = std::make_pair(p.step, p.value);
        }
        return last;
    };
    const PeersAt peersAt = [&](std::int64_t step) {
        return peersOf(storage.stepValues(studyId, metric, step), -1);
    };
    DeepeningSummary summary;
    const auto plan = planDeepening(scheduler, trials, lastPoint, peersAt, hasCheckpointFile);
    for (const auto& d : plan) {
        if (!d.promote) {
            if (storage.pruneCompletedTrial(d.trialId, d.reason))
                ++summary.pruned;
        } else if (storage.resumeTrial(d.trialId, d.fromStep, d.reason)) {
            ++(d.fromStep > 0 ? summary.resumed : summary.restarted);
        }
    }
    if (summary.total() > 0)
        storage.appendLog(studyId, summary.restarted > 0 ? "warning" : "info",
                          "iterative deepening to max " + std::to_string(scheduler.maxResource()) +
                              ": " + std::to_string(summary.resumed) +
                              " finished trial(s) continue from their "
                              "checkpoints, " +
                              std::to_string(summary.pruned) + " stop where they were (pruned), " +
                              std::to_string(summary.restarted) +
                              " train again from the start for want of a checkpoint");
    return summary;
}

} // namespace ps
