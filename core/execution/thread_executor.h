#pragma once
// Workers as threads of this process, each with its own storage connection. For tests and
// for embedding; production runs use LocalExecutor's processes.

#include "core/execution/executor.h"
#include "core/execution/task.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace ps {

class ThreadExecutor final : public Executor {
public:
    // `catalog` must outlive the executor.
    ThreadExecutor(std::string storageUrl, std::int64_t studyId, const TaskCatalog& catalog);
    ~ThreadExecutor() override;

    void start(int workers) override;
    std::vector<std::string> poll() override;
    std::vector<std::string> stop(double graceSeconds) override;
    int liveWorkers() const override;

private:
    struct Slot {
        std::string name;
        std::thread thread;
        std::atomic<bool> done{false};
    };
    std::string m_url;
    std::int64_t m_studyId;
    const TaskCatalog& m_catalog;
    std::atomic<bool> m_stop{false};
    std::vector<std::unique_ptr<Slot>> m_slots;
};

} // namespace ps
