// Constraint metrics: violation, the shared best-trial rule, the study file's constraints:
// section, and samplers steered away from infeasible regions (known answers).

#include "core/analysis/pareto.h"
#include "core/execution/task.h"
#include "core/sampling/nsga2_sampler.h"
#include "core/sampling/random_sampler.h"
#include "core/sampling/sampler.h"
#include "core/space/constraints.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>
#include <cmath>
#include <limits>

using namespace ps;

namespace {

Trial trial(int number, double value, std::map<std::string, double> values,
            TrialState state = TrialState::Complete) {
    Trial t;
    t.id = number + 1;
    t.number = number;
    t.state = state;
    t.value = value;
    t.values = std::move(values);
    t.values["loss"] = value;
    return t;
}

} // namespace

class TestConstraints : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void violationAmounts() {
        const std::vector<Constraint> cs = {{"mem", std::nullopt, 10.0}, {"acc", 0.8, 1.0}};
        QCOMPARE(violation(cs, trial(0, 1, {{"mem", 5}, {"acc", 0.9}})), 0.0);
        QCOMPARE(violation(cs, trial(0, 1, {{"mem", 10}, {"acc", 0.8}})), 0.0); // bounds inclusive
        QCOMPARE(violation(cs, trial(0, 1, {{"mem", 12}, {"acc", 0.9}})), 2.0);
        QCOMPARE(violation(cs, trial(0, 1, {{"mem", 12}, {"acc", 0.5}})), 2.0 + 0.3);
        QCOMPARE(violation(cs, trial(0, 1, {{"mem", 5}})),
                 std::numeric_limits<double>::infinity()); // a missing metric
        QVERIFY(!isFeasible(cs, trial(0, 1, {{"acc", 0.9}})));
        QCOMPARE(violation({}, trial(0, 1, {})), 0.0); // no constraints: always feasible
    }

    void bestTrialIsTheBestFeasible() {
        const std::vector<Constraint> cs = {{"mem", std::nullopt, 10.0}};
        std::vector<Trial> ts = {
            trial(0, 3.0, {{"mem", 5}}),
            trial(1, 1.0, {{"mem", 50}}), // the unconstrained best: infeasible
            trial(2, 2.0, {{"mem", 9}}),
            trial(3, 0.5, {}),                               // constraint metric missing
            trial(4, 0.1, {{"mem", 1}}, TrialState::Pruned), // not COMPLETE
            trial(5, 2.0, {{"mem", 1}}),                     // a tie: the earlier wins
        };
        QCOMPARE(bestTrial(ts, Direction::Minimize, cs)->number, 2);
        QCOMPARE(bestTrial(ts, Direction::Minimize, {})->number, 3);
        QCOMPARE(bestTrial(ts, Direction::Maximize, cs)->number, 0);
        ts.erase(ts.begin() + 5);
        ts.erase(ts.begin() + 2);
        ts.erase(ts.begin());
        QVERIFY(bestTrial(ts, Direction::Minimize, cs) == nullptr); // none feasible
    }

    void parsed() {
        const auto catalog = TaskCatalog::withBuiltins();
        const char* text =
            "name: c\ntask: {kind: noop}\nobjective: {metric: loss}\n"
            "constraints:\n  - {metric: norm, max: 2}\n  - {metric: loss, min: -1}\n";
        const StudyConfig c = parseStudyText(text, "c.yaml", "/tmp", catalog, false);
        QCOMPARE(c.constraints.size(), std::size_t(2));
        QCOMPARE(c.constraints[0].metric, std::string("norm"));
        QCOMPARE(c.constraints[0].max, std::optional<double>(2.0));
        QVERIFY(!c.constraints[0].min);
        QCOMPARE(c.constraints[1].min, std::optional<double>(-1.0));
        QCOMPARE(c.sampler.constraints.size(), std::size_t(2)); // samplers get them
        // the lenient reader of stored text agrees, and gives nothing for nonsense
        const auto read = readConstraints(text);
        QCOMPARE(read.size(), std::size_t(2));
        QCOMPARE(read[0].max, std::optional<double>(2.0));
        QVERIFY(readConstraints("constraints: [").empty());
        QVERIFY(readConstraints("name: x\n").empty());
    }

    // Deb's constrained domination in NSGA-II's selection: feasible points first, then the
    // violating ones by violation, then failed ones.
    void nsga2ConstrainedDomination() {
        const std::vector<std::vector<double>> points = {{1.0}, {0.1}, {0.2}, {}, {2.0}};
        const std::vector<double> violations = {0, 5, 1, 0, 0};
        std::vector<int> rank;
        std::vector<double> crowding;
        const auto elite =
            Nsga2Sampler::selectElite(points, {Direction::Minimize}, 5, rank, crowding, violations);
        QCOMPARE(elite, (std::vector<std::size_t>{0, 4, 2, 1, 3}));
        QCOMPARE(rank, (std::vector<int>{0, 1, 2, 3, 4}));
    }

    // A constraint that excludes the unconstrained optimum: minimize x^2 on [-2, 2] subject to
    // x >= 1 (metric c = x, min 1). The best feasible found must be feasible and near x = 1,
    // and a model-based sampler must propose feasible points more often than random (1/4).
    void samplersAvoidInfeasibleRegions_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<double>("minFeasibleShare");
        QTest::addColumn<double>("maxBestX");
        QTest::newRow("random") << "random" << 0.1 << 1.3;
        QTest::newRow("tpe") << "tpe" << 0.4 << 1.3;
        QTest::newRow("gp") << "gp" << 0.4 << 1.3;
        QTest::newRow("cmaes") << "cmaes" << 0.4 << 1.3;
        QTest::newRow("nsga2") << "nsga2" << 0.4 << 2.0; // evolves slowly in one dimension
    }
    void samplersAvoidInfeasibleRegions() {
        QFETCH(QString, kind);
        QFETCH(double, minFeasibleShare);
        QFETCH(double, maxBestX);
        SearchSpace space;
        ParamSpec x;
        x.name = "x";
        x.low = -2;
        x.high = 2;
        space.params = {x};
        SamplerConfig config;
        config.kind = kind.toStdString();
        config.seed = 3;
        config.objectives = {Objective{"loss", Direction::Minimize}};
        config.constraints = {Constraint{"c", 1.0, std::nullopt}};
        // generations of 10, so that it evolves within 60 trials; with one parameter the
        // default mutation (probability 1/1) would redraw every child at random
        if (config.kind == "nsga2")
            config.options = Json{{"population_size", 10}, {"mutation_prob", 0.1}};
        auto sampler = makeSampler(config);
        std::vector<Trial> trials;
        const int n = 60, warm = 20;
        int feasibleLate = 0;
        for (int i = 0; i < n; ++i) {
            const Json p = sampler->sample(space, trials, i);
            const double v = p["x"].get<double>();
            Trial t = trial(i, v * v, {{"c", v}});
            t.params = p;
            if (i >= warm && v >= 1.0)
                ++feasibleLate;
            trials.push_back(t);
        }
        const Trial* best = bestTrial(trials, Direction::Minimize, config.constraints);
        QVERIFY(best);
        QVERIFY(isFeasible(config.constraints, *best));
        const double bx = best->params["x"].get<double>();
        const double share = static_cast<double>(feasibleLate) / (n - warm);
        qInfo("%s: feasible share after %d trials %.2f, best x %.4f", qPrintable(kind), warm, share,
              bx);
        QVERIFY2(bx >= 1.0 && bx < maxBestX, qPrintable(QString::number(bx)));
        QVERIFY2(share >= minFeasibleShare, qPrintable(QString::number(share)));
    }
};

QTEST_GUILESS_MAIN(TestConstraints)
#include "tst_constraints.moc"
