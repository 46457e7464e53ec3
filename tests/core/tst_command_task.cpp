// The external command task: small sh scripts as the program.

#include "core/execution/command_task.h"
#include "core/execution/orchestrator.h"
#include "core/execution/thread_executor.h"
#include "core/space/study_file.h"
#include "core/storage/storage.h"
#include "test_util.h"

#include <QDir>
#include <QFile>
#include <QTest>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace ps;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Records what the task reports; cancels once `cancelAfter` seconds have passed (if set).
class RecordingFeedback final : public TaskFeedback {
public:
    double cancelAfter = -1;
    Clock::time_point start = Clock::now();
    std::vector<std::pair<std::int64_t, std::map<std::string, double>>> reports;
    std::string logFile;

    bool isCanceled() const override {
        return cancelAfter >= 0 && secondsSince(start) > cancelAfter;
    }
    void report(std::int64_t step, const std::map<std::string, double>& metrics) override {
        reports.emplace_back(step, metrics);
    }
    void log(const std::string&) override {}
    void checkpointSaved(std::int64_t) override {}
    void logFileCreated(const std::string& path) override { logFile = path; }
};

std::string readAll(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// True while `pid` runs (a zombie left to init counts as gone).
bool alive(pid_t pid) {
    if (kill(pid, 0) != 0)
        return false;
    const std::string stat = readAll("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

pid_t readPid(const std::string& path) {
    return static_cast<pid_t>(std::atol(readAll(path).c_str()));
}

} // namespace

class TestCommandTask : public QObject {
    Q_OBJECT

    TaskCatalog m_catalog = TaskCatalog::withBuiltins();

    // Writes an executable sh script `name` into `dir`.
    static std::string script(const QTemporaryDir& dir, const std::string& name,
                              const std::string& body) {
        const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
        std::ofstream(path) << "#!/bin/sh\n" << body;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all);
        return path;
    }

    // The task's input: the spec's defaults, then `overrides`.
    static TaskInput input(const QTemporaryDir& dir, const Json& overrides,
                           const Json& params = Json::object()) {
        TaskInput in;
        in.trialNumber = 7;
        in.params = params;
        for (const auto& s : commandTaskSpec().settings)
            in.settings[s.path] = s.defaultValue;
        for (const auto& [k, v] : overrides.items())
            in.settings[k] = v;
        in.baseDir = dir.path().toStdString();
        in.trialDir = dir.filePath("trial-7").toStdString();
        return in;
    }

    static TaskResult run(const TaskInput& in, RecordingFeedback& feedback) {
        return makeCommandTask()->run(in, feedback);
    }

private Q_SLOTS:
    void successWithStepsAndFinalLine() {
        auto dir = test::makeTempDir();
        script(dir, "ok.sh",
               "echo '{\"step\": 1, \"loss\": 0.5}'\n"
               "echo 'warming up' >&2\n"
               "echo '{\"step\": 2, \"loss\": 0.25, \"lr\": 0.1, \"phase\": \"train\"}'\n"
               "echo '  {\"loss\": 0.2, \"acc\": 0.9}  '\n");
        RecordingFeedback feedback;
        const auto in = input(dir, {{"command", {"./ok.sh"}}});
        const TaskResult r = run(in, feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Complete));
        QVERIFY2(r.reason.empty(), r.reason.c_str());
        QCOMPARE(feedback.reports.size(), std::size_t(2));
        QCOMPARE(feedback.reports[0].first, std::int64_t(1));
        QCOMPARE(feedback.reports[0].second.at("loss"), 0.5);
        QCOMPARE(feedback.reports[1].first, std::int64_t(2));
        QCOMPARE(feedback.reports[1].second.size(), std::size_t(2)); // "phase" is not a number
        // the final line's values over the last reported ones
        QCOMPARE(r.metrics.at("loss"), 0.2);
        QCOMPARE(r.metrics.at("acc"), 0.9);
        QCOMPARE(r.metrics.at("lr"), 0.1);
        QCOMPARE(feedback.logFile, in.trialDir + "/command.log");
        QCOMPARE(readAll(feedback.logFile), std::string("warming up\n"));
    }

    void substitutesParameters() {
        auto dir = test::makeTempDir();
        script(dir, "args.sh",
               "out=\"$PARAMSCOPE_TRIAL_DIR/seen.txt\"\n"
               "printf '%s\\n' \"$@\" > \"$out\"\n"
               "printf '%s\\n' \"$MY_LR\" \"$PARAMSCOPE_TRIAL\" \"$PARAMSCOPE_PARAMS\" "
               "\"$PARAMSCOPE_PARAMS_FILE\" \"$(pwd)\" >> \"$out\"\n"
               "echo '{\"loss\": 1}'\n");
        RecordingFeedback feedback;
        const Json params = {{"lr", 0.001}, {"opt.kind", "adam"}, {"layers", 3}};
        auto in = input(dir,
                        {{"command",
                          {"./args.sh", "--lr={param.lr}", "{param.opt.kind}", "{trial}",
                           "{params_file}", "{{literal}}", "{trial_dir}/x"}},
                         {"env", {{"MY_LR", "lr is {param.lr}, {param.layers} layers"}}},
                         {"params_file", "p.json"}},
                        params);
        const TaskResult r = run(in, feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Complete));
        const std::string paramsFile = in.trialDir + "/p.json";
        const std::string seen = readAll(in.trialDir + "/seen.txt");
        QCOMPARE(seen, "--lr=0.001\nadam\n7\n" + paramsFile + "\n{literal}\n" + in.trialDir +
                           "/x\nlr is 0.001, 3 layers\n7\n" + params.dump() + "\n" + paramsFile +
                           "\n" + dir.path().toStdString() + "\n");
        const Json file = Json::parse(readAll(paramsFile));
        QCOMPARE(file["trial"].get<int>(), 7);
        QVERIFY2(file["params"] == params, file.dump().c_str());
    }

    void workdirAndProgramOnPath() {
        auto dir = test::makeTempDir();
        QVERIFY(QDir(dir.path()).mkdir("sub"));
        RecordingFeedback feedback;
        // "sh" from PATH; the workdir is relative to the study file's folder
        auto in = input(dir, {{"command", {"sh", "-c", "pwd >&2; echo '{{\"loss\": 2}}'"}},
                              {"workdir", "sub"}});
        const TaskResult r = run(in, feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Complete));
        QCOMPARE(readAll(feedback.logFile), dir.filePath("sub").toStdString() + "\n");
    }

    void nonZeroExitFailsWithTheLogTail() {
        auto dir = test::makeTempDir();
        script(dir, "fail.sh",
               "echo '{\"step\": 1, \"loss\": 0.5}'\n"
               "i=1; while [ $i -le 30 ]; do echo \"line $i\" >&2; i=$((i+1)); done\n"
               "echo 'Traceback: boom' >&2\n"
               "exit 3\n");
        RecordingFeedback feedback;
        const TaskResult r = run(input(dir, {{"command", {"./fail.sh"}}}), feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Fail));
        QVERIFY2(r.reason.rfind("exit code 3", 0) == 0, r.reason.c_str());
        QVERIFY2(r.reason.find("Traceback: boom") != std::string::npos, r.reason.c_str());
        QVERIFY2(r.reason.find("line 30\n") != std::string::npos, r.reason.c_str());
        QVERIFY2(r.reason.find("line 5\n") == std::string::npos, r.reason.c_str()); // tail only
        QCOMPARE(r.metrics.at("loss"), 0.5);
        // the whole log is kept in the file
        QVERIFY(readAll(feedback.logFile).find("line 5\n") != std::string::npos);
    }

    void killedBySignalFails() {
        auto dir = test::makeTempDir();
        script(dir, "sig.sh", "echo 'about to die' >&2\nkill -KILL $$\n");
        RecordingFeedback feedback;
        const TaskResult r = run(input(dir, {{"command", {"./sig.sh"}}}), feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Fail));
        QVERIFY2(r.reason.rfind("killed by signal 9 (SIGKILL)", 0) == 0, r.reason.c_str());
        QVERIFY2(r.reason.find("about to die") != std::string::npos, r.reason.c_str());
    }

    void timeoutKillsTheProcessGroup() {
        auto dir = test::makeTempDir();
        const std::string pidFile = dir.filePath("pid").toStdString();
        const std::string childFile = dir.filePath("child").toStdString();
        script(dir, "slow.sh",
               "echo $$ > '" + pidFile +
                   "'\n"
                   "sleep 30 &\n"
                   "echo $! > '" +
                   childFile +
                   "'\n"
                   "echo 'started' >&2\n"
                   "wait\n");
        RecordingFeedback feedback;
        const auto start = Clock::now();
        const TaskResult r =
            run(input(dir, {{"command", {"./slow.sh"}}, {"timeout", "0.5"}}), feedback);
        const double took = secondsSince(start);
        QCOMPARE(int(r.end), int(TaskEnd::Fail));
        QVERIFY2(r.reason.rfind("timed out after 0.5 s", 0) == 0, r.reason.c_str());
        QVERIFY2(r.reason.find("started") != std::string::npos, r.reason.c_str());
        QVERIFY2(took < 4.0, std::to_string(took).c_str());
        QVERIFY(!alive(readPid(pidFile)));
        const pid_t child = readPid(childFile);
        QTRY_VERIFY_WITH_TIMEOUT(!alive(child), 2000);
    }

    void noDescriptorLeaksNoZombies() {
        auto dir = test::makeTempDir();
        // a descriptor of this process without close-on-exec, as SQLite's may be
        const int open =
            ::open(dir.filePath("mine").toLocal8Bit().constData(), O_WRONLY | O_CREAT, 0600);
        QVERIFY(open >= 3);
        const std::string fd = std::to_string(open);
        script(dir, "fds.sh",
               "if [ -e /proc/$$/fd/" + fd +
                   " ]; then echo leaked >&2; fi\n"
                   "echo '{\"loss\": 1}'\n");
        auto count = [] {
            return std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                 std::filesystem::directory_iterator());
        };
        const auto before = count();
        RecordingFeedback feedback;
        const TaskResult r = run(input(dir, {{"command", {"./fds.sh"}}}), feedback);
        ::close(open);
        QCOMPARE(int(r.end), int(TaskEnd::Complete));
        QCOMPARE(readAll(feedback.logFile), std::string());
        QCOMPARE(count(), before - 1);
        int status = 0;
        QCOMPARE(waitpid(-1, &status, WNOHANG), pid_t(-1)); // no child left, not even a zombie
        QCOMPARE(errno, ECHILD);
    }

    void garbageOutputIsKeptNotFatal() {
        auto dir = test::makeTempDir();
        script(dir, "garbage.sh",
               "echo 'hello'\n"
               "echo '{bad json'\n"
               "echo '{\"step\": \"x\", \"loss\": 1}'\n"
               "echo '{\"step\": 1, \"loss\": 0.5}'\n"
               "echo '[1, 2]'\n"
               "echo '{\"note\": \"no numbers\"}'\n"
               "echo ''\n"
               "printf '{\"step\": 2, \"loss\": 0.4}'\n"); // no newline at the end
        RecordingFeedback feedback;
        const TaskResult r = run(input(dir, {{"command", {"./garbage.sh"}}}), feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Complete));
        QCOMPARE(feedback.reports.size(), std::size_t(2));
        QCOMPARE(r.metrics.at("loss"), 0.4);
        QVERIFY2(r.reason.rfind("5 line(s) of its standard output were not JSON metrics", 0) == 0,
                 r.reason.c_str());
        const std::string log = readAll(feedback.logFile);
        QVERIFY2(log.find("[stdout, not JSON] hello\n") != std::string::npos, log.c_str());
        QVERIFY2(log.find("[stdout, malformed JSON] {bad json\n") != std::string::npos,
                 log.c_str());
        QVERIFY2(log.find("[stdout, step is not a whole number]") != std::string::npos,
                 log.c_str());
    }

    void nonFiniteValuesArePassedOn() {
        auto dir = test::makeTempDir();
        // what Python's json.dumps writes for nan and inf
        script(dir, "nan.sh",
               "echo '{\"step\": 1, \"loss\": NaN, \"tag\": \"NaN\"}'\n"
               "echo '{\"loss\": Infinity, \"low\": -Infinity}'\n");
        RecordingFeedback feedback;
        const TaskResult r = run(input(dir, {{"command", {"./nan.sh"}}}), feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Complete));
        QCOMPARE(feedback.reports.size(), std::size_t(1));
        QVERIFY(std::isnan(feedback.reports[0].second.at("loss")));
        QCOMPARE(feedback.reports[0].second.count("tag"), std::size_t(0));
        QVERIFY(std::isinf(r.metrics.at("loss")) && r.metrics.at("loss") > 0);
        QVERIFY(std::isinf(r.metrics.at("low")) && r.metrics.at("low") < 0);
    }

    void noMetricsAtAllSaysSo() {
        auto dir = test::makeTempDir();
        RecordingFeedback feedback;
        const TaskResult r =
            run(input(dir, {{"command", {"sh", "-c", "echo quiet >&2"}}}), feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Complete));
        QVERIFY(r.metrics.empty());
        QVERIFY2(r.reason.find("printed no JSON metric lines") != std::string::npos,
                 r.reason.c_str());
    }

    void cancelStopsTheProgramQuickly() {
        auto dir = test::makeTempDir();
        const std::string pidFile = dir.filePath("pid").toStdString();
        script(dir, "long.sh",
               "echo $$ > '" + pidFile +
                   "'\n"
                   "trap '' TERM\n" // ignores SIGTERM: SIGKILL after the grace ends it
                   "i=1; while [ $i -le 300 ]; do echo \"{\\\"step\\\": $i, \\\"loss\\\": 1}\"; "
                   "sleep 0.1; i=$((i+1)); done\n");
        RecordingFeedback feedback;
        feedback.cancelAfter = 0.3;
        const auto start = Clock::now();
        const TaskResult r = run(input(dir, {{"command", {"./long.sh"}}}), feedback);
        const double took = secondsSince(start);
        QCOMPARE(int(r.end), int(TaskEnd::Canceled));
        QVERIFY2(took < 4.0, std::to_string(took).c_str());
        QVERIFY(!feedback.reports.empty());
        QVERIFY(!alive(readPid(pidFile)));
    }

    void cancelWithoutGraceWhenTheProgramHonoursTerm() {
        auto dir = test::makeTempDir();
        RecordingFeedback feedback;
        feedback.cancelAfter = 0.2;
        const auto start = Clock::now();
        const TaskResult r = run(input(dir, {{"command", {"sleep", "30"}}}), feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Canceled));
        QVERIFY2(secondsSince(start) < 1.5, std::to_string(secondsSince(start)).c_str());
    }

    void runTimeErrors_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing file") << "./missing.sh"
                                      << "command: cannot run ";
        QTest::newRow("not on PATH") << "no-such-program-ps"
                                     << "is not found on PATH";
        QTest::newRow("unknown placeholder") << "sh {nope}"
                                             << "unknown placeholder {nope}";
        QTest::newRow("inactive parameter") << "sh {param.gone}"
                                            << "parameter 'gone' has no";
        QTest::newRow("unclosed brace") << "sh {param.x"
                                        << "without its '}'";
    }
    void runTimeErrors() {
        QFETCH(QString, command);
        QFETCH(QString, reason);
        auto dir = test::makeTempDir();
        Json argv = Json::array();
        for (const auto& a : command.split(' '))
            argv.push_back(a.toStdString());
        RecordingFeedback feedback;
        const TaskResult r = run(input(dir, {{"command", argv}}), feedback);
        QCOMPARE(int(r.end), int(TaskEnd::Fail));
        QVERIFY2(r.reason.find(reason.toStdString()) != std::string::npos, r.reason.c_str());
    }

    void studyFileWithCommandParses() {
        auto dir = test::makeTempDir();
        const StudyConfig c =
            parseStudyText("name: cmd\n"
                           "task:\n"
                           "  kind: command\n"
                           "  command: [python3, train.py, --lr, \"{param.lr}\"]\n"
                           "  env: {SEED: \"{trial}\"}\n"
                           "  timeout: 5m\n"
                           "space:\n"
                           "  lr: {type: float, low: 0.001, high: 0.1, log: true}\n"
                           "objective: {metric: val_loss}\n",
                           "cmd.yaml", dir.path().toStdString(), m_catalog);
        QCOMPARE(c.taskKind, std::string("command"));
        QCOMPARE(c.task["command"][3].get<std::string>(), std::string("{param.lr}"));
        QCOMPARE(c.task["env"]["SEED"].get<std::string>(), std::string("{trial}"));
        QCOMPARE(c.task["timeout"].get<std::string>(), std::string("5m"));
        QCOMPARE(c.task["params_file"].get<std::string>(), std::string("params.json"));
        QCOMPARE(parseDuration("5m"), 300.0);
    }

    void studyFileRefusals_data() {
        QTest::addColumn<QString>("task");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << "  kind: command\n" << 3 << "task.command: is missing";
        QTest::newRow("unknown parameter")
            << "  kind: command\n  command:\n    - sh\n    - \"{param.nope}\"\n"
            << 6 << "task.command.1: {param.nope} names no parameter of the space (parameters: lr)";
        QTest::newRow("unknown placeholder")
            << "  kind: command\n  command: [sh]\n  env:\n    A: \"{trail}\"\n"
            << 6 << "task.env.A: unknown placeholder {trail}";
        QTest::newRow("unquoted placeholder")
            << "  kind: command\n  command:\n    - sh\n    - {param.lr}\n"
            << 6 << "must be a string";
        QTest::newRow("command as a string") << "  kind: command\n  command: python3 train.py\n"
                                             << 4 << "task.command: must be a list of strings";
        QTest::newRow("bad timeout") << "  kind: command\n  command: [sh]\n  timeout: soon\n"
                                     << 5 << "task.timeout: 'soon' is not a duration";
        QTest::newRow("params file with a folder")
            << "  kind: command\n  command: [sh]\n  params_file: a/b.json\n"
            << 5 << "task.params_file: 'a/b.json' is not a plain file name";
    }
    void studyFileRefusals() {
        QFETCH(QString, task);
        QFETCH(int, line);
        QFETCH(QString, message);
        auto dir = test::makeTempDir();
        const std::string text = "name: cmd\ntask:\n" + task.toStdString() +
                                 "space:\n  lr: {type: float, low: 0.001, high: 0.1}\n"
                                 "objective: {metric: loss}\n";
        try {
            parseStudyText(text, "cmd.yaml", dir.path().toStdString(), m_catalog);
            QFAIL("accepted");
        } catch (const StudyFileError& e) {
            QVERIFY2(std::string(e.what()).find(message.toStdString()) != std::string::npos,
                     e.what());
            QCOMPARE(e.line(), line);
            QVERIFY2(std::string(e.what()).rfind("cmd.yaml:" + std::to_string(line) + ":", 0) == 0,
                     e.what());
        }
    }

    // Through the orchestrator and its workers: values, pruning, the log path, and a trial
    // that prints no objective. The script prints all its steps at once, so pruning happens
    // while later lines are already read (regression: pruned trials took their last value).
    void endToEndWithHyperband() {
        auto dir = test::makeTempDir();
        script(dir, "train.sh",
               "x=$1\n"
               "echo \"x=$x\" >&2\n"
               "echo 'Epoch 1/9 (progress on stdout)'\n"
               "s=1\n"
               "while [ $s -le 9 ]; do\n"
               "  awk -v x=\"$x\" -v s=$s 'BEGIN { printf \"{\\\"step\\\": %d, \\\"loss\\\": "
               "%.6f}\\n\", s, (x-0.3)^2 + 1/s }'\n"
               "  s=$((s+1))\n"
               "done\n"
               "awk -v x=\"$x\" 'BEGIN { printf \"{\\\"loss\\\": %.6f}\\n\", (x-0.3)^2 }'\n");
        StudyConfig c = parseStudyText(
            "name: e2e\ntask: {kind: command, command: [./train.sh, \"{param.x}\"], timeout: "
            "30s}\nspace:\n  x: {type: float, low: 0, high: 1}\nobjective: {metric: loss}\n"
            "sampler: {kind: random, seed: 3}\n"
            "scheduler: {kind: hyperband, min: 1, max: 9, eta: 3}\n"
            "budget: {trials: 9, parallel: 2}\n",
            "e2e.yaml", dir.path().toStdString(), m_catalog);
        c.file = dir.filePath("e2e.yaml").toStdString(); // workers take relative paths from here
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, [this, url = c.storageUrl](std::int64_t id) {
            return std::make_unique<ThreadExecutor>(url, id, m_catalog);
        });
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::Finished);
        int complete = 0, pruned = 0;
        for (const auto& t : storage->trials(o.studyId())) {
            const double x = t.params["x"].get<double>();
            QVERIFY2(t.state == TrialState::Complete || t.state == TrialState::Pruned,
                     t.failReason.c_str());
            if (t.state == TrialState::Complete) {
                ++complete;
                QVERIFY(t.value);
                QVERIFY(std::abs(*t.value - (x - 0.3) * (x - 0.3)) < 1e-5);
                QVERIFY2(t.failReason.empty(), t.failReason.c_str()); // no note about stdout
            } else {
                ++pruned;
                QVERIFY2(t.failReason.rfind("pruned at step", 0) == 0, t.failReason.c_str());
                // its value is the one judged, not what the program printed after it
                const int step = std::atoi(t.failReason.c_str() + 15);
                QVERIFY(t.value);
                QVERIFY2(std::abs(*t.value - ((x - 0.3) * (x - 0.3) + 1.0 / step)) < 1e-5,
                         t.failReason.c_str());
                for (const auto& p : storage->trialMetrics(t.id))
                    QVERIFY(p.step <= step);
            }
            const std::string log = t.system.value("log", std::string());
            QVERIFY2(!log.empty(), t.system.dump().c_str());
            QVERIFY(readAll(log).find("x=") != std::string::npos);
        }
        QCOMPARE(complete + pruned, 9);
        QVERIFY(complete >= 1);
        QVERIFY(pruned >= 1);
    }

    void endToEndMissingObjectiveFails() {
        auto dir = test::makeTempDir();
        StudyConfig c =
            parseStudyText("name: e2e\ntask: {kind: command, command: [sh, -c, \"echo oops; echo "
                           "'{{\\\"acc\\\": 1}}'\"]}\nspace:\n  x: {type: float, low: 0, high: 1}\n"
                           "objective: {metric: loss}\nbudget: {trials: 1, parallel: 1}\n",
                           "e2e.yaml", dir.path().toStdString(), m_catalog);
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, [this, url = c.storageUrl](std::int64_t id) {
            return std::make_unique<ThreadExecutor>(url, id, m_catalog);
        });
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::Finished);
        const auto trials = storage->trials(o.studyId());
        QCOMPARE(trials.size(), std::size_t(1));
        QCOMPARE(trials[0].state, TrialState::Fail);
        const std::string& reason = trials[0].failReason;
        QVERIFY2(reason.rfind("the task did not report the objective metric 'loss'; 1 line(s) "
                              "of its standard output were not JSON metrics (the last: 'oops')",
                              0) == 0,
                 reason.c_str());
        QCOMPARE(trials[0].values.at("acc"), 1.0);
    }
};

QTEST_GUILESS_MAIN(TestCommandTask)
#include "tst_command_task.moc"
