#pragma once
// Axis helpers shared by the QCustomPlot views. GUI thread only.

#include "widgets/qcustomplot_include.h"

#include <algorithm>
#include <cmath>

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

} // namespace ps
