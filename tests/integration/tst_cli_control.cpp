// paramscope-cli control and retry end to end: they write the study's control and its retries
// to the storage a running study (here: this process standing in for its orchestrator) reads,
// and refuse what cannot take effect with a reason. No worker runs, so no LibTorch is needed.

#include "../core/test_util.h"
#include "core/execution/orchestrator.h"
#include "core/execution/worker_loop.h"
#include "core/space/study_file.h"

#include <QProcess>
#include <QTest>

using namespace ps;

namespace {

const QString kCli = QStringLiteral(PS_BINARY_DIR "/bin/paramscope-cli");

struct Result {
    int code;
    QString out, err;
};

Result runCli(const QStringList& args) {
    QProcess p;
    p.start(kCli, args);
    if (!p.waitForFinished(60000))
        return {-1, {}, "timed out"};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// A study file of the noop task and its study in storage: trial 0 COMPLETE, trial 1 FAIL.
struct Fixture {
    QString file, db;
    std::unique_ptr<Storage> storage;
    std::int64_t studyId = 0;
};

Fixture makeStudy(const QTemporaryDir& dir) {
    Fixture f;
    f.file = dir.filePath("c.yaml");
    QFile out(f.file);
    out.open(QIODevice::WriteOnly);
    out.write("name: c\ntask: {kind: noop}\nspace:\n  x: {type: float, low: 0, high: 1}\n"
              "objective: {metric: loss}\nbudget: {trials: 2}\n");
    out.close();
    const StudyConfig config = parseStudyFile(f.file.toStdString(), TaskCatalog::withBuiltins());
    f.db = QString::fromStdString(config.storageUrl.substr(7));
    f.storage = openStorage(config.storageUrl);
    f.studyId = Orchestrator::ensureStudy(*f.storage, config);
    const Trial done = f.storage->createTrial(f.studyId, Json{{"x", 0.1}}, "h:1");
    f.storage->finishTrial(done.id, "h:1", TrialState::Complete, {}, 0.1, "");
    const Trial failed = f.storage->createTrial(f.studyId, Json{{"x", 0.9}}, "h:1");
    f.storage->finishTrial(failed.id, "h:1", TrialState::Fail, {}, std::nullopt, "flaky");
    return f;
}

} // namespace

class TestCliControl : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pauseResumeStop() {
        auto dir = test::makeTempDir();
        Fixture f = makeStudy(dir);
        auto control = [&] { return f.storage->study(f.studyId)->control; };

        Result r = runCli({"control", f.db, "pause"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("study 'c' is not running"), qPrintable(r.err));
        QCOMPARE(control(), StudyControl::Run);

        // This process stands in for the orchestrator of a running study.
        f.storage->setOrchestrator(f.studyId, processName());
        r = runCli({"control", f.file, "pause"}); // by its study file
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("study c"), qPrintable(r.out));
        QCOMPARE(control(), StudyControl::Pause);
        r = runCli({"control", f.db, "pause"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("paused already"), qPrintable(r.err));

        f.storage->setOrchestrator(f.studyId, processName()); // it beats on
        r = runCli({"control", f.db, "resume", "--study", "c"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(control(), StudyControl::Run);
        r = runCli({"control", f.db, "resume"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not paused"), qPrintable(r.err));

        f.storage->setControl(f.studyId, StudyControl::Pause);
        r = runCli({"control", f.db, "stop"}); // Stop wins over Pause
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(control(), StudyControl::Stop);
        r = runCli({"control", f.db, "pause"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("is stopping"), qPrintable(r.err));
    }

    void controlRefusesBadInput() {
        auto dir = test::makeTempDir();
        Fixture f = makeStudy(dir);
        Result r = runCli({"control", f.db, "halt"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("unknown action 'halt'"), qPrintable(r.err));
        r = runCli({"control", f.db, "pause", "--study", "nope"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("has no study 'nope' (it has: c)"), qPrintable(r.err));
        const QString missing = dir.filePath("missing.db");
        r = runCli({"control", missing, "stop"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("does not exist"), qPrintable(r.err));
        QVERIFY(!QFile::exists(missing)); // and it was not created
        QCOMPARE(runCli({"control", f.db}).code, 2);
    }

    void retryQueuesAFailedTrialOnce() {
        auto dir = test::makeTempDir();
        Fixture f = makeStudy(dir);
        Result r = runCli({"retry", f.file, "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("trial 2 retries trial 1") &&
                     r.out.contains("the next 'paramscope-cli run'"),
                 qPrintable(r.out));
        auto trials = f.storage->trials(f.studyId);
        QCOMPARE(trials.size(), std::size_t(3));
        QCOMPARE(trials[2].state, TrialState::Waiting);
        QCOMPARE(trials[2].retryOf, std::optional<int>(1));
        QVERIFY(trials[2].params == trials[1].params);

        r = runCli({"retry", f.db, "1"}); // no second copy while the first waits
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("trial 1 is being retried already, as trial 2"), qPrintable(r.err));
        r = runCli({"retry", f.db, "0"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot retry trial 0: it is COMPLETE"), qPrintable(r.err));
        r = runCli({"retry", f.db, "7"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot retry trial 7: the study has no such trial"),
                 qPrintable(r.err));
        for (const char* bad : {"x", "-1", "1.5", "99999999999"}) {
            r = runCli({"retry", f.db, bad});
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains("is not a trial number"), qPrintable(r.err));
        }
        r = runCli({"retry", f.db, "1", "--study", "other"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no study 'other'"), qPrintable(r.err));
        QCOMPARE(f.storage->trials(f.studyId).size(), std::size_t(3)); // nothing else written
    }

    void helpAndUsage() {
        for (const char* name : {"control", "retry"}) {
            const QString cmd = QString::fromLatin1(name);
            const Result r = runCli({cmd, "--help"});
            QCOMPARE(r.code, 0);
            QVERIFY(r.out.startsWith("usage: paramscope-cli " + cmd));
        }
        const Result usage = runCli({"--help"});
        QVERIFY(usage.out.contains("  control ") && usage.out.contains("  retry "));
    }
};

QTEST_GUILESS_MAIN(TestCliControl)
#include "tst_cli_control.moc"
