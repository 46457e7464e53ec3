#pragma once
// A setting declared as data: its name, type, default, bounds or choices and help. Task
// settings, sampler and scheduler options are all declared this way, so the study-file parser,
// the CLI and the GUI's forms check and show them without the code that uses them.

#include "core/study/trial.h"

#include <optional>
#include <string>
#include <vector>

namespace ps {

// Map: a group of settings with no keys of its own yet (e.g. augment: {}). StringList and
// StringMap hold what a user writes freely: a program's arguments, environment variables.
enum class SettingType { Float, Int, String, Bool, Map, StringList, StringMap };

// One setting, addressed by its dotted path ("optimizer.lr").
struct SettingSpec {
    std::string path;
    SettingType type = SettingType::Float;
    Json defaultValue;
    std::optional<double> min, max;   // numbers
    std::vector<std::string> choices; // strings: allowed values, empty = any
    std::string help;
};

// One declaration in one call, for the option lists of samplers, schedulers and tasks.
inline SettingSpec makeSetting(std::string path, SettingType type, Json defaultValue,
                               std::optional<double> min, std::optional<double> max,
                               std::string help, std::vector<std::string> choices = {}) {
    SettingSpec s;
    s.path = std::move(path);
    s.type = type;
    s.defaultValue = std::move(defaultValue);
    s.min = min;
    s.max = max;
    s.choices = std::move(choices);
    s.help = std::move(help);
    return s;
}

} // namespace ps
