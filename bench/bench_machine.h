#pragma once
// What every benchmark prints first: the processor its figures come from.

#include <fstream>
#include <string>

namespace ps::bench {

inline std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    }
    return "unknown CPU";
}

} // namespace ps::bench
