#pragma once
// Options several analyses share, and the readers of their text forms.

#include "core/space/setting_spec.h"
#include "core/study/trial.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ps {

// `where`: only trials with these parameter values, as "name=value,name=value".
SettingSpec whereOption();
// `metric`: the metric read; empty means the study's first objective.
SettingSpec metricOption();

// "name=value,name=value" as {name: value}, values read as JSON where they parse (numbers,
// true) and as text otherwise. Throws AnalysisError naming a part that is not name=value.
Json whereClause(const std::string& text);

// `trials`: every analysis takes it (AnalysisCatalog adds it): only the trials with these
// numbers, as "3,5,8-12"; empty, every trial. The desktop app analyses a selection this way.
SettingSpec trialsOption();
// The trial numbers "3,5,8-12" names, sorted and without repeats. Throws AnalysisError naming
// the part that is not a number or a range low-high.
std::vector<std::int64_t> trialNumberList(const std::string& text);
// `numbers` as the text trialNumberList reads, ranges joined ("3,5,8-12").
std::string trialNumberText(std::vector<std::int64_t> numbers);
// The trials of `all` the option `trials` names (all of them when it is empty). Throws
// AnalysisError for a number no trial has.
std::vector<Trial> trialSubset(std::vector<Trial> all, const std::string& text);

// "a,b,c" as a list; empty text, an empty list.
std::vector<std::string> nameList(const std::string& text);

} // namespace ps
