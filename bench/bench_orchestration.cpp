// Orchestration overhead: wall time for N noop trials (1 step each, no sleep) run by W
// paramscope-worker processes through SQLite storage, and the trials per second it implies.
// Target (issue 2): 1,000 trials with 2 workers well under 10 s.
// Also: --scheduler hyperband --steps 27 --trials 5000 (issue 3: a 5,000-trial Hyperband
// study finishes and storage stays fast).

#include "bench/bench_machine.h"
#include "core/execution/local_executor.h"
#include "core/execution/orchestrator.h"
#include "core/execution/task.h"
#include "core/space/study_file.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>

int main(int argc, char** argv) {
    int trials = 1000, workers = 2, steps = 1;
    std::string scheduler = "none";
    std::string worker = ps::siblingProgram("paramscope-worker");
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--trials")
            trials = std::atoi(argv[i + 1]);
        else if (a == "--workers")
            workers = std::atoi(argv[i + 1]);
        else if (a == "--worker")
            worker = argv[i + 1];
        else if (a == "--steps")
            steps = std::atoi(argv[i + 1]);
        else if (a == "--scheduler")
            scheduler = argv[i + 1];
    }
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("ps-bench-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const std::string schedulerSection =
        scheduler == "none"
            ? std::string("{kind: none}")
            : "{kind: " + scheduler + ", min: 1, max: " + std::to_string(steps) + ", eta: 3}";
    const std::string yaml = "name: bench\ntask: {kind: noop, steps: " + std::to_string(steps) +
                             "}\nscheduler: " + schedulerSection +
                             "\nspace:\n"
                             "  x: {type: float, low: 0, high: 1}\n"
                             "  y: {type: float, low: 1.0e-3, high: 1, log: true}\n"
                             "objective: {metric: loss}\nsampler: {kind: random, seed: 0}\n"
                             "budget: {trials: " +
                             std::to_string(trials) + ", parallel: " + std::to_string(workers) +
                             "}\n";
    const auto catalog = ps::TaskCatalog::withBuiltins();
    const ps::StudyConfig config = ps::parseStudyText(yaml, "bench.yaml", dir.string(), catalog);
    auto storage = ps::openStorage(config.storageUrl);

    ps::LocalExecutorOptions exec;
    exec.workerProgram = worker;
    exec.storageUrl = config.storageUrl;
    exec.logFile = (dir / "workers.log").string();
    ps::Orchestrator orchestrator(config, *storage, [exec](std::int64_t id) mutable {
        exec.studyId = id;
        return std::make_unique<ps::LocalExecutor>(exec);
    });
    std::atomic<bool> interrupt{false};
    const auto t0 = std::chrono::steady_clock::now();
    const ps::RunEnd end = orchestrator.run(interrupt);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto counts = storage->counts(orchestrator.studyId());
    std::printf("machine: %s, %u hardware threads\n", ps::bench::cpuModel().c_str(),
                std::thread::hardware_concurrency());
    std::printf("orchestration: %d noop trials of %d steps, scheduler %s, %d worker processes, "
                "SQLite WAL storage\n",
                trials, steps, scheduler.c_str(), workers);
    std::printf("  run ended: %s, complete %d, pruned %d, failed %d\n",
                std::string(ps::toText(end)).c_str(), counts.complete, counts.pruned, counts.fail);
    std::printf("  wall time %.3f s (includes starting %d workers), %.0f trials/s, "
                "%.2f ms per trial\n",
                secs, workers, trials / secs, 1000.0 * secs / trials);
    std::printf("  target: 1000 trials with 2 workers well under 10 s -> %s\n",
                trials == 1000 && workers == 2 ? (secs < 10 ? "met" : "MISSED") : "n/a");
    const auto r0 = std::chrono::steady_clock::now();
    const auto all = storage->trials(orchestrator.studyId());
    const auto points = storage->metrics(orchestrator.studyId());
    const double readMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r0).count();
    std::printf("  reading it back: %zu trials and %zu metric points in %.1f ms\n", all.size(),
                points.size(), readMs);
    fs::remove_all(dir);
    return counts.finished() == trials ? 0 : 1;
}
