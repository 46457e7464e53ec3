#pragma once
// Learning-rate (and momentum) schedules, stepped once per mini-batch. Plain C++ (no
// LibTorch), so they are tested exactly and can be plotted anywhere.
//
// Kinds, with PyTorch's formulas (METHODS.md 8.2):
// - constant: lr.
// - step: lr * gamma^floor(epoch / step_epochs) (StepLR stepped per epoch).
// - cosine: min + (lr - min) (1 + cos(pi t / T)) / 2 over the run (CosineAnnealingLR, eta_min =
//   lr * min_lr_factor).
// - linear: lr falling linearly to lr * min_lr_factor at the last step.
// - onecycle: OneCycleLR with max_lr = lr: cosine from lr / div_factor up to lr over the first
//   pct_start of the run, then down to lr / (div_factor final_div_factor); with three_phase the
//   way down first returns to lr / div_factor symmetrically, then annihilates. Momentum (SGD's,
//   Adam's beta1) cycles inversely between max_momentum and base_momentum.
// Linear warm-up (warmup_steps > 0) multiplies any kind except onecycle by (t + 1) / warmup
// for the first warmup steps (LinearLR from 1/warmup).

#include "core/study/trial.h"

#include <cstdint>
#include <optional>
#include <string>

namespace ps {

enum class ScheduleKind { Constant, Step, Cosine, Linear, OneCycle };

struct ScheduleConfig {
    ScheduleKind kind = ScheduleKind::Constant;
    double lr = 1e-3;               // the optimizer's lr; max_lr for onecycle
    std::int64_t totalSteps = 1;    // mini-batches in the whole run
    std::int64_t stepsPerEpoch = 1; // for step
    std::int64_t warmupSteps = 0;   // linear warm-up
    std::int64_t stepEpochs = 30;   // step: epochs between decays
    double gamma = 0.1;             // step: decay factor
    double minLrFactor = 0.0;       // cosine, linear: final lr = lr * this
    double pctStart = 0.3;          // onecycle
    double divFactor = 25;          // onecycle: initial lr = lr / div_factor
    double finalDivFactor = 1e4;    // onecycle: min lr = initial lr / final_div_factor
    bool threePhase = false;        // onecycle
    bool cycleMomentum = true;      // onecycle
    double baseMomentum = 0.85;     // onecycle
    double maxMomentum = 0.95;      // onecycle
};

struct ScheduleValue {
    double lr = 0;
    std::optional<double> momentum; // set only where the schedule drives momentum
};

// The schedule at mini-batch `step` (0-based). Steps past the end keep the last value.
ScheduleValue scheduleAt(const ScheduleConfig& config, std::int64_t step);

// The schedule a task's settings describe: optimizer.lr and schedule.* (every one present, as
// the study file fills in defaults); the step counts are left for the caller, who knows the
// data. Throws std::invalid_argument naming the setting that is missing or mistyped.
ScheduleConfig scheduleFromSettings(const Json& settings);

// "constant", "step", ...; throws std::invalid_argument naming the text otherwise.
ScheduleKind scheduleKindFromText(const std::string& text);

} // namespace ps
