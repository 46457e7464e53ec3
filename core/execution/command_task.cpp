#include "core/execution/command_task.h"

#include "core/space/search_space.h"
#include "core/space/study_file.h"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <limits>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

extern char** environ;

namespace ps {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kPollMs = 100;             // isCanceled() is checked at least this often
constexpr double kGraceSeconds = 2.0;    // between SIGTERM and SIGKILL
constexpr double kDrainSeconds = 0.5;    // output still read after the program exited
constexpr std::size_t kTailLines = 20;   // of the log, kept for the reason
constexpr std::size_t kTailBytes = 2048; // likewise
constexpr std::size_t kMaxLine = 1 << 20;
constexpr const char* kLogName = "command.log";

std::string fmt(double x) {
    std::ostringstream out;
    out << x;
    return out.str();
}

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

SettingSpec setting(std::string path, SettingType type, Json def, std::string help) {
    return makeSetting(std::move(path), type, std::move(def), std::nullopt, std::nullopt,
                       std::move(help));
}

const char* const kKnownPlaceholders = "{param.NAME}, {trial}, {params_file}, {trial_dir}";

std::string paramText(const Json& v) {
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_null())
        return "";
    return v.dump();
}

// The placeholders a trial knows; with `params` null, only checks names against `space`.
std::optional<std::string> resolvePlaceholder(const std::string& name, const Json* params,
                                              const SearchSpace* space, int trial,
                                              const std::string& paramsFile,
                                              const std::string& trialDir, std::string& error) {
    if (name == "trial")
        return std::to_string(trial);
    if (name == "params_file")
        return paramsFile;
    if (name == "trial_dir")
        return trialDir;
    if (name.rfind("param.", 0) == 0) {
        const std::string param = name.substr(6);
        if (space) {
            if (space->find(param))
                return std::string();
            std::string names;
            for (const auto& p : space->params)
                names += (names.empty() ? "" : ", ") + p.name;
            error =
                "{" + name + "} names no parameter of the space" +
                (names.empty() ? std::string(" (it has none)") : " (parameters: " + names + ")");
            return std::nullopt;
        }
        if (params && params->is_object() && params->contains(param))
            return paramText((*params)[param]);
        error = "parameter '" + param +
                "' has no value in this trial (a conditional parameter that is inactive? read "
                "it from the params file instead)";
        return std::nullopt;
    }
    error = "unknown placeholder {" + name + "} (known: " + kKnownPlaceholders +
            "; write {{ and }} for literal braces)";
    return std::nullopt;
}

std::string checkCommandSettings(const Json& settings, const SearchSpace& space, std::string& key) {
    std::string error;
    auto resolve = [&](const std::string& name, std::string& e) {
        return resolvePlaceholder(name, nullptr, &space, 0, "", "", e);
    };
    const Json& command = settings["command"];
    if (!command.is_array() || command.empty()) {
        key = "command";
        return "is missing: the program and its arguments, e.g. command: [python3, train.py, "
               "--lr, \"{param.lr}\"]";
    }
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (!expandPlaceholders(command[i].get<std::string>(), resolve, error)) {
            key = "command." + std::to_string(i);
            return error;
        }
    }
    if (command[0].get<std::string>().empty()) {
        key = "command.0";
        return "the program name is empty";
    }
    for (const auto& [name, value] : settings["env"].items()) {
        if (name.empty() || name.find('=') != std::string::npos) {
            key = "env";
            return "'" + name + "' is not an environment variable name";
        }
        if (!expandPlaceholders(value.get<std::string>(), resolve, error)) {
            key = "env." + name;
            return error;
        }
    }
    if (!expandPlaceholders(settings["workdir"].get<std::string>(), resolve, error)) {
        key = "workdir";
        return error;
    }
    const std::string file = settings["params_file"].get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == ".." ||
        file == kLogName) {
        key = "params_file";
        return "'" + file + "' is not a plain file name (it is written in the trial's folder)";
    }
    const std::string timeout = settings["timeout"].get<std::string>();
    if (parseDuration(timeout) < 0) {
        key = "timeout";
        return "'" + timeout + "' is not a duration (e.g. 0 for none, 90s, 30m, 2h)";
    }
    return {};
}

// The last lines of the log, for the reason of a failure.
class LogTail {
public:
    void append(const std::string& text) {
        for (char ch : text) {
            if (ch == '\n') {
                pushLine();
            } else if (m_partial.size() < kTailBytes) {
                m_partial += ch;
            }
        }
    }
    void appendLine(const std::string& line) {
        append(line);
        append("\n");
    }
    std::string text() const {
        std::string out;
        for (const auto& l : m_lines)
            out += l + "\n";
        out += m_partial;
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        if (out.size() > kTailBytes)
            out = "..." + out.substr(out.size() - kTailBytes);
        return out;
    }

private:
    void pushLine() {
        m_lines.push_back(std::move(m_partial));
        m_partial.clear();
        m_bytes += m_lines.back().size() + 1;
        while (m_lines.size() > kTailLines || (m_bytes > kTailBytes && m_lines.size() > 1)) {
            m_bytes -= m_lines.front().size() + 1;
            m_lines.pop_front();
        }
    }
    std::deque<std::string> m_lines;
    std::string m_partial;
    std::size_t m_bytes = 0;
};

// Python's json module writes NaN, Infinity and -Infinity, which JSON lacks: outside strings
// they are turned into marker strings ("\u0001nan", ...), read back as non-finite numbers.
const std::string kNanMark = "\x01nan", kInfMark = "\x01inf", kNegInfMark = "\x01-inf";

std::string markNonFinite(const std::string& line) {
    std::string out;
    bool inString = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (inString) {
            out += ch;
            if (ch == '\\' && i + 1 < line.size())
                out += line[++i];
            else if (ch == '"')
                inString = false;
            continue;
        }
        if (ch == '"') {
            inString = true;
            out += ch;
        } else if (line.compare(i, 3, "NaN") == 0) {
            out += "\"\\u0001nan\"";
            i += 2;
        } else if (line.compare(i, 8, "Infinity") == 0) {
            out += "\"\\u0001inf\"";
            i += 7;
        } else if (line.compare(i, 9, "-Infinity") == 0) {
            out += "\"\\u0001-inf\"";
            i += 8;
        } else {
            out += ch;
        }
    }
    return out;
}

std::optional<double> metricValue(const Json& v) {
    if (v.is_number())
        return v.get<double>();
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (s == kNanMark)
            return std::numeric_limits<double>::quiet_NaN();
        if (s == kInfMark)
            return INFINITY;
        if (s == kNegInfMark)
            return -INFINITY;
    }
    return std::nullopt;
}

// Reads the program's output as it comes: metric lines go to the feedback, everything else
// to the log file and its tail.
class OutputReader {
public:
    OutputReader(TaskFeedback& feedback, std::ofstream& log) : m_feedback(feedback), m_log(log) {}

    void stdoutBytes(const char* data, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            if (data[i] == '\n') {
                stdoutLine(m_outLine);
                m_outLine.clear();
                m_outTooLong = false;
            } else if (m_outLine.size() < kMaxLine) {
                m_outLine += data[i];
            } else {
                m_outTooLong = true;
            }
        }
    }
    void stderrBytes(const char* data, std::size_t n) {
        const std::string text(data, n);
        m_log << text;
        m_log.flush();
        m_tail.append(text);
        m_stderrOpenLine = !text.empty() && text.back() != '\n';
    }
    void finish() {
        if (!m_outLine.empty())
            stdoutLine(m_outLine);
        m_outLine.clear();
        m_log.flush();
    }

    const std::map<std::string, double>& reported() const { return m_reported; }
    const std::map<std::string, double>& finalMetrics() const { return m_final; }
    int metricLines() const { return m_metricLines; }
    int garbageLines() const { return m_garbage; }
    const std::string& lastGarbage() const { return m_lastGarbage; }
    std::string tail() const { return m_tail.text(); }

private:
    void stdoutLine(std::string line) {
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
            line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos)
            return;
        line.erase(0, first);
        std::string why;
        if (m_outTooLong) {
            why = "longer than 1 MiB";
        } else if (line.front() != '{') {
            why = "not JSON";
        } else {
            const Json j = Json::parse(markNonFinite(line), nullptr, /*allow_exceptions=*/false);
            if (j.is_discarded() || !j.is_object())
                why = "malformed JSON";
            else
                why = metricsLine(j);
        }
        if (why.empty()) {
            ++m_metricLines;
            return;
        }
        ++m_garbage;
        m_lastGarbage = line.size() > 200 ? line.substr(0, 200) + "..." : line;
        const std::string logged = "[stdout, " + why + "] " + line;
        if (m_stderrOpenLine) { // keep the log's lines whole
            m_log << '\n';
            m_tail.append("\n");
            m_stderrOpenLine = false;
        }
        m_log << logged << '\n';
        m_tail.appendLine(logged);
    }

    // "" when `j` carried metrics, else why not.
    std::string metricsLine(const Json& j) {
        std::optional<std::int64_t> step;
        std::map<std::string, double> metrics;
        for (const auto& [name, v] : j.items()) {
            if (name == "step") {
                if (v.is_number_integer()) {
                    step = v.get<std::int64_t>();
                } else if (v.is_number_float() && std::isfinite(v.get<double>()) &&
                           v.get<double>() == std::floor(v.get<double>()) &&
                           std::abs(v.get<double>()) < 9e15) {
                    step = static_cast<std::int64_t>(v.get<double>());
                } else {
                    return "step is not a whole number";
                }
                continue;
            }
            if (auto x = metricValue(v))
                metrics[name] = *x;
        }
        if (metrics.empty())
            return "no numeric metrics";
        // Once pruned or stopped, what the program printed after that point (a fast one may
        // have finished already) is not the trial's: its values end where it was judged.
        if (m_ignoring || m_feedback.isCanceled()) {
            m_ignoring = true;
            return {};
        }
        if (step) {
            m_feedback.report(*step, metrics);
            for (const auto& [name, x] : metrics)
                m_reported[name] = x;
        } else {
            for (const auto& [name, x] : metrics)
                m_final[name] = x;
        }
        return {};
    }

    TaskFeedback& m_feedback;
    std::ofstream& m_log;
    LogTail m_tail;
    std::string m_outLine;
    bool m_outTooLong = false;
    bool m_stderrOpenLine = false;
    bool m_ignoring = false;
    std::map<std::string, double> m_reported, m_final;
    int m_metricLines = 0, m_garbage = 0;
    std::string m_lastGarbage;
};

// Owns a file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return m_fd; }
    void reset(int fd = -1) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

void makePipe(Fd& read, Fd& write) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("command: pipe: ") + std::strerror(errno));
    read.reset(fds[0]);
    write.reset(fds[1]);
}

// The program to exec: a name without '/' is looked up on PATH, a relative path is taken from
// the study file's folder.
std::string resolveProgram(const std::string& program, const std::string& baseDir,
                           const std::string& path, std::string& error) {
    if (program.find('/') != std::string::npos) {
        const fs::path p = program;
        return (p.is_relative() ? fs::path(baseDir) / p : p).lexically_normal().string();
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto colon = path.find(':', start);
        const std::string dir =
            path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
        if (colon == std::string::npos)
            break;
        start = colon + 1;
    }
    std::error_code ec;
    error = "'" + program + "' is not found on PATH";
    if (fs::exists(fs::path(baseDir) / program, ec))
        error += " (to run the file beside the study file, write ./" + program + ")";
    return {};
}

// Tells the parent which step failed (0 streams, 1 chdir, 2 exec) and why.
[[noreturn]] void childFailed(int report, int stage) {
    const int codes[2] = {stage, errno};
    [[maybe_unused]] auto n = ::write(report, codes, sizeof codes);
    _exit(127);
}

// Runs in the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void execChild(const char* program, char* const* argv, char* const* envp,
                            const char* workdir, int out, int err, int report, pid_t parent) {
    setpgid(0, 0);
#ifdef __linux__
    // Dies with the thread that started it, e.g. when the worker is killed.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
#else
    (void)parent;
#endif
    // The worker may block or ignore signals (SIGTERM during start-up, SIGPIPE); the program
    // starts with the defaults.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2})
        sigaction(sig, &dfl, nullptr);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(err, STDERR_FILENO) < 0)
        childFailed(report, 0);
    // No descriptor of the worker (storage, other pipes) leaks into the program.
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        const long max = std::min(sysconf(_SC_OPEN_MAX), 65536L);
        for (int fd = 3; fd < max; ++fd)
            if (fd != report)
                fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (::chdir(workdir) != 0)
        childFailed(report, 1);
    execve(program, argv, envp);
    childFailed(report, 2);
}

void drain(int fd, bool& open, OutputReader& reader, bool isStdout) {
    char buf[65536];
    while (open) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            if (isStdout)
                reader.stdoutBytes(buf, static_cast<std::size_t>(n));
            else
                reader.stderrBytes(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            open = false;
        } else if (errno == EINTR) {
            continue;
        } else {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                open = false;
            return;
        }
    }
}

std::string signalName(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    const char* text = strsignal(sig);
    return "signal " + std::to_string(sig) + (abbrev ? std::string(" (SIG") + abbrev + ")" : "") +
           (text ? std::string(": ") + text : "");
}

class CommandTask final : public Task {
public:
    TaskResult run(const TaskInput& input, TaskFeedback& feedback) override {
        const Json& s = input.settings;
        if (input.trialDir.empty())
            throw std::runtime_error("command: the worker gave no trial folder");
        fs::create_directories(input.trialDir);
        const fs::path trialDir = fs::absolute(input.trialDir);
        const fs::path baseDir = fs::absolute(input.baseDir.empty() ? "." : input.baseDir);
        TaskResult result;
        auto fail = [&](std::string reason) {
            result.end = TaskEnd::Fail;
            result.reason = std::move(reason);
            return result;
        };

        const std::string paramsFile =
            (trialDir / s.value("params_file", std::string("params.json"))).string();
        {
            std::ofstream out(paramsFile);
            out << Json{{"trial", input.trialNumber}, {"params", input.params}}.dump(2) << '\n';
            if (!out)
                return fail("command: cannot write " + paramsFile);
        }
        std::string error;
        auto resolve = [&](const std::string& name, std::string& e) {
            return resolvePlaceholder(name, &input.params, nullptr, input.trialNumber, paramsFile,
                                      trialDir.string(), e);
        };
        auto expand = [&](const std::string& text,
                          const std::string& where) -> std::optional<std::string> {
            auto r = expandPlaceholders(text, resolve, error);
            if (!r)
                error = where + ": " + error;
            return r;
        };

        std::vector<std::string> args;
        const Json command = s.value("command", Json::array());
        if (!command.is_array() || command.empty())
            return fail("command: no command to run (task.command is empty)");
        for (std::size_t i = 0; i < command.size(); ++i) {
            auto a = expand(command[i].get<std::string>(), "command[" + std::to_string(i) + "]");
            if (!a)
                return fail(error);
            args.push_back(std::move(*a));
        }

        std::map<std::string, std::string> envMap;
        for (char** e = environ; e && *e; ++e) {
            const std::string entry = *e;
            const auto eq = entry.find('=');
            if (eq != std::string::npos)
                envMap[entry.substr(0, eq)] = entry.substr(eq + 1);
        }
        envMap["PARAMSCOPE_PARAMS"] = input.params.dump();
        envMap["PARAMSCOPE_TRIAL"] = std::to_string(input.trialNumber);
        envMap["PARAMSCOPE_PARAMS_FILE"] = paramsFile;
        envMap["PARAMSCOPE_TRIAL_DIR"] = trialDir.string();
        const Json env = s.value("env", Json::object()); // not a temporary in the loop
        for (const auto& [name, value] : env.items()) {
            auto v = expand(value.get<std::string>(), "env." + name);
            if (!v)
                return fail(error);
            envMap[name] = std::move(*v);
        }

        auto workdirText = expand(s.value("workdir", std::string()), "workdir");
        if (!workdirText)
            return fail(error);
        fs::path workdir = workdirText->empty() ? baseDir : fs::path(*workdirText);
        if (workdir.is_relative())
            workdir = baseDir / workdir;
        workdir = workdir.lexically_normal();
        std::error_code ec;
        if (!fs::is_directory(workdir, ec))
            return fail("command: workdir " + workdir.string() + " is not a folder");

        const std::string program = resolveProgram(
            args[0], baseDir.string(),
            envMap.count("PATH") ? envMap["PATH"] : std::string("/usr/local/bin:/usr/bin:/bin"),
            error);
        if (program.empty())
            return fail("command: " + error);
        const double timeout = parseDuration(s.value("timeout", std::string("0")));

        const std::string logPath = (trialDir / kLogName).string();
        std::ofstream log(logPath, std::ios::trunc);
        if (!log)
            return fail("command: cannot write " + logPath);
        feedback.logFileCreated(logPath);

        // Everything exec needs is built before fork: the child may not allocate.
        std::vector<std::string> envStrings;
        for (const auto& [name, value] : envMap)
            envStrings.push_back(name + "=" + value);
        std::vector<char*> argv, envp;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : envStrings)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        const std::string workdirString = workdir.string();

        Fd outRead, outWrite, errRead, errWrite, reportRead, reportWrite;
        makePipe(outRead, outWrite);
        makePipe(errRead, errWrite);
        makePipe(reportRead, reportWrite);
        const pid_t parent = getpid();
        const pid_t pid = fork();
        if (pid < 0)
            return fail(std::string("command: fork: ") + std::strerror(errno));
        if (pid == 0)
            execChild(program.c_str(), argv.data(), envp.data(), workdirString.c_str(),
                      outWrite.get(), errWrite.get(), reportWrite.get(), parent);
        setpgid(pid, pid); // also in the child: whichever runs first
        outWrite.reset();
        errWrite.reset();
        reportWrite.reset();
        {
            int codes[2] = {0, 0};
            ssize_t n;
            do {
                n = ::read(reportRead.get(), codes, sizeof codes);
            } while (n < 0 && errno == EINTR);
            if (n == static_cast<ssize_t>(sizeof codes)) {
                int status = 0;
                waitpid(pid, &status, 0);
                const char* what = codes[0] == 0   ? "cannot set up its standard streams"
                                   : codes[0] == 1 ? "cannot enter workdir"
                                                   : "cannot run";
                return fail("command: " + std::string(what) + " " +
                            (codes[0] == 1 ? workdirString : program) + ": " +
                            std::strerror(codes[1]));
            }
        }
        reportRead.reset();
        fcntl(outRead.get(), F_SETFL, O_NONBLOCK);
        fcntl(errRead.get(), F_SETFL, O_NONBLOCK);

        OutputReader reader(feedback, log);
        bool outOpen = true, errOpen = true, exited = false;
        int status = 0;
        enum class Stop { No, Timeout, Cancel } stop = Stop::No;
        const auto started = Clock::now();
        Clock::time_point exitedAt;
        auto pump = [&](int waitMs) {
            pollfd fds[2];
            nfds_t n = 0;
            if (outOpen)
                fds[n++] = {outRead.get(), POLLIN, 0};
            if (errOpen)
                fds[n++] = {errRead.get(), POLLIN, 0};
            if (n == 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(waitMs));
                return;
            }
            if (::poll(fds, n, waitMs) <= 0)
                return;
            drain(outRead.get(), outOpen, reader, true);
            drain(errRead.get(), errOpen, reader, false);
        };
        auto reap = [&] {
            if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
                exited = true;
                exitedAt = Clock::now();
            }
        };
        // The program never outlives this call, even when reporting throws.
        struct Reaper {
            pid_t m_pid;
            const bool& m_exited;
            ~Reaper() {
                if (!m_exited) {
                    ::kill(-m_pid, SIGKILL);
                    int ignored = 0;
                    waitpid(m_pid, &ignored, 0);
                }
            }
        } reaper{pid, exited};
        while (true) {
            pump(exited ? 20 : kPollMs);
            reap();
            if (exited) {
                // A grandchild that keeps the pipes open does not hold the trial.
                if ((!outOpen && !errOpen) || secondsSince(exitedAt) > kDrainSeconds)
                    break;
                continue;
            }
            if (feedback.isCanceled()) {
                stop = Stop::Cancel;
                break;
            }
            if (timeout > 0 && secondsSince(started) > timeout) {
                stop = Stop::Timeout;
                break;
            }
        }
        if (!exited) {
            ::kill(-pid, SIGTERM);
            const auto termAt = Clock::now();
            while (!exited && secondsSince(termAt) < kGraceSeconds) {
                pump(10);
                reap();
            }
        }
        // Whatever is left of its process group goes too, so nothing outlives the trial.
        ::kill(-pid, SIGKILL);
        if (!exited && waitpid(pid, &status, 0) == pid)
            exited = true;
        pump(0);
        reader.finish();
        log.close();

        const std::string tail = reader.tail();
        auto withTail = [&](std::string what) {
            if (tail.empty())
                return what + " (its log " + logPath + " is empty)";
            return what + "; the end of its log (" + logPath + "):\n" + tail;
        };
        result.metrics = reader.reported();
        for (const auto& [name, x] : reader.finalMetrics())
            result.metrics[name] = x;
        if (stop == Stop::Cancel) {
            result.end = TaskEnd::Canceled;
            result.reason = "canceled";
            return result;
        }
        if (stop == Stop::Timeout)
            return fail(withTail("timed out after " + fmt(timeout) + " s"));
        if (WIFSIGNALED(status))
            return fail(withTail("killed by " + signalName(WTERMSIG(status))));
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
            return fail(withTail("exit code " + std::to_string(WEXITSTATUS(status))));
        result.end = TaskEnd::Complete;
        if (reader.garbageLines() > 0)
            result.reason = std::to_string(reader.garbageLines()) +
                            " line(s) of its standard output were not JSON metrics (the last: '" +
                            reader.lastGarbage() + "'); see " + logPath;
        else if (reader.metricLines() == 0)
            result.reason = "it printed no JSON metric lines such as {\"step\": 1, \"loss\": 0.5} "
                            "on its standard output";
        return result;
    }
};

} // namespace

std::optional<std::string> expandPlaceholders(
    const std::string& text,
    const std::function<std::optional<std::string>(const std::string& name, std::string& error)>&
        resolve,
    std::string& error) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (ch == '}') {
            out += ch;
            if (i + 1 < text.size() && text[i + 1] == '}')
                ++i;
            continue;
        }
        if (ch != '{') {
            out += ch;
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }
        const auto close = text.find('}', i + 1);
        if (close == std::string::npos) {
            error = "'" + text + "' has a '{' without its '}' (write {{ for a literal brace)";
            return std::nullopt;
        }
        auto value = resolve(text.substr(i + 1, close - i - 1), error);
        if (!value)
            return std::nullopt;
        out += *value;
        i = close;
    }
    return out;
}

TaskSpec commandTaskSpec() {
    using T = SettingType;
    TaskSpec spec;
    spec.kind = "command";
    spec.description =
        "Any program as the task: parameters go into its arguments, environment and a JSON "
        "file; it prints its metrics as JSON lines on standard output ({\"step\": 3, "
        "\"val_loss\": 0.41}; a line without step holds final metrics); its standard error is "
        "the trial's log (command.log in the trial's folder). A non-zero exit fails the trial "
        "with the end of its log as the reason.";
    spec.settings = {
        setting("command", T::StringList, Json::array(),
                "the program and its arguments, e.g. [python3, train.py, --lr, \"{param.lr}\"]; "
                "placeholders: {param.NAME} (a parameter's value), {trial} (the trial's number), "
                "{params_file}, {trial_dir}; {{ and }} are literal braces. A relative program "
                "path is taken from the study file's folder, a bare name from PATH"),
        setting("env", T::StringMap, Json::object(),
                "environment variables added for the program (NAME: value, with the same "
                "placeholders); PARAMSCOPE_PARAMS (the parameters as JSON), PARAMSCOPE_TRIAL, "
                "PARAMSCOPE_PARAMS_FILE and PARAMSCOPE_TRIAL_DIR are always set"),
        setting("params_file", T::String, "params.json",
                "name of the file written in the trial's folder before the program starts: "
                "{\"trial\": N, \"params\": {...}}"),
        setting("workdir", T::String, "",
                "folder the program runs in (placeholders allowed); relative to the study "
                "file's folder, which is the default"),
        setting("timeout", T::String, "0",
                "longest a trial may run, in seconds or as 90s, 30m, 2h; 0 = no limit. The "
                "program's process group gets SIGTERM, then SIGKILL after 2 s"),
    };
    spec.freeParameters = true;
    spec.resumable = false;
    spec.checkSettings = &checkCommandSettings;
    return spec;
}

std::unique_ptr<Task> makeCommandTask() {
    return std::make_unique<CommandTask>();
}

} // namespace ps
