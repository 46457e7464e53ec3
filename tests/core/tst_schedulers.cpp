// Schedulers: Hyperband's bracket table against the paper, ASHA's promotion rule on simulated
// learning curves, median stopping, bracket assignment, and pruning inside a real run.

#include "core/execution/orchestrator.h"
#include "core/execution/thread_executor.h"
#include "core/scheduling/hyperband.h"
#include "core/scheduling/median_pruner.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>
#include <cmath>
#include <map>
#include <random>

using namespace ps;

namespace {

using Table = std::vector<std::vector<std::pair<std::int64_t, double>>>;

Trial numbered(int number) {
    Trial t;
    t.number = number;
    return t;
}

Table asPairs(const std::vector<std::vector<Rung>>& t) {
    Table out;
    for (const auto& bracket : t) {
        out.emplace_back();
        for (const auto& r : bracket)
            out.back().emplace_back(r.configs, r.resource);
    }
    return out;
}

} // namespace

class TestSchedulers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hyperbandTableMatchesThePaper() {
        // Li et al. (JMLR 2018), R = 81, eta = 3
        const Table expected = {{{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}},
                                {{34, 3}, {11, 9}, {3, 27}, {1, 81}},
                                {{15, 9}, {5, 27}, {1, 81}},
                                {{8, 27}, {2, 81}},
                                {{5, 81}}};
        QVERIFY(asPairs(bracketTable(1, 81, 3)) == expected);
        // mlr3hyperband's example: r_min 1, r_max 8, eta 2
        const Table mlr3 = {
            {{8, 1}, {4, 2}, {2, 4}, {1, 8}}, {{6, 2}, {3, 4}, {1, 8}}, {{4, 4}, {2, 8}}, {{4, 8}}};
        QVERIFY(asPairs(bracketTable(1, 8, 2)) == mlr3);
        // each bracket spends about B = (s_max + 1) R
        for (const auto& bracket : bracketTable(1, 81, 3)) {
            double spent = 0;
            for (const auto& r : bracket)
                spent += static_cast<double>(r.configs) * r.resource;
            QVERIFY2(spent >= 300 && spent <= 5 * 81 * 1.5, qPrintable(QString::number(spent)));
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, bracketTable(5, 3, 3));
    }

    void promotionRule() {
        // with fewer than eta values, only the best goes on
        QVERIFY(promotable(1.0, {1.0}, 3, Direction::Minimize));
        QVERIFY(!promotable(2.0, {1.0, 2.0}, 3, Direction::Minimize));
        QVERIFY(promotable(1.0, {1.0, 2.0}, 3, Direction::Minimize));
        // 6 values, eta 3: the best 2 go on
        const std::vector<double> six = {5, 1, 4, 2, 6, 3};
        QVERIFY(promotable(2, six, 3, Direction::Minimize));
        QVERIFY(!promotable(3, six, 3, Direction::Minimize));
        QVERIFY(promotable(5, six, 3, Direction::Maximize));
        QVERIFY(!promotable(4, six, 3, Direction::Maximize));
    }

    void rungsSitAtMinTimesEtaPowers() {
        SuccessiveHalving sh(Direction::Minimize, 1, 3, 0, 27);
        QCOMPARE(sh.rungStep(0), std::int64_t(1));
        QCOMPARE(sh.rungStep(3), std::int64_t(27));
        QCOMPARE(sh.rungOf(9), 2);
        QCOMPARE(sh.rungOf(4), -1);
        QVERIFY(sh.judgesAt(numbered(0), 3));
        QVERIFY(!sh.judgesAt(numbered(0), 27)); // a full trial is never pruned at its end
        SuccessiveHalving s1(Direction::Minimize, 2, 2, 1);
        QCOMPARE(s1.rungStep(0), std::int64_t(4));
        QVERIFY(!s1.judgesAt(numbered(0), 2));
    }

    void ashaNeverPromotesOutsideTheTopFraction() {
        // Simulated learning curves loss_c(t) = a_c + b_c t^-1/2, one worker, trials in turn.
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> ua(0.1, 1.0), ub(0.0, 2.0);
        SuccessiveHalving sh(Direction::Minimize, 1, 3, 0, 27);
        std::map<std::int64_t, std::vector<PeerValue>> atStep; // what storage would hold
        int pruned = 0, complete = 0;
        for (int c = 0; c < 60; ++c) {
            const double a = ua(rng), b = ub(rng);
            for (std::int64_t t = 1; t <= 27; ++t) {
                const double v = a + b / std::sqrt(static_cast<double>(t));
                if (sh.judgesAt(numbered(c), t)) {
                    auto& peers = atStep[t];
                    const auto why = sh.judge(numbered(c), t, v, peers);
                    std::vector<double> all = {v};
                    for (const auto& p : peers)
                        all.push_back(p.value);
                    std::sort(all.begin(), all.end());
                    const std::size_t keep = std::max<std::size_t>(1, all.size() / 3);
                    // went on => within the best floor(n/eta) at that moment
                    QCOMPARE(!why.has_value(), v <= all[keep - 1]);
                    peers.push_back({c, TrialState::Running, v});
                    if (why) {
                        ++pruned;
                        QVERIFY(QString::fromStdString(*why).contains("rung"));
                        break;
                    }
                }
                if (t == 27)
                    ++complete;
            }
        }
        QVERIFY(pruned > 30);
        QVERIFY(complete >= 1);
    }

    void medianStopping() {
        SchedulerConfig config{
            "median", Json{{"n_startup_trials", 2}, {"n_warmup_steps", 1}, {"interval_steps", 1}},
            Direction::Minimize, "s"};
        MedianPruner p(config);
        QVERIFY(!p.judgesAt(numbered(0), 1)); // warm-up
        QVERIFY(p.judgesAt(numbered(0), 2));
        const std::vector<PeerValue> one = {{1, TrialState::Complete, 1.0}};
        QVERIFY(!p.judge(numbered(0), 2, 5.0, one)); // too few finished trials yet
        const std::vector<PeerValue> peers = {{1, TrialState::Complete, 1.0},
                                              {2, TrialState::Complete, 3.0},
                                              {3, TrialState::Running, 0.1}}; // not counted
        QVERIFY(!p.judge(numbered(0), 2, 1.5, peers)); // better than the median 2.0
        const auto why = p.judge(numbered(0), 2, 2.5, peers);
        QVERIFY(why);
        QVERIFY(QString::fromStdString(*why).contains("median 2"));
    }

    void hyperbandBracketsFollowTheirBudgets() {
        SchedulerConfig config{"hyperband", Json{{"min", 1}, {"max", 81}, {"eta", 3}},
                               Direction::Minimize, "study-a"};
        HyperbandPruner hb(config);
        QCOMPARE(hb.bracketCount(), 5);
        std::vector<int> count(5, 0);
        for (int n = 0; n < 20000; ++n)
            ++count[static_cast<std::size_t>(hb.bracketOf(n))];
        // weights ceil(5 * 3^s / (s + 1)) for s = 4..0: 81, 34, 15, 8, 5 (of 143)
        const double expected[] = {81, 34, 15, 8, 5};
        for (int b = 0; b < 5; ++b)
            QVERIFY2(std::abs(count[b] / 20000.0 - expected[b] / 143.0) < 0.02,
                     qPrintable(QString::number(count[b])));
        HyperbandPruner again(config);
        QCOMPARE(again.bracketOf(1234), hb.bracketOf(1234)); // stable
        // bracket 4 (s = 4) never prunes before step 81: nothing to judge
        for (int n = 0; n < 200; ++n) {
            if (hb.bracketOf(n) == 4) {
                QVERIFY(!hb.judgesAt(numbered(n), 1));
                QVERIFY(!hb.judgesAt(numbered(n), 27));
                break;
            }
        }
    }

    void studyFileScheduler_data() {
        QTest::addColumn<QString>("section");
        QTest::addColumn<QString>("error");
        QTest::newRow("hyperband") << "{kind: hyperband, resource: epoch, min: 1, max: 27, eta: 3}"
                                   << "";
        QTest::newRow("asha") << "{kind: asha, min: 2, eta: 2}"
                              << "";
        QTest::newRow("median") << "{kind: median, n_warmup_steps: 3}"
                                << "";
        QTest::newRow("unknown kind") << "{kind: bohb}"
                                      << "unknown scheduler 'bohb'";
        QTest::newRow("unknown option") << "{kind: asha, etaa: 2}"
                                        << "scheduler.etaa";
        QTest::newRow("min above max") << "{kind: hyperband, min: 9, max: 3}"
                                       << "min <= max";
        QTest::newRow("eta too small") << "{kind: asha, eta: 1}"
                                       << "out of range";
    }

    void studyFileScheduler() {
        QFETCH(QString, section);
        QFETCH(QString, error);
        const auto catalog = TaskCatalog::withBuiltins();
        const std::string text = "name: s\ntask: {kind: noop}\nobjective: {metric: loss}\n"
                                 "scheduler: " +
                                 section.toStdString() + "\n";
        try {
            const StudyConfig c = parseStudyText(text, "s.yaml", "/tmp", catalog);
            QVERIFY2(error.isEmpty(), "accepted");
            QVERIFY(c.scheduler.options.contains("eta") || c.scheduler.kind == "median");
        } catch (const StudyFileError& e) {
            QVERIFY2(!error.isEmpty(), e.what());
            QVERIFY2(QString(e.what()).contains(error), e.what());
            QCOMPARE(e.line(), 4);
        }
    }

    void pruningInARealRun_data() {
        QTest::addColumn<QString>("scheduler");
        QTest::newRow("asha") << "{kind: asha, min: 1, eta: 3, max: 9}";
        QTest::newRow("hyperband") << "{kind: hyperband, min: 1, max: 9, eta: 3}";
        QTest::newRow("median") << "{kind: median, n_startup_trials: 3}";
    }

    void pruningInARealRun() {
        QFETCH(QString, scheduler);
        auto dir = test::makeTempDir();
        const auto catalog = TaskCatalog::withBuiltins();
        const std::string text =
            "name: p\ntask: {kind: noop, steps: 9}\nspace:\n  x: {type: float, low: -1, high: "
            "1}\nobjective: {metric: loss}\nsampler: {kind: random, seed: 2}\nbudget: {trials: "
            "40, parallel: 2}\nscheduler: " +
            scheduler.toStdString() + "\n";
        const StudyConfig c = parseStudyText(text, "p.yaml", dir.path().toStdString(), catalog);
        auto storage = openStorage(c.storageUrl);
        Orchestrator o(c, *storage, [&](std::int64_t id) {
            return std::make_unique<ThreadExecutor>(c.storageUrl, id, catalog);
        });
        std::atomic<bool> interrupt{false};
        QCOMPARE(o.run(interrupt), RunEnd::Finished);
        int pruned = 0, complete = 0;
        for (const auto& t : storage->trials(o.studyId())) {
            QVERIFY(t.state == TrialState::Complete || t.state == TrialState::Pruned);
            if (t.state == TrialState::Pruned) {
                ++pruned;
                QVERIFY(t.value.has_value()); // its last reported value
                QVERIFY2(QString::fromStdString(t.failReason).startsWith("pruned at step"),
                         t.failReason.c_str());
                // it stopped where it was judged: no step reported after the one the reason
                // names. (A median pruner may judge the last step too, when the trial's value
                // there is worse than the median of the others: then all 9 are there.)
                const int at =
                    std::stoi(t.failReason.substr(std::string("pruned at step ").size()));
                std::int64_t last = 0;
                for (const auto& m : storage->trialMetrics(t.id))
                    last = std::max(last, m.step);
                QCOMPARE(last, std::int64_t(at));
                QVERIFY(at <= 9);
            } else {
                ++complete;
                QCOMPARE(storage->trialMetrics(t.id).size(), std::size_t(9));
            }
        }
        QVERIFY2(pruned >= 5, qPrintable(QString::number(pruned)));
        QVERIFY(complete >= 1);
    }
};

QTEST_GUILESS_MAIN(TestSchedulers)
#include "tst_schedulers.moc"
