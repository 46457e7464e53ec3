// SQLite storage: round trips, incremental reads, and claims from several connections at
// once (each trial claimed exactly once).

#include "core/storage/sqlite_storage.h"
#include "test_util.h"

#include <QTest>
#include <atomic>
#include <set>
#include <sqlite3.h>
#include <thread>

using namespace ps;

class TestSqliteStorage : public QObject {
    Q_OBJECT

    static MetricPoint point(std::int64_t step, const std::string& name, double value) {
        MetricPoint p;
        p.step = step;
        p.name = name;
        p.value = value;
        return p;
    }

    std::int64_t makeStudy(Storage& s, const std::string& name = "s") {
        StudyRecord r;
        r.name = name;
        r.studyFile = "/x/s.yaml";
        r.configText = "name: s";
        r.objectiveMetric = "loss";
        r.direction = Direction::Maximize;
        r.plannedTrials = 5;
        return s.createStudy(r);
    }

private Q_SLOTS:
    void studyRoundTrip() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir));
        const auto id = makeStudy(*s);
        auto r = s->findStudy("s");
        QVERIFY(r);
        QCOMPARE(r->id, id);
        QCOMPARE(r->objectiveMetric, std::string("loss"));
        QCOMPARE(r->direction, Direction::Maximize);
        QCOMPARE(r->plannedTrials, 5);
        QCOMPARE(r->control, StudyControl::Run);
        QVERIFY(!s->findStudy("other"));
        QVERIFY_THROWS_EXCEPTION(StorageError, makeStudy(*s)); // same name twice
        s->setControl(id, StudyControl::Stop);
        QCOMPARE(s->study(id)->control, StudyControl::Stop);
        // a second connection sees the same
        auto s2 = openStorage(test::dbUrl(dir));
        QCOMPARE(s2->studies().size(), std::size_t(1));
    }

    void pauseHoldsClaims() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir));
        const auto study = makeStudy(*s);
        s->createTrial(study, Json{{"x", 1}});
        s->setControl(study, StudyControl::Pause);
        QCOMPARE(s->study(study)->control, StudyControl::Pause);
        QCOMPARE(openStorage(test::dbUrl(dir))->findStudy("s")->control, StudyControl::Pause);
        QVERIFY(!s->claimTrial(study, "h:1")); // nothing starts while paused
        QCOMPARE(s->counts(study).waiting, 1);
        s->setControl(study, StudyControl::Run);
        QCOMPARE(s->study(study)->control, StudyControl::Run);
        QVERIFY(s->claimTrial(study, "h:1"));
    }

    void retriesAFailedTrialOnceAtATime() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir));
        const auto study = makeStudy(*s);
        const Json params{{"lr", 0.25}, {"opt", "adam"}};
        // 0 COMPLETE, 1 FAIL (in a scheduler group, with a log), 2 WAITING
        const Trial done = s->createTrial(study, Json{{"lr", 0.1}}, "h:1");
        s->finishTrial(done.id, "h:1", TrialState::Complete, {}, 1.0, "");
        const Trial failed = s->createTrial(study, params, "h:1", Json{{"group", 2}});
        s->updateTrialSystem(failed.id, Json{{"log", "/x/task.log"}});
        s->finishTrial(failed.id, "h:1", TrialState::Fail, {}, std::nullopt, "diverged");
        const Trial waiting = s->createTrial(study, Json{{"lr", 0.3}});
        QVERIFY(!s->trial(failed.id)->retryOf);

        const Trial retry = s->enqueueRetry(study, 1);
        QCOMPARE(retry.number, 3);
        QCOMPARE(retry.state, TrialState::Waiting);
        QVERIFY(retry.params == params);
        QCOMPARE(retry.retryOf, std::optional<int>(1));
        QVERIFY(retry.system == Json({{"group", 2}})); // the group, not the failed run's log
        QCOMPARE(retry.attempts, 0);
        // Readers see which trial it retries.
        auto reader = openStorage(test::dbUrl(dir));
        QCOMPARE(reader->trial(retry.id)->retryOf, std::optional<int>(1));
        QCOMPARE(reader->trials(study, waiting.rev).back().retryOf, std::optional<int>(1));

        auto refusal = [&](int number) -> QString {
            try {
                s->enqueueRetry(study, number);
            } catch (const StorageError& e) {
                return QString::fromUtf8(e.what());
            }
            return {};
        };
        QString why = refusal(1); // its retry is waiting: no second copy
        QVERIFY2(why.contains("trial 1 is being retried already, as trial 3 (WAITING)"),
                 qPrintable(why));
        why = refusal(0);
        QVERIFY2(why.contains("cannot retry trial 0: it is COMPLETE"), qPrintable(why));
        why = refusal(2);
        QVERIFY2(why.contains("cannot retry trial 2: it is WAITING"), qPrintable(why));
        why = refusal(42);
        QVERIFY2(why.contains("cannot retry trial 42: the study has no such trial"),
                 qPrintable(why));
        QCOMPARE(s->trials(study).size(), std::size_t(4)); // nothing written by the refusals

        // Retries are claimed before older WAITING trials.
        const auto first = s->claimTrial(study, "h:2");
        QCOMPARE(first->number, 3);
        why = refusal(1); // nor while it runs
        QVERIFY2(why.contains("as trial 3 (RUNNING)"), qPrintable(why));
        s->finishTrial(first->id, "h:2", TrialState::Fail, {}, std::nullopt, "diverged again");
        // Once that retry failed too, either may be retried.
        QCOMPARE(s->enqueueRetry(study, 1).number, 4);
        QCOMPARE(s->enqueueRetry(study, 3).retryOf, std::optional<int>(3));
        QCOMPARE(s->claimTrial(study, "h:2")->number, 4);
        QCOMPARE(s->claimTrial(study, "h:2")->number, 5);
        QCOMPARE(s->claimTrial(study, "h:2")->number, 2);
    }

    void trialLifecycle() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir));
        const auto study = makeStudy(*s);
        const Trial t0 = s->createTrial(study, Json{{"lr", 0.1}, {"opt", "sgd"}});
        const Trial t1 = s->createTrial(study, Json{{"lr", 0.2}});
        QCOMPARE(t0.number, 0);
        QCOMPARE(t1.number, 1);
        QCOMPARE(t0.state, TrialState::Waiting);

        auto claimed = s->claimTrial(study, "h:1");
        QVERIFY(claimed);
        QCOMPARE(claimed->id, t0.id); // oldest first
        QCOMPARE(claimed->state, TrialState::Running);
        QCOMPARE(claimed->attempts, 1);
        QCOMPARE(claimed->worker, std::string("h:1"));
        QVERIFY(claimed->rev > t1.rev);

        s->appendMetrics(t0.id, 1, {{0, 0, 0, 1, "loss", 0.9}, {0, 0, 0, 2, "loss", 0.5}});
        QVERIFY(!s->finishTrial(t0.id, "h:2", TrialState::Complete, {}, 1.0, "")); // not h:2's
        QVERIFY(s->finishTrial(t0.id, "h:1", TrialState::Complete, {{"loss", 0.5}, {"acc", 0.8}},
                               0.5, ""));
        const auto done = s->trial(t0.id);
        QCOMPARE(done->state, TrialState::Complete);
        QCOMPARE(*done->value, 0.5);
        QCOMPARE(done->values.at("acc"), 0.8);
        QVERIFY(done->params["opt"] == Json("sgd"));
        QVERIFY(done->finishedAt >= done->startedAt);
        QVERIFY(!s->finishTrial(t0.id, "h:1", TrialState::Fail, {}, {}, "again")); // once only

        const auto m = s->trialMetrics(t0.id);
        QCOMPARE(m.size(), std::size_t(2));
        QCOMPARE(m[1].step, std::int64_t(2));
        QCOMPARE(m[1].value, 0.5);
        QCOMPARE(m[1].attempt, 1);

        auto c = s->counts(study);
        QCOMPARE(c.complete, 1);
        QCOMPARE(c.waiting, 1);
    }

    void incrementalReads() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir));
        const auto study = makeStudy(*s);
        for (int i = 0; i < 3; ++i)
            s->createTrial(study, Json::object());
        auto all = s->trials(study);
        QCOMPARE(all.size(), std::size_t(3));
        std::int64_t rev = 0;
        for (const auto& t : all)
            rev = std::max(rev, t.rev);
        QVERIFY(s->trials(study, rev).empty());
        auto c = s->claimTrial(study, "w");
        auto changed = s->trials(study, rev);
        QCOMPARE(changed.size(), std::size_t(1));
        QCOMPARE(changed[0].id, c->id);

        s->appendMetrics(c->id, 1, {{0, 0, 0, 1, "a", 1.0}});
        const auto m1 = s->metrics(study);
        QCOMPARE(m1.size(), std::size_t(1));
        s->appendMetrics(c->id, 1, {{0, 0, 0, 2, "a", 2.0}});
        const auto m2 = s->metrics(study, m1.back().seq);
        QCOMPARE(m2.size(), std::size_t(1));
        QCOMPARE(m2[0].step, std::int64_t(2));
    }

    void requeueKeepsMetrics() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir));
        const auto study = makeStudy(*s);
        const auto t = s->createTrial(study, Json::object());
        s->claimTrial(study, "w1");
        s->appendMetrics(t.id, 1, {{0, 0, 0, 1, "loss", 3.0}});
        QVERIFY(s->requeueTrial(t.id, "worker died"));
        QVERIFY(!s->requeueTrial(t.id, "twice")); // only RUNNING trials
        auto again = s->claimTrial(study, "w2");
        QCOMPARE(again->id, t.id);
        QCOMPARE(again->attempts, 2);
        QCOMPARE(s->trialMetrics(t.id).size(), std::size_t(1));                  // nothing lost
        QVERIFY(!s->finishTrial(t.id, "w1", TrialState::Complete, {}, 1.0, "")); // stale worker
    }

    void systemAttributesAndGroups() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir, "sys.db"));
        const auto study = makeStudy(*s);
        const Trial a = s->createTrial(study, Json{{"x", 1}}, {}, Json{{"group", 2}});
        const Trial b = s->createTrial(study, Json{{"x", 2}});
        QCOMPARE(a.system.dump(), Json({{"group", 2}}).dump());
        QCOMPARE(b.system.dump(), std::string("{}"));
        s->updateTrialSystem(a.id, Json{{"checkpoint", {{"step", 3}, {"path", "/x"}}}});
        s->updateTrialSystem(a.id, Json{{"checkpoint", {{"step", 4}}}});
        const Trial after = *s->trial(a.id);
        QCOMPARE(after.system["group"].get<int>(), 2); // merged, not replaced
        QCOMPARE(after.system["checkpoint"].dump(), Json({{"path", "/x"}, {"step", 4}}).dump());
        QVERIFY(after.rev > a.rev); // readers see the change
        QVERIFY_THROWS_EXCEPTION(StorageError, s->updateTrialSystem(99999, Json::object()));

        // stepValues carries each trial's group (-1 without one)
        for (const Trial& t : {a, b}) {
            const Trial c = *s->claimTrial(study, "w");
            QCOMPARE(c.id, t.id);
            s->appendMetrics(c.id, c.attempts, {point(3, "loss", t.params["x"].get<double>())});
        }
        auto rows = s->stepValues(study, "loss", 3);
        QCOMPARE(rows.size(), std::size_t(2));
        std::sort(rows.begin(), rows.end(), [](auto& l, auto& r) { return l.number < r.number; });
        QCOMPARE(rows[0].group, 2);
        QCOMPARE(rows[1].group, -1);
    }

    void resumedTrialKeepsItsCurve() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir, "resume.db"));
        const auto study = makeStudy(*s);
        const Trial t = s->createTrial(study, Json{{"x", 1}});
        QVERIFY(!s->resumeTrial(t.id, 2, "not finished yet")); // only COMPLETE trials
        Trial c = *s->claimTrial(study, "w1");
        s->appendMetrics(c.id, c.attempts,
                         {point(1, "loss", 3), point(2, "loss", 2), point(3, "loss", 1.5)});
        QVERIFY(s->finishTrial(c.id, "w1", TrialState::Complete, {{"loss", 1.5}}, 1.5, ""));

        QVERIFY(s->resumeTrial(c.id, 2, "promoted"));
        Trial w = *s->trial(c.id);
        QCOMPARE(w.state, TrialState::Waiting);
        QCOMPARE(w.resumeStep, std::int64_t(2));
        QVERIFY(!w.value);                  // no objective until it finishes again
        QCOMPARE(w.values.at("loss"), 1.5); // the last final metrics stay

        // The new attempt starts with the old one's points up to step 2, not step 3.
        c = *s->claimTrial(study, "w2");
        QCOMPARE(c.attempts, 2);
        QCOMPARE(c.resumeStep, std::int64_t(2));
        auto points = s->trialMetrics(c.id);
        int current = 0;
        for (const auto& p : points)
            current += p.attempt == 2 ? 1 : 0;
        QCOMPARE(current, 2);
        s->appendMetrics(c.id, c.attempts, {point(3, "loss", 1.2), point(4, "loss", 1.0)});
        QCOMPARE(s->stepValues(study, "loss", 3)[0].value, 1.2);
        QVERIFY(s->finishTrial(c.id, "w2", TrialState::Complete, {{"loss", 1.0}}, 1.0, ""));
        QCOMPARE(s->trial(c.id)->resumeStep, std::int64_t(0));

        // A complete trial that a grown schedule stops where it stopped becomes PRUNED.
        QVERIFY(s->pruneCompletedTrial(c.id, "not promoted"));
        QCOMPARE(s->trial(c.id)->state, TrialState::Pruned);
        QCOMPARE(*s->trial(c.id)->value, 1.0);
        QVERIFY(!s->pruneCompletedTrial(c.id, "twice"));
    }

    void nonFiniteValuesAreStoredAsMissing() {
        auto dir = test::makeTempDir();
        auto s = openStorage(test::dbUrl(dir));
        const auto study = makeStudy(*s);
        const auto t = s->createTrial(study, Json::object());
        s->claimTrial(study, "w");
        s->finishTrial(t.id, "w", TrialState::Fail, {{"loss", NAN}}, NAN, "diverged");
        const auto r = s->trial(t.id);
        QVERIFY(!r->value);
        QVERIFY(std::isnan(r->values.at("loss")));
        QCOMPARE(r->failReason, std::string("diverged"));
    }

    void concurrentClaims() {
        auto dir = test::makeTempDir();
        const std::string url = test::dbUrl(dir);
        std::int64_t study = 0;
        {
            auto s = openStorage(url);
            study = makeStudy(*s);
            for (int i = 0; i < 200; ++i)
                s->createTrial(study, Json{{"i", i}});
        }
        std::mutex mutex;
        std::atomic<int> refused{0};
        std::vector<std::int64_t> claimed;
        std::vector<std::thread> threads;
        for (int w = 0; w < 4; ++w) {
            threads.emplace_back([&, w] {
                auto s = openStorage(url); // a connection of its own, as a process would have
                const std::string name = "w" + std::to_string(w);
                while (auto t = s->claimTrial(study, name)) {
                    s->appendMetrics(t->id, t->attempts, {{0, 0, 0, 1, "loss", 1.0}});
                    if (!s->finishTrial(t->id, name, TrialState::Complete, {}, 1.0, ""))
                        ++refused;
                    std::lock_guard lock(mutex);
                    claimed.push_back(t->id);
                }
            });
        }
        for (auto& t : threads)
            t.join();
        QCOMPARE(refused.load(), 0);
        QCOMPARE(claimed.size(), std::size_t(200));
        QCOMPARE(std::set<std::int64_t>(claimed.begin(), claimed.end()).size(), std::size_t(200));
        auto s = openStorage(url);
        QCOMPARE(s->counts(study).complete, 200);
        QCOMPARE(s->metrics(study).size(), std::size_t(200));
    }

    void newerSchemaIsRefused() {
        auto dir = test::makeTempDir();
        const std::string path = dir.filePath("new.db").toStdString();
        { SqliteStorage s(path); }
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        sqlite3_exec(db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", nullptr,
                     nullptr, nullptr);
        sqlite3_close(db);
        try {
            SqliteStorage s(path);
            QFAIL("opened a store of a newer schema");
        } catch (const StorageError& e) {
            QVERIFY(QString(e.what()).contains("schema version 99"));
        }
    }

    void olderSchemaIsUpgradedInPlace() {
        auto dir = test::makeTempDir();
        const std::string path = dir.filePath("old.db").toStdString();
        std::int64_t study = 0;
        {
            SqliteStorage s(path);
            study = makeStudy(s);
            s.createTrial(study, Json{{"x", 1}});
            s.setControl(study, StudyControl::Stop);
        }
        // turn it back into a version-1 store, whose studies.control knows no 'pause'
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        char* error = nullptr;
        sqlite3_exec(db,
                     "DROP TABLE analyses; DROP TABLE study_log; DROP INDEX metrics_by_step; "
                     "ALTER TABLE trials DROP "
                     "COLUMN system; ALTER TABLE trials DROP COLUMN resume_step; ALTER TABLE "
                     "trials DROP COLUMN retry_of; PRAGMA writable_schema = ON; UPDATE "
                     "sqlite_schema SET sql = replace(sql, '''pause'', ', '') WHERE name = "
                     "'studies'; PRAGMA writable_schema = OFF; UPDATE meta SET "
                     "value = '1' WHERE key = 'schema_version'",
                     nullptr, nullptr, &error);
        const std::string downgradeError = error ? error : "";
        sqlite3_free(error);
        sqlite3_close(db);
        QVERIFY2(downgradeError.empty(), downgradeError.c_str());
        {
            // it really is the old schema now: 'pause' breaks the CHECK
            sqlite3_open(path.c_str(), &db);
            const int rc =
                sqlite3_exec(db, "UPDATE studies SET control = 'pause'", nullptr, nullptr, nullptr);
            sqlite3_close(db);
            QCOMPARE(rc, SQLITE_CONSTRAINT);
        }
        SqliteStorage s(path);
        QCOMPARE(s.trials(study).size(), std::size_t(1)); // data kept
        QCOMPARE(s.trials(study)[0].params.dump(), std::string(R"({"x":1})"));
        QCOMPARE(s.trials(study)[0].system.dump(), std::string("{}")); // new column, defaulted
        s.appendLog(study, "info", "hello");
        QCOMPARE(s.studyLog(study).size(), std::size_t(1));
        QCOMPARE(s.studyLog(study, s.studyLog(study)[0].seq).size(), std::size_t(0));
        // schema 4: analyses
        const AnalysisRecord a = s.requestAnalysis(study, "k", "h", {{"options", {}}});
        QCOMPARE(a.state, AnalysisState::Waiting);
        QCOMPARE(s.analyses(study).size(), std::size_t(1));
        // schema 5: pause, and retries
        QCOMPARE(s.study(study)->control, StudyControl::Stop); // kept through the rebuild
        QCOMPARE(s.findStudy("s")->plannedTrials, 5);
        s.setControl(study, StudyControl::Pause);
        QCOMPARE(s.study(study)->control, StudyControl::Pause);
        QVERIFY(!s.trials(study)[0].retryOf);
        const Trial failed = s.createTrial(study, Json{{"x", 2}}, "h:1");
        s.finishTrial(failed.id, "h:1", TrialState::Fail, {}, std::nullopt, "x");
        QCOMPARE(s.enqueueRetry(study, failed.number).retryOf, std::optional<int>(failed.number));
        // trials still refer to their study
        QVERIFY_THROWS_EXCEPTION(StorageError, s.createTrial(99, Json{{"x", 3}}));
    }

    void urls() {
        QCOMPARE(resolveStorageUrl("sqlite:a.db", "/base"), std::string("sqlite:/base/a.db"));
        QCOMPARE(resolveStorageUrl("/abs/b.db", "/base"), std::string("sqlite:/abs/b.db"));
        QCOMPARE(resolveStorageUrl("sqlite:///abs/c.db", "/base"), std::string("sqlite:/abs/c.db"));
        QVERIFY_THROWS_EXCEPTION(StorageError, resolveStorageUrl("postgresql://h/db", "/"));
        QVERIFY_THROWS_EXCEPTION(StorageError, openStorage("sqlite:/nonexistent/dir/x.db"));
    }
};

QTEST_GUILESS_MAIN(TestSqliteStorage)
#include "tst_sqlite_storage.moc"
