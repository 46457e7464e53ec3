#include "core/analysis/param_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ps {

double ParamColumn::encode(const Json& value) const {
    if (type == ParamType::Categorical || type == ParamType::Ordinal) {
        const auto it = std::find(choices.begin(), choices.end(), value);
        if (it == choices.end())
            throw std::invalid_argument("parameter '" + name + "': value " + value.dump() +
                                        " is not one of its choices");
        return double(it - choices.begin());
    }
    if (!value.is_number())
        throw std::invalid_argument("parameter '" + name + "': value " + value.dump() +
                                    " is not a number");
    const double v = value.get<double>();
    if (log) {
        if (!(v > 0))
            throw std::invalid_argument("parameter '" + name + "': log-scale value " +
                                        value.dump() + " is not positive");
        return std::log(v);
    }
    return v;
}

Json ParamColumn::decode(double encoded) const {
    if (type == ParamType::Categorical || type == ParamType::Ordinal) {
        const auto last = static_cast<long>(choices.size()) - 1;
        return choices[static_cast<std::size_t>(std::clamp(std::lround(encoded), 0L, last))];
    }
    const double v = log ? std::exp(encoded) : encoded;
    if (type == ParamType::Int)
        return static_cast<std::int64_t>(std::llround(v));
    return v;
}

int ParamTable::columnOf(const std::string& name) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].name == name)
            return static_cast<int>(i);
    return -1;
}

ParamTable paramTable(const SearchSpace& space, const std::vector<Trial>& trials,
                      const std::string& metric, const ParamTableOptions& options) {
    ParamTable table;
    table.metric = metric;
    for (const ParamSpec& p : space.params) {
        if (p.fixed && options.skipFixed)
            continue;
        ParamColumn c;
        c.name = p.name;
        c.type = p.type;
        c.choices = p.choices;
        if (p.type == ParamType::Categorical || p.type == ParamType::Ordinal) {
            c.low = 0;
            c.high = double(std::max<std::size_t>(p.choices.size(), 1) - 1);
        } else {
            c.log = p.log;
            c.low = p.log ? std::log(p.low) : p.low;
            c.high = p.log ? std::log(p.high) : p.high;
        }
        table.columns.push_back(std::move(c));
    }
    for (const Trial& t : trials) {
        if (std::find(options.states.begin(), options.states.end(), t.state) ==
            options.states.end())
            continue;
        double value = std::numeric_limits<double>::quiet_NaN();
        if (auto it = t.values.find(metric); it != t.values.end())
            value = it->second;
        else if (t.value && t.values.empty())
            value = *t.value;
        if (!std::isfinite(value))
            continue;
        for (const ParamColumn& c : table.columns) {
            const auto it = t.params.find(c.name);
            table.x.push_back(it == t.params.end() ? std::numeric_limits<double>::quiet_NaN()
                                                   : c.encode(*it));
        }
        table.y.push_back(value);
        table.trialNumbers.push_back(t.number);
    }
    return table;
}

} // namespace ps
