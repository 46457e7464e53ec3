// Iterative deepening Hyperband: which finished trials a raised maximum promotes, and a real
// study (noop task, in-process workers) deepened from max 3 to max 9 that continues the
// promoted trials from their checkpoints instead of training them again.

#include "core/execution/builtin_tasks.h"
#include "core/execution/deepening.h"
#include "core/execution/orchestrator.h"
#include "core/execution/thread_executor.h"
#include "core/scheduling/hyperband.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>
#include <map>
#include <set>

using namespace ps;

namespace {

Trial finished(int number, int group, double value) {
    Trial t;
    t.id = 100 + number;
    t.number = number;
    t.state = TrialState::Complete;
    t.value = value;
    t.attempts = 1;
    t.system = {{"group", group}};
    return t;
}

std::string studyText(int max, int trials, const std::string& kind = "idhb") {
    return "name: deep\ntask: {kind: noop, steps: " + std::to_string(max) +
           "}\nspace:\n  x: {type: float, low: 0, high: 1}\n  y: {type: float, low: 0, high: "
           "1}\nobjective: {metric: loss}\nsampler: {kind: random, seed: 3}\nscheduler: {kind: " +
           kind + ", min: 1, max: " + std::to_string(max) +
           ", eta: 3}\nbudget: {trials: " + std::to_string(trials) + ", parallel: 2}\n";
}

} // namespace

class TestDeepening : public QObject {
    Q_OBJECT

    TaskCatalog m_catalog = TaskCatalog::withBuiltins();

    StudyConfig config(const QTemporaryDir& dir, int max, int trials,
                       const std::string& kind = "idhb") {
        return parseStudyText(studyText(max, trials, kind), "deep.yaml", dir.path().toStdString(),
                              m_catalog);
    }

    RunEnd run(const StudyConfig& c, Storage& storage) {
        Orchestrator o(c, storage, [this, url = c.storageUrl](std::int64_t id) {
            return std::make_unique<ThreadExecutor>(url, id, m_catalog);
        });
        std::atomic<bool> interrupt{false};
        return o.run(interrupt);
    }

private Q_SLOTS:
    void plansTopFractionOfEachBracket() {
        // Old maximum 3, new maximum 9 (eta 3): brackets 0 (rungs 1, 3), 1 (rung 3), 2 (none).
        HyperbandPruner idhb(
            {"idhb", Json{{"min", 1}, {"max", 9}, {"eta", 3}}, Direction::Minimize, "s"},
            /*deepens=*/true);
        std::vector<Trial> trials;
        for (int i = 0; i < 6; ++i) // bracket 0: values 6, 5, ..., 1
            trials.push_back(finished(i, 0, 6.0 - i));
        for (int i = 6; i < 9; ++i) // bracket 1: values 0.5, 0.7, 0.9
            trials.push_back(finished(i, 1, 0.5 + 0.2 * (i - 6)));
        Trial deep = finished(9, 0, 0.1); // ran to 9 already: nothing to do
        trials.push_back(deep);
        Trial pruned = finished(10, 0, 9.0);
        pruned.state = TrialState::Pruned; // stopped earlier: stays stopped
        trials.push_back(pruned);

        const LastPoint last =
            [](const Trial& t) -> std::optional<std::pair<std::int64_t, double>> {
            return std::make_pair(t.number == 9 ? 9 : 3, *t.value);
        };
        const PeersAt peersAt = [&](std::int64_t step) {
            std::vector<PeerValue> peers;
            for (const auto& t : trials) {
                if (t.state == TrialState::Complete && last(t)->first >= step)
                    peers.push_back({t.number, t.state, *t.value, t.system["group"].get<int>()});
            }
            return peers;
        };
        const HasCheckpoint checkpoint = [](const Trial& t, std::int64_t) { return t.number != 4; };
        const auto plan = planDeepening(idhb, trials, last, peersAt, checkpoint);

        std::map<int, DeepeningDecision> byNumber;
        for (const auto& d : plan)
            byNumber[d.number] = d;
        QCOMPARE(byNumber.size(), std::size_t(9)); // not 9 (already deep) nor 10 (pruned)
        // bracket 0 has 7 values at step 3 (trial 9's 0.1 among them): the best floor(7/3) = 2
        // are 0.1 (trial 9) and 1 (trial 5), so of the candidates only trial 5 goes on.
        for (int i = 0; i < 6; ++i)
            QCOMPARE(byNumber[i].promote, i == 5);
        QCOMPARE(byNumber[5].fromStep, std::int64_t(3));
        QVERIFY(QString::fromStdString(byNumber[0].reason).contains("maximum grew to 9"));
        // bracket 1, three values: only the best (trial 6)
        QVERIFY(byNumber[6].promote);
        QVERIFY(!byNumber[7].promote && !byNumber[8].promote);

        // trial 4 promoted in a bracket of its own, but without a checkpoint: starts over
        trials[4].system["group"] = 2; // bracket 2 has no rung at 3: promoted unjudged
        const auto again = planDeepening(idhb, trials, last, peersAt, checkpoint);
        for (const auto& d : again) {
            if (d.number == 4) {
                QVERIFY(d.promote);
                QCOMPARE(d.fromStep, std::int64_t(0));
                QVERIFY(QString::fromStdString(d.reason).contains("from the start"));
            }
        }
    }

    void raisingTheMaximumContinuesTrials() {
        auto dir = test::makeTempDir();
        const StudyConfig small = config(dir, 3, 30);
        auto storage = openStorage(small.storageUrl);
        QCOMPARE(run(small, *storage), RunEnd::Finished);
        const auto studyId = storage->findStudy("deep")->id;
        const auto before = storage->trials(studyId);
        std::map<int, Trial> first;
        std::map<int, std::map<std::int64_t, double>> curves; // number -> step -> loss
        int complete = 0;
        for (const auto& t : before) {
            first[t.number] = t;
            QVERIFY(t.system.contains("group"));
            if (t.state == TrialState::Complete) {
                ++complete;
                QCOMPARE(t.system["checkpoint"]["step"].get<int>(), 3);
            }
            for (const auto& p : storage->trialMetrics(t.id))
                curves[t.number][p.step] = p.value;
        }
        QVERIFY(complete >= 5);

        const StudyConfig deeper = config(dir, 9, 45);
        QCOMPARE(run(deeper, *storage), RunEnd::Finished);
        const auto after = storage->trials(studyId);
        QCOMPARE(after.size(), std::size_t(45));
        int resumed = 0, stopped = 0;
        for (const auto& t : after) {
            if (t.number >= 30)
                continue;
            const Trial& was = first[t.number];
            QCOMPARE(t.system["group"].dump(),
                     was.system["group"].dump()); // no trial changed bracket
            if (was.state != TrialState::Complete) {
                QCOMPARE(t.state, was.state); // pruned and failed trials are left alone
                QCOMPARE(t.attempts, was.attempts);
                continue;
            }
            if (t.state == TrialState::Pruned) {
                ++stopped;
                QVERIFY(QString::fromStdString(t.failReason).contains("maximum grew to 9"));
                QCOMPARE(t.value, was.value); // its result stands
                continue;
            }
            QCOMPARE(t.state, TrialState::Complete);
            ++resumed;
            QCOMPARE(t.attempts, 2);
            QCOMPARE(*t.value, noopLoss(t.params));
            // The current attempt's curve: steps 1..3 are the first run's values (a run from
            // scratch with steps: 9 would report other values there), then 4..9.
            std::map<std::int64_t, double> now;
            for (const auto& p : storage->trialMetrics(t.id)) {
                if (p.attempt == t.attempts) {
                    QVERIFY2(!now.contains(p.step), "a step was reported twice");
                    now[p.step] = p.value;
                }
            }
            QCOMPARE(now.size(), std::size_t(9));
            for (std::int64_t s = 1; s <= 3; ++s)
                QCOMPARE(now[s], curves[t.number][s]);
            QCOMPARE(t.system["checkpoint"]["step"].get<int>(), 9);
        }
        qInfo("%d finished trials: %d continued to step 9, %d stopped at 3", complete, resumed,
              stopped);
        QVERIFY2(resumed >= 1, "no finished trial was promoted");
        QVERIFY2(stopped >= 1, "every finished trial was promoted");
        QCOMPARE(resumed + stopped, complete);
        const auto log = storage->studyLog(studyId);
        QVERIFY(std::any_of(log.begin(), log.end(), [](const LogEntry& e) {
            return e.message.find("iterative deepening to max 9") != std::string::npos;
        }));

        // Running it again changes nothing: every trial is at the maximum or stopped.
        QCOMPARE(run(deeper, *storage), RunEnd::Finished);
        for (const auto& t : storage->trials(studyId)) {
            const auto& same = after[static_cast<std::size_t>(t.number)];
            QCOMPARE(t.state, same.state);
            QCOMPARE(t.attempts, same.attempts);
        }
    }

    void plainHyperbandLeavesFinishedTrialsAlone() {
        auto dir = test::makeTempDir();
        auto storage = openStorage(config(dir, 3, 12, "hyperband").storageUrl);
        QCOMPARE(run(config(dir, 3, 12, "hyperband"), *storage), RunEnd::Finished);
        const auto studyId = storage->findStudy("deep")->id;
        const auto before = storage->trials(studyId);
        QCOMPARE(run(config(dir, 9, 16, "hyperband"), *storage), RunEnd::Finished);
        const auto after = storage->trials(studyId);
        for (std::size_t i = 0; i < before.size(); ++i) {
            QCOMPARE(after[i].state, before[i].state);
            QCOMPARE(after[i].attempts, before[i].attempts);
            QCOMPARE(after[i].system["group"].dump(), before[i].system["group"].dump());
            QVERIFY(!after[i].system.contains("checkpoint")); // nothing to resume: none saved
        }
    }

    void studyFileChecksTheBudget() {
        auto dir = test::makeTempDir();
        std::string text = studyText(9, 10);
        text.replace(text.find("steps: 9"), 8, "steps: 4");
        try {
            parseStudyText(text, "deep.yaml", dir.path().toStdString(), m_catalog);
            QFAIL("a max that is not the task's steps was accepted");
        } catch (const StudyFileError& e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains("scheduler.max") && what.contains("task.steps is 4") &&
                         what.contains("deep.yaml:"),
                     qPrintable(what));
        }
    }
};

QTEST_GUILESS_MAIN(TestDeepening)
#include "tst_deepening.moc"
