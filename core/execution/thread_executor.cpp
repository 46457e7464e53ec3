#include "core/execution/thread_executor.h"

#include "core/execution/worker_loop.h"

#include <cstdio>

namespace ps {

ThreadExecutor::ThreadExecutor(std::string storageUrl, std::int64_t studyId,
                               const TaskCatalog& catalog)
    : m_url(std::move(storageUrl)), m_studyId(studyId), m_catalog(catalog) {}

ThreadExecutor::~ThreadExecutor() {
    stop(0);
}

void ThreadExecutor::start(int workers) {
    m_stop = false;
    for (int i = 0; i < workers; ++i) {
        auto slot = std::make_unique<Slot>();
        slot->name = processName() + ":t" + std::to_string(m_slots.size());
        Slot* s = slot.get();
        slot->thread = std::thread([this, s] {
            WorkerOptions options;
            options.storageUrl = m_url;
            options.studyId = m_studyId;
            options.name = s->name;
            try {
                runWorker(options, m_catalog, m_stop);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "worker %s: %s\n", s->name.c_str(), e.what());
            }
            s->done = true;
        });
        m_slots.push_back(std::move(slot));
    }
}

std::vector<std::string> ThreadExecutor::poll() {
    std::vector<std::string> ended;
    for (auto& s : m_slots) {
        if (s->done && s->thread.joinable()) {
            s->thread.join();
            ended.push_back(s->name);
        }
    }
    std::erase_if(m_slots, [](const auto& s) { return !s->thread.joinable(); });
    return ended;
}

std::vector<std::string> ThreadExecutor::stop(double) {
    m_stop = true;
    std::vector<std::string> names;
    for (auto& s : m_slots) {
        names.push_back(s->name);
        if (s->thread.joinable())
            s->thread.join();
    }
    m_slots.clear();
    return names;
}

int ThreadExecutor::liveWorkers() const {
    int n = 0;
    for (const auto& s : m_slots)
        n += s->done ? 0 : 1;
    return n;
}

} // namespace ps
