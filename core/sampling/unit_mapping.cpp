#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ps {

namespace {

double snap(double x, double low, double high, std::optional<double> step) {
    if (!step)
        return x;
    const double k = std::round((x - low) / *step);
    const double maxK = std::floor((high - low) / *step + 1e-9);
    return low + std::clamp(k, 0.0, maxK) * *step;
}

} // namespace

std::uint64_t mixSeed(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

Json paramsFromUnitPoint(const SearchSpace& space, const std::vector<double>& u) {
    if (u.size() < space.params.size())
        throw std::invalid_argument("unit point has fewer coordinates than the space has params");
    Json params = Json::object();
    // The parser orders parameters parents first, so conditions can be evaluated in order.
    for (std::size_t j = 0; j < space.params.size(); ++j) {
        const ParamSpec& p = space.params[j];
        if (!SearchSpace::isActive(p, params))
            continue;
        const double uj = std::clamp(u[j], 0.0, std::nextafter(1.0, 0.0));
        switch (p.type) {
        case ParamType::Float: {
            double x = p.log ? std::exp(std::log(p.low) + uj * (std::log(p.high) - std::log(p.low)))
                             : p.low + uj * (p.high - p.low);
            params[p.name] = std::clamp(snap(x, p.low, p.high, p.step), p.low, p.high);
            break;
        }
        case ParamType::Int: {
            double x;
            if (p.log) {
                const double lo = std::log(p.low - 0.5 + 1e-9), hi = std::log(p.high + 0.5);
                x = std::exp(lo + uj * (hi - lo));
            } else {
                x = p.low - 0.5 + uj * (p.high - p.low + 1);
            }
            double v = std::clamp(std::round(x), p.low, p.high);
            v = snap(v, p.low, p.high, p.step);
            params[p.name] = static_cast<std::int64_t>(v);
            break;
        }
        case ParamType::Categorical:
        case ParamType::Ordinal: {
            auto idx = static_cast<std::size_t>(uj * static_cast<double>(p.choices.size()));
            params[p.name] = p.choices[std::min(idx, p.choices.size() - 1)];
            break;
        }
        }
    }
    return params;
}

std::optional<double> unitCoordinate(const ParamSpec& p, const Json& params) {
    const auto it = params.find(p.name);
    if (it == params.end())
        return std::nullopt;
    if (p.type == ParamType::Ordinal) {
        // the centre of the value's cell of floor(u * K)
        for (std::size_t i = 0; i < p.choices.size(); ++i) {
            if (p.choices[i] == *it)
                return (static_cast<double>(i) + 0.5) / static_cast<double>(p.choices.size());
        }
        return std::nullopt;
    }
    if (p.type == ParamType::Categorical || !it->is_number())
        return std::nullopt;
    const double v = it->get<double>();
    if (!std::isfinite(v))
        return std::nullopt;
    double lo = p.low, hi = p.high, x = v;
    if (p.type == ParamType::Int) {
        // ints own the cell [k - 1/2, k + 1/2]: its centre is the value's coordinate
        if (p.log) {
            lo = std::log(p.low - 0.5 + 1e-9);
            hi = std::log(p.high + 0.5);
            x = std::log(std::max(v, 1e-300));
        } else {
            lo = p.low - 0.5;
            hi = p.high + 0.5;
        }
    } else if (p.log) {
        lo = std::log(p.low);
        hi = std::log(p.high);
        x = std::log(std::max(v, 1e-300));
    }
    if (!(hi > lo))
        return 0.5; // a single possible value: any coordinate gives it
    const double u = (x - lo) / (hi - lo);
    return std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : 0.5;
}

} // namespace ps
