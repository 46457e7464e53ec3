#pragma once
// The `curves` analysis: learning curves of groups of trials averaged over seeds (curve_groups.h),
// each group with the learning-rate and momentum schedule its trials were trained with, so a
// one-cycle run is seen against a constant learning rate, step by step (METHODS 8).

#include "core/analysis/analysis.h"

#include <memory>

namespace ps {

AnalysisSpec curvesSpec();
std::unique_ptr<Analysis> makeCurvesAnalysis();

} // namespace ps
