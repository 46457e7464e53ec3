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
