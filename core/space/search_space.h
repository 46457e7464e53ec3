#pragma once
// The parameters a study searches over, as declared in its study file.

#include "core/study/trial.h"

#include <optional>
#include <string>
#include <vector>

namespace ps {

// Ordinal: ordered `choices`, sampled as an integer index over them (low = 0, high = K - 1
// mirror the index range); the stored value is the choice itself, never the index.
enum class ParamType { Float, Int, Categorical, Ordinal };
std::string_view toText(ParamType type);

struct ParamSpec {
    std::string name; // dotted path into the task settings, e.g. "optimizer.lr"
    ParamType type = ParamType::Float;
    double low = 0, high = 0;   // Float, Int
    bool log = false;           // Float, Int: sample uniformly in log space
    std::optional<double> step; // Float, Int: values low + k*step only
    std::vector<Json> choices;  // Categorical, Ordinal (in order)
    // A fixed value (`type: fixed`): a categorical with exactly one choice, so every sampler
    // handles it without knowing; never searched, always set while its conditions hold.
    bool fixed = false;
    // Active only when these parameters have these values (a value, or a list: any of them).
    // A parent may itself be conditional, to any depth: inactive parents make children inactive.
    Json when = Json::object();
};

struct SearchSpace {
    // Parents before their children (the study-file parser sorts them so, stable otherwise):
    // evaluating conditions in this order sees every parent's value first.
    std::vector<ParamSpec> params;
    // Forbidden combinations (the study file's `forbidden:`), as in ConfigSpace's
    // ForbiddenAndConjunction of Equals / In clauses: each clause maps parameter names to a
    // value or a list of values (any of them), and a configuration is forbidden when it matches
    // every entry of some clause. An absent (inactive) parameter matches no entry.
    std::vector<Json> forbidden;

    const ParamSpec* find(const std::string& name) const;
    // The index of the first forbidden clause `config` matches; nothing when it is allowed.
    std::optional<std::size_t> forbiddenClause(const Json& config) const;
    bool isForbidden(const Json& config) const { return forbiddenClause(config).has_value(); }
    // True when `spec`'s conditions hold for the values already in `params`.
    static bool isActive(const ParamSpec& spec, const Json& params);
};

} // namespace ps
