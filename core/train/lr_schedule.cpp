#include "core/train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace ps {

namespace {

// PyTorch's _annealing_cos: from `start` at pct 0 to `end` at pct 1.
double annealCos(double start, double end, double pct) {
    return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1.0);
}

ScheduleValue oneCycle(const ScheduleConfig& c, std::int64_t step) {
    const double initial = c.lr / c.divFactor;
    const double minimum = initial / c.finalDivFactor;
    const double total = static_cast<double>(c.totalSteps);
    struct Phase {
        double end; // last step of the phase, as OneCycleLR computes it (a float)
        double lrStart, lrEnd, momentumStart, momentumEnd;
    };
    std::vector<Phase> phases;
    if (c.threePhase) {
        phases = {{c.pctStart * total - 1, initial, c.lr, c.maxMomentum, c.baseMomentum},
                  {2 * c.pctStart * total - 2, c.lr, initial, c.baseMomentum, c.maxMomentum},
                  {total - 1, initial, minimum, c.maxMomentum, c.maxMomentum}};
    } else {
        phases = {{c.pctStart * total - 1, initial, c.lr, c.maxMomentum, c.baseMomentum},
                  {total - 1, c.lr, minimum, c.baseMomentum, c.maxMomentum}};
    }
    const double t = static_cast<double>(std::min(step, c.totalSteps - 1));
    double start = 0;
    ScheduleValue v;
    for (std::size_t i = 0; i < phases.size(); ++i) {
        const Phase& p = phases[i];
        if (t <= p.end || i + 1 == phases.size()) {
            const double pct = p.end > start ? (t - start) / (p.end - start) : 1.0;
            v.lr = annealCos(p.lrStart, p.lrEnd, pct);
            if (c.cycleMomentum)
                v.momentum = annealCos(p.momentumStart, p.momentumEnd, pct);
            return v;
        }
        start = p.end;
    }
    return v;
}

} // namespace

ScheduleKind scheduleKindFromText(const std::string& text) {
    if (text == "constant")
        return ScheduleKind::Constant;
    if (text == "step")
        return ScheduleKind::Step;
    if (text == "cosine")
        return ScheduleKind::Cosine;
    if (text == "linear")
        return ScheduleKind::Linear;
    if (text == "onecycle")
        return ScheduleKind::OneCycle;
    throw std::invalid_argument("schedule '" + text +
                                "' is not one of constant, step, cosine, linear, onecycle");
}

ScheduleValue scheduleAt(const ScheduleConfig& c, std::int64_t step) {
    if (c.totalSteps < 1)
        throw std::invalid_argument("a schedule needs at least one step");
    step = std::clamp<std::int64_t>(step, 0, c.totalSteps - 1);
    if (c.kind == ScheduleKind::OneCycle)
        return oneCycle(c, step);

    const double t = static_cast<double>(step);
    const double last = static_cast<double>(std::max<std::int64_t>(1, c.totalSteps - 1));
    const double floorLr = c.lr * c.minLrFactor;
    ScheduleValue v;
    switch (c.kind) {
    case ScheduleKind::Constant:
        v.lr = c.lr;
        break;
    case ScheduleKind::Step: {
        const std::int64_t epoch = step / std::max<std::int64_t>(1, c.stepsPerEpoch);
        v.lr =
            c.lr *
            std::pow(c.gamma, static_cast<double>(epoch / std::max<std::int64_t>(1, c.stepEpochs)));
        break;
    }
    case ScheduleKind::Cosine:
        v.lr = annealCos(c.lr, floorLr, t / last);
        break;
    case ScheduleKind::Linear:
        v.lr = c.lr + (floorLr - c.lr) * (t / last);
        break;
    case ScheduleKind::OneCycle:
        break;
    }
    if (c.warmupSteps > 0 && step < c.warmupSteps)
        v.lr *= static_cast<double>(step + 1) / static_cast<double>(c.warmupSteps);
    return v;
}

namespace {

const Json& scheduleSetting(const Json& settings, const std::string& group, const std::string& key,
                            bool (Json::*isType)() const noexcept, const char* what) {
    const std::string path = group + "." + key;
    if (!settings.contains(group) || !settings[group].is_object() || !settings[group].contains(key))
        throw std::invalid_argument("setting '" + path + "' is missing");
    const Json& value = settings[group][key];
    if (!(value.*isType)())
        throw std::invalid_argument("setting '" + path + "' is not " + what + ": " + value.dump());
    return value;
}

} // namespace

ScheduleConfig scheduleFromSettings(const Json& settings) {
    const auto number = [&](const std::string& group, const std::string& key) {
        return scheduleSetting(settings, group, key, &Json::is_number, "a number").get<double>();
    };
    const auto integer = [&](const std::string& key) {
        return scheduleSetting(settings, "schedule", key, &Json::is_number_integer, "an integer")
            .get<std::int64_t>();
    };
    const auto flag = [&](const std::string& key) {
        return scheduleSetting(settings, "schedule", key, &Json::is_boolean, "true or false")
            .get<bool>();
    };
    ScheduleConfig c;
    const std::string kind =
        scheduleSetting(settings, "schedule", "kind", &Json::is_string, "a string")
            .get<std::string>();
    try {
        c.kind = scheduleKindFromText(kind);
    } catch (const std::invalid_argument& error) {
        throw std::invalid_argument(std::string("setting 'schedule.kind': ") + error.what());
    }
    c.lr = number("optimizer", "lr");
    c.warmupSteps = integer("warmup_steps");
    c.stepEpochs = integer("step_epochs");
    c.gamma = number("schedule", "gamma");
    c.minLrFactor = number("schedule", "min_lr_factor");
    c.pctStart = number("schedule", "pct_start");
    c.divFactor = number("schedule", "div_factor");
    c.finalDivFactor = number("schedule", "final_div_factor");
    c.threePhase = flag("three_phase");
    c.cycleMomentum = flag("cycle_momentum");
    c.baseMomentum = number("schedule", "base_momentum");
    c.maxMomentum = number("schedule", "max_momentum");
    return c;
}

} // namespace ps
