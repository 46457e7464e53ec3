// Ask-and-tell: a study driven from code, stored like any other.

#include "core/execution/ask_tell.h"
#include "core/execution/task.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>
#include <cmath>

using namespace ps;

class TestAskTell : public QObject {
    Q_OBJECT

    StudyConfig config(const QTemporaryDir& dir, const std::string& extra = "") {
        const auto catalog = TaskCatalog::withBuiltins();
        return parseStudyText("name: at\ntask: {kind: noop}\nspace:\n  x: {type: float, low: -2, "
                              "high: 2}\nobjective: {metric: loss}\nsampler: {kind: random, "
                              "seed: 4}\n" +
                                  extra,
                              "at.yaml", dir.path().toStdString(), catalog);
    }

private Q_SLOTS:
    void askEvaluateTell() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir);
        auto storage = openStorage(c.storageUrl);
        AskTellStudy study(c, *storage);
        for (int i = 0; i < 20; ++i) {
            const Trial t = study.ask();
            QCOMPARE(t.state, TrialState::Running);
            QCOMPARE(t.number, i);
            const double x = t.params["x"].get<double>();
            QVERIFY(x >= -2 && x <= 2);
            const Trial done = study.tell(t.id, (x - 0.5) * (x - 0.5));
            QCOMPARE(done.state, TrialState::Complete);
        }
        const auto best = study.bestTrial();
        QVERIFY(best);
        QVERIFY(*best->value < 0.1);
        QCOMPARE(storage->counts(study.studyId()).complete, 20);
        // what a desktop app opening the same store sees
        auto other = openStorage(c.storageUrl);
        QCOMPARE(other->trials(other->findStudy("at")->id).size(), std::size_t(20));
    }

    // With constraint metrics the best trial is the best feasible one: minimize (x - 0.5)^2
    // subject to |x| >= 1, whose unconstrained optimum x = 0.5 is infeasible.
    void bestTrialIsFeasible() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, "constraints:\n  - {metric: norm, min: 1}\n");
        QCOMPARE(c.constraints.size(), std::size_t(1));
        auto storage = openStorage(c.storageUrl);
        AskTellStudy study(c, *storage);
        double bestUnconstrained = INFINITY;
        for (int i = 0; i < 30; ++i) {
            const Trial t = study.ask();
            const double x = t.params["x"].get<double>();
            const double loss = (x - 0.5) * (x - 0.5);
            bestUnconstrained = std::min(bestUnconstrained, loss);
            study.tell(t.id, TrialState::Complete, {{"loss", loss}, {"norm", std::abs(x)}});
        }
        const auto best = study.bestTrial();
        QVERIFY(best);
        QVERIFY(std::abs(best->params["x"].get<double>()) >= 1.0);
        QVERIFY(*best->value >= 0.25);
        QVERIFY(bestUnconstrained < *best->value); // the constraint did exclude something
    }

    void nonFiniteValuesFail() {
        auto dir = test::makeTempDir();
        auto storage = openStorage(config(dir).storageUrl);
        AskTellStudy study(config(dir), *storage);
        const Trial t = study.ask();
        const Trial done = study.tell(t.id, NAN);
        QCOMPARE(done.state, TrialState::Fail);
        QVERIFY(QString::fromStdString(done.failReason).contains("nan"));
        QVERIFY(!done.value);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, study.tell(t.id, 1.0)); // told already
        const Trial u = study.ask();
        QCOMPARE(study.tell(u.id, TrialState::Complete, {{"other", 1.0}}).state, TrialState::Fail);
    }

    void reportsReachTheScheduler() {
        auto dir = test::makeTempDir();
        const StudyConfig c = config(dir, "scheduler: {kind: asha, min: 1, eta: 2, max: 8}\n");
        auto storage = openStorage(c.storageUrl);
        AskTellStudy study(c, *storage);
        const Trial good = study.ask();
        QVERIFY(!study.report(good.id, 1, 0.1)); // the first at a rung goes on
        study.tell(good.id, 0.05);
        const Trial bad = study.ask();
        const auto why = study.report(bad.id, 1, 5.0);
        QVERIFY(why);
        const Trial pruned = study.tell(bad.id, TrialState::Pruned, {{"loss", 5.0}}, *why);
        QCOMPARE(pruned.state, TrialState::Pruned);
        QCOMPARE(*pruned.value, 5.0);
        QCOMPARE(storage->trialMetrics(bad.id).size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestAskTell)
#include "tst_ask_tell.moc"
