#pragma once
// Keeps a pool of long-lived paramscope-worker processes on this machine, so LibTorch loads
// once per worker, not once per trial. Each worker gets one intra-op thread, and its own GPU
// where there are GPUs (CUDA_VISIBLE_DEVICES set to one of them, round robin).

#include "core/execution/executor.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ps {

struct LocalExecutorOptions {
    std::string workerProgram; // path of paramscope-worker
    std::string storageUrl;
    std::int64_t studyId = 0;
    std::string logFile;  // workers' stderr goes here ("" = inherit)
    int maxRestarts = 20; // replacements for crashed workers before giving up
    // CUDA_VISIBLE_DEVICES entries to spread the workers over; unset: visibleGpus()
    std::optional<std::vector<std::string>> gpus;
    std::vector<std::string> extraArgs; // appended to every worker's command line
};

class LocalExecutor final : public Executor {
public:
    explicit LocalExecutor(LocalExecutorOptions options);
    ~LocalExecutor() override;

    void start(int workers) override;
    std::vector<std::string> poll() override;
    std::vector<std::string> stop(double graceSeconds) override;
    int liveWorkers() const override { return static_cast<int>(m_workers.size()); }

private:
    struct Worker {
        pid_t pid = 0;
        int slot = 0; // a replacement takes the slot, and so the GPU, of the worker it replaces
    };
    pid_t spawn(int slot);

    LocalExecutorOptions m_options;
    std::vector<std::string> m_gpus;
    std::vector<Worker> m_workers;
    int m_threadsPerWorker = 1;
    int m_restarts = 0;
    bool m_running = false;
};

// The paramscope-worker beside the running executable (for the CLI and the GUI).
std::string siblingProgram(const std::string& name);

} // namespace ps
