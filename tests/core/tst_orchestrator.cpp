// The orchestrator with the noop task and in-process workers: budgets, resuming after an
// interrupt without redoing finished trials, Stop and Pause through storage, retries of failed
// trials, orphaned trials, failures.

#include "core/execution/builtin_tasks.h"
#include "core/execution/orchestrator.h"
#include "core/execution/thread_executor.h"
#include "core/execution/worker_loop.h"
#include "core/scheduling/hyperband.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>
#include <map>
#include <set>
#include <unistd.h>

using namespace ps;

class TestOrchestrator : public QObject {
    Q_OBJECT

    TaskCatalog m_catalog = TaskCatalog::withBuiltins();

    StudyConfig config(const QTemporaryDir& dir, int trials, const std::string& extraTask = "",
                       const std::string& budgetExtra = "") {
        const std::string text = "name: t\ntask: {kind: noop, steps: 4" + extraTask +
                                 "}\nspace:\n  x: {type: float, low: -1, high: 1}\n  k: {type: "
                                 "categorical, values: [a, b]}\nobjective: {metric: loss}\n"
                                 "sampler: {kind: random, seed: 5}\nbudget: {trials: " +
                                 std::to_string(trials) + ", parallel: 2" + budgetExtra + "}\n";
        return parseStudyText(text, "t.yaml", dir.path().toStdString(), m_catalog);
    }

    Orchestrator::ExecutorFactory threads(const StudyConfig& c) {
        return [this, url = c.storageUrl](std::int64_t id) {
            return std::make_unique<ThreadExecutor>(url, id, m_catalog);
        };
    }

private Q_SLOTS:
    void runsTheWholeBudget() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 20);
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        int progressCalls = 0;
        QCOMPARE(o.run(interrupt, [&](const RunProgress&) { ++progressCalls; }), RunEnd::Finished);
        QVERIFY(progressCalls > 0);
        const auto trials = storage->trials(o.studyId());
        QCOMPARE(trials.size(), std::size_t(20));
        std::set<std::string> workers;
        for (const auto& t : trials) {
            QCOMPARE(t.state, TrialState::Complete);
            QVERIFY(t.value);
            QCOMPARE(*t.value, noopLoss(t.params));
            QCOMPARE(storage->trialMetrics(t.id).size(), std::size_t(4));
            workers.insert(t.worker);
        }
        QCOMPARE(storage->study(o.studyId())->orchestrator, std::string());
        QVERIFY(workers.size() <= 2);
    }

    void taskLogLinesAreKeptWithTheTrial() {
        // A task's log lines land in task.log in its trial folder, recorded as system.log.
        class Chatty final : public Task {
        public:
            TaskResult run(const TaskInput& input, TaskFeedback& feedback) override {
                feedback.log("chatty: trial " + std::to_string(input.trialNumber));
                feedback.log("chatty: done");
                TaskResult r;
                r.end = TaskEnd::Complete;
                r.metrics = {{"loss", 1.0}};
                return r;
            }
        };
        TaskSpec spec = m_catalog.spec("noop") ? *m_catalog.spec("noop") : TaskSpec{};
        spec.kind = "chatty";
        spec.resumable = false;
        m_catalog.add(spec, [] { return std::make_unique<Chatty>(); });
        auto dir = test::makeTempDir();
        const std::string text = "name: t\ntask: {kind: chatty}\nspace:\n  x: {type: float, "
                                 "low: -1, high: 1}\nobjective: {metric: loss}\n"
                                 "budget: {trials: 3, parallel: 1}\n";
        const StudyConfig c = parseStudyText(text, "t.yaml", dir.path().toStdString(), m_catalog);
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt, [](const RunProgress&) {}), RunEnd::Finished);
        for (const auto& t : storage->trials(o.studyId())) {
            const std::string path = t.system.value("log", std::string());
            QVERIFY2(path.ends_with("trial-" + std::to_string(t.number) + "/task.log"),
                     path.c_str());
            QFile file(QString::fromStdString(path));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(),
                     QByteArray("chatty: trial " + QByteArray::number(qint64(t.number)) +
                                "\nchatty: done\n"));
        }
    }

    void resumesAfterInterruptWithoutRedoingTrials() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 24, ", sleep_ms: 10");
        auto storage = openStorage(c.storageUrl);
        std::atomic<bool> interrupt{false};
        {
            Orchestrator o(c, *storage, threads(c));
            const RunEnd end = o.run(interrupt, [&](const RunProgress& p) {
                if (p.counts.finished() >= 6)
                    interrupt = true;
            });
            QCOMPARE(end, RunEnd::Interrupted);
        }
        const auto before = storage->trials(storage->findStudy("t")->id);
        std::map<std::int64_t, double> finishedBefore;
        for (const auto& t : before) {
            QVERIFY2(t.state != TrialState::Running, "a trial was left RUNNING");
            if (t.state == TrialState::Complete)
                finishedBefore[t.id] = t.finishedAt;
        }
        QVERIFY(finishedBefore.size() >= 6);
        QVERIFY(finishedBefore.size() < 24);

        interrupt = false;
        Orchestrator again(c, *storage, threads(c));
        QCOMPARE(again.run(interrupt), RunEnd::Finished);
        const auto after = storage->trials(again.studyId());
        QCOMPARE(after.size(), std::size_t(24));
        for (const auto& t : after) {
            QCOMPARE(t.state, TrialState::Complete);
            if (finishedBefore.count(t.id)) {
                QCOMPARE(t.finishedAt, finishedBefore[t.id]); // not run again
                QCOMPARE(t.attempts, 1);
            }
        }
    }

    void stopsOnControlWrittenToStorage() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 200, ", sleep_ms: 5");
        auto storage = openStorage(c.storageUrl);
        auto gui = openStorage(c.storageUrl); // as the desktop app would
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        bool asked = false;
        const RunEnd end = o.run(interrupt, [&](const RunProgress& p) {
            if (!asked && p.counts.finished() >= 3) {
                gui->setControl(gui->findStudy("t")->id, StudyControl::Stop);
                asked = true;
            }
        });
        QCOMPARE(end, RunEnd::Stopped);
        const auto counts = storage->counts(o.studyId());
        QCOMPARE(counts.running, 0);
        QVERIFY(counts.finished() < 200);
    }

    void pauseHoldsNewTrialsUntilResumed() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 12, ", sleep_ms: 50");
        auto storage = openStorage(c.storageUrl);
        auto gui = openStorage(c.storageUrl); // as the desktop app would
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        enum class Phase { Before, Paused, Resumed } phase = Phase::Before;
        std::map<int, TrialState> atPause;
        std::set<int> runningAtPause;
        double pausedAt = 0, beatAtPause = 0;
        bool sawPaused = false;
        QStringList problems;
        // The progress callback runs on the orchestrator's thread between two passes of its
        // loop, so what it writes is what the next pass reads.
        const RunEnd end = o.run(interrupt, [&](const RunProgress& p) {
            const auto id = gui->findStudy("t")->id;
            if (phase == Phase::Before && p.counts.finished() >= 2) {
                gui->setControl(id, StudyControl::Pause);
                pausedAt = nowSeconds();
                beatAtPause = gui->study(id)->orchestratorHeartbeat;
                for (const auto& t : gui->trials(id)) {
                    atPause[t.number] = t.state;
                    if (t.state == TrialState::Running)
                        runningAtPause.insert(t.number);
                }
                phase = Phase::Paused;
            } else if (phase == Phase::Paused && !interrupt) {
                sawPaused = sawPaused || p.paused;
                for (const auto& t : gui->trials(id)) {
                    if (!atPause.count(t.number))
                        problems << QString("trial %1 was sampled while paused").arg(t.number);
                    else if (atPause[t.number] == TrialState::Waiting &&
                             t.state != TrialState::Waiting)
                        problems << QString("trial %1 started while paused").arg(t.number);
                }
                // Held (the run does not end while paused, even with nothing running) until the
                // running trials ended and the orchestrator beat since.
                const bool beat = gui->study(id)->orchestratorHeartbeat > beatAtPause;
                if (!problems.isEmpty()) {
                    interrupt = true;
                } else if (nowSeconds() - pausedAt > 60) {
                    problems << "still paused after 60 s";
                    interrupt = true;
                } else if (sawPaused && beat && p.counts.running == 0) {
                    gui->setControl(id, StudyControl::Run);
                    phase = Phase::Resumed;
                }
            }
        });
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join("; ")));
        QVERIFY(phase == Phase::Resumed);
        QCOMPARE(end, RunEnd::Finished);
        const auto trials = storage->trials(o.studyId());
        QCOMPARE(trials.size(), std::size_t(12));
        for (const auto& t : trials) {
            QCOMPARE(t.state, TrialState::Complete);
            QCOMPARE(t.attempts, 1); // those running at the pause ran on, none was handed back
        }
        QCOMPARE(storage->study(o.studyId())->control, StudyControl::Run);
        const auto log = storage->studyLog(o.studyId());
        QVERIFY(std::any_of(log.begin(), log.end(),
                            [](const LogEntry& e) { return e.message.starts_with("paused"); }));
    }

    void stopWinsOverPause() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 200, ", sleep_ms: 5");
        auto storage = openStorage(c.storageUrl);
        auto gui = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        bool paused = false;
        const RunEnd end = o.run(interrupt, [&](const RunProgress& p) {
            const auto id = gui->findStudy("t")->id;
            if (!paused && p.counts.finished() >= 2) {
                gui->setControl(id, StudyControl::Pause);
                paused = true;
            } else if (paused && p.paused) {
                gui->setControl(id, StudyControl::Stop);
            }
        });
        QCOMPARE(end, RunEnd::Stopped);
        QCOMPARE(storage->counts(o.studyId()).running, 0);
    }

    void retriesRunFirstAndOnTopOfTheBudget() {
        auto dir = test::makeTempDir();
        const StudyConfig c = parseStudyText(
            "name: r\ntask: {kind: noop, steps: 2}\nspace:\n  x: {type: float, low: -1, high: "
            "1}\nobjective: {metric: loss}\nsampler: {kind: random, seed: 5}\nbudget: {trials: "
            "4, parallel: 1}\n",
            "r.yaml", dir.path().toStdString(), m_catalog);
        auto storage = openStorage(c.storageUrl);
        const auto id = Orchestrator::ensureStudy(*storage, c);
        const Json params{{"x", 0.75}};
        const Trial failed = storage->createTrial(id, params, "h:1");
        storage->finishTrial(failed.id, "h:1", TrialState::Fail, {}, std::nullopt, "flaky");
        const Trial sampledBefore = storage->createTrial(id, Json{{"x", -0.5}});
        QCOMPARE(storage->enqueueRetry(id, failed.number).number, 2);

        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::Finished);
        const auto trials = storage->trials(id);
        QCOMPARE(trials.size(), std::size_t(5)); // 4 planned and the retry
        const Trial& retry = trials[2];
        QCOMPARE(retry.retryOf, std::optional<int>(0));
        QCOMPARE(retry.state, TrialState::Complete);
        QVERIFY(retry.params == params);
        QCOMPARE(*retry.value, noopLoss(params));
        // One worker: the retry ran before the older waiting trial and the new samples.
        for (const auto& t : trials)
            if (t.number != 0 && t.number != 2)
                QVERIFY(retry.startedAt <= t.startedAt);
        QCOMPARE(trials[1].id, sampledBefore.id);
        QCOMPARE(trials[0].state, TrialState::Fail); // the original stays as it was
    }

    void retryRunsOnTheNextRunAfterTheBudget() {
        auto dir = test::makeTempDir();
        const StudyConfig failing = config(dir, 10, ", fail_above: 0.5");
        auto storage = openStorage(failing.storageUrl);
        std::atomic<bool> interrupt{false};
        Trial failed;
        {
            Orchestrator o(failing, *storage, threads(failing));
            QCOMPARE(o.run(interrupt), RunEnd::Finished);
            for (const auto& t : storage->trials(o.studyId()))
                if (t.state == TrialState::Fail && failed.id == 0)
                    failed = t;
            QVERIFY(failed.id != 0);
        }
        // The study is not running: the retry waits for the next run, which does it although
        // all 10 planned trials are done (and with the fixed study file: no fail_above).
        const auto studyId = storage->findStudy("t")->id;
        const Trial retry = storage->enqueueRetry(studyId, failed.number);
        const StudyConfig fixed = config(dir, 10);
        Orchestrator again(fixed, *storage, threads(fixed));
        QCOMPARE(again.run(interrupt), RunEnd::Finished);
        const auto trials = storage->trials(studyId);
        QCOMPARE(trials.size(), std::size_t(11)); // nothing new was sampled
        const Trial ran = *storage->trial(retry.id);
        QCOMPARE(ran.state, TrialState::Complete);
        QCOMPARE(ran.retryOf, std::optional<int>(failed.number));
        QVERIFY(ran.params == failed.params);
        QCOMPARE(*ran.value, noopLoss(failed.params));
        QCOMPARE(storage->trial(failed.id)->state, TrialState::Fail);
    }

    void orphanedTrialsRunAgain() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 3);
        auto storage = openStorage(c.storageUrl);
        const auto id = Orchestrator::ensureStudy(*storage, c);
        storage->createTrial(id, Json{{"x", 0.5}, {"k", "a"}});
        // a worker of this host whose process is gone
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        const std::string dead = std::string(host) + ":999999";
        const auto claimed = storage->claimTrial(id, dead);
        QVERIFY(claimed);
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::Finished);
        const auto t = storage->trial(claimed->id);
        QCOMPARE(t->state, TrialState::Complete);
        QCOMPARE(t->attempts, 2);
        QCOMPARE(*t->value, noopLoss(Json{{"x", 0.5}, {"k", "a"}}));
    }

    void failingTrialsCarryTheirReason() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 10, ", fail_above: 0.5");
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::Finished);
        int failed = 0;
        for (const auto& t : storage->trials(o.studyId())) {
            const bool shouldFail = noopLoss(t.params) > 0.5;
            QCOMPARE(t.state, shouldFail ? TrialState::Fail : TrialState::Complete);
            if (shouldFail) {
                ++failed;
                QVERIFY(QString::fromStdString(t.failReason).contains("above fail_above"));
            }
        }
        QVERIFY(failed > 0);
    }

    void timeoutEndsTheRun() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 100000, ", sleep_ms: 50", ", timeout: 1s");
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::TimedOut);
        QCOMPARE(storage->counts(o.studyId()).running, 0);
    }

    void pausedTimeDoesNotCountTowardTheTimeout() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 100000, ", sleep_ms: 50", ", timeout: 3s");
        auto storage = openStorage(c.storageUrl);
        auto gui = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, threads(c));
        std::atomic<bool> interrupt{false};
        double pausedAt = 0;
        // Paused at once and held past the timeout: a clock that counted paused time would end
        // the run as timed out before the Stop.
        const RunEnd end = o.run(interrupt, [&](const RunProgress&) {
            const auto id = gui->findStudy("t")->id;
            if (pausedAt == 0) {
                gui->setControl(id, StudyControl::Pause);
                pausedAt = nowSeconds();
            } else if (nowSeconds() - pausedAt > 4) {
                gui->setControl(id, StudyControl::Stop);
            }
        });
        QCOMPARE(end, RunEnd::Stopped);
    }

    void changedObjectiveIsRefused() {
        auto dir = test::makeTempDir();
        StudyConfig c = config(dir, 2);
        auto storage = openStorage(c.storageUrl);
        Orchestrator::ensureStudy(*storage, c);
        c.objectives.front().direction = Direction::Maximize;
        try {
            Orchestrator::ensureStudy(*storage, c);
            QFAIL("the objective was switched under stored trials");
        } catch (const std::runtime_error& e) {
            QVERIFY(QString(e.what()).contains("new name"));
        }
        QCOMPARE(storage->findStudy("t")->direction, Direction::Minimize); // unchanged
    }

    void aFailingSamplerFallsBackToRandom() {
        // Throws for every other trial and proposes NaN for the rest.
        class BadSampler final : public Sampler {
        public:
            Json sample(const SearchSpace&, const std::vector<Trial>&, int number) override {
                if (number % 2 == 0)
                    throw std::runtime_error("model not fitted");
                return Json{{"x", NAN}, {"k", "a"}};
            }
        };
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 6);
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, threads(c));
        o.setSampler(std::make_unique<BadSampler>());
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::Finished);
        for (const auto& t : storage->trials(o.studyId())) {
            QCOMPARE(t.state, TrialState::Complete);
            QVERIFY(std::isfinite(t.params["x"].get<double>()));
        }
        const auto log = storage->studyLog(o.studyId());
        QCOMPARE(log.size(), std::size_t(6));
        QCOMPARE(log[0].level, std::string("warning"));
        QVERIFY(QString::fromStdString(log[0].message).contains("model not fitted"));
        QVERIFY(QString::fromStdString(log[1].message).contains("non-finite"));
    }

    void samplersSeeOnlyTheirHyperbandBracket() {
        // Records what it was shown; proposes random values.
        class Recorder final : public Sampler {
        public:
            std::map<int, std::vector<int>> seen; // trial number -> numbers in its history
            Json sample(const SearchSpace& space, const std::vector<Trial>& trials,
                        int number) override {
                for (const auto& t : trials)
                    seen[number].push_back(t.number);
                return RandomSampler(1).sample(space, trials, number);
            }
        };
        auto dir = test::makeTempDir();
        const auto catalog = TaskCatalog::withBuiltins();
        const StudyConfig c = parseStudyText(
            "name: hb\ntask: {kind: noop, steps: 9}\nspace:\n  x: {type: float, low: 0, high: "
            "1}\nobjective: {metric: loss}\nscheduler: {kind: hyperband, min: 1, max: 9, eta: "
            "3}\nbudget: {trials: 30, parallel: 2}\n",
            "hb.yaml", dir.path().toStdString(), catalog);
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, threads(c));
        auto recorder = std::make_unique<Recorder>();
        Recorder* r = recorder.get();
        o.setSampler(std::move(recorder));
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::Finished);
        HyperbandPruner hb({"hyperband", c.scheduler.options, Direction::Minimize, "hb"});
        int nonEmpty = 0;
        for (const auto& [number, history] : r->seen) {
            nonEmpty += history.empty() ? 0 : 1;
            for (int other : history)
                QCOMPARE(hb.bracketOf(other), hb.bracketOf(number));
        }
        QVERIFY(nonEmpty > 5);
    }

    void sameStudyTwiceIsOneStudy() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, 2);
        auto storage = openStorage(c.storageUrl);
        const auto a = Orchestrator::ensureStudy(*storage, c);
        const auto b = Orchestrator::ensureStudy(*storage, c);
        QCOMPARE(a, b);
        QCOMPARE(storage->studies().size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestOrchestrator)
#include "tst_orchestrator.moc"
