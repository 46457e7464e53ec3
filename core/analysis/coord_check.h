#pragma once
// muP's coordinate check read across trials (METHODS 3.3): coord_check trials of several
// widths report each layer's mean |activation| (metrics "l1.<layer>") at steps t = 1, 2, ...;
// per layer and step, the slope of log2(l1) against log2(width) says whether activations keep
// their size as the model widens (|slope| < 0.1 under muP) or grow (SP).

#include "core/study/trial.h"

#include <string>
#include <vector>

namespace ps {

struct CoordCheckLayer {
    std::string layer; // "hidden.1", "output"
    std::int64_t step = 0;
    std::vector<double> widths; // increasing
    std::vector<double> l1;     // geometric mean over the trials (seeds) of each width
    double slope = 0;           // of log2(l1) on log2(width), least squares
};

struct CoordCheckResult {
    std::vector<CoordCheckLayer> layers; // by step, then layer name
    std::int64_t lastStep = 0;
    double flatTolerance = 0.1;
    int trialsUsed = 0;
};

// `metrics`: the study's intermediate points; `trials` give each point's width (parameter
// `widthParam`, positive numbers) and are filtered by `where` (parameter values that must all
// match). Throws std::invalid_argument naming what is missing: no trial with the width
// parameter, fewer than 2 widths, no l1.* metric.
CoordCheckResult coordCheck(const std::vector<Trial>& trials,
                            const std::vector<MetricPoint>& metrics, const std::string& widthParam,
                            const Json& where = Json::object(), double flatTolerance = 0.1);

Json toJson(const CoordCheckResult& result);

} // namespace ps
