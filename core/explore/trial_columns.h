#pragma once
// A study's trials as columns of numbers, the shape the explorer's views draw from: one
// dimension per parameter (in the space's order) and per objective, each a vector of doubles
// over the trials (a categorical's value is the index of its category; a missing or inactive
// value is NaN). Columns hold 100,000 trials x 14 dimensions in about 11 MB and are updated in
// place as trials arrive or change, so a running study never rebuilds them. Plain C++; one
// thread at a time.

#include "core/space/search_space.h"
#include "core/space/study_config.h"
#include "core/study/trial.h"
#include "core/study/trial_list.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ps {

enum class AxisScale { Linear, Log, Categorical };

struct Dimension {
    std::string name;       // "optimizer.lr", or an objective's metric "val_loss"
    bool objective = false; // a final metric rather than a parameter
    AxisScale scale = AxisScale::Linear;
    Direction direction = Direction::Minimize;     // objectives
    std::vector<Json> categories;                  // Categorical: values, in axis order
    double min = 0, max = 0;                       // over present values (Log: positive ones)
    bool hasRange = false;                         // false until a value arrived
    std::string label(std::size_t category) const; // a category's text
};

class TrialColumns {
public:
    // The dimensions: every parameter of `space` (log-scaled and categorical ones as declared;
    // ints and floats linear otherwise) and then `objectives`. Forgets every trial.
    void setLayout(const SearchSpace& space, const std::vector<Objective>& objectives);

    struct Update {
        std::vector<std::size_t> added;   // rows appended
        std::vector<std::size_t> changed; // rows whose numbers or state changed
        bool dimensionsChanged = false;   // a new parameter or category, or a range grew
    };
    // Takes new or changed trials (as the StudyWatcher reports them). A parameter the layout
    // does not know becomes a dimension (numbers linear, anything else categorical); a
    // category not declared is appended to its axis.
    Update apply(const TrialList& trials);
    void clear(); // every trial, keeping the dimensions

    std::size_t rows() const { return m_ids.size(); }
    std::size_t dimensions() const { return m_dims.size(); }
    const Dimension& dimension(std::size_t d) const { return m_dims[d]; }
    // -1 when unknown
    long long dimensionIndex(const std::string& name, bool objective) const;

    double value(std::size_t row, std::size_t d) const { return m_columns[d][row]; }
    const std::vector<double>& column(std::size_t d) const { return m_columns[d]; }
    // The value placed on its axis in [0, 1] (log axes in log space; category k of K at
    // (k + 0.5) / K); NaN when missing. A dimension with a single value sits at 0.5.
    double position(std::size_t row, std::size_t d) const;
    // The inverse of position for numeric axes: the value at `t` in [0, 1].
    double valueAt(std::size_t d, double t) const;

    std::int64_t trialId(std::size_t row) const { return m_ids[row]; }
    int trialNumber(std::size_t row) const { return m_numbers[row]; }
    TrialState state(std::size_t row) const { return m_states[row]; }
    long long rowOf(std::int64_t trialId) const; // -1 when unknown

private:
    std::size_t addDimension(Dimension dim);
    double encode(std::size_t d, const Json& value, bool& grew);
    void widen(std::size_t d, double v, bool& grew);

    std::vector<Dimension> m_dims;
    std::vector<std::vector<double>> m_columns;
    std::vector<std::int64_t> m_ids;
    std::vector<int> m_numbers;
    std::vector<TrialState> m_states;
    std::unordered_map<std::int64_t, std::size_t> m_rowOf;
};

// A range on one dimension, in its values (categorical: category indices, inclusive).
struct Brush {
    std::size_t dimension = 0;
    double low = 0, high = 0;
};

// 1 for each row inside every brush (a missing value is outside any brush on its dimension),
// 0 otherwise; every row is inside when there are no brushes.
std::vector<std::uint8_t> brushedRows(const TrialColumns& columns,
                                      const std::vector<Brush>& brushes);

} // namespace ps
