#include "core/analysis/analysis_options.h"

#include "core/analysis/analysis.h"

#include <algorithm>

namespace ps {

SettingSpec whereOption() {
    return makeSetting("where", SettingType::String, "", std::nullopt, std::nullopt,
                       "only trials with these parameter values, e.g. parametrization.kind=mup");
}

SettingSpec metricOption() {
    return makeSetting("metric", SettingType::String, "", std::nullopt, std::nullopt,
                       "the metric; empty: the study's first objective");
}

Json whereClause(const std::string& text) {
    Json out = Json::object();
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        const std::string part = text.substr(start, end - start);
        const std::size_t eq = part.find('=');
        if (eq == std::string::npos || eq == 0)
            throw AnalysisError("option 'where': '" + part + "' is not name=value");
        const std::string value = part.substr(eq + 1);
        const Json parsed = Json::parse(value, nullptr, false);
        out[part.substr(0, eq)] = parsed.is_discarded() ? Json(value) : parsed;
        start = end + 1;
    }
    return out;
}

std::vector<std::string> nameList(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        if (end > start)
            out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

} // namespace ps
