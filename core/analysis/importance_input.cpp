#include "core/analysis/importance_input.h"

#include "core/analysis/param_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ps::detail {

void checkImportanceInput(const ParamTable& table, std::string_view method) {
    const std::string what(method);
    if (table.rows() < 2)
        throw std::invalid_argument(what + ": needs at least 2 rows (trials with a finite '" +
                                    table.metric + "'), got " + std::to_string(table.rows()));
    if (table.dims() == 0)
        throw std::invalid_argument(what + ": the table has no parameter columns");
    if (table.x.size() != table.rows() * table.dims())
        throw std::invalid_argument(
            what + ": the table holds " + std::to_string(table.x.size()) +
            " values, expected rows x columns = " + std::to_string(table.rows()) + " x " +
            std::to_string(table.dims()));
    for (std::size_t r = 0; r < table.rows(); ++r)
        if (!std::isfinite(table.y[r]))
            throw std::invalid_argument(what + ": the metric of row " + std::to_string(r) +
                                        " is not finite");
    bool constant = true;
    for (std::size_t r = 1; r < table.rows() && constant; ++r)
        constant = table.y[r] == table.y[0];
    if (constant)
        throw std::invalid_argument(what + ": the metric '" + table.metric +
                                    "' has the same value in every row, so no parameter "
                                    "explains any of it");
}

std::pair<double, double> activeRange(const ParamTable& table, std::size_t column) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t r = 0; r < table.rows(); ++r) {
        const double v = table.at(r, column);
        if (std::isnan(v))
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (lo > hi)
        return {std::nan(""), std::nan("")};
    return {lo, hi};
}

} // namespace ps::detail
