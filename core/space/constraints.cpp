#include "core/space/constraints.h"

#include <cmath>
#include <limits>

namespace ps {

double violation(const std::vector<Constraint>& constraints, const Trial& trial) {
    double total = 0;
    for (const auto& c : constraints) {
        const auto it = trial.values.find(c.metric);
        if (it == trial.values.end() || std::isnan(it->second))
            return std::numeric_limits<double>::infinity();
        const double v = it->second;
        if (c.min && v < *c.min)
            total += *c.min - v;
        if (c.max && v > *c.max)
            total += v - *c.max;
    }
    return total;
}

bool isBetter(double value, const std::optional<double>& best, Direction direction) {
    if (!best)
        return true;
    return direction == Direction::Minimize ? value < *best : value > *best;
}

namespace {

const Trial* bestOf(const Trial* best, const Trial& t, Direction direction,
                    const std::vector<Constraint>& constraints) {
    if (t.state != TrialState::Complete || !t.value || !std::isfinite(*t.value))
        return best;
    if (!isFeasible(constraints, t))
        return best;
    return !best || isBetter(*t.value, best->value, direction) ? &t : best;
}

} // namespace

const Trial* bestTrial(const std::vector<Trial>& trials, Direction direction,
                       const std::vector<Constraint>& constraints) {
    const Trial* best = nullptr;
    for (const auto& t : trials)
        best = bestOf(best, t, direction, constraints);
    return best;
}

const Trial* bestSharedTrial(const std::vector<TrialPtr>& trials, Direction direction,
                             const std::vector<Constraint>& constraints) {
    const Trial* best = nullptr;
    for (const auto& t : trials)
        best = bestOf(best, *t, direction, constraints);
    return best;
}

} // namespace ps
