#pragma once
// The learning-rate range test (Smith 2015/2018; fastai's lr_find, METHODS.md 8.1), the part
// that needs no LibTorch: the exponential lr ramp, the smoothed loss and its stopping rule,
// and the suggestions read from the recorded curve.

#include <cstdint>
#include <string>
#include <vector>

namespace ps {

struct LrRangeConfig {
    double startLr = 1e-7;
    double endLr = 10;
    std::int64_t numIt = 100; // mini-batches from startLr to endLr
    double beta = 0.98;       // EMA of the loss, bias-corrected
    double stopFactor = 4;    // stop once the smoothed loss exceeds this times its best
};

// lr of mini-batch `i` (0-based): startLr (endLr / startLr)^(i / (numIt - 1)).
double lrRangeAt(const LrRangeConfig& config, std::int64_t i);

// Feeds one raw batch loss at a time; says when to stop.
class LrRangeRecorder {
public:
    explicit LrRangeRecorder(LrRangeConfig config);
    // Records the loss of the batch trained at lrRangeAt(size()); returns the smoothed loss.
    double add(double loss);
    // True once the smoothed loss diverged (over stopFactor times its best, or not finite).
    bool diverged() const { return m_diverged; }
    std::size_t size() const { return m_smoothed.size(); }
    const std::vector<double>& lrs() const { return m_lrs; }
    const std::vector<double>& smoothed() const { return m_smoothed; }

private:
    LrRangeConfig m_config;
    std::vector<double> m_lrs, m_smoothed;
    double m_average = 0, m_best = 0;
    bool m_diverged = false;
};

struct LrSuggestions {
    double valley = 0;  // fastai's default: 2/3 down the longest decreasing stretch
    double minimum = 0; // the lr of the lowest loss, divided by 10
    double steep = 0;   // where the loss falls fastest per log-lr
    double lowest = 0;  // the lr of the lowest loss itself: Smith's upper bound
    double start = 0;   // where the longest decreasing stretch begins: Smith's lower bound
};

// Reads the suggestions from the curve as fastai does: the first tenth and the last five
// points are left out (noise at the start, divergence at the end). Throws
// std::invalid_argument when fewer than 3 points remain.
LrSuggestions suggestLearningRates(const std::vector<double>& lrs,
                                   const std::vector<double>& losses);

} // namespace ps
