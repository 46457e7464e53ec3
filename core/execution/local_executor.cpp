#include "core/execution/local_executor.h"

#include "core/execution/gpus.h"
#include "core/execution/worker_loop.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace ps {

namespace {

std::string hostPrefix() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return std::string(host) + ":";
}

} // namespace

std::string siblingProgram(const std::string& name) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto candidate = self.parent_path() / name;
        if (std::filesystem::exists(candidate, ec))
            return candidate.string();
    }
    return name; // fall back to PATH
}

LocalExecutor::LocalExecutor(LocalExecutorOptions options) : m_options(std::move(options)) {}

LocalExecutor::~LocalExecutor() {
    if (!m_workers.empty())
        stop(5.0);
}

void LocalExecutor::start(int workers) {
    // One intra-op thread per CPU worker (DESIGN.md): measured here, two threads in one
    // LibTorch process train small MLPs 4-12x slower than one, and two one-thread workers
    // already use both cores.
    m_threadsPerWorker = 1;
    m_gpus = m_options.gpus ? *m_options.gpus : visibleGpus();
    m_running = true;
    for (int i = 0; i < workers; ++i)
        m_workers.push_back({spawn(i), i});
}

pid_t LocalExecutor::spawn(int slot) {
    std::vector<std::string> args = {
        m_options.workerProgram,           "--storage",    m_options.storageUrl,    "--study-id",
        std::to_string(m_options.studyId), "--parent-pid", std::to_string(getpid())};
    args.insert(args.end(), m_options.extraArgs.begin(), m_options.extraArgs.end());
    // Thread counts go through the environment so the worker's libraries (OpenMP, OpenBLAS)
    // pick them up before any of their code runs.
    std::vector<std::string> env;
    const std::string threads = std::to_string(m_threadsPerWorker);
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        if (kv.rfind("OMP_NUM_THREADS=", 0) == 0 || kv.rfind("OPENBLAS_NUM_THREADS=", 0) == 0 ||
            kv.rfind("MKL_NUM_THREADS=", 0) == 0)
            continue;
        if (!m_gpus.empty() && kv.rfind("CUDA_VISIBLE_DEVICES=", 0) == 0)
            continue;
        env.push_back(kv);
    }
    // Each worker sees one GPU, as cuda:0: `device: auto` then trains on the worker's own.
    if (!m_gpus.empty())
        env.push_back("CUDA_VISIBLE_DEVICES=" + gpuForWorker(m_gpus, slot));
    env.push_back("OMP_NUM_THREADS=" + threads);
    env.push_back("OPENBLAS_NUM_THREADS=1");
    env.push_back("MKL_NUM_THREADS=1");

    std::vector<char*> argv, envp;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (!m_options.logFile.empty())
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, m_options.logFile.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0644);
    // Workers must not see the terminal's Ctrl-C directly: the orchestrator stops them in
    // order, so their running trials are handed back first.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // SIGTERM starts blocked: a stop sent while the worker is still loading LibTorch (before
    // its handler exists) then waits until the worker unblocks it, and the worker ends through
    // its clean path (log line, trials handed back) instead of dying silently.
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    posix_spawnattr_setsigmask(&attr, &blocked);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, m_options.workerProgram.c_str(), &actions, &attr, argv.data(),
                               envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        throw std::runtime_error("cannot start worker " + m_options.workerProgram + ": " +
                                 std::strerror(rc));
    return pid;
}

std::vector<std::string> LocalExecutor::poll() {
    std::vector<std::string> ended;
    std::vector<int> freed;
    for (auto& w : m_workers) {
        int status = 0;
        if (waitpid(w.pid, &status, WNOHANG) != w.pid)
            continue;
        ended.push_back(hostPrefix() + std::to_string(w.pid));
        freed.push_back(w.slot);
        w.pid = 0;
    }
    std::erase_if(m_workers, [](const Worker& w) { return w.pid == 0; });
    if (m_running) {
        for (std::size_t i = 0; i < freed.size() && m_restarts < m_options.maxRestarts; ++i) {
            m_workers.push_back({spawn(freed[i]), freed[i]});
            ++m_restarts;
        }
    }
    return ended;
}

std::vector<std::string> LocalExecutor::stop(double graceSeconds) {
    m_running = false;
    std::vector<std::string> names;
    for (const Worker& w : m_workers) {
        names.push_back(hostPrefix() + std::to_string(w.pid));
        kill(w.pid, SIGTERM);
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(graceSeconds);
    while (!m_workers.empty() && std::chrono::steady_clock::now() < deadline) {
        for (auto& w : m_workers) {
            int status = 0;
            if (waitpid(w.pid, &status, WNOHANG) == w.pid)
                w.pid = 0;
        }
        std::erase_if(m_workers, [](const Worker& w) { return w.pid == 0; });
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (const Worker& w : m_workers) {
        kill(w.pid, SIGKILL);
        int status = 0;
        waitpid(w.pid, &status, 0);
    }
    m_workers.clear();
    return names;
}

} // namespace ps
