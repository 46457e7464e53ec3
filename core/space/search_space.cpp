#include "core/space/search_space.h"

namespace ps {

std::string_view toText(ParamType type) {
    switch (type) {
    case ParamType::Float:
        return "float";
    case ParamType::Int:
        return "int";
    case ParamType::Categorical:
        return "categorical";
    case ParamType::Ordinal:
        return "ordinal";
    }
    return "?";
}

const ParamSpec* SearchSpace::find(const std::string& name) const {
    for (const auto& p : params) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

std::optional<std::size_t> SearchSpace::forbiddenClause(const Json& config) const {
    for (std::size_t c = 0; c < forbidden.size(); ++c) {
        bool all = !forbidden[c].empty();
        for (const auto& [name, wanted] : forbidden[c].items()) {
            const auto it = config.find(name);
            if (it == config.end()) {
                all = false;
                break;
            }
            bool any = false;
            if (wanted.is_array()) {
                for (const auto& w : wanted)
                    any = any || w == *it;
            } else {
                any = wanted == *it;
            }
            if (!any) {
                all = false;
                break;
            }
        }
        if (all)
            return c;
    }
    return std::nullopt;
}

bool SearchSpace::isActive(const ParamSpec& spec, const Json& params) {
    for (const auto& [parent, wanted] : spec.when.items()) {
        auto it = params.find(parent);
        if (it == params.end())
            return false;
        if (wanted.is_array()) {
            bool any = false;
            for (const auto& w : wanted)
                any = any || w == *it;
            if (!any)
                return false;
        } else if (wanted != *it) {
            return false;
        }
    }
    return true;
}

} // namespace ps
