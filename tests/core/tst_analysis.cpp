// The analysis framework: options checked against their spec, results stored under the hash
// of their inputs and reused, failures kept with their reason and retried, worker jobs queued
// and claimed.
#include "core/analysis/analysis.h"
#include "core/analysis/analysis_options.h"
#include "core/execution/builtin_tasks.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>

using namespace ps;

namespace {

// Counts its runs; returns the number of finished trials times `scale`, or fails on request.
class CountingAnalysis final : public Analysis {
public:
    explicit CountingAnalysis(int* runs) : m_runs(runs) {}
    Json run(const AnalysisContext& context, const Json& options) override {
        ++*m_runs;
        if (options["fail"].get<bool>())
            throw AnalysisError("asked to fail");
        int finished = 0;
        for (const Trial& t : context.trials)
            finished += t.state == TrialState::Complete;
        return {{"value", finished * options["scale"].get<double>()}};
    }

private:
    int* m_runs;
};

AnalysisSpec countingSpec(bool worker) {
    AnalysisSpec spec;
    spec.kind = worker ? "counting_job" : "counting";
    spec.options = {
        makeSetting("scale", SettingType::Float, 1.0, 0.0, 10.0, "multiplier"),
        makeSetting("fail", SettingType::Bool, false, std::nullopt, std::nullopt, "fail"),
        makeSetting("mode", SettingType::String, "a", std::nullopt, std::nullopt, "mode",
                    {"a", "b"}),
    };
    spec.needsWorker = worker;
    return spec;
}

} // namespace

class TestAnalysis : public QObject {
    Q_OBJECT

    TaskCatalog m_tasks = TaskCatalog::withBuiltins();

    StudyConfig study(const QTemporaryDir& dir) {
        return parseStudyText("name: s\ntask: {kind: noop}\nspace:\n  x: {type: float, low: 0, "
                              "high: 1}\nobjective: {metric: loss}\n",
                              "s.yaml", dir.path().toStdString(), m_tasks);
    }

    static void finishOne(Storage& storage, std::int64_t studyId, double x) {
        const Trial t = storage.createTrial(studyId, {{"x", x}}, "w");
        storage.finishTrial(t.id, "w", TrialState::Complete, {{"loss", x}}, x, "");
    }

private Q_SLOTS:
    void optionsAreChecked() {
        const AnalysisSpec spec = countingSpec(false);
        const Json filled = analysisOptions(spec, Json::object());
        QCOMPARE(filled.dump(), Json({{"scale", 1.0}, {"fail", false}, {"mode", "a"}}).dump());
        QCOMPARE(analysisOptions(spec, {{"scale", 2}})["scale"].get<double>(), 2.0);
        const std::vector<std::pair<Json, std::string>> bad = {
            {{{"scael", 1}}, "unknown option 'scael' (it has: scale, fail, mode)"},
            {{{"scale", "big"}}, "option 'scale' must be a number"},
            {{{"scale", 11}}, "option 'scale' is 11, outside [0, 10]"},
            {{{"fail", 1}}, "option 'fail' must be true or false"},
            {{{"mode", "c"}}, "option 'mode' is \"c\", not one of a, b"},
        };
        for (const auto& [given, message] : bad) {
            try {
                analysisOptions(spec, given);
                QFAIL(qPrintable(QString::fromStdString(given.dump())));
            } catch (const AnalysisError& e) {
                QVERIFY2(std::string(e.what()).find(message) != std::string::npos, e.what());
            }
        }
    }

    void hashCoversKindOptionsAndData() {
        const Json o = {{"scale", 1.0}};
        const std::string h = analysisHash("k", o, Json::array({1, 2}));
        QCOMPARE(h.size(), std::size_t(16));
        QCOMPARE(analysisHash("k", o, Json::array({1, 2})), h);
        QVERIFY(analysisHash("k2", o, Json::array({1, 2})) != h);
        QVERIFY(analysisHash("k", {{"scale", 2.0}}, Json::array({1, 2})) != h);
        QVERIFY(analysisHash("k", o, Json::array({1, 3})) != h);
        QCOMPARE(analysisHash("k", o, Json::array({1, 2}), 1), h);
        QVERIFY(analysisHash("k", o, Json::array({1, 2}), 2) != h); // new code, new result
    }

    void computedOnceAndReusedUntilTheDataChanges() {
        auto dir = test::makeTempDir();
        const StudyConfig c = study(dir);
        auto storage = openStorage(c.storageUrl);
        StudyRecord r;
        r.name = "s";
        const std::int64_t id = storage->createStudy(r);
        finishOne(*storage, id, 0.5);
        int runs = 0;
        AnalysisCatalog catalog;
        catalog.add(countingSpec(false),
                    [&runs] { return std::make_unique<CountingAnalysis>(&runs); });

        const AnalysisOutcome first = requestAnalysis(*storage, id, c, catalog, "counting", {});
        QCOMPARE(first.record.state, AnalysisState::Done);
        QVERIFY(!first.reused);
        QCOMPARE(first.record.result["value"].get<double>(), 1.0);
        const AnalysisOutcome again = requestAnalysis(*storage, id, c, catalog, "counting", {});
        QVERIFY(again.reused);
        QCOMPARE(again.record.id, first.record.id);
        QCOMPARE(runs, 1);
        // other options: another result; a new finished trial: another result
        QCOMPARE(requestAnalysis(*storage, id, c, catalog, "counting", {{"scale", 3.0}})
                     .record.result["value"]
                     .get<double>(),
                 3.0);
        finishOne(*storage, id, 0.25);
        const AnalysisOutcome more = requestAnalysis(*storage, id, c, catalog, "counting", {});
        QVERIFY(!more.reused);
        QCOMPARE(more.record.result["value"].get<double>(), 2.0);
        QCOMPARE(runs, 3);
        QCOMPARE(storage->analyses(id).size(), std::size_t(3));
    }

    void everyAnalysisTakesASubsetOfTheTrials() {
        QCOMPARE(trialNumberText(trialNumberList(" 8-10, 3,5,3 ,12")), std::string("3,5,8-10,12"));
        QCOMPARE(trialNumberText({4, 5}), std::string("4,5"));
        QVERIFY(trialNumberList("").empty());
        for (const std::string bad : {"a", "3-", "-2", "5-3", "1.5"})
            QVERIFY_THROWS_EXCEPTION(AnalysisError, trialNumberList(bad));

        auto dir = test::makeTempDir();
        const StudyConfig c = study(dir);
        auto storage = openStorage(c.storageUrl);
        StudyRecord r;
        r.name = "s";
        const std::int64_t id = storage->createStudy(r);
        for (const double x : {0.1, 0.2, 0.3})
            finishOne(*storage, id, x); // trials 0, 1, 2
        int runs = 0;
        AnalysisCatalog catalog;
        catalog.add(countingSpec(false),
                    [&runs] { return std::make_unique<CountingAnalysis>(&runs); });
        const auto& options = catalog.spec("counting")->options;
        QVERIFY(std::any_of(options.begin(), options.end(),
                            [](const SettingSpec& o) { return o.path == "trials"; }));
        const AnalysisOutcome some =
            requestAnalysis(*storage, id, c, catalog, "counting", {{"trials", "2, 0"}});
        QCOMPARE(some.record.result["value"].get<double>(), 2.0); // two trials, not three
        QCOMPARE(some.record.inputs["options"]["trials"].get<std::string>(), std::string("0,2"));
        // the same subset written otherwise is the same result
        QVERIFY(requestAnalysis(*storage, id, c, catalog, "counting", {{"trials", "0,2"}}).reused);
        // empty: every trial, hashed as if the option did not exist
        const AnalysisOutcome all =
            requestAnalysis(*storage, id, c, catalog, "counting", {{"trials", ""}});
        QCOMPARE(all.record.result["value"].get<double>(), 3.0);
        QVERIFY(!all.record.inputs["options"].contains("trials"));
        try {
            requestAnalysis(*storage, id, c, catalog, "counting", {{"trials", "1,7"}});
            QFAIL("a trial the study does not have was accepted");
        } catch (const AnalysisError& e) {
            QVERIFY2(std::string(e.what()).find("no trial number 7") != std::string::npos,
                     e.what());
        }
    }

    void failuresKeepTheirReasonAndAreRetried() {
        auto dir = test::makeTempDir();
        const StudyConfig c = study(dir);
        auto storage = openStorage(c.storageUrl);
        StudyRecord r;
        r.name = "s";
        const std::int64_t id = storage->createStudy(r);
        int runs = 0;
        AnalysisCatalog catalog;
        catalog.add(countingSpec(false),
                    [&runs] { return std::make_unique<CountingAnalysis>(&runs); });
        const AnalysisOutcome failed =
            requestAnalysis(*storage, id, c, catalog, "counting", {{"fail", true}});
        QCOMPARE(failed.record.state, AnalysisState::Fail);
        QCOMPARE(failed.record.error, std::string("asked to fail"));
        QCOMPARE(storage->analysis(failed.record.id)->error, std::string("asked to fail"));
        const AnalysisOutcome retried =
            requestAnalysis(*storage, id, c, catalog, "counting", {{"fail", true}});
        QCOMPARE(retried.record.id, failed.record.id);
        QCOMPARE(runs, 2);
        try {
            requestAnalysis(*storage, id, c, catalog, "nonesuch", {});
            QFAIL("unknown kind");
        } catch (const AnalysisError& e) {
            QVERIFY2(std::string(e.what()).find(
                         "unknown analysis 'nonesuch' (there are: counting)") != std::string::npos,
                     e.what());
        }
    }

    void workerJobsAreQueuedClaimedAndStored() {
        auto dir = test::makeTempDir();
        const StudyConfig c = study(dir);
        auto storage = openStorage(c.storageUrl);
        StudyRecord r;
        r.name = "s";
        const std::int64_t id = storage->createStudy(r);
        finishOne(*storage, id, 0.5);
        AnalysisCatalog asker; // the CLI: the spec only
        asker.add(countingSpec(true));
        const AnalysisOutcome queued =
            requestAnalysis(*storage, id, c, asker, "counting_job", {{"scale", 4.0}});
        QCOMPARE(queued.record.state, AnalysisState::Waiting);
        // asking again while it waits does not queue it twice
        QCOMPARE(
            requestAnalysis(*storage, id, c, asker, "counting_job", {{"scale", 4.0}}).record.id,
            queued.record.id);

        int runs = 0;
        AnalysisCatalog worker;
        worker.add(countingSpec(true),
                   [&runs] { return std::make_unique<CountingAnalysis>(&runs); });
        QVERIFY(!storage->claimAnalysis(id, "w1", {"other_kind"}));
        const auto claimed = storage->claimAnalysis(id, "w1", worker.runnableKinds());
        QVERIFY(claimed);
        QCOMPARE(claimed->state, AnalysisState::Running);
        QVERIFY(!storage->claimAnalysis(id, "w2", {})); // held, and not stale
        QVERIFY(!storage->startAnalysis(claimed->id, "w2"));
        runClaimedAnalysis(*storage, *claimed, c, worker, "w1");
        const AnalysisOutcome done =
            requestAnalysis(*storage, id, c, asker, "counting_job", {{"scale", 4.0}});
        QVERIFY(done.reused);
        QCOMPARE(done.record.result["value"].get<double>(), 4.0);
        QCOMPARE(done.record.worker, std::string("w1"));
        QCOMPARE(runs, 1);
        // a worker that died: its RUNNING job is claimable once stale
        requestAnalysis(*storage, id, c, asker, "counting_job", {{"scale", 5.0}});
        QVERIFY(storage->claimAnalysis(id, "dead", {}));
        QVERIFY(!storage->claimAnalysis(id, "w2", {}, 60));
        QVERIFY(storage->claimAnalysis(id, "w2", {}, -1));
    }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "tst_analysis.moc"
