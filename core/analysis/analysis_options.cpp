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

SettingSpec trialsOption() {
    return makeSetting("trials", SettingType::String, "", std::nullopt, std::nullopt,
                       "only the trials with these numbers, e.g. 3,5,8-12; empty: every trial");
}

std::vector<std::int64_t> trialNumberList(const std::string& text) {
    std::vector<std::int64_t> out;
    const auto number = [](const std::string& part, const std::string& whole) {
        std::size_t used = 0;
        long long v = -1;
        try {
            v = std::stoll(part, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (part.empty() || used != part.size() || v < 0)
            throw AnalysisError("option 'trials': '" + whole +
                                "' is not a trial number or a range like 8-12");
        return std::int64_t(v);
    };
    for (std::string part : nameList(text)) {
        part.erase(std::remove(part.begin(), part.end(), ' '), part.end());
        if (part.empty())
            continue;
        const std::size_t dash = part.find('-', 1);
        if (dash == std::string::npos) {
            out.push_back(number(part, part));
            continue;
        }
        const std::int64_t lo = number(part.substr(0, dash), part);
        const std::int64_t hi = number(part.substr(dash + 1), part);
        if (hi < lo)
            throw AnalysisError("option 'trials': the range '" + part + "' runs backwards");
        if (hi - lo > 10'000'000)
            throw AnalysisError("option 'trials': the range '" + part + "' is too long");
        for (std::int64_t n = lo; n <= hi; ++n)
            out.push_back(n);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string trialNumberText(std::vector<std::int64_t> numbers) {
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    std::string out;
    for (std::size_t i = 0; i < numbers.size();) {
        std::size_t j = i;
        while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1)
            ++j;
        out += (out.empty() ? "" : ",") + std::to_string(numbers[i]);
        if (j > i)
            out += (j == i + 1 ? "," : "-") + std::to_string(numbers[j]);
        i = j + 1;
    }
    return out;
}

std::vector<Trial> trialSubset(std::vector<Trial> all, const std::string& text) {
    const std::vector<std::int64_t> wanted = trialNumberList(text);
    if (wanted.empty())
        return all;
    std::vector<Trial> out;
    out.reserve(wanted.size());
    std::vector<bool> found(wanted.size(), false);
    for (Trial& t : all) {
        const auto it = std::lower_bound(wanted.begin(), wanted.end(), t.number);
        if (it != wanted.end() && *it == t.number) {
            found[std::size_t(it - wanted.begin())] = true;
            out.push_back(std::move(t));
        }
    }
    for (std::size_t i = 0; i < wanted.size(); ++i)
        if (!found[i])
            throw AnalysisError("option 'trials': the study has no trial number " +
                                std::to_string(wanted[i]));
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
