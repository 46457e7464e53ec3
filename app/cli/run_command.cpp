#include "app/cli/commands.h"
#include "core/execution/gpus.h"
#include "core/execution/local_executor.h"
#include "core/execution/orchestrator.h"
#include "core/execution/task.h"
#include "core/space/study_file.h"

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace ps::cli {

namespace {

std::atomic<bool> g_interrupt{false};

void onInterrupt(int) {
    g_interrupt = true;
    std::signal(SIGINT, SIG_DFL); // a second Ctrl-C ends the process at once
}

constexpr const char* kRunUsage =
    "usage: paramscope-cli run STUDY.yaml [--quiet]\n\n"
    "Runs the study the file describes: samples configurations, starts the workers\n"
    "(budget.parallel of them) and writes every trial to the study's storage (by default\n"
    "an SQLite file beside the study file). Running it again resumes the study: finished\n"
    "trials are kept and only the rest run. Ctrl-C stops cleanly: running trials go back\n"
    "to waiting. A Stop from the desktop app or 'paramscope-cli control' stops it the same\n"
    "way; a Pause holds new trials until it is resumed. Retries of failed trials\n"
    "('paramscope-cli retry') run first, even when the budget is used up.\n\n"
    "  --quiet   no progress bar\n";

void printProgress(const RunProgress& p, const std::string& metric, bool tty, bool final) {
    static int lastFinished = -1;
    static bool lastPaused = false;
    static double lastPrint = -1e9;
    const int done = p.counts.finished();
    if (!tty && !final && done == lastFinished && p.paused == lastPaused &&
        p.elapsedSeconds - lastPrint < 10)
        return;
    if (!tty && !final && p.elapsedSeconds - lastPrint < 2 && done != p.planned)
        return;
    lastFinished = done;
    lastPaused = p.paused;
    lastPrint = p.elapsedSeconds;
    const int width = 30;
    const int filled = p.planned > 0 ? std::min(width, width * done / p.planned) : 0;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar += std::string(static_cast<std::size_t>(width - filled), '.');
    char best[96] = "best -";
    if (p.best)
        std::snprintf(best, sizeof best, "best %s %.5g (#%d)", metric.c_str(), *p.best,
                      p.bestNumber);
    std::fprintf(stderr, "%s[%s] %d/%d done, %d running, %d failed, %s, %.0fs%s%s",
                 tty ? "\r\033[K" : "", bar.c_str(), done, p.planned, p.counts.running,
                 p.counts.fail, best, p.elapsedSeconds, p.paused ? ", paused" : "",
                 tty && !final ? "" : "\n");
    std::fflush(stderr);
}

} // namespace

int runCommand(int argc, char** argv) {
    std::string file;
    bool quiet = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kRunUsage, stdout);
            return 0;
        }
        if (a == "--quiet")
            quiet = true;
        else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "paramscope-cli run: unknown option '%s'\n\n%s", a.c_str(),
                         kRunUsage);
            return 2;
        } else if (file.empty())
            file = a;
        else {
            std::fprintf(stderr, "paramscope-cli run: one study file only\n");
            return 2;
        }
    }
    if (file.empty()) {
        std::fputs(kRunUsage, stderr);
        return 2;
    }

    const TaskCatalog catalog = TaskCatalog::withBuiltins();
    StudyConfig config;
    try {
        config = parseStudyFile(file, catalog);
    } catch (const StudyFileError& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }

    try {
        auto storage = openStorage(config.storageUrl);
        const std::string dbPath = config.storageUrl.substr(7);
        LocalExecutorOptions exec;
        exec.workerProgram = siblingProgram("paramscope-worker");
        exec.storageUrl = config.storageUrl;
        exec.logFile = dbPath + ".workers.log";
        Orchestrator orchestrator(config, *storage, [exec](std::int64_t studyId) mutable {
            exec.studyId = studyId;
            return std::make_unique<LocalExecutor>(exec);
        });
        std::signal(SIGINT, onInterrupt);
        std::signal(SIGTERM, onInterrupt);
        const bool tty = isatty(STDERR_FILENO) != 0;
        if (!quiet) {
            std::fprintf(stderr, "study %s: %d trials, %d in parallel; storage %s\n",
                         config.name.c_str(), config.budget.trials, config.budget.parallel,
                         dbPath.c_str());
            const std::vector<std::string> gpus = visibleGpus();
            std::string where = "CPU slots (no GPU visible)";
            if (!gpus.empty()) {
                where = "one GPU each, round robin over CUDA_VISIBLE_DEVICES ";
                for (std::size_t i = 0; i < gpus.size(); ++i)
                    where += (i ? "," : "") + gpus[i];
            }
            std::fprintf(stderr, "workers: %s\n", where.c_str());
        }
        const std::string metric = config.objective().metric;
        RunEnd end = orchestrator.run(g_interrupt, [&](const RunProgress& p) {
            if (!quiet)
                printProgress(p, metric, tty, false);
        });
        const TrialCounts c = storage->counts(orchestrator.studyId());
        if (!quiet && tty)
            std::fputc('\n', stderr);
        std::fprintf(stderr, "%s: %d complete, %d pruned, %d failed, %d not run yet\n",
                     std::string(toText(end)).c_str(), c.complete, c.pruned, c.fail,
                     c.waiting + c.running + std::max(0, config.budget.trials - c.total()));
        if (end == RunEnd::Interrupted || end == RunEnd::Stopped)
            std::fprintf(stderr, "run 'paramscope-cli run %s' again to resume\n", file.c_str());
        return end == RunEnd::Interrupted ? 130 : 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}

} // namespace ps::cli
