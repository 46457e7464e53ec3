#pragma once
// The body of a worker: claim a WAITING trial, run its task, stream its metrics, finish it;
// repeat. Used by paramscope-worker (one process per slot) and by the in-process
// ThreadExecutor (tests, embedding). Runs on the calling thread; starts one helper thread
// that sends heartbeats while a trial runs.

#include "core/analysis/analysis.h"
#include "core/execution/task.h"

#include <atomic>
#include <string>

namespace ps {

struct WorkerOptions {
    std::string storageUrl;
    std::int64_t studyId = 0;
    std::string name; // how storage names this worker ("host:pid")
    double heartbeatSeconds = 2.0;
    double flushSeconds = 0.1;        // metric batches are written at most this often
    double idlePollMaxSeconds = 0.05; // longest sleep when there is nothing to claim
    bool exitWhenIdle = false;        // return once no WAITING trial is left (tests)
    // Analysis jobs (DESIGN.md, data flow 4): claimed before trials, of the kinds this catalog
    // can run. None when null.
    const AnalysisCatalog* analyses = nullptr;
    bool analysesOnly = false; // claim no trials (paramscope-cli analyze's worker)
};

struct WorkerStats {
    int finished = 0; // trials ended COMPLETE, PRUNED or FAIL by this worker
    int requeued = 0; // trials handed back because the worker was stopped
    int analyses = 0; // analysis jobs ended DONE or FAIL by this worker
};

// Runs until `stop` is set or the study's control is Stop. A trial interrupted that way goes
// back to WAITING, so the next run does it again. While the study is paused it claims no
// trial (the one in hand runs to its end) and waits. Throws StorageError when storage cannot be
// opened or the study does not exist.
WorkerStats runWorker(const WorkerOptions& options, const TaskCatalog& catalog,
                      const std::atomic<bool>& stop);

// "host:pid", how workers and orchestrators name themselves in storage.
std::string processName();
// True when `name` is "host:pid..." of this host and that process is gone.
bool isDeadLocalProcess(const std::string& name);

} // namespace ps
