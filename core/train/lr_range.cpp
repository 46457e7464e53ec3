#include "core/train/lr_range.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ps {

double lrRangeAt(const LrRangeConfig& c, std::int64_t i) {
    if (c.numIt < 2)
        return c.startLr;
    const double pos = static_cast<double>(std::clamp<std::int64_t>(i, 0, c.numIt - 1)) /
                       static_cast<double>(c.numIt - 1);
    return c.startLr * std::pow(c.endLr / c.startLr, pos);
}

LrRangeRecorder::LrRangeRecorder(LrRangeConfig config) : m_config(config) {}

double LrRangeRecorder::add(double loss) {
    m_lrs.push_back(lrRangeAt(m_config, static_cast<std::int64_t>(m_smoothed.size())));
    const double n = static_cast<double>(m_smoothed.size() + 1);
    m_average = m_config.beta * m_average + (1 - m_config.beta) * loss;
    const double smooth = m_average / (1 - std::pow(m_config.beta, n)); // bias-corrected
    m_smoothed.push_back(smooth);
    if (!std::isfinite(smooth) || (m_smoothed.size() > 1 && smooth > m_config.stopFactor * m_best))
        m_diverged = true;
    if (m_smoothed.size() == 1 || smooth < m_best)
        m_best = smooth;
    return smooth;
}

LrSuggestions suggestLearningRates(const std::vector<double>& allLrs,
                                   const std::vector<double>& allLosses) {
    const std::size_t total = std::min(allLrs.size(), allLosses.size());
    const std::size_t begin = total / 10;
    const std::size_t end = total > 5 ? total - 5 : 0;
    if (end < begin + 3)
        throw std::invalid_argument("the range test recorded " + std::to_string(total) +
                                    " points; at least 18 are needed for a suggestion");
    const std::vector<double> lrs(allLrs.begin() + static_cast<std::ptrdiff_t>(begin),
                                  allLrs.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<double> losses(allLosses.begin() + static_cast<std::ptrdiff_t>(begin),
                               allLosses.begin() + static_cast<std::ptrdiff_t>(end));
    for (double& l : losses) // a NaN would poison every comparison below
        if (!std::isfinite(l))
            l = INFINITY;
    const std::size_t n = losses.size();
    LrSuggestions s;

    const std::size_t lowest =
        static_cast<std::size_t>(std::min_element(losses.begin(), losses.end()) - losses.begin());
    s.lowest = lrs[lowest];
    s.minimum = lrs[lowest] / 10;

    // steepest descent of the loss per unit of log-lr
    std::size_t steepest = 0;
    double bestSlope = INFINITY;
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const double slope =
            (losses[i + 1] - losses[i]) / (std::log(lrs[i + 1]) - std::log(lrs[i]));
        if (slope < bestSlope) {
            bestSlope = slope;
            steepest = i;
        }
    }
    s.steep = lrs[steepest];

    // valley: the longest strictly decreasing subsequence (O(n^2), n is ~100)
    std::vector<std::size_t> lds(n, 1);
    std::size_t maxStart = 0, maxEnd = 0;
    for (std::size_t i = 1; i < n; ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (losses[i] < losses[j] && lds[i] < lds[j] + 1)
                lds[i] = lds[j] + 1;
            if (lds[maxEnd] < lds[i]) {
                maxEnd = i;
                // fastai's index, one before the stretch, kept from going below 0
                maxStart = lds[maxEnd] > maxEnd ? 0 : maxEnd - lds[maxEnd];
            }
        }
    }
    const double sections = static_cast<double>(maxEnd - maxStart) / 3.0;
    const std::size_t idx = std::min(n - 1, maxStart + static_cast<std::size_t>(sections) +
                                                static_cast<std::size_t>(sections / 2));
    s.valley = lrs[idx];
    s.start = lrs[maxStart];
    return s;
}

} // namespace ps
