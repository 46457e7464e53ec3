#include "core/analysis/curves_analysis.h"

#include "core/analysis/analysis_options.h"
#include "core/analysis/curve_groups.h"
#include "core/space/study_config.h"
#include "core/train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ps {

namespace {

using T = SettingType;

// The learning rate (and momentum, where the schedule drives it) a trial of the classify
// task saw, at up to `points` mini-batches spread over its run, the last one included. Null
// when the trial's settings have no schedule or it did not report batches_per_epoch.
Json scheduleCurve(const StudyConfig& config, const Trial& trial, int points) {
    const Json settings = taskSettingsFor(config, trial.params);
    const auto batches = trial.values.find("batches_per_epoch");
    if (!settings.contains("schedule") || !settings.contains("epochs") ||
        batches == trial.values.end() || !(batches->second >= 1))
        return nullptr;
    ScheduleConfig schedule;
    try {
        schedule = scheduleFromSettings(settings);
    } catch (const std::invalid_argument&) {
        return nullptr; // not a schedule this code knows how to redraw
    }
    schedule.stepsPerEpoch = static_cast<std::int64_t>(batches->second);
    schedule.totalSteps =
        std::max<std::int64_t>(1, schedule.stepsPerEpoch * settings["epochs"].get<std::int64_t>());
    Json out{{"batches_per_epoch", schedule.stepsPerEpoch},
             {"batch", Json::array()},
             {"lr", Json::array()}};
    const std::int64_t total = schedule.totalSteps;
    const std::int64_t n = std::min<std::int64_t>(total, std::max(2, points));
    bool momentum = false;
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t step = n == 1 ? 0 : i * (total - 1) / (n - 1);
        const ScheduleValue v = scheduleAt(schedule, step);
        out["batch"].push_back(step);
        out["lr"].push_back(v.lr);
        if (v.momentum) {
            momentum = true;
            out["momentum"].push_back(*v.momentum);
        }
    }
    if (!momentum)
        out.erase("momentum");
    return out;
}

std::string number(double v) {
    char text[64];
    std::snprintf(text, sizeof text, "%.4g", v);
    return text;
}

class CurvesRun final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        CurveGroupOptions options;
        options.metric = o["metric"].get<std::string>();
        if (options.metric.empty())
            options.metric = context.config.objective().metric;
        options.group = nameList(o["group"].get<std::string>());
        options.average = nameList(o["average"].get<std::string>());
        options.where = whereClause(o["where"].get<std::string>());
        CurveGroups groups;
        try {
            groups = curveGroups(
                context.trials, [&](const Trial& t) { return context.storage.trialMetrics(t.id); },
                options);
        } catch (const std::invalid_argument& e) {
            throw AnalysisError(e.what());
        }
        Json out = toJson(groups);
        const int points = o["schedule_points"].get<int>();
        for (std::size_t g = 0; g < groups.groups.size(); ++g) {
            const int first = groups.groups[g].trials.front();
            for (const Trial& t : context.trials)
                if (t.number == first)
                    out["groups"][g]["schedule"] = scheduleCurve(context.config, t, points);
        }

        // Which group ends best, in the metric's direction.
        std::string direction = o["direction"].get<std::string>();
        if (direction.empty())
            direction =
                options.metric == context.config.objective().metric
                    ? (context.config.objective().direction == Direction::Maximize ? "maximize"
                                                                                   : "minimize")
                    : (options.metric.find("acc") != std::string::npos ? "maximize" : "minimize");
        out["direction"] = direction;
        std::size_t best = 0;
        for (std::size_t g = 1; g < groups.groups.size(); ++g) {
            const double a = groups.groups[g].finalMean, b = groups.groups[best].finalMean;
            if (direction == "maximize" ? a > b : a < b)
                best = g;
        }
        out["best_group"] = best;

        Json summary = Json::array();
        std::string by;
        for (const std::string& name : groups.group)
            by += (by.empty() ? "" : ", ") + name;
        summary.push_back(options.metric + " curves of " + std::to_string(groups.groups.size()) +
                          " group(s)" + (by.empty() ? std::string() : " by " + by) +
                          (options.average.empty()
                               ? std::string()
                               : ", averaged over " + o["average"].get<std::string>()));
        for (std::size_t g = 0; g < groups.groups.size(); ++g) {
            const CurveGroup& group = groups.groups[g];
            const Json& schedule = out["groups"][g]["schedule"];
            std::string line = (g == best ? "* " : "  ") + group.key + ": " +
                               std::to_string(group.finalCount) + " trial(s), final " +
                               number(group.finalMean) + " +- " + number(group.finalSd) + " over " +
                               std::to_string(group.steps.size()) + " steps";
            if (schedule.is_object()) {
                const auto& lr = schedule["lr"];
                const auto [lo, hi] =
                    std::minmax_element(lr.begin(), lr.end(), [](const Json& a, const Json& b) {
                        return a.get<double>() < b.get<double>();
                    });
                line += "; lr from " + number(lr.front().get<double>()) + " (range " +
                        number(lo->get<double>()) + " to " + number(hi->get<double>()) + ") to " +
                        number(lr.back().get<double>());
                if (schedule.contains("momentum"))
                    line += ", momentum cycled";
            }
            summary.push_back(line);
        }
        summary.push_back("* ends best (" + direction + ")");
        out["summary"] = summary;
        return out;
    }
};

} // namespace

AnalysisSpec curvesSpec() {
    AnalysisSpec spec;
    spec.kind = "curves";
    spec.description = "learning curves of groups of trials averaged over seeds, with each "
                       "group's learning-rate schedule (one-cycle against constant, METHODS 8)";
    spec.options = {
        metricOption(),
        makeSetting("group", T::String, "", std::nullopt, std::nullopt,
                    "comma-separated parameters whose values make a group; empty: every "
                    "parameter the trials vary except those averaged over"),
        makeSetting("average", T::String, "seed", std::nullopt, std::nullopt,
                    "comma-separated parameters averaged over"),
        whereOption(),
        makeSetting("direction", T::String, "", std::nullopt, std::nullopt,
                    "which end is better; empty: the objective's, else maximize for accuracies",
                    {"", "minimize", "maximize"}),
        makeSetting("schedule_points", T::Int, 400, 2, 100000,
                    "mini-batches at which each group's schedule is drawn"),
    };
    // its data are the trials' intermediate metrics: the default identity (finished trials'
    // revisions) changes when they do
    return spec;
}

std::unique_ptr<Analysis> makeCurvesAnalysis() {
    return std::make_unique<CurvesRun>();
}

} // namespace ps
