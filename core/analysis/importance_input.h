#pragma once
// What the importance analyses (fANOVA, PED-ANOVA, correlations) share: the checks every
// ParamTable passes before an analysis runs, and the range a column's values really cover.

#include <cstddef>
#include <string_view>
#include <utility>

namespace ps {
struct ParamTable;
}

namespace ps::detail {

// Throws std::invalid_argument, naming `method` and what is wrong, for fewer than 2 rows, no
// columns, x and y of mismatched sizes, a non-finite y, or a constant y (nothing to explain).
void checkImportanceInput(const ParamTable& table, std::string_view method);

// The smallest and largest non-NaN value of a column; (NaN, NaN) when every row is NaN.
std::pair<double, double> activeRange(const ParamTable& table, std::size_t column);

} // namespace ps::detail
