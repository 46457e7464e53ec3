#pragma once
// A study's finished trials as a numeric table, the input of the analyses that learn how the
// objective depends on the parameters (importance, LIME, surrogates): one row per trial, one
// column per searched parameter, encoded so that distances and splits mean something.

#include "core/space/search_space.h"
#include "core/study/trial.h"

#include <string>
#include <vector>

namespace ps {

struct ParamColumn {
    std::string name;
    ParamType type = ParamType::Float;
    bool log = false; // Float, Int: the column holds the natural log of the value
    // The encoded range: [low, high] (log-transformed where `log`); Categorical and Ordinal:
    // [0, choices - 1].
    double low = 0, high = 0;
    std::vector<Json> choices; // Categorical, Ordinal: the value of each index
    bool categorical() const { return type == ParamType::Categorical; }
    // The encoded value of a parameter value (an index for choices); throws
    // std::invalid_argument naming the column for a value it cannot hold.
    double encode(const Json& value) const;
    Json decode(double encoded) const; // the inverse (nearest index for choices)
};

struct ParamTable {
    std::vector<ParamColumn> columns;
    std::vector<double> x;         // row-major, rows() x dims(); NaN where a parameter was inactive
    std::vector<double> y;         // the metric of each row
    std::vector<int> trialNumbers; // the trial of each row
    std::string metric;

    std::size_t rows() const { return y.size(); }
    std::size_t dims() const { return columns.size(); }
    double at(std::size_t row, std::size_t column) const { return x[row * dims() + column]; }
    int columnOf(const std::string& name) const; // -1 when absent
};

struct ParamTableOptions {
    // Trials in these states make rows (PRUNED trials' last reported values are biased
    // towards bad configurations, so only COMPLETE by default).
    std::vector<TrialState> states = {TrialState::Complete};
    bool skipFixed = true; // `type: fixed` parameters carry no information
};

// The rows of `trials` that reported a finite `metric` (a final metric of the task; the
// study's first objective is also found as Trial::value). Columns follow `space` order.
ParamTable paramTable(const SearchSpace& space, const std::vector<Trial>& trials,
                      const std::string& metric, const ParamTableOptions& options = {});

} // namespace ps
