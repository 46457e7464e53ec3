#pragma once
// Registers the LibTorch tasks of ps_train with a catalog (gives "classify" its factory).

#include "core/execution/task.h"

namespace ps {

void registerTrainTasks(TaskCatalog& catalog);

} // namespace ps
