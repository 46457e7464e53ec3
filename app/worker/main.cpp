// paramscope-worker: claims trials of one study from storage and runs them until told to
// stop. Started by the local executor (one per CPU slot or GPU); no Qt. `augment-grid` renders
// a configuration's augmentations instead (augment_grid_command.h).

#include "app/worker/augment_grid_command.h"
#include "core/execution/worker_loop.h"
#include "core/storage/storage.h"
#include "core/train/train_tasks.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>

namespace {

std::atomic<bool> g_stop{false};

void onSignal(int) {
    g_stop = true;
}

int usage(FILE* out) {
    std::fputs("usage: paramscope-worker --storage URL --study-id ID [--parent-pid PID] "
               "[--exit-when-idle] [--analyses-only]\n"
               "       paramscope-worker augment-grid --settings FILE [--params JSON] "
               "[--rows N] [--cols K]\n"
               "                                      [--seed S] --out PATH.pgm\n\n"
               "Claims WAITING trials of one study and runs them until SIGTERM/SIGINT, a Stop\n"
               "written to the study, or (with --exit-when-idle) no trial left to claim.\n"
               "A trial interrupted by a stop goes back to WAITING. Analysis jobs of the study\n"
               "(loss landscapes, ...) are claimed before trials; --analyses-only claims no\n"
               "trials.\n\n"
               "augment-grid writes what a classify configuration's augmentations do to its\n"
               "training images, as an image file (augment-grid --help for more).\n",
               out);
    return out == stdout ? 0 : 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "augment-grid") == 0)
        return ps::augmentGridCommand(argc - 1, argv + 1);
    ps::WorkerOptions options;
    long parent = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "paramscope-worker: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--help" || a == "-h")
            return usage(stdout);
        if (a == "--storage")
            options.storageUrl = next();
        else if (a == "--study-id")
            options.studyId = std::atoll(next().c_str());
        else if (a == "--parent-pid")
            parent = std::atol(next().c_str());
        else if (a == "--exit-when-idle")
            options.exitWhenIdle = true;
        else if (a == "--analyses-only")
            options.analysesOnly = true;
        else {
            std::fprintf(stderr, "paramscope-worker: unknown argument '%s'\n", a.c_str());
            return usage(stderr);
        }
    }
    if (options.storageUrl.empty() || options.studyId <= 0)
        return usage(stderr);

    // Die with the orchestrator: a worker must not outlive the run that started it.
    if (parent > 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            return 0;
    }
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    // The executor starts workers with SIGTERM blocked (see LocalExecutor::spawn); a stop that
    // came while the libraries loaded is delivered here, to the handler.
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &blocked, nullptr);

    options.name = ps::processName();
    auto catalog = ps::TaskCatalog::withBuiltins();
    ps::registerTrainTasks(catalog);
    ps::AnalysisCatalog analyses = ps::AnalysisCatalog::withBuiltins();
    ps::registerTrainAnalyses(analyses);
    options.analyses = &analyses;
    try {
        const auto stats = ps::runWorker(options, catalog, g_stop);
        std::fprintf(stderr, "worker %s: %d trials finished, %d handed back\n",
                     options.name.c_str(), stats.finished, stats.requeued);
        if (stats.analyses > 0)
            std::fprintf(stderr, "worker %s: %d analyses finished\n", options.name.c_str(),
                         stats.analyses);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "worker %s: %s\n", options.name.c_str(), e.what());
        return 1;
    }
    return 0;
}
