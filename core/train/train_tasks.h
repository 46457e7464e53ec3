#pragma once
// Registers the LibTorch tasks of ps_train with a catalog (gives "classify" its factory), and
// the LibTorch analyses (loss landscapes) with an analysis catalog holding their specs.

#include "core/analysis/analysis.h"
#include "core/execution/task.h"

namespace ps {

void registerTrainTasks(TaskCatalog& catalog);
void registerTrainAnalyses(AnalysisCatalog& catalog);

} // namespace ps
