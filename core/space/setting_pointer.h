#pragma once
// A setting's dotted path ("optimizer.lr") as the JSON pointer into a settings object
// ("/optimizer/lr"): how task settings are read and written by their declared paths.

#include "core/study/trial.h"

#include <algorithm>
#include <string>

namespace ps {

inline Json::json_pointer settingPointer(const std::string& dottedPath) {
    std::string pointer = "/" + dottedPath;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    return Json::json_pointer(pointer);
}

} // namespace ps
