#include "core/explore/trial_columns.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ps {

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

} // namespace

std::string Dimension::label(std::size_t category) const {
    if (category >= categories.size())
        return {};
    const Json& v = categories[category];
    return v.is_string() ? v.get<std::string>() : v.dump();
}

void TrialColumns::setLayout(const SearchSpace& space, const std::vector<Objective>& objectives) {
    m_dims.clear();
    m_columns.clear();
    m_ids.clear();
    m_numbers.clear();
    m_states.clear();
    m_rowOf.clear();
    for (const ParamSpec& p : space.params) {
        Dimension d;
        d.name = p.name;
        if (p.type == ParamType::Categorical || p.type == ParamType::Ordinal) {
            d.scale = AxisScale::Categorical;
            d.categories = p.choices;
        } else {
            d.scale = p.log ? AxisScale::Log : AxisScale::Linear;
        }
        addDimension(std::move(d));
    }
    for (const Objective& o : objectives) {
        Dimension d;
        d.name = o.metric;
        d.objective = true;
        d.direction = o.direction;
        addDimension(std::move(d));
    }
}

std::size_t TrialColumns::addDimension(Dimension dim) {
    m_dims.push_back(std::move(dim));
    m_columns.emplace_back(m_ids.size(), kMissing);
    return m_dims.size() - 1;
}

long long TrialColumns::dimensionIndex(const std::string& name, bool objective) const {
    for (std::size_t d = 0; d < m_dims.size(); ++d)
        if (m_dims[d].name == name && m_dims[d].objective == objective)
            return static_cast<long long>(d);
    return -1;
}

long long TrialColumns::rowOf(std::int64_t trialId) const {
    const auto it = m_rowOf.find(trialId);
    return it == m_rowOf.end() ? -1 : static_cast<long long>(it->second);
}

void TrialColumns::widen(std::size_t d, double v, bool& grew) {
    Dimension& dim = m_dims[d];
    if (!std::isfinite(v) || (dim.scale == AxisScale::Log && v <= 0))
        return;
    if (!dim.hasRange) {
        dim.min = dim.max = v;
        dim.hasRange = true;
        grew = true;
    } else if (v < dim.min || v > dim.max) {
        dim.min = std::min(dim.min, v);
        dim.max = std::max(dim.max, v);
        grew = true;
    }
}

double TrialColumns::encode(std::size_t d, const Json& value, bool& grew) {
    Dimension& dim = m_dims[d];
    if (dim.scale == AxisScale::Categorical) {
        for (std::size_t k = 0; k < dim.categories.size(); ++k)
            if (dim.categories[k] == value)
                return static_cast<double>(k);
        dim.categories.push_back(value); // a value the space did not declare: shown, not lost
        grew = true;
        return static_cast<double>(dim.categories.size() - 1);
    }
    if (!value.is_number())
        return kMissing;
    const double v = value.get<double>();
    widen(d, v, grew);
    return v;
}

TrialColumns::Update TrialColumns::apply(const TrialList& trials) {
    Update update;
    for (const Trial& t : trials) {
        // parameters the layout does not know become dimensions, before the row is written
        for (const auto& [name, value] : t.params.items())
            if (dimensionIndex(name, false) < 0) {
                Dimension dim;
                dim.name = name;
                dim.scale = value.is_number() ? AxisScale::Linear : AxisScale::Categorical;
                // parameters stay in front of the objectives
                const auto firstObjective =
                    std::find_if(m_dims.begin(), m_dims.end(),
                                 [](const Dimension& x) { return x.objective; }) -
                    m_dims.begin();
                m_dims.insert(m_dims.begin() + firstObjective, std::move(dim));
                m_columns.insert(m_columns.begin() + firstObjective,
                                 std::vector<double>(m_ids.size(), kMissing));
                update.dimensionsChanged = true;
            }
        std::size_t row;
        bool added = false;
        if (const auto it = m_rowOf.find(t.id); it != m_rowOf.end()) {
            row = it->second;
        } else {
            row = m_ids.size();
            m_rowOf[t.id] = row;
            m_ids.push_back(t.id);
            m_numbers.push_back(t.number);
            m_states.push_back(t.state);
            for (auto& column : m_columns)
                column.push_back(kMissing);
            added = true;
        }
        bool changed = m_states[row] != t.state;
        m_states[row] = t.state;
        bool grew = false;
        for (std::size_t d = 0; d < m_dims.size(); ++d) {
            double v = kMissing;
            if (m_dims[d].objective) {
                const auto it = t.values.find(m_dims[d].name);
                if (it != t.values.end())
                    v = it->second;
                else if (t.value && (d == 0 || !m_dims[d - 1].objective))
                    v = *t.value; // the first objective, when only its value was kept
                if (std::isfinite(v))
                    widen(d, v, grew);
                else
                    v = kMissing;
            } else if (const auto it = t.params.find(m_dims[d].name); it != t.params.end()) {
                v = encode(d, *it, grew);
            }
            double& cell = m_columns[d][row];
            if (!(cell == v || (std::isnan(cell) && std::isnan(v)))) {
                cell = v;
                changed = true;
            }
        }
        update.dimensionsChanged = update.dimensionsChanged || grew;
        if (added)
            update.added.push_back(row);
        else if (changed)
            update.changed.push_back(row);
    }
    return update;
}

void TrialColumns::clear() {
    for (auto& column : m_columns)
        column.clear();
    m_ids.clear();
    m_numbers.clear();
    m_states.clear();
    m_rowOf.clear();
    for (auto& dim : m_dims)
        dim.hasRange = false;
}

double TrialColumns::position(std::size_t row, std::size_t d) const {
    const double v = m_columns[d][row];
    if (std::isnan(v))
        return kMissing;
    const Dimension& dim = m_dims[d];
    switch (dim.scale) {
    case AxisScale::Categorical:
        return (v + 0.5) / static_cast<double>(std::max<std::size_t>(1, dim.categories.size()));
    case AxisScale::Log:
        if (v <= 0)
            return kMissing;
        return dim.max > dim.min
                   ? (std::log(v) - std::log(dim.min)) / (std::log(dim.max) - std::log(dim.min))
                   : 0.5;
    case AxisScale::Linear:
        return dim.max > dim.min ? (v - dim.min) / (dim.max - dim.min) : 0.5;
    }
    return kMissing;
}

double TrialColumns::valueAt(std::size_t d, double t) const {
    const Dimension& dim = m_dims[d];
    switch (dim.scale) {
    case AxisScale::Categorical:
        return t * static_cast<double>(dim.categories.size()) - 0.5;
    case AxisScale::Log:
        return std::exp(std::log(dim.min) + t * (std::log(dim.max) - std::log(dim.min)));
    case AxisScale::Linear:
        return dim.min + t * (dim.max - dim.min);
    }
    return kMissing;
}

std::vector<std::uint8_t> brushedRows(const TrialColumns& columns,
                                      const std::vector<Brush>& brushes) {
    std::vector<std::uint8_t> inside(columns.rows(), 1);
    for (const Brush& b : brushes) {
        const std::vector<double>& column = columns.column(b.dimension);
        const double low = std::min(b.low, b.high), high = std::max(b.low, b.high);
        for (std::size_t r = 0; r < inside.size(); ++r)
            // NaN compares false: a missing value is outside
            inside[r] =
                inside[r] & static_cast<std::uint8_t>(column[r] >= low && column[r] <= high);
    }
    return inside;
}

} // namespace ps
