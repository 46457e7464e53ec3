#include "core/analysis/curve_groups.h"

#include "core/analysis/trial_column.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace ps {

namespace {

// Mean and sample standard deviation (0 for a single value).
std::pair<double, double> meanSd(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v)
        sum += x;
    const double mean = sum / double(v.size());
    double ss = 0;
    for (double x : v)
        ss += (x - mean) * (x - mean);
    return {mean, v.size() > 1 ? std::sqrt(ss / double(v.size() - 1)) : 0.0};
}

std::string valueText(const Json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

} // namespace

CurveGroups curveGroups(const std::vector<Trial>& trials,
                        const std::function<std::vector<MetricPoint>(const Trial&)>& metricsOf,
                        const CurveGroupOptions& options) {
    if (options.metric.empty())
        throw std::invalid_argument("name the reported metric whose curves to group");
    // Each chosen trial's curve: the latest attempt's value per step.
    struct Curve {
        const Trial* trial = nullptr;
        std::map<std::int64_t, double> points;
    };
    std::vector<Curve> curves;
    for (const Trial& t : trials) {
        if (t.state != TrialState::Complete || !trialMatches(t, options.where))
            continue;
        const std::vector<MetricPoint> points = metricsOf(t);
        int attempt = -1;
        for (const MetricPoint& m : points)
            if (m.name == options.metric)
                attempt = std::max(attempt, m.attempt);
        Curve c{&t, {}};
        for (const MetricPoint& m : points)
            if (m.name == options.metric && m.attempt == attempt && std::isfinite(m.value))
                c.points[m.step] = m.value;
        if (!c.points.empty())
            curves.push_back(std::move(c));
    }
    if (curves.empty())
        throw std::invalid_argument(
            "no complete trial" +
            (options.where.empty() ? std::string() : " matching " + options.where.dump()) +
            " reported metric '" + options.metric + "'");
    std::sort(curves.begin(), curves.end(),
              [](const Curve& a, const Curve& b) { return a.trial->number < b.trial->number; });

    CurveGroups out;
    out.metric = options.metric;
    const std::set<std::string> averaged(options.average.begin(), options.average.end());
    if (!options.group.empty()) {
        for (const std::string& name : options.group) {
            const bool known = std::any_of(curves.begin(), curves.end(), [&](const Curve& c) {
                return c.trial->params.contains(name);
            });
            if (!known)
                throw std::invalid_argument("no chosen trial has a parameter '" + name +
                                            "' to group by");
        }
        out.group = options.group;
    } else {
        // every parameter whose value differs between chosen trials, in first-seen order
        std::map<std::string, std::set<std::string>> seen;
        std::vector<std::string> order;
        for (const Curve& c : curves)
            for (const auto& [name, value] : c.trial->params.items()) {
                if (!seen.contains(name))
                    order.push_back(name);
                seen[name].insert(value.dump());
            }
        for (const std::string& name : order)
            if (!averaged.contains(name) && seen[name].size() > 1)
                out.group.push_back(name);
    }

    std::map<std::string, std::size_t> index; // key -> position in out.groups
    std::vector<std::vector<const Curve*>> members;
    for (const Curve& c : curves) {
        Json values = Json::object();
        std::string key;
        for (const std::string& name : out.group) {
            const auto it = c.trial->params.find(name);
            const Json value = it == c.trial->params.end() ? Json() : *it;
            values[name] = value;
            key += (key.empty() ? "" : ", ") + name + "=" +
                   (value.is_null() ? std::string("(inactive)") : valueText(value));
        }
        if (key.empty())
            key = "all trials";
        auto [it, added] = index.try_emplace(key, out.groups.size());
        if (added) {
            CurveGroup g;
            g.key = key;
            g.values = values;
            out.groups.push_back(std::move(g));
            members.emplace_back();
        }
        out.groups[it->second].trials.push_back(c.trial->number);
        members[it->second].push_back(&c);
    }

    for (std::size_t g = 0; g < out.groups.size(); ++g) {
        CurveGroup& group = out.groups[g];
        std::map<std::int64_t, std::vector<double>> byStep;
        std::vector<double> finals;
        for (const Curve* c : members[g]) {
            for (const auto& [step, value] : c->points)
                byStep[step].push_back(value);
            const auto final = c->trial->values.find(options.metric);
            finals.push_back(final != c->trial->values.end() && std::isfinite(final->second)
                                 ? final->second
                                 : c->points.rbegin()->second);
        }
        for (const auto& [step, values] : byStep) {
            const auto [mean, sd] = meanSd(values);
            group.steps.push_back(step);
            group.mean.push_back(mean);
            group.sd.push_back(sd);
            group.min.push_back(*std::min_element(values.begin(), values.end()));
            group.max.push_back(*std::max_element(values.begin(), values.end()));
            group.count.push_back(static_cast<int>(values.size()));
        }
        std::tie(group.finalMean, group.finalSd) = meanSd(finals);
        group.finalCount = static_cast<int>(finals.size());
    }
    return out;
}

Json toJson(const CurveGroups& groups) {
    Json out{{"metric", groups.metric}, {"group", groups.group}, {"groups", Json::array()}};
    for (const CurveGroup& g : groups.groups)
        out["groups"].push_back({{"key", g.key},
                                 {"values", g.values},
                                 {"trials", g.trials},
                                 {"steps", g.steps},
                                 {"mean", g.mean},
                                 {"sd", g.sd},
                                 {"min", g.min},
                                 {"max", g.max},
                                 {"count", g.count},
                                 {"final_mean", g.finalMean},
                                 {"final_sd", g.finalSd},
                                 {"final_count", g.finalCount}});
    return out;
}

} // namespace ps
