#pragma once
// Axis helpers shared by the QCustomPlot views. GUI thread only.

#include "widgets/qcustomplot_include.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ps {

// Switches a value axis between linear and logarithmic scale, with the matching ticker.
inline void setLogAxis(QCPAxis* axis, bool log) {
    axis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log) {
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        ticker->setSubTickCount(8);
        axis->setTicker(ticker);
        axis->setNumberFormat(QStringLiteral("gb"));
    } else {
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setNumberFormat(QStringLiteral("g"));
    }
}

// [lo, hi] with some air around it, in the axis's own scale; a log axis gets only positive
// bounds (values <= 0 cannot be drawn there and are left out by the caller).
inline QCPRange paddedRange(double lo, double hi, bool log) {
    if (log) {
        lo = std::max(lo, 1e-300);
        hi = std::max(hi, lo);
        const double f = hi > lo ? std::pow(hi / lo, 0.06) : 2.0;
        return {lo / f, hi * f};
    }
    const double pad = hi > lo ? (hi - lo) * 0.06 : std::max(std::abs(hi) * 0.1, 0.5);
    return {lo - pad, hi + pad};
}

// The padded range for `values` (those <= 0 already left out on a log axis). With
// ignoreOutliers, as TensorBoard's curves do by default, a diverged trial's 1e6 does not
// flatten every other curve: values beyond the 2nd..98th percentile band widened by its own
// width on each side are left outside; with fewer than 10 values all are shown.
inline QCPRange valueRange(std::vector<double> values, bool log, bool ignoreOutliers = true) {
    if (values.empty())
        return log ? QCPRange(0.1, 10) : QCPRange(0, 1);
    std::sort(values.begin(), values.end());
    double lo = values.front(), hi = values.back();
    if (ignoreOutliers && values.size() >= 10) {
        const auto at = [&](double q) {
            const double v = values[static_cast<std::size_t>(q * double(values.size() - 1))];
            return log ? std::log(v) : v;
        };
        const double a = at(0.02), b = at(0.98), width = b - a;
        const double bandLo = log ? std::exp(a - width) : a - width;
        const double bandHi = log ? std::exp(b + width) : b + width;
        if (width > 0) {
            lo = std::max(lo, bandLo);
            hi = std::min(hi, bandHi);
        }
    }
    return paddedRange(lo, hi, log);
}

} // namespace ps
