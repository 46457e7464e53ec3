#pragma once
// The colour scales the views share, so that one value has one colour everywhere.

#include "widgets/theme.h"

#include <QColor>
#include <QObject>
#include <algorithm>
#include <array>
#include <cmath>

namespace ps {

// Viridis (perceptually uniform, readable in grey and by most colour-blind readers) at t in
// [0, 1]; nine stops, linear between them.
inline QColor viridis(double t) {
    static constexpr std::array<std::array<int, 3>, 9> stops = {{{68, 1, 84},
                                                                 {71, 44, 122},
                                                                 {59, 81, 139},
                                                                 {44, 113, 142},
                                                                 {33, 144, 141},
                                                                 {39, 173, 129},
                                                                 {92, 200, 99},
                                                                 {170, 220, 50},
                                                                 {253, 231, 37}}};
    t = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0) * double(stops.size() - 1);
    const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(t), stops.size() - 2);
    const double f = t - double(i);
    const auto mix = [&](std::size_t c) {
        return int(std::lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c])));
    };
    return QColor(mix(0), mix(1), mix(2));
}

// An objective's colour at t in [0, 1], t = 0 the best value: viridis's dark end on a light
// background, its bright end on a dark one, so the best trials always stand out most.
inline QColor objectiveColour(double t) {
    return viridis(darkPalette() ? 1.0 - t : t);
}

// What the objective's colour legend says, to match objectiveColour.
inline QString objectiveColourNote() {
    return darkPalette() ? QObject::tr("bright = best") : QObject::tr("dark = best");
}

} // namespace ps
