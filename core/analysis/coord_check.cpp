#include "core/analysis/coord_check.h"

#include "core/analysis/trial_column.h"

#include <cmath>
#include <map>
#include <stdexcept>

namespace ps {

CoordCheckResult coordCheck(const std::vector<Trial>& trials,
                            const std::vector<MetricPoint>& metrics, const std::string& widthParam,
                            const Json& where, double flatTolerance) {
    std::map<std::int64_t, std::pair<double, int>> widthOf; // trial id -> (width, attempt)
    for (const Trial& t : trials) {
        if (t.state != TrialState::Complete)
            continue;
        const auto it = t.params.find(widthParam);
        if (!trialMatches(t, where) || it == t.params.end() || !it->is_number() ||
            it->get<double>() <= 0)
            continue;
        widthOf[t.id] = {it->get<double>(), t.attempts};
    }
    if (widthOf.empty())
        throw std::invalid_argument("no complete trial has a positive parameter '" + widthParam +
                                    "'" + (where.empty() ? "" : " and " + where.dump()));
    // (step, layer) -> width -> log2 l1 values
    std::map<std::pair<std::int64_t, std::string>, std::map<double, std::vector<double>>> points;
    CoordCheckResult out;
    out.flatTolerance = flatTolerance;
    for (const MetricPoint& m : metrics) {
        const auto it = widthOf.find(m.trialId);
        if (it == widthOf.end() || m.attempt != it->second.second || m.name.rfind("l1.", 0) != 0 ||
            !(m.value > 0) || !std::isfinite(m.value))
            continue;
        points[{m.step, m.name.substr(3)}][it->second.first].push_back(std::log2(m.value));
        out.lastStep = std::max(out.lastStep, m.step);
    }
    if (points.empty())
        throw std::invalid_argument("the trials reported no l1.<layer> metric: run the "
                                    "coord_check task");
    out.trialsUsed = static_cast<int>(widthOf.size());
    for (const auto& [key, byWidth] : points) {
        CoordCheckLayer layer;
        layer.step = key.first;
        layer.layer = key.second;
        double mx = 0, my = 0;
        for (const auto& [width, logs] : byWidth) {
            double mean = 0;
            for (double v : logs)
                mean += v / double(logs.size());
            layer.widths.push_back(width);
            layer.l1.push_back(std::exp2(mean));
            mx += std::log2(width) / double(byWidth.size());
            my += mean / double(byWidth.size());
        }
        if (layer.widths.size() < 2)
            throw std::invalid_argument("layer " + layer.layer + " at step " +
                                        std::to_string(layer.step) + " has one width (" +
                                        std::to_string(layer.widths[0]) +
                                        "); a slope needs at least 2");
        double sxy = 0, sxx = 0;
        for (std::size_t i = 0; i < layer.widths.size(); ++i) {
            const double dx = std::log2(layer.widths[i]) - mx;
            sxy += dx * (std::log2(layer.l1[i]) - my);
            sxx += dx * dx;
        }
        layer.slope = sxy / sxx;
        out.layers.push_back(std::move(layer));
    }
    return out;
}

Json toJson(const CoordCheckResult& r) {
    Json layers = Json::array();
    for (const CoordCheckLayer& l : r.layers)
        layers.push_back({{"layer", l.layer},
                          {"step", l.step},
                          {"widths", l.widths},
                          {"l1", l.l1},
                          {"slope", l.slope}});
    return {{"layers", layers},
            {"last_step", r.lastStep},
            {"flat_tolerance", r.flatTolerance},
            {"trials", r.trialsUsed}};
}

} // namespace ps
