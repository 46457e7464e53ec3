#include "core/execution/gpus.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace ps {

std::vector<std::string> visibleGpus(const char* cudaVisibleDevices, const std::string& driverDir) {
    std::vector<std::string> gpus;
    if (cudaVisibleDevices) {
        // CUDA reads the list up to the first invalid entry; -1 hides every GPU.
        std::stringstream list(cudaVisibleDevices);
        std::string entry;
        while (std::getline(list, entry, ',')) {
            const auto first = entry.find_first_not_of(" \t");
            const auto last = entry.find_last_not_of(" \t");
            if (first == std::string::npos)
                break;
            entry = entry.substr(first, last - first + 1);
            if (entry.rfind('-', 0) == 0)
                break;
            gpus.push_back(entry);
        }
        return gpus;
    }
    std::error_code ec;
    std::size_t count = 0;
    for (const auto& item : std::filesystem::directory_iterator(driverDir, ec)) {
        (void)item;
        ++count;
    }
    for (std::size_t i = 0; i < count; ++i)
        gpus.push_back(std::to_string(i));
    return gpus;
}

std::vector<std::string> visibleGpus() {
    return visibleGpus(std::getenv("CUDA_VISIBLE_DEVICES"));
}

std::string gpuForWorker(const std::vector<std::string>& gpus, int slot) {
    if (gpus.empty() || slot < 0)
        return {};
    return gpus[static_cast<std::size_t>(slot) % gpus.size()];
}

} // namespace ps
