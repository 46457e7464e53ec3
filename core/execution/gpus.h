#pragma once
// Which NVIDIA GPUs the local executor can hand to its workers, found without CUDA (the
// orchestrator does not link LibTorch).

#include <string>
#include <vector>

namespace ps {

// The GPUs this process may use, as CUDA_VISIBLE_DEVICES entries (indices or UUIDs): the
// entries of `cudaVisibleDevices` where it is set (empty, or starting with -1: none), else one
// index per GPU the NVIDIA driver lists under `driverDir`.
std::vector<std::string> visibleGpus(const char* cudaVisibleDevices,
                                     const std::string& driverDir = "/proc/driver/nvidia/gpus");
// The same, from this process's environment.
std::vector<std::string> visibleGpus();

// Worker `slot`'s CUDA_VISIBLE_DEVICES: its own GPU, round robin when there are more workers
// than GPUs; "" when there is no GPU (the worker trains on its CPU slot).
std::string gpuForWorker(const std::vector<std::string>& gpus, int slot);

} // namespace ps
