#pragma once
// A named number of a trial, as the analyses take their inputs: a final metric
// (Trial::values) or, when the trial reported no metric of that name, a numeric parameter.

#include "core/study/trial.h"

#include <optional>
#include <string>
#include <vector>

namespace ps {

// The value of `column` in `trial`: its metric, else its parameter when that is a number
// (booleans are not); nullopt when it has neither.
std::optional<double> trialColumn(const Trial& trial, const std::string& column);

// True when `trial`'s parameters hold every value of `where` ({name: value}, the analyses'
// `where` option); an absent parameter matches nothing.
bool trialMatches(const Trial& trial, const Json& where);

// True when at least one trial has `column` (as a metric or a numeric parameter).
bool anyTrialHasColumn(const std::vector<Trial>& trials, const std::string& column);

} // namespace ps
