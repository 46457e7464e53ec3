// The catalog of built-in analyses: ps_core's, runnable anywhere, and the specs of the LibTorch
// ones, which paramscope-worker makes runnable (registerTrainAnalyses).
#include "core/analysis/analysis.h"

namespace ps {

AnalysisCatalog AnalysisCatalog::withBuiltins() {
    AnalysisCatalog catalog;
    return catalog;
}

} // namespace ps
