#pragma once
// How much each parameter matters to the first objective, cheaply enough to order a view's
// axes by as the trials arrive: the share of the objective's variance (eta^2) that the
// parameter's categories, or 8 quantile bins of its values, explain over complete trials.
// Unlike a rank correlation it sees a U-shaped effect (a learning rate with an optimum inside
// its range); interactions are the importance analysis's. Plain C++; any thread.

#include "core/explore/trial_columns.h"

#include <map>
#include <string>
#include <vector>

namespace ps {

// Parameter name -> eta^2 in [0, 1]. Parameters with fewer than 4 values beside a finite
// objective, or an objective that does not vary, are left out; so is everything when the
// columns have no objective.
std::map<std::string, double> varianceExplained(const TrialColumns& columns);

// The parameters (dimension indices) by decreasing `importance` (name -> score); those it
// does not score keep their order after the scored ones.
std::vector<std::size_t> parametersByImportance(const TrialColumns& columns,
                                                const std::map<std::string, double>& importance);

} // namespace ps
