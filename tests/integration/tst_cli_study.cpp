// paramscope-cli end to end: a 4-trial Fashion-MNIST study with 2 worker processes; a run
// killed mid-way resumes and finishes with nothing lost; the command task in worker
// processes; bad files are refused with nothing written; every subcommand answers --help.

#include "../core/test_util.h"
#include "core/storage/storage.h"

#include <QProcess>
#include <QTest>
#include <csignal>
#include <map>
#include <set>

using namespace ps;

namespace {

const QString kCli = QStringLiteral(PS_BINARY_DIR "/bin/paramscope-cli");

QString writeStudy(const QTemporaryDir& dir, const QString& name, int trials, int epochs) {
    const QString path = dir.filePath(name + ".yaml");
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(QStringLiteral("name: %1\n"
                           "task:\n"
                           "  kind: classify\n"
                           "  dataset: {subset: 1200, val_fraction: 0.25, seed: 3}\n"
                           "  model: {width: 32, depth: 1}\n"
                           "  epochs: %3\n"
                           "  batch_size: 64\n"
                           "space:\n"
                           "  optimizer.lr: {type: float, low: 1.0e-3, high: 3.0e-2, log: true}\n"
                           "  model.activation: {type: categorical, values: [relu, tanh]}\n"
                           "objectives: [{metric: val_loss, direction: minimize}]\n"
                           "sampler: {kind: random, seed: 11}\n"
                           "budget: {trials: %2, parallel: 2}\n")
                .arg(name)
                .arg(trials)
                .arg(epochs)
                .toUtf8());
    return path;
}

struct Result {
    int code;
    QString out, err;
};

Result runCli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(kCli, args);
    if (!p.waitForFinished(timeoutMs))
        return {-1, {}, "timed out"};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestCliStudy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fourTrialsTwoWorkers() {
        auto dir = test::makeTempDir();
        const QString file = writeStudy(dir, "four", 4, 2);
        const Result r = runCli({"run", file, "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("finished: 4 complete"), qPrintable(r.err));

        auto storage = openStorage(test::dbUrl(dir, "four.db"));
        const auto study = storage->findStudy("four");
        QVERIFY(study);
        QCOMPARE(study->objectiveMetric, std::string("val_loss"));
        const auto trials = storage->trials(study->id);
        QCOMPARE(trials.size(), std::size_t(4));
        std::set<std::string> workers;
        for (const auto& t : trials) {
            QVERIFY2(t.state == TrialState::Complete, t.failReason.c_str());
            QVERIFY(t.value && std::isfinite(*t.value));
            QCOMPARE(*t.value, t.values.at("val_loss"));
            QVERIFY(t.values.at("val_acc") > 0.3); // learned something
            QVERIFY(t.params.contains("optimizer.lr"));
            QVERIFY(t.finishedAt >= t.startedAt && t.startedAt >= t.createdAt);
            // every epoch reported train_loss, val_loss, val_acc
            QCOMPARE(storage->trialMetrics(t.id).size(), std::size_t(2 * 3));
            workers.insert(t.worker);
        }
        // Two worker processes ran (each says so in the workers' log when it ends). Which of
        // them took how many trials depends on timing: one may finish all four before the
        // other has loaded LibTorch, so the trials' worker names are not compared.
        QVERIFY(!workers.empty() && workers.size() <= 2);
        QFile log(dir.filePath("four.db.workers.log"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(log.readAll());
        QCOMPARE(text.count(QStringLiteral(" trials finished, ")), 2);

        const Result status = runCli({"status", dir.filePath("four.db")});
        QCOMPARE(status.code, 0);
        QVERIFY(status.out.contains("4/4 finished"));
        QCOMPARE(status.out.count("COMPLETE"), 4);

        // running it again resumes a finished study: nothing is redone
        const Result again = runCli({"run", file, "--quiet"});
        QCOMPARE(again.code, 0);
        QCOMPARE(storage->trials(study->id).size(), std::size_t(4));
        for (const auto& t : storage->trials(study->id))
            QCOMPARE(t.attempts, 1);
    }

    void resumesAfterKill() {
        auto dir = test::makeTempDir();
        const QString file = writeStudy(dir, "killed", 6, 4);
        const std::string url = test::dbUrl(dir, "killed.db");
        QProcess run;
        run.start(kCli, {"run", file, "--quiet"});
        QVERIFY(run.waitForStarted());
        // wait until some trial is done, then kill the orchestrator outright
        std::unique_ptr<Storage> storage;
        std::int64_t studyId = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                try {
                    if (!storage)
                        storage = openStorage(url);
                    auto s = storage->findStudy("killed");
                    if (!s)
                        return false;
                    studyId = s->id;
                    return storage->counts(studyId).complete >= 1;
                } catch (const StorageError&) {
                    return false;
                }
            }(),
            180000);
        ::kill(static_cast<pid_t>(run.processId()), SIGKILL);
        QVERIFY(run.waitForFinished(10000));
        std::map<std::int64_t, double> doneBefore;
        for (const auto& t : storage->trials(studyId))
            if (t.state == TrialState::Complete)
                doneBefore[t.id] = t.finishedAt;
        QVERIFY(doneBefore.size() < 6);

        const Result r = runCli({"run", file, "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto after = storage->trials(studyId);
        QCOMPARE(after.size(), std::size_t(6));
        for (const auto& t : after) {
            QVERIFY2(t.state == TrialState::Complete, t.failReason.c_str());
            if (doneBefore.count(t.id)) {
                QCOMPARE(t.finishedAt, doneBefore[t.id]); // kept, not redone
                QCOMPARE(t.attempts, 1);
            }
            // the finished attempt reported every epoch
            int current = 0;
            for (const auto& m : storage->trialMetrics(t.id))
                current += m.attempt == t.attempts ? 1 : 0;
            QCOMPARE(current, 4 * 3);
        }
    }

    void interruptStopsCleanly() {
        auto dir = test::makeTempDir();
        const QString file = writeStudy(dir, "intr", 8, 6);
        QProcess run;
        run.start(kCli, {"run", file, "--quiet"});
        QVERIFY(run.waitForStarted());
        std::unique_ptr<Storage> storage;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                try {
                    storage = openStorage(test::dbUrl(dir, "intr.db"));
                    auto st = storage->findStudy("intr");
                    return st && storage->counts(st->id).running >= 1;
                } catch (const StorageError&) {
                    return false;
                }
            }(),
            120000);
        QVERIFY(storage);
        ::kill(static_cast<pid_t>(run.processId()), SIGINT);
        QVERIFY(run.waitForFinished(60000));
        QCOMPARE(run.exitCode(), 130);
        QVERIFY(QString::fromUtf8(run.readAllStandardError()).contains("again to resume"));
        const auto id = storage->findStudy("intr")->id;
        QCOMPARE(storage->counts(id).running, 0); // handed back, not left RUNNING
    }

    // The command task in worker processes: a script named relative to the study file runs
    // there; Ctrl-C ends the programs the workers started, and their trials go back to WAITING.
    void commandTaskInWorkerProcesses() {
        auto dir = test::makeTempDir();
        const QString pids = dir.filePath("pids");
        {
            QFile script(dir.filePath("train.sh"));
            QVERIFY(script.open(QIODevice::WriteOnly));
            script.write(QStringLiteral("#!/bin/sh\n"
                                        "echo $$ >> '%1'\n"
                                        "echo \"x is $1\" >&2\n"
                                        "[ \"$PARAMSCOPE_TRIAL\" -ge 4 ] && sleep 60\n"
                                        "echo \"{\\\"step\\\": 1, \\\"loss\\\": $1}\"\n")
                             .arg(pids)
                             .toUtf8());
            script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        }
        const QString file = dir.filePath("cmd.yaml");
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("name: cmd\n"
                    "task: {kind: command, command: [./train.sh, \"{param.x}\"]}\n"
                    "space:\n  x: {type: float, low: 0, high: 1}\n"
                    "objective: {metric: loss}\n"
                    "sampler: {kind: random, seed: 2}\n"
                    "budget: {trials: 6, parallel: 2}\n");
        }
        QProcess run;
        run.start(kCli, {"run", file, "--quiet"});
        QVERIFY(run.waitForStarted());
        std::unique_ptr<Storage> storage;
        // trials 0-3 finish at once; 4 and 5 sleep until interrupted
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                try {
                    storage = openStorage(test::dbUrl(dir, "cmd.db"));
                    auto st = storage->findStudy("cmd");
                    if (!st)
                        return false;
                    const auto c = storage->counts(st->id);
                    return c.complete == 4 && c.running == 2;
                } catch (const StorageError&) {
                    return false;
                }
            }(),
            120000);
        auto started = [&] { // the programs' pids, one a line
            QFile f(pids);
            if (!f.open(QIODevice::ReadOnly))
                return QStringList();
            return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        };
        QTRY_COMPARE_WITH_TIMEOUT(int(started().size()), 6, 10000);
        ::kill(static_cast<pid_t>(run.processId()), SIGINT);
        QVERIFY(run.waitForFinished(60000));
        QCOMPARE(run.exitCode(), 130);
        const auto id = storage->findStudy("cmd")->id;
        QCOMPARE(storage->counts(id).running, 0);
        QCOMPARE(storage->counts(id).waiting, 2);
        for (const auto& t : storage->trials(id)) {
            if (t.state != TrialState::Complete)
                continue;
            QCOMPARE(*t.value, t.params["x"].get<double>());
            QFile log(QString::fromStdString(t.system.value("log", std::string())));
            QVERIFY(log.open(QIODevice::ReadOnly));
            QVERIFY(log.readAll().startsWith("x is "));
        }
        for (const auto& line : started()) {
            const pid_t pid = static_cast<pid_t>(line.toInt());
            QTRY_VERIFY_WITH_TIMEOUT(::kill(pid, 0) != 0, 5000);
        }
    }

    void badFileWritesNothing() {
        auto dir = test::makeTempDir();
        const QString file = dir.filePath("bad.yaml");
        QFile f(file);
        f.open(QIODevice::WriteOnly);
        f.write("name: bad\ntask: {kind: noop}\nobjective: {metric: loss}\nspace:\n"
                "  x: {type: float, low: 3, high: 1}\n");
        f.close();
        const Result r = runCli({"run", file});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(file + ":5:"), qPrintable(r.err));
        QVERIFY(r.err.contains("space.x.low"));
        QVERIFY(!QFile::exists(dir.filePath("bad.db")));

        const Result missing = runCli({"run", dir.filePath("nope.yaml")});
        QCOMPARE(missing.code, 2);
        QVERIFY(missing.err.contains("cannot read"));
    }

    void helpEverywhere() {
        for (const char* name : {"run", "status", "export"}) {
            const QString cmd = QString::fromLatin1(name);
            const Result r = runCli({cmd, "--help"});
            QCOMPARE(r.code, 0);
            QVERIFY(r.out.startsWith("usage: paramscope-cli " + cmd));
        }
        QCOMPARE(runCli({"--help"}).code, 0);
        QCOMPARE(runCli({"frobnicate"}).code, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliStudy)
#include "tst_cli_study.moc"
