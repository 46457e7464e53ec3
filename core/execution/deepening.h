#pragma once
// Iterative deepening (Brandt, Wever, Iliadis, Bengs, Hüllermeier 2023): a study run with
// Hyperband up to a maximum R can later be resumed with a larger maximum (R' = eta R, say)
// and continue as the larger Hyperband would, reusing every result it already has.
//
// How ParamScope does it, with Hyperband run as asynchronous pruning (hyperband.h):
// - Brackets are stored with each trial, so the new, larger schedule adds rungs and a bracket
//   without moving any trial. New trials fill the rungs as usual.
// - A trial that COMPLETEd under the old maximum stopped at step S = R < R'. Under the new
//   schedule S may be a rung of its bracket: it is judged there, against every trial of the
//   bracket that reported at S (the same top-1/eta rule a running trial meets). Decisions
//   already made at lower rungs stand (the variant that preserves promotions).
// - Promoted trials continue from their checkpoint at S up to R': WAITING again, with their
//   metrics kept; the rest stay where they are, marked PRUNED with the reason. A promoted
//   trial without a usable checkpoint is trained again from the start, and the study log
//   says so.

#include "core/scheduling/scheduler.h"
#include "core/storage/storage.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ps {

struct DeepeningDecision {
    std::int64_t trialId = 0;
    int number = 0;
    bool promote = false;
    std::int64_t fromStep = 0; // promoted: the step its checkpoint holds (0: start over)
    std::string reason;
};

// Where a trial's objective stopped: (last step of its current attempt, value there).
using LastPoint = std::function<std::optional<std::pair<std::int64_t, double>>(const Trial&)>;
// Every trial's value of the objective at `step` (Storage::stepValues, as peers).
using PeersAt = std::function<std::vector<PeerValue>(std::int64_t step)>;
// True when the trial has a checkpoint of `step` that a worker can resume from.
using HasCheckpoint = std::function<bool(const Trial&, std::int64_t step)>;

// What to do with each COMPLETE trial whose objective stopped short of the scheduler's
// maximum. Pure: reads nothing but what it is given.
std::vector<DeepeningDecision> planDeepening(Scheduler& scheduler, const std::vector<Trial>& trials,
                                             const LastPoint& lastPoint, const PeersAt& peersAt,
                                             const HasCheckpoint& hasCheckpoint);

struct DeepeningSummary {
    int resumed = 0, restarted = 0, pruned = 0;
    int total() const { return resumed + restarted + pruned; }
};

// Plans and applies deepening for study `studyId` (objective `metric`) in `storage`, and
// writes one line about it to the study log. Nothing happens when no trial stopped short.
DeepeningSummary deepenStudy(Scheduler& scheduler, Storage& storage, std::int64_t studyId,
                             const std::vector<Trial>& trials, const std::string& metric);

// The usual HasCheckpoint: Trial::system "checkpoint" names `step` and its file exists.
bool hasCheckpointFile(const Trial& trial, std::int64_t step);

} // namespace ps
