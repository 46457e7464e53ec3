// Learning-rate schedules against PyTorch's formulas (METHODS.md 8.3): OneCycleLR's values at
// its first step, at the end of its warm-up phase and at its last step, cosine and linear end
// points, step decay per epoch, linear warm-up.

#include "core/execution/task.h"
#include "core/train/lr_schedule.h"

#include <QTest>
#include <algorithm>
#include <cmath>

using namespace ps;

namespace {

bool near(double a, double b, double rel = 1e-12) {
    return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

std::string dotsToSlashes(std::string path) {
    std::replace(path.begin(), path.end(), '.', '/');
    return path;
}

ScheduleConfig make(ScheduleKind kind, double lr, std::int64_t total) {
    ScheduleConfig c;
    c.kind = kind;
    c.lr = lr;
    c.totalSteps = total;
    return c;
}

} // namespace

class TestLrSchedule : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void oneCycleMatchesPyTorch() {
        // OneCycleLR(max_lr=0.1, total_steps=100): pct_start 0.3, div 25, final_div 1e4, cos
        const ScheduleConfig c = make(ScheduleKind::OneCycle, 0.1, 100);
        const auto first = scheduleAt(c, 0);
        QVERIFY(near(first.lr, 0.1 / 25));
        QVERIFY(near(*first.momentum, 0.95));
        const auto peak = scheduleAt(c, 29); // pct_start * T - 1: the end of the way up
        QVERIFY(near(peak.lr, 0.1));
        QVERIFY(near(*peak.momentum, 0.85));
        const auto last = scheduleAt(c, 99);
        QVERIFY(near(last.lr, 0.1 / (25 * 1e4)));
        QVERIFY(near(*last.momentum, 0.95));
        // In between, the values torch computes (checked with its formula in Python).
        QVERIFY(near(scheduleAt(c, 10).lr, 0.029516394846410082));
        QVERIFY(near(*scheduleAt(c, 10).momentum, 0.9234204220349895));
        QVERIFY(near(scheduleAt(c, 60).lr, 0.05892800902855288));
        QVERIFY(near(*scheduleAt(c, 60).momentum, 0.8910721552600681));
        QVERIFY(near(scheduleAt(c, 500).lr, last.lr)); // past the end: stays
    }

    void oneCycleThreePhases() {
        ScheduleConfig c = make(ScheduleKind::OneCycle, 0.1, 100);
        c.threePhase = true;
        QVERIFY(near(scheduleAt(c, 29).lr, 0.1));
        QVERIFY(near(scheduleAt(c, 58).lr, 0.1 / 25)); // back to the start symmetrically
        QVERIFY(near(*scheduleAt(c, 58).momentum, 0.95));
        QVERIFY(near(scheduleAt(c, 99).lr, 0.1 / 25 / 1e4)); // then annihilated
        c.cycleMomentum = false;
        QVERIFY(!scheduleAt(c, 10).momentum);
    }

    void cosineLinearStep() {
        ScheduleConfig cos = make(ScheduleKind::Cosine, 0.2, 101);
        cos.minLrFactor = 0.1;
        QVERIFY(near(scheduleAt(cos, 0).lr, 0.2));
        QVERIFY(near(scheduleAt(cos, 50).lr, (0.2 + 0.02) / 2));
        QVERIFY(near(scheduleAt(cos, 100).lr, 0.02));
        QVERIFY(!scheduleAt(cos, 3).momentum);

        const ScheduleConfig lin = make(ScheduleKind::Linear, 1.0, 11);
        QVERIFY(near(scheduleAt(lin, 5).lr, 0.5));
        QVERIFY(std::abs(scheduleAt(lin, 10).lr) < 1e-15);

        ScheduleConfig step = make(ScheduleKind::Step, 1.0, 100);
        step.stepsPerEpoch = 10;
        step.stepEpochs = 3;
        step.gamma = 0.5;
        QVERIFY(near(scheduleAt(step, 29).lr, 1.0));  // epoch 2
        QVERIFY(near(scheduleAt(step, 30).lr, 0.5));  // epoch 3
        QVERIFY(near(scheduleAt(step, 65).lr, 0.25)); // epoch 6
    }

    void warmupRampsAnyKind() {
        ScheduleConfig c = make(ScheduleKind::Constant, 0.4, 50);
        c.warmupSteps = 4;
        QVERIFY(near(scheduleAt(c, 0).lr, 0.1));
        QVERIFY(near(scheduleAt(c, 3).lr, 0.4));
        QVERIFY(near(scheduleAt(c, 4).lr, 0.4));
    }

    void badInputIsRefused() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, scheduleKindFromText("exp"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 scheduleAt(make(ScheduleKind::Constant, 1, 0), 0));
        QCOMPARE(scheduleKindFromText("onecycle"), ScheduleKind::OneCycle);
    }

    // The classify task and the curves analysis read the same settings into a schedule.
    void readFromTaskSettings() {
        const TaskCatalog catalog = TaskCatalog::withBuiltins();
        const TaskSpec* classify = catalog.spec("classify");
        QVERIFY(classify);
        Json settings = Json::object();
        for (const auto& s : classify->settings)
            settings[Json::json_pointer("/" + dotsToSlashes(s.path))] = s.defaultValue;
        settings["optimizer"]["lr"] = 0.2;
        settings["schedule"]["kind"] = "onecycle";
        settings["schedule"]["three_phase"] = true;
        const ScheduleConfig c = scheduleFromSettings(settings);
        QCOMPARE(c.kind, ScheduleKind::OneCycle);
        QCOMPARE(c.lr, 0.2);
        QVERIFY(c.threePhase);
        QCOMPARE(c.divFactor, 25.0); // the declared defaults, as PyTorch's
        QCOMPARE(c.finalDivFactor, 1e4);
        QCOMPARE(c.pctStart, 0.3);

        const auto refusal = [&](const char* key, Json value) -> QString {
            Json bad = settings;
            if (value.is_null())
                bad["schedule"].erase(key);
            else
                bad["schedule"][key] = value;
            try {
                scheduleFromSettings(bad);
            } catch (const std::invalid_argument& e) {
                return e.what();
            }
            return {};
        };
        QCOMPARE(refusal("pct_start", nullptr), QString("setting 'schedule.pct_start' is missing"));
        QCOMPARE(refusal("warmup_steps", 1.5),
                 QString("setting 'schedule.warmup_steps' is not an integer: 1.5"));
        QVERIFY(refusal("kind", "exp").startsWith("setting 'schedule.kind': schedule 'exp'"));
    }
};

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "tst_lr_schedule.moc"
