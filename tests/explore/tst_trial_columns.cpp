// The explorer's columns: dimensions from the space and the objectives, categorical indices,
// log and linear positions, in-place updates as trials arrive and change, parameters and
// categories the space did not declare, and brushing on ranges.

#include "../core/test_util.h"
#include "core/explore/trial_columns.h"

#include <QTest>
#include <cmath>

using namespace ps;

namespace {

SearchSpace space() {
    SearchSpace s;
    s.params = {test::floatParam("lr", 1e-4, 1e-1, true), test::intParam("width", 16, 512),
                test::categoricalParam("opt", {"sgd", "adam"})};
    return s;
}

Trial trial(std::int64_t id, double lr, int width, const char* opt, std::optional<double> loss,
            TrialState state = TrialState::Complete) {
    Trial t;
    t.id = id;
    t.number = static_cast<int>(id) - 1;
    t.state = state;
    t.params = {{"lr", lr}, {"width", width}, {"opt", opt}};
    if (loss) {
        t.value = *loss;
        t.values["val_loss"] = *loss;
    }
    return t;
}

bool near(double a, double b) {
    return std::abs(a - b) < 1e-12;
}

} // namespace

class TestTrialColumns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void layoutAndPositions() {
        TrialColumns c;
        c.setLayout(space(), {{"val_loss", Direction::Minimize}});
        QCOMPARE(c.dimensions(), std::size_t(4));
        QCOMPARE(c.dimension(0).scale, AxisScale::Log);
        QCOMPARE(c.dimension(1).scale, AxisScale::Linear);
        QCOMPARE(c.dimension(2).scale, AxisScale::Categorical);
        QVERIFY(c.dimension(3).objective);
        const auto u = c.apply({trial(1, 1e-4, 16, "adam", 0.5), trial(2, 1e-2, 512, "sgd", 0.3),
                                trial(3, 1e-3, 264, "adam", std::nullopt, TrialState::Running)});
        QCOMPARE(u.added, (std::vector<std::size_t>{0, 1, 2}));
        QVERIFY(u.dimensionsChanged);
        QCOMPARE(c.rows(), std::size_t(3));
        QVERIFY(near(c.value(0, 2), 1.0)); // "adam" is category 1
        QVERIFY(near(c.position(0, 2), 0.75));
        QVERIFY(near(c.position(1, 2), 0.25));
        QVERIFY(near(c.position(2, 0), 0.5));  // 1e-3 halfway between 1e-4 and 1e-2 in log
        QVERIFY(near(c.position(2, 1), 0.5));  // 264 halfway between 16 and 512
        QVERIFY(std::isnan(c.position(2, 3))); // no loss yet
        QVERIFY(near(c.valueAt(0, 0.5), 1e-3));
        QCOMPARE(c.rowOf(3), 2LL);
        QCOMPARE(c.rowOf(99), -1LL);
        QCOMPARE(c.dimension(2).label(1), std::string("adam"));
    }

    void changesUpdateRowsInPlace() {
        TrialColumns c;
        c.setLayout(space(), {{"val_loss", Direction::Minimize}});
        c.apply({trial(1, 1e-3, 32, "sgd", std::nullopt, TrialState::Running)});
        auto u = c.apply({trial(1, 1e-3, 32, "sgd", 0.25)}); // finished
        QVERIFY(u.added.empty());
        QCOMPARE(u.changed, std::vector<std::size_t>{0});
        QCOMPARE(c.state(0), TrialState::Complete);
        QVERIFY(near(c.value(0, 3), 0.25));
        u = c.apply({trial(1, 1e-3, 32, "sgd", 0.25)}); // a heartbeat: nothing shown changed
        QVERIFY(u.changed.empty());
        QVERIFY(!u.dimensionsChanged);
    }

    void undeclaredParametersAndCategories() {
        TrialColumns c;
        c.setLayout(space(), {{"val_loss", Direction::Minimize}});
        c.apply({trial(1, 1e-3, 32, "sgd", 0.1)});
        Trial t = trial(2, 1e-3, 32, "rmsprop", 0.2); // a category the space does not declare
        t.params["dropout"] = 0.3;                    // and a parameter it does not know
        const auto u = c.apply({t});
        QVERIFY(u.dimensionsChanged);
        QCOMPARE(c.dimensions(), std::size_t(5));
        QCOMPARE(c.dimension(3).name, std::string("dropout")); // in front of the objective
        QVERIFY(c.dimension(4).objective);
        QVERIFY(std::isnan(c.value(0, 3))); // trial 1 has no dropout
        QVERIFY(near(c.value(1, 3), 0.3));
        QCOMPARE(c.dimension(2).categories.size(), std::size_t(3));
        QVERIFY(near(c.value(1, 2), 2.0));
        QVERIFY(near(c.value(1, 4), 0.2));
    }

    void brushesIntersect() {
        TrialColumns c;
        c.setLayout(space(), {{"val_loss", Direction::Minimize}});
        c.apply({trial(1, 1e-4, 16, "adam", 0.5), trial(2, 1e-2, 512, "sgd", 0.3),
                 trial(3, 1e-3, 264, "adam", 0.1), trial(4, 1e-3, 64, "adam", std::nullopt)});
        QCOMPARE(brushedRows(c, {}), (std::vector<std::uint8_t>{1, 1, 1, 1}));
        // adam only (category 1), then also lr in [5e-4, 2e-3]
        QCOMPARE(brushedRows(c, {{2, 1, 1}}), (std::vector<std::uint8_t>{1, 0, 1, 1}));
        QCOMPARE(brushedRows(c, {{2, 1, 1}, {0, 2e-3, 5e-4}}),
                 (std::vector<std::uint8_t>{0, 0, 1, 1}));
        // a missing loss is outside any loss brush
        QCOMPARE(brushedRows(c, {{3, 0, 1}}), (std::vector<std::uint8_t>{1, 1, 1, 0}));
    }
};

QTEST_APPLESS_MAIN(TestTrialColumns)
#include "tst_trial_columns.moc"
