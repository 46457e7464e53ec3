#pragma once
// A setting declared as data: its name, type, default, bounds or choices and help. Task
// settings, sampler and scheduler options are all declared this way, so the study-file parser,
// the CLI and the GUI's forms check and show them without the code that uses them.

#include "core/study/trial.h"

#include <optional>
#include <string>
#include <vector>

namespace ps {

enum class SettingType { Float, Int, String, Bool, Map };

// One setting, addressed by its dotted path ("optimizer.lr").
struct SettingSpec {
    std::string path;
    SettingType type = SettingType::Float;
    Json defaultValue;
    std::optional<double> min, max;   // numbers
    std::vector<std::string> choices; // strings: allowed values, empty = any
    std::string help;
};

} // namespace ps
