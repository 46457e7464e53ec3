// Learning curves grouped and averaged over seeds: known means and standard deviations per
// step, the latest attempt of a resumed trial, automatic grouping that leaves seeds out, the
// `where` filter, and clear errors for what is missing.

#include "core/analysis/curve_groups.h"

#include <QTest>
#include <cmath>
#include <map>

using namespace ps;

namespace {

struct Study {
    std::vector<Trial> trials;
    std::map<std::int64_t, std::vector<MetricPoint>> points;

    // A complete trial with `values` of "val_acc" at steps 1, 2, ... (attempt 1).
    Trial& add(Json params, std::vector<double> values) {
        Trial t;
        t.id = static_cast<std::int64_t>(trials.size()) + 1;
        t.number = static_cast<int>(trials.size());
        t.state = TrialState::Complete;
        t.params = std::move(params);
        for (std::size_t i = 0; i < values.size(); ++i)
            points[t.id].push_back(
                {0, t.id, 1, static_cast<std::int64_t>(i + 1), "val_acc", values[i]});
        points[t.id].push_back({0, t.id, 1, 1, "val_loss", 9.0}); // another metric, ignored
        trials.push_back(std::move(t));
        return trials.back();
    }

    CurveGroups run(CurveGroupOptions o) const {
        return curveGroups(
            trials, [&](const Trial& t) { return points.at(t.id); }, o);
    }
};

// onecycle and constant, three seeds each; the values are chosen so the means are exact.
Study scheduleStudy() {
    Study s;
    s.add({{"schedule.kind", "onecycle"}, {"seed", 0}}, {0.70, 0.80, 0.90});
    s.add({{"schedule.kind", "constant"}, {"seed", 0}}, {0.60, 0.70, 0.80});
    s.add({{"schedule.kind", "onecycle"}, {"seed", 1}}, {0.72, 0.82, 0.88});
    s.add({{"schedule.kind", "constant"}, {"seed", 1}}, {0.62, 0.72, 0.82});
    s.add({{"schedule.kind", "onecycle"}, {"seed", 2}}, {0.74, 0.84, 0.92});
    s.add({{"schedule.kind", "constant"}, {"seed", 2}}, {0.64, 0.74, 0.78});
    return s;
}

bool near(double a, double b) {
    return std::abs(a - b) < 1e-12;
}

} // namespace

class TestCurveGroups : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void meansAndSpreadPerStep() {
        const Study s = scheduleStudy();
        CurveGroupOptions o;
        o.metric = "val_acc";
        const CurveGroups g = s.run(o);
        QCOMPARE(g.group, std::vector<std::string>{"schedule.kind"}); // seed is averaged over
        QCOMPARE(g.groups.size(), std::size_t(2));
        const CurveGroup& one = g.groups[0];
        QCOMPARE(one.key, std::string("schedule.kind=onecycle"));
        QCOMPARE(one.trials, (std::vector<int>{0, 2, 4}));
        QCOMPARE(one.steps, (std::vector<std::int64_t>{1, 2, 3}));
        QVERIFY(near(one.mean[0], 0.72));
        QVERIFY(near(one.sd[0], 0.02)); // sample sd of 0.70, 0.72, 0.74
        QVERIFY(near(one.min[2], 0.88));
        QVERIFY(near(one.max[2], 0.92));
        QCOMPARE(one.count, (std::vector<int>{3, 3, 3}));
        // no final metric stored: the last point of each curve
        QVERIFY(near(one.finalMean, 0.90));
        QVERIFY(near(one.finalSd, 0.02));
        QCOMPARE(one.finalCount, 3);
        QVERIFY(near(g.groups[1].finalMean, 0.80));
    }

    void finalValuesAndLatestAttempt() {
        Study s = scheduleStudy();
        s.trials[0].values["val_acc"] = 0.95; // the trial's final metric wins over its last point
        // trial 1 was resumed: attempt 2 re-reported step 3 differently
        s.points[s.trials[1].id].push_back({0, s.trials[1].id, 2, 3, "val_acc", 0.50});
        s.points[s.trials[1].id].push_back({0, s.trials[1].id, 2, 2, "val_acc", 0.70});
        CurveGroupOptions o;
        o.metric = "val_acc";
        const CurveGroups g = s.run(o);
        QVERIFY(near(g.groups[0].finalMean, (0.95 + 0.88 + 0.92) / 3));
        const CurveGroup& constant = g.groups[1];
        QCOMPARE(constant.count, (std::vector<int>{2, 3, 3})); // attempt 2 has no step 1
        QVERIFY(near(constant.mean[2], (0.50 + 0.82 + 0.78) / 3));
    }

    void explicitGroupsAndWhere() {
        Study s = scheduleStudy();
        s.trials[3].state = TrialState::Pruned; // only complete trials count
        CurveGroupOptions o;
        o.metric = "val_acc";
        o.group = {"seed"};
        o.average = {};
        o.where = {{"schedule.kind", "constant"}};
        const CurveGroups g = s.run(o);
        QCOMPARE(g.groups.size(), std::size_t(2));
        QCOMPARE(g.groups[0].key, std::string("seed=0"));
        QCOMPARE(g.groups[1].key, std::string("seed=2"));
        QVERIFY(g.groups[1].values == (Json{{"seed", 2}}));
        QVERIFY(near(g.groups[1].sd[0], 0.0));
    }

    void oneGroupWhenNothingVaries() {
        Study s;
        s.add({{"seed", 0}}, {1, 2});
        s.add({{"seed", 1}}, {3, 4});
        CurveGroupOptions o;
        o.metric = "val_acc";
        const CurveGroups g = s.run(o);
        QCOMPARE(g.groups.size(), std::size_t(1));
        QCOMPARE(g.groups[0].key, std::string("all trials"));
        QVERIFY(near(g.groups[0].mean[1], 3.0));
    }

    void errorsNameWhatIsMissing() {
        const Study s = scheduleStudy();
        const auto message = [&](CurveGroupOptions o) -> QString {
            try {
                s.run(o);
            } catch (const std::invalid_argument& e) {
                return e.what();
            }
            return {};
        };
        CurveGroupOptions o;
        o.metric = "train_loss";
        QVERIFY(message(o).contains("reported metric 'train_loss'"));
        o.metric = "val_acc";
        o.group = {"optimizer.lr"};
        QVERIFY(message(o).contains("parameter 'optimizer.lr' to group by"));
        o.group = {};
        o.where = {{"schedule.kind", "cosine"}};
        QVERIFY(message(o).contains("matching {\"schedule.kind\":\"cosine\"}"));
    }
};

QTEST_APPLESS_MAIN(TestCurveGroups)
#include "tst_curve_groups.moc"
