#pragma once
// Options several analyses share, and the readers of their text forms.

#include "core/space/setting_spec.h"

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

// "a,b,c" as a list; empty text, an empty list.
std::vector<std::string> nameList(const std::string& text);

} // namespace ps
