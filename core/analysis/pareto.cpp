#include "core/analysis/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ps {

namespace {

// The value as a loss to minimize; NaN becomes +inf so that a broken value never dominates.
double asLoss(double v, Direction d) {
    if (std::isnan(v))
        return std::numeric_limits<double>::infinity();
    return d == Direction::Maximize ? -v : v;
}

} // namespace

bool dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<Direction>& directions) {
    bool better = false;
    for (std::size_t k = 0; k < directions.size(); ++k) {
        const double x = asLoss(a[k], directions[k]), y = asLoss(b[k], directions[k]);
        if (x > y)
            return false;
        if (x < y)
            better = true;
    }
    return better;
}

std::vector<std::vector<std::size_t>>
nonDominatedSort(const std::vector<std::vector<double>>& points,
                 const std::vector<Direction>& directions) {
    const std::size_t n = points.size();
    std::vector<std::vector<std::size_t>> dominated(n); // S_p: the points p dominates
    std::vector<std::size_t> count(n, 0);               // n_p: how many points dominate p
    std::vector<std::vector<std::size_t>> fronts;
    std::vector<std::size_t> current;
    for (std::size_t p = 0; p < n; ++p) {
        for (std::size_t q = p + 1; q < n; ++q) {
            if (dominates(points[p], points[q], directions)) {
                dominated[p].push_back(q);
                ++count[q];
            } else if (dominates(points[q], points[p], directions)) {
                dominated[q].push_back(p);
                ++count[p];
            }
        }
    }
    for (std::size_t p = 0; p < n; ++p) {
        if (count[p] == 0)
            current.push_back(p);
    }
    while (!current.empty()) {
        std::vector<std::size_t> next;
        for (std::size_t p : current) {
            for (std::size_t q : dominated[p]) {
                if (--count[q] == 0)
                    next.push_back(q);
            }
        }
        std::sort(next.begin(), next.end());
        fronts.push_back(std::move(current));
        current = std::move(next);
    }
    return fronts;
}

std::vector<double> crowdingDistance(const std::vector<std::vector<double>>& front) {
    const std::size_t n = front.size();
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> distance(n, 0.0);
    if (n <= 2)
        return std::vector<double>(n, inf);
    const std::size_t m = front.front().size();
    std::vector<std::size_t> order(n);
    for (std::size_t k = 0; k < m; ++k) {
        std::iota(order.begin(), order.end(), std::size_t{0});
        // Stable, so ties keep their input order and the result is deterministic.
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return front[a][k] < front[b][k]; });
        distance[order.front()] = inf;
        distance[order.back()] = inf;
        const double range = front[order.back()][k] - front[order.front()][k];
        // A flat objective separates no one; dividing by zero would poison the sums with NaN.
        if (!(range > 0) || !std::isfinite(range))
            continue;
        for (std::size_t i = 1; i + 1 < n; ++i)
            distance[order[i]] += (front[order[i + 1]][k] - front[order[i - 1]][k]) / range;
    }
    return distance;
}

std::optional<std::vector<double>> objectiveVector(const Trial& trial,
                                                   const std::vector<Objective>& objectives) {
    std::vector<double> v;
    if (objectives.empty()) {
        if (!trial.value || !std::isfinite(*trial.value))
            return std::nullopt;
        return std::vector<double>{*trial.value};
    }
    v.reserve(objectives.size());
    for (std::size_t k = 0; k < objectives.size(); ++k) {
        const auto it = trial.values.find(objectives[k].metric);
        double x;
        if (it != trial.values.end())
            x = it->second;
        else if (k == 0 && trial.value)
            x = *trial.value;
        else
            return std::nullopt;
        if (!std::isfinite(x))
            return std::nullopt;
        v.push_back(x);
    }
    return v;
}

namespace {

template <typename Trials>
std::vector<Trial> paretoFrontOf(const Trials& trials, const std::vector<Objective>& objectives,
                                 const std::vector<Constraint>& constraints) {
    std::vector<std::size_t> index;
    std::vector<std::vector<double>> points;
    for (std::size_t i = 0; i < trials.size(); ++i) {
        if (trials[i].state != TrialState::Complete || !isFeasible(constraints, trials[i]))
            continue;
        if (auto v = objectiveVector(trials[i], objectives)) {
            index.push_back(i);
            points.push_back(std::move(*v));
        }
    }
    std::vector<Direction> directions;
    for (const auto& o : objectives)
        directions.push_back(o.direction);
    if (directions.empty())
        directions.push_back(Direction::Minimize);
    std::vector<Trial> front;
    const auto fronts = nonDominatedSort(points, directions);
    if (!fronts.empty()) {
        for (std::size_t i : fronts.front())
            front.push_back(trials[index[i]]);
    }
    return front;
}

} // namespace

std::vector<Trial> paretoFront(const std::vector<Trial>& trials,
                               const std::vector<Objective>& objectives,
                               const std::vector<Constraint>& constraints) {
    return paretoFrontOf(trials, objectives, constraints);
}

std::vector<Trial> paretoFrontShared(const TrialList& trials,
                                     const std::vector<Objective>& objectives,
                                     const std::vector<Constraint>& constraints) {
    return paretoFrontOf(trials, objectives, constraints);
}

} // namespace ps
