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

} // namespace ps
