// Pareto analysis: fronts of a hand-made set in every mix of directions, crowding distances
// worked out by hand, and which trials make a study's Pareto front.

#include "core/analysis/pareto.h"
#include "test_util.h"

#include <QTest>
#include <cmath>
#include <limits>

using namespace ps;

namespace {

using Fronts = std::vector<std::vector<std::size_t>>;
constexpr double inf = std::numeric_limits<double>::infinity();

Trial trial(int number, TrialState state, std::map<std::string, double> values) {
    Trial t;
    t.number = number;
    t.state = state;
    t.values = std::move(values);
    if (t.values.count("a"))
        t.value = t.values["a"];
    return t;
}

} // namespace

class TestPareto : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dominance() {
        const std::vector<Direction> mm{Direction::Minimize, Direction::Minimize};
        QVERIFY(dominates({1, 1}, {2, 2}, mm));
        QVERIFY(dominates({1, 2}, {2, 2}, mm));
        QVERIFY(!dominates({2, 2}, {2, 2}, mm)); // equal points do not dominate
        QVERIFY(!dominates({1, 3}, {2, 2}, mm));
        const std::vector<Direction> mx{Direction::Minimize, Direction::Maximize};
        QVERIFY(dominates({1, 3}, {2, 2}, mx));
        QVERIFY(!dominates({1, 1}, {2, 2}, mx));
        // NaN is the worst value there is.
        QVERIFY(dominates({1, 1}, {1, std::nan("")}, mm));
        QVERIFY(!dominates({1, std::nan("")}, {1, 1}, mm));
    }

    void sortMinMin() {
        // 0..2 trade off (front 0); 3 and 4 are dominated by 1 only; 5 by 1, 3 and 4; 6 by all.
        const std::vector<std::vector<double>> p{{1, 5},   {2, 2}, {5, 1}, {3, 3},
                                                 {2.5, 4}, {4, 4}, {6, 6}};
        const Fronts f = nonDominatedSort(p, {Direction::Minimize, Direction::Minimize});
        QCOMPARE(f, (Fronts{{0, 1, 2}, {3, 4}, {5}, {6}}));
    }

    void sortMinMax() {
        // The same points with the second objective maximized: (6, 6) has the largest y.
        const std::vector<std::vector<double>> p{{1, 5},   {2, 2}, {5, 1}, {3, 3},
                                                 {2.5, 4}, {4, 4}, {6, 6}};
        const Fronts f = nonDominatedSort(p, {Direction::Minimize, Direction::Maximize});
        // Who dominates whom, by hand:
        //   0 (1,5): undominated.   6 (6,6): undominated.
        //   1 (2,2): dominated by 0.          4 (2.5,4): dominated by 0.
        //   3 (3,3): by 0, 4.                 5 (4,4): by 0, 4 (2.5<4, 4>=4).
        //   2 (5,1): by 0, 1, 3, 4, 5.
        QCOMPARE(f, (Fronts{{0, 6}, {1, 4}, {3, 5}, {2}}));
    }

    void sortMaxMaxAndEdgeCases() {
        const std::vector<Direction> xx{Direction::Maximize, Direction::Maximize};
        QCOMPARE(nonDominatedSort({{1, 1}, {2, 2}, {3, 0}}, xx), (Fronts{{1, 2}, {0}}));
        QCOMPARE(nonDominatedSort({}, xx), Fronts{});
        // Duplicates share a front.
        QCOMPARE(
            nonDominatedSort({{1, 1}, {1, 1}, {2, 2}}, {Direction::Minimize, Direction::Minimize}),
            (Fronts{{0, 1}, {2}}));
        // One objective: a total order, ties together.
        QCOMPARE(nonDominatedSort({{3}, {1}, {2}, {1}}, {Direction::Minimize}),
                 (Fronts{{1, 3}, {2}, {0}}));
    }

    void crowding() {
        // Front sorted by x: (0,10) (1,6) (3,3) (6,1) (10,0); ranges 10 and 10.
        const std::vector<std::vector<double>> front{{3, 3}, {0, 10}, {10, 0}, {1, 6}, {6, 1}};
        const std::vector<double> d = crowdingDistance(front);
        QCOMPARE(d.size(), std::size_t(5));
        QCOMPARE(d[1], inf);
        QCOMPARE(d[2], inf);
        // (1,6): x neighbours 0 and 3 -> 3/10; y neighbours 3 and 10 -> 7/10.
        QCOMPARE(d[3], 1.0);
        // (3,3): x 1 and 6 -> 5/10; y 1 and 6 -> 5/10.
        QCOMPARE(d[0], 1.0);
        // (6,1): x 3 and 10 -> 7/10; y 0 and 3 -> 3/10.
        QCOMPARE(d[4], 1.0);

        const std::vector<double> uneven = crowdingDistance({{0, 4}, {1, 2}, {4, 0}, {2, 1}});
        // sorted by x: 0,1,2,4 (range 4); by y: 0,1,2,4 (range 4)
        QCOMPARE(uneven[1], (2.0 - 0.0) / 4 + (4.0 - 1.0) / 4);
        QCOMPARE(uneven[3], (4.0 - 1.0) / 4 + (2.0 - 0.0) / 4);
        QCOMPARE(uneven[0], inf);
        QCOMPARE(uneven[2], inf);

        QCOMPARE(crowdingDistance({{1, 2}, {2, 1}}), (std::vector<double>{inf, inf}));
        QCOMPARE(crowdingDistance({}), std::vector<double>{});
        // A flat objective adds nothing (and no NaN).
        const std::vector<double> flat = crowdingDistance({{0, 5}, {1, 5}, {3, 5}});
        QCOMPARE(flat[1], 1.0);
    }

    void paretoFrontOfTrials() {
        const std::vector<Objective> objectives{{"a", Direction::Minimize},
                                                {"b", Direction::Maximize}};
        std::vector<Trial> trials{
            trial(0, TrialState::Complete, {{"a", 1}, {"b", 1}}),
            trial(1, TrialState::Complete, {{"a", 2}, {"b", 3}}),
            trial(2, TrialState::Complete, {{"a", 3}, {"b", 2}}), // dominated by 1
            trial(3, TrialState::Fail, {{"a", 0}, {"b", 9}}),     // would dominate: failed
            trial(4, TrialState::Pruned, {{"a", 0}, {"b", 9}}),
            trial(5, TrialState::Complete, {{"a", 0}}), // b missing
            trial(6, TrialState::Complete, {{"a", 0}, {"b", std::nan("")}}),
            trial(7, TrialState::Running, {}),
            trial(8, TrialState::Complete, {{"a", 1}, {"b", 1}, {"other", 5}}), // ties 0
        };
        const std::vector<Trial> front = paretoFront(trials, objectives);
        QCOMPARE(front.size(), std::size_t(3));
        QCOMPARE(front[0].number, 0);
        QCOMPARE(front[1].number, 1);
        QCOMPARE(front[2].number, 8);
        QVERIFY(paretoFront({}, objectives).empty());
        // Single objective: the best trials.
        const std::vector<Trial> best = paretoFront(trials, {{"a", Direction::Minimize}});
        QCOMPARE(best.size(), std::size_t(2)); // 5 and 6 have a = 0 and are complete
        QCOMPARE(best[0].number, 5);
        QCOMPARE(best[1].number, 6);
        // With a constraint, infeasible trials leave the front and what they hid comes back:
        // 1 is over the limit on b (and 8's "other" is fine), so 2 is no longer dominated.
        const std::vector<Constraint> cs{{"b", std::nullopt, 2.5}};
        const std::vector<Trial> feasible = paretoFront(trials, objectives, cs);
        QCOMPARE(feasible.size(), std::size_t(3));
        QCOMPARE(feasible[0].number, 0);
        QCOMPARE(feasible[1].number, 2);
        QCOMPARE(feasible[2].number, 8);
    }
};

QTEST_GUILESS_MAIN(TestPareto)
#include "tst_pareto.moc"
