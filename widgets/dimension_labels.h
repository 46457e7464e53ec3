#pragma once
// The text the explorer's views put on a dimension: its numbers, its category names, the
// ticks along its axis, and a trial's values in a tool tip, so that the parallel coordinates
// and the scatter matrix label one value one way. GUI thread (QString); no state.

#include "core/explore/trial_columns.h"

#include <QString>
#include <utility>
#include <vector>

namespace ps {

// A number to 4 significant digits.
QString numberText(double v);
// A category as an axis shows it: numbers to 4 significant digits (a learning rate of
// 0.000244140625 reads 0.0002441), anything else as its text.
QString categoryText(const Dimension& dim, std::size_t category);
// Up to about `count` round values covering [low, high].
std::vector<double> niceTicks(double low, double high, int count);
// Ticks along a dimension's axis: (position in [0, 1] as TrialColumns::position places
// values, label). Every category (callers thin them to the room they have); powers of ten on
// a log axis, about `count` round values on a linear one; one tick for a single value.
std::vector<std::pair<double, QString>> dimensionTicks(const Dimension& dim, int count);
// "Trial #12 (COMPLETE)" and a line per dimension with its value ("–" when missing).
QString trialText(const TrialColumns& columns, std::size_t row);

} // namespace ps
