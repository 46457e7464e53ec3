#include "core/analysis/augment_sensitivity.h"

#include "core/analysis/weighted_ridge.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <set>
#include <stdexcept>

namespace ps {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::string kPrefix = "augment.", kSuffix = ".enabled";

Json finiteOrNull(double v) {
    return std::isfinite(v) ? Json(v) : Json();
}

// The <name> of a column named augment.<name>.enabled, empty for any other column.
std::string switchName(const std::string& column) {
    if (column.size() <= kPrefix.size() + kSuffix.size() || column.rfind(kPrefix, 0) != 0 ||
        column.compare(column.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
        return {};
    return column.substr(kPrefix.size(), column.size() - kPrefix.size() - kSuffix.size());
}

bool flagOf(const ParamColumn& column, double encoded) {
    if (std::isnan(encoded))
        return false; // an inactive switch: its block is not in the configuration
    const Json v = column.decode(encoded);
    if (v.is_boolean())
        return v.get<bool>();
    if (v.is_number())
        return v.get<double>() != 0;
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s == "true" || s == "on" || s == "1")
            return true;
        if (s == "false" || s == "off" || s == "0")
            return false;
    }
    throw std::invalid_argument("augmentation sensitivity: switch column '" + column.name +
                                "' holds " + v.dump() + ", which is not a boolean");
}

std::string valueText(const ParamColumn& column, double encoded) {
    if (std::isnan(encoded))
        return "inactive";
    const Json v = column.decode(encoded);
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_number_float()) { // exp(log(0.001)) reads 0.001
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.6g", v.get<double>());
        return buffer;
    }
    return v.dump();
}

// An exact grouping key for a cell: its bits, with every NaN and both zeros made one.
std::uint64_t cellKey(double v) {
    if (std::isnan(v))
        return 0x7ff8000000000000ULL;
    return std::bit_cast<std::uint64_t>(v == 0 ? 0.0 : v);
}

} // namespace

AugmentSensitivity augmentSensitivity(const AugmentData& data,
                                      const AugmentSensitivityOptions& options) {
    const std::size_t m = data.augmentations.size();
    if (m == 0)
        throw std::invalid_argument("augmentation sensitivity: no augmentations");
    if (data.observations.size() < 2)
        throw std::invalid_argument(
            "augmentation sensitivity: " + std::to_string(data.observations.size()) +
            " observations; at least 2 trials are needed");
    if (!(options.ridgeAlpha >= 0))
        throw std::invalid_argument("augmentation sensitivity: the ridge alpha must be >= 0");
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < data.observations.size(); ++i) {
        const AugmentObservation& o = data.observations[i];
        if (o.on.size() != m)
            throw std::invalid_argument("augmentation sensitivity: observation " +
                                        std::to_string(i) + " has " + std::to_string(o.on.size()) +
                                        " flags for " + std::to_string(m) + " augmentations");
        if (!std::isfinite(o.objective))
            throw std::invalid_argument("augmentation sensitivity: observation " +
                                        std::to_string(i) + " has the objective " +
                                        std::to_string(o.objective));
        auto& rows = members[o.setting];
        if (rows.empty())
            order.push_back(o.setting);
        rows.push_back(i);
    }
    const std::size_t minTrials =
        options.minTrialsPerSetting > 0 ? options.minTrialsPerSetting : m + 1;
    const double width =
        options.kernelWidth > 0 ? options.kernelWidth : 0.75 * std::sqrt(double(m));

    AugmentSensitivity result;
    result.metric = data.metric;
    result.augmentations = data.augmentations;
    std::size_t largest = 0;
    for (const std::string& setting : order) {
        const std::vector<std::size_t>& rows = members[setting];
        largest = std::max(largest, rows.size());
        if (rows.size() < minTrials) {
            result.skippedSettings.push_back(setting);
            continue;
        }
        const std::size_t n = rows.size();
        std::vector<double> x(n * m), y(n), w(n, 1.0);
        std::vector<std::size_t> onCount(m, 0);
        for (std::size_t r = 0; r < n; ++r) {
            const AugmentObservation& o = data.observations[rows[r]];
            std::size_t hamming = 0;
            for (std::size_t j = 0; j < m; ++j) {
                x[r * m + j] = o.on[j] ? 1.0 : 0.0;
                onCount[j] += o.on[j];
                hamming += o.on[j];
            }
            y[r] = o.objective;
            if (options.fit == AugmentFit::Lime) // lime's kernel, around the all-off policy
                w[r] = std::sqrt(std::exp(-double(hamming * hamming) / (width * width)));
        }
        std::vector<std::size_t> varied;
        for (std::size_t j = 0; j < m; ++j)
            if (onCount[j] > 0 && onCount[j] < n)
                varied.push_back(j);
        const detail::WeightedGram gram = detail::weightedGram(x, n, m, y, w);
        const detail::RidgeFit fit = detail::ridgeFit(
            gram, varied, options.fit == AugmentFit::Lime ? options.ridgeAlpha : 0.0);
        AugmentSettingFit s;
        s.setting = setting;
        if (const auto it = data.settingValues.find(setting); it != data.settingValues.end())
            s.values = it->second;
        s.trials = n;
        s.intercept = fit.intercept;
        s.weights.assign(m, kNaN);
        for (std::size_t k = 0; k < varied.size(); ++k)
            s.weights[varied[k]] = fit.coef[k];
        s.score = fit.score;
        result.settings.push_back(std::move(s));
    }
    if (result.settings.empty())
        throw std::invalid_argument("augmentation sensitivity: no hyperparameter setting has " +
                                    std::to_string(minTrials) + " trials (" +
                                    std::to_string(order.size()) + " settings, the largest with " +
                                    std::to_string(largest) + ")");

    for (std::size_t j = 0; j < m; ++j) {
        AugmentScore a;
        a.augmentation = data.augmentations[j];
        std::vector<double> ws;
        for (const AugmentSettingFit& s : result.settings)
            if (std::isfinite(s.weights[j]))
                ws.push_back(s.weights[j]);
        a.settings = ws.size();
        if (ws.empty()) {
            a.meanWeight = a.influence = a.consistency = a.reliability = a.sensitivity = kNaN;
            result.scores.push_back(a);
            continue;
        }
        const double k = double(ws.size());
        std::size_t positive = 0, negative = 0;
        for (double v : ws) {
            a.meanWeight += v / k;
            a.influence += std::abs(v) / k;
            positive += v > 0;
            negative += v < 0;
        }
        for (double v : ws)
            a.sensitivity += std::abs(v - a.meanWeight) / k;
        a.majoritySign = positive > negative ? 1 : negative > positive ? -1 : 0;
        a.consistency = double(std::max(positive, negative)) / k;
        a.reliability = a.consistency * a.influence;
        result.scores.push_back(a);
    }
    return result;
}

AugmentData augmentData(const ParamTable& table, const AugmentColumns& columns) {
    if (table.rows() < 2)
        throw std::invalid_argument("augmentation sensitivity: the table has " +
                                    std::to_string(table.rows()) +
                                    " rows; at least 2 trials are needed");
    auto columnNamed = [&](const std::string& name) {
        const int c = table.columnOf(name);
        if (c < 0)
            throw std::invalid_argument("augmentation sensitivity: the table has no column '" +
                                        name + "'");
        return static_cast<std::size_t>(c);
    };
    std::vector<std::size_t> switches;
    if (columns.switches.empty()) {
        for (std::size_t c = 0; c < table.dims(); ++c)
            if (!switchName(table.columns[c].name).empty())
                switches.push_back(c);
    } else {
        for (const std::string& name : columns.switches)
            switches.push_back(columnNamed(name));
    }
    if (switches.empty())
        throw std::invalid_argument("augmentation sensitivity: the table has no augmentation "
                                    "switch columns (augment.<name>.enabled)");
    std::vector<std::size_t> setting;
    if (columns.setting.empty()) {
        std::vector<std::string> ownPrefixes;
        for (std::size_t c : switches)
            if (const std::string n = switchName(table.columns[c].name); !n.empty())
                ownPrefixes.push_back(kPrefix + n + ".");
        for (std::size_t c = 0; c < table.dims(); ++c) {
            const std::string& name = table.columns[c].name;
            const bool own =
                std::any_of(ownPrefixes.begin(), ownPrefixes.end(),
                            [&](const std::string& p) { return name.rfind(p, 0) == 0; });
            if (!own && std::find(switches.begin(), switches.end(), c) == switches.end())
                setting.push_back(c);
        }
    } else {
        for (const std::string& name : columns.setting) {
            const std::size_t c = columnNamed(name);
            if (std::find(switches.begin(), switches.end(), c) != switches.end())
                throw std::invalid_argument("augmentation sensitivity: column '" + name +
                                            "' is both a switch and a setting column");
            setting.push_back(c);
        }
    }

    AugmentData data;
    data.metric = table.metric;
    for (std::size_t c : switches) {
        const std::string n = switchName(table.columns[c].name);
        data.augmentations.push_back(n.empty() ? table.columns[c].name : n);
    }
    std::map<std::vector<std::uint64_t>, std::string> idOfKey;
    std::set<std::string> ids;
    for (std::size_t i = 0; i < table.rows(); ++i) {
        AugmentObservation o;
        for (std::size_t c : switches)
            o.on.push_back(flagOf(table.columns[c], table.at(i, c)));
        o.objective = table.y[i];
        if (i < table.trialNumbers.size())
            o.trialNumber = table.trialNumbers[i];
        std::vector<std::uint64_t> key;
        for (std::size_t c : setting)
            key.push_back(cellKey(table.at(i, c)));
        auto it = idOfKey.find(key);
        if (it == idOfKey.end()) {
            std::string id;
            Json values = Json::object();
            for (std::size_t c : setting) {
                const ParamColumn& col = table.columns[c];
                const double v = table.at(i, c);
                id += (id.empty() ? "" : ", ") + col.name + "=" + valueText(col, v);
                values[col.name] = std::isnan(v) ? Json() : col.decode(v);
            }
            if (id.empty())
                id = "all trials";
            // Values that print alike but differ in the last bits stay apart.
            const std::string base = id;
            for (int k = 2; ids.count(id) > 0; ++k)
                id = base + " [" + std::to_string(k) + "]";
            ids.insert(id);
            data.settingValues[id] = std::move(values);
            it = idOfKey.emplace(std::move(key), id).first;
        }
        o.setting = it->second;
        data.observations.push_back(std::move(o));
    }
    return data;
}

Json toJson(const AugmentSensitivity& r) {
    Json settings = Json::array();
    for (const AugmentSettingFit& s : r.settings) {
        Json weights = Json::array();
        for (double w : s.weights)
            weights.push_back(finiteOrNull(w));
        settings.push_back({{"setting", s.setting},
                            {"values", s.values},
                            {"trials", s.trials},
                            {"intercept", s.intercept},
                            {"weights", std::move(weights)},
                            {"score", s.score}});
    }
    Json scores = Json::array();
    for (const AugmentScore& a : r.scores)
        scores.push_back({{"augmentation", a.augmentation},
                          {"settings", a.settings},
                          {"mean_weight", finiteOrNull(a.meanWeight)},
                          {"influence", finiteOrNull(a.influence)},
                          {"consistency", finiteOrNull(a.consistency)},
                          {"majority_sign", a.majoritySign},
                          {"reliability", finiteOrNull(a.reliability)},
                          {"sensitivity", finiteOrNull(a.sensitivity)}});
    return {{"metric", r.metric},
            {"augmentations", r.augmentations},
            {"settings", std::move(settings)},
            {"scores", std::move(scores)},
            {"skipped_settings", r.skippedSettings}};
}

} // namespace ps
