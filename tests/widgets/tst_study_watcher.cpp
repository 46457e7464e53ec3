#include "study_fixture.h"
#include "widgets/study_watcher.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QtTest>

using namespace ps;

class TestStudyWatcher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void waitsForAStudyThatHasNotRun();
    void reportsOnlyWhatChanged();
    void stopGoesThroughStorage();
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
    QTRY_COMPARE(trials.count(), 1);
    QCOMPARE(trials[0][0].value<TrialList>().size(), size_t(4));
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

QTEST_MAIN(TestStudyWatcher)
#include "tst_study_watcher.moc"
