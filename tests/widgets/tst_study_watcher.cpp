#include "core/execution/worker_loop.h"
#include "study_fixture.h"
#include "widgets/study_watcher.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QtTest>
#include <algorithm>

using namespace ps;

class TestStudyWatcher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void waitsForAStudyThatHasNotRun();
    void reportsOnlyWhatChanged();
    void stopGoesThroughStorage();
    void pauseAndResumeGoThroughStorage();
    void retryAddsATrialOrSaysWhyNot();
};

void TestStudyWatcher::waitsForAStudyThatHasNotRun() {
    auto dir = test::makeTempDir();
    const QString db = dir->filePath(QStringLiteral("later.db"));
    StudyWatcher watcher(QStringLiteral("sqlite:") + db, QStringLiteral("later"));
    QSignalSpy problem(&watcher, &StudyWatcher::problemChanged);
    QSignalSpy trials(&watcher, &StudyWatcher::trialsChanged);
    watcher.start(20);
    QVERIFY(problem.wait());
    QVERIFY(!problem.last()[0].toString().isEmpty());
    // Watching must not create the database of a study that never ran.
    QVERIFY(!QFileInfo::exists(db));

    // The study appears (as `paramscope-cli run` would make it): the watcher picks it up.
    auto storage = openStorage("sqlite:" + db.toStdString());
    test::writeFinishedStudy(*storage, "later");
    // The watcher polls while the study is being written, so the trials may come in more than
    // one batch: what counts is that all four arrive, finished.
    const auto finished = [&trials] {
        QHash<qint64, TrialState> state;
        for (const auto& batch : trials)
            for (const Trial& t : batch[0].value<TrialList>())
                state[t.id] = t.state;
        return state.size() == 4 && std::all_of(state.begin(), state.end(), [](TrialState s) {
                   return s == TrialState::Complete;
               });
    };
    QTRY_VERIFY(finished());
    QTRY_VERIFY(problem.last()[0].toString().isEmpty());
}

void TestStudyWatcher::reportsOnlyWhatChanged() {
    auto dir = test::makeTempDir();
    const std::string db = dir->filePath(QStringLiteral("w.db")).toStdString();
    auto storage = openStorage("sqlite:" + db);
    const auto studyId = test::writeFinishedStudy(*storage, "w");

    StudyWatcher watcher(QString::fromStdString("sqlite:" + db), {});
    QSignalSpy study(&watcher, &StudyWatcher::studyChanged);
    QSignalSpy listed(&watcher, &StudyWatcher::studiesListed);
    QSignalSpy trials(&watcher, &StudyWatcher::trialsChanged);
    QSignalSpy metrics(&watcher, &StudyWatcher::metricsAdded);
    QSignalSpy counts(&watcher, &StudyWatcher::countsChanged);
    watcher.start(20);
    QTRY_COMPARE(metrics.count(), 1);
    QCOMPARE(study.count(), 1);
    QCOMPARE(study[0][0].value<StudyRecord>().name, std::string("w"));
    QCOMPARE(listed.count(), 1);
    QCOMPARE(listed[0][0].toStringList(), QStringList{"w"});
    QCOMPARE(trials.count(), 1);
    QCOMPARE(metrics[0][0].value<MetricList>().size(), size_t(4 * 2 * test::kFixtureSteps));
    QCOMPARE(counts.count(), 1);
    QCOMPARE(counts[0][0].value<TrialCounts>().complete, 4);

    // One new trial and one new point: exactly those come, nothing else again.
    storage->createTrial(studyId, {{"optimizer.lr", 0.5}});
    const auto claimed = storage->claimTrial(studyId, "test-host:2");
    QVERIFY(claimed);
    storage->appendMetrics(claimed->id, claimed->attempts,
                           {MetricPoint{.step = 1, .name = "val_loss", .value = 2.0}});
    QTRY_COMPARE(metrics.count(), 2);
    // The watcher may have looked between the create and the claim: then the new trial came
    // twice (WAITING, RUNNING), but never an old one again.
    QTRY_VERIFY(trials.count() >= 2 &&
                trials.last()[0].value<TrialList>().back().state == TrialState::Running);
    for (int i = 1; i < trials.count(); ++i) {
        const auto changed = trials[i][0].value<TrialList>();
        QCOMPARE(changed.size(), size_t(1));
        QCOMPARE(changed[0].id, claimed->id);
    }
    const auto points = metrics[1][0].value<MetricList>();
    QCOMPARE(points.size(), size_t(1));
    QCOMPARE(points[0].value, 2.0);
    QCOMPARE(points[0].attempt, 1);
    QTRY_COMPARE(counts.last()[0].value<TrialCounts>().running, 1);
    QCOMPARE(listed.count(), 1);
}

void TestStudyWatcher::stopGoesThroughStorage() {
    auto dir = test::makeTempDir();
    const std::string db = dir->filePath(QStringLiteral("s.db")).toStdString();
    auto storage = openStorage("sqlite:" + db);
    const auto studyId = test::writeFinishedStudy(*storage, "s");
    StudyWatcher watcher(QString::fromStdString("sqlite:" + db), QStringLiteral("s"));
    QSignalSpy study(&watcher, &StudyWatcher::studyChanged);
    watcher.start(20);
    QVERIFY(study.wait());
    watcher.requestStop();
    QTRY_COMPARE(study.count(), 2);
    QVERIFY(study[1][0].value<StudyRecord>().control == StudyControl::Stop);
    QVERIFY(storage->study(studyId)->control == StudyControl::Stop);
}

void TestStudyWatcher::pauseAndResumeGoThroughStorage() {
    auto dir = test::makeTempDir();
    const std::string db = dir->filePath(QStringLiteral("p.db")).toStdString();
    auto storage = openStorage("sqlite:" + db);
    const auto studyId = test::writeFinishedStudy(*storage, "p");
    StudyWatcher watcher(QString::fromStdString("sqlite:" + db), QStringLiteral("p"));
    QSignalSpy study(&watcher, &StudyWatcher::studyChanged);
    QSignalSpy refused(&watcher, &StudyWatcher::requestRefused);
    watcher.start(20);
    QVERIFY(study.wait());

    // No orchestrator runs it: nothing to pause, and the control stays as it was.
    watcher.requestPause();
    QTRY_COMPARE(refused.count(), 1);
    QVERIFY2(refused[0][0].toString().contains("study 'p' is not running"),
             qPrintable(refused[0][0].toString()));
    QVERIFY(storage->study(studyId)->control == StudyControl::Run);

    // This process stands in for a live orchestrator.
    storage->setOrchestrator(studyId, processName());
    watcher.requestPause();
    QTRY_VERIFY(study.last()[0].value<StudyRecord>().control == StudyControl::Pause);
    QVERIFY(storage->study(studyId)->control == StudyControl::Pause);
    watcher.requestPause();
    QTRY_COMPARE(refused.count(), 2);
    QVERIFY2(refused[1][0].toString().contains("paused already"),
             qPrintable(refused[1][0].toString()));
    storage->setOrchestrator(studyId, processName()); // beats on
    watcher.requestResume();
    QTRY_VERIFY(study.last()[0].value<StudyRecord>().control == StudyControl::Run);
    watcher.requestResume();
    QTRY_COMPARE(refused.count(), 3);
    QVERIFY2(refused[2][0].toString().contains("not paused"), qPrintable(refused[2][0].toString()));
}

void TestStudyWatcher::retryAddsATrialOrSaysWhyNot() {
    auto dir = test::makeTempDir();
    const std::string db = dir->filePath(QStringLiteral("r.db")).toStdString();
    auto storage = openStorage("sqlite:" + db);
    const auto studyId = test::writeFinishedStudy(*storage, "r"); // trials 0-3, COMPLETE
    const Json params{{"optimizer.lr", 0.5}};
    const Trial failed = storage->createTrial(studyId, params, "test-host:1");
    storage->finishTrial(failed.id, "test-host:1", TrialState::Fail, {}, std::nullopt, "nan");
    StudyWatcher watcher(QString::fromStdString("sqlite:" + db), QStringLiteral("r"));
    QSignalSpy trials(&watcher, &StudyWatcher::trialsChanged);
    QSignalSpy refused(&watcher, &StudyWatcher::requestRefused);
    watcher.start(20);
    QVERIFY(trials.wait());

    watcher.requestRetry(2);
    QTRY_COMPARE(refused.count(), 1);
    QVERIFY2(refused[0][0].toString().contains("cannot retry trial 2: it is COMPLETE"),
             qPrintable(refused[0][0].toString()));
    watcher.requestRetry(failed.number);
    QTRY_VERIFY(trials.last()[0].value<TrialList>().back().retryOf == failed.number);
    const Trial retry = trials.last()[0].value<TrialList>().back();
    QCOMPARE(retry.number, 5);
    QVERIFY(retry.params == params);
    QCOMPARE(retry.state, TrialState::Waiting);
    watcher.requestRetry(failed.number); // asked twice: still one retry
    QTRY_COMPARE(refused.count(), 2);
    QVERIFY2(refused[1][0].toString().contains("trial 4 is being retried already"),
             qPrintable(refused[1][0].toString()));
    QCOMPARE(storage->trials(studyId).size(), std::size_t(6));
}

QTEST_MAIN(TestStudyWatcher)
#include "tst_study_watcher.moc"
