#include "core/analysis/trial_column.h"

#include <algorithm>

namespace ps {

std::optional<double> trialColumn(const Trial& trial, const std::string& column) {
    if (const auto it = trial.values.find(column); it != trial.values.end())
        return it->second;
    if (trial.params.is_object()) {
        const auto it = trial.params.find(column);
        if (it != trial.params.end() && it->is_number())
            return it->get<double>();
    }
    return std::nullopt;
}

bool anyTrialHasColumn(const std::vector<Trial>& trials, const std::string& column) {
    return std::any_of(trials.begin(), trials.end(),
                       [&](const Trial& t) { return trialColumn(t, column).has_value(); });
}

bool trialMatches(const Trial& trial, const Json& where) {
    for (const auto& [key, value] : where.items()) {
        const auto it = trial.params.find(key);
        if (it == trial.params.end() || *it != value)
            return false;
    }
    return true;
}

} // namespace ps
