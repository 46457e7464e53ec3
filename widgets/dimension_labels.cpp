#include "widgets/dimension_labels.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>

namespace ps {

QString numberText(double v) {
    return QString::number(v, 'g', 4);
}

QString categoryText(const Dimension& dim, std::size_t category) {
    if (category < dim.categories.size() && dim.categories[category].is_number())
        return numberText(dim.categories[category].get<double>());
    return QString::fromStdString(dim.label(category));
}

std::vector<double> niceTicks(double low, double high, int count) {
    std::vector<double> ticks;
    if (!(high > low))
        return {low};
    const double raw = (high - low) / std::max(1, count);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    for (double v = std::ceil(low / step) * step; v <= high + step * 1e-9; v += step)
        ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    return ticks;
}

std::vector<std::pair<double, QString>> dimensionTicks(const Dimension& dim, int count) {
    std::vector<std::pair<double, QString>> ticks;
    if (dim.scale == AxisScale::Categorical) {
        const std::size_t k = dim.categories.size();
        for (std::size_t c = 0; c < k; ++c)
            ticks.emplace_back((double(c) + 0.5) / double(k), categoryText(dim, c));
    } else if (dim.hasRange && dim.max > dim.min) {
        if (dim.scale == AxisScale::Log) {
            const double lo = std::floor(std::log10(dim.min)), hi = std::ceil(std::log10(dim.max));
            const double stride = std::max(1.0, std::ceil((hi - lo) / std::max(1, count)));
            for (double e = lo; e <= hi; e += stride) {
                const double v = std::pow(10.0, e);
                if (v >= dim.min * (1 - 1e-9) && v <= dim.max * (1 + 1e-9))
                    ticks.emplace_back((std::log(v) - std::log(dim.min)) /
                                           (std::log(dim.max) - std::log(dim.min)),
                                       numberText(v));
            }
            if (ticks.size() < 2) { // less than a decade: its ends too
                ticks.emplace_back(0.0, numberText(dim.min));
                ticks.emplace_back(1.0, numberText(dim.max));
            }
        } else {
            // a coarse step can leave one tick in the range (0.03..3.1 in steps of 2): ask
            // for a finer one until two fit
            std::vector<double> values;
            for (int c = std::max(1, count); c <= 3 * std::max(1, count) && values.size() < 2; ++c)
                values = niceTicks(dim.min, dim.max, c);
            for (double v : values)
                ticks.emplace_back((v - dim.min) / (dim.max - dim.min), numberText(v));
        }
    } else if (dim.hasRange) {
        ticks.emplace_back(0.5, numberText(dim.min));
    }
    return ticks;
}

QString trialText(const TrialColumns& columns, std::size_t row) {
    QString text = QCoreApplication::translate("ps::TrialText", "Trial #%1 (%2)")
                       .arg(columns.trialNumber(row))
                       .arg(QString::fromUtf8(toText(columns.state(row)).data()));
    for (std::size_t d = 0; d < columns.dimensions(); ++d) {
        const Dimension& dim = columns.dimension(d);
        const double v = columns.value(row, d);
        const QString shown = std::isnan(v) ? QStringLiteral("–")
                              : dim.scale == AxisScale::Categorical
                                  ? categoryText(dim, std::size_t(v))
                                  : numberText(v);
        text += QStringLiteral("\n%1: %2").arg(QString::fromStdString(dim.name), shown);
    }
    return text;
}

} // namespace ps
