#pragma once
// Specs of ParamScope's built-in tasks and the one task that needs no LibTorch.

#include "core/execution/task.h"

namespace ps {

// "noop": exercises the orchestration alone. Reports `loss` (a smooth function of the
// numeric parameters, falling with the step) for `steps` steps, sleeping `sleep_ms` per step;
// fails with a reason when the final loss exceeds `fail_above` (if set).
TaskSpec noopTaskSpec();
std::unique_ptr<Task> makeNoopTask();
double noopLoss(const Json& params); // the final loss noop reports for these parameters

// "classify": an image classifier trained with LibTorch (ps_train implements it).
TaskSpec classifyTaskSpec();
// "lr_range": the learning-rate range test on the classify task's data and model (ps_train).
TaskSpec lrRangeTaskSpec();
// "coord_check": muP's coordinate check on the classify task's data and model (ps_train).
TaskSpec coordCheckTaskSpec();

} // namespace ps
