// Augmentation sensitivity (Awais et al.) on a synthetic study: A helps in every setting, B's
// effect flips sign between settings, C does nothing; built directly and from a ParamTable.
#include "core/analysis/augment_sensitivity.h"

#include <QtTest>
#include <cmath>
#include <limits>
#include <stdexcept>

using namespace ps;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per setting: the objective's base and the true effects of A and B (C's is 0).
struct Setting {
    double lr;
    int kind; // 0 adam, 1 sgd
    double base, a, b;
};
const Setting kSettings[] = {{1e-3, 0, 0.80, 0.05, 0.05},
                             {1e-3, 1, 0.70, 0.06, -0.05},
                             {1e-2, 0, 0.75, 0.04, 0.04},
                             {1e-2, 1, 0.60, 0.05, -0.06}};

// Every policy of A, B, C twice per setting, with a small deterministic noise.
template <class F> void forEachTrial(F&& f) {
    int i = 0;
    for (const Setting& s : kSettings)
        for (int rep = 0; rep < 2; ++rep)
            for (int policy = 0; policy < 8; ++policy, ++i) {
                const bool a = policy & 1, b = policy & 2, c = policy & 4;
                const double noise = 0.002 * std::sin(1.7 * i);
                f(s, a, b, c, s.base + s.a * a + s.b * b + noise, i);
            }
}

AugmentData synthetic() {
    AugmentData d;
    d.augmentations = {"A", "B", "C"};
    d.metric = "accuracy";
    forEachTrial([&](const Setting& s, bool a, bool b, bool c, double y, int i) {
        AugmentObservation o;
        o.setting = "lr=" + std::to_string(s.lr) + (s.kind ? " sgd" : " adam");
        o.on = {a, b, c};
        o.objective = y;
        o.trialNumber = i;
        d.observations.push_back(o);
    });
    return d;
}

ParamColumn column(const std::string& name, ParamType type, std::vector<Json> choices = {}) {
    ParamColumn c;
    c.name = name;
    c.type = type;
    c.choices = std::move(choices);
    return c;
}

// The same study as trials: lr (log), kind, three switches and B's strength, active when B is.
ParamTable syntheticTable() {
    ParamTable t;
    t.metric = "accuracy";
    ParamColumn lr = column("optimizer.lr", ParamType::Float);
    lr.log = true;
    t.columns = {lr,
                 column("optimizer.kind", ParamType::Categorical, {"adam", "sgd"}),
                 column("augment.A.enabled", ParamType::Categorical, {true, false}),
                 column("augment.B.enabled", ParamType::Categorical, {true, false}),
                 column("augment.B.strength", ParamType::Float),
                 column("augment.C.enabled", ParamType::Categorical, {"false", "true"})};
    forEachTrial([&](const Setting& s, bool a, bool b, bool c, double y, int i) {
        t.x.insert(t.x.end(), {std::log(s.lr), double(s.kind), a ? 0.0 : 1.0, b ? 0.0 : 1.0,
                               b ? 0.1 * (i % 5) : kNaN, c ? 1.0 : 0.0});
        t.y.push_back(y);
        t.trialNumbers.push_back(i);
    });
    return t;
}

template <class F> std::string errorOf(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no std::invalid_argument)";
}

void checkRanking(const AugmentSensitivity& r) {
    QCOMPARE(r.scores.size(), std::size_t(3));
    const AugmentScore &a = r.scores[0], &b = r.scores[1], &c = r.scores[2];
    QCOMPARE(a.augmentation, std::string("A"));
    // A: same sign everywhere; B: two settings each way; C: no effect.
    QCOMPARE(a.consistency, 1.0);
    QCOMPARE(a.majoritySign, 1);
    QCOMPARE(b.consistency, 0.5);
    QCOMPARE(b.majoritySign, 0);
    QVERIFY(b.sensitivity > 5 * a.sensitivity);
    QVERIFY(b.sensitivity > 5 * c.sensitivity);
    QVERIFY(a.influence > 10 * c.influence);
    QVERIFY(b.influence > 10 * c.influence);
    QVERIFY(a.reliability > b.reliability);
    QVERIFY(b.reliability > c.reliability);
    QCOMPARE(a.settings, std::size_t(4));
}

} // namespace

class TestAugmentSensitivity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ranksConsistentSensitiveAndInert() {
        const AugmentSensitivity r = augmentSensitivity(synthetic());
        checkRanking(r);
        // The heatmap: least squares recovers each setting's effects.
        QCOMPARE(r.settings.size(), std::size_t(4));
        for (std::size_t k = 0; k < 4; ++k) {
            QCOMPARE(r.settings[k].trials, std::size_t(16));
            QVERIFY(std::abs(r.settings[k].weights[0] - kSettings[k].a) < 0.003);
            QVERIFY(std::abs(r.settings[k].weights[1] - kSettings[k].b) < 0.003);
            QVERIFY(std::abs(r.settings[k].weights[2]) < 0.003);
            QVERIFY(r.settings[k].score > 0.99);
        }
        // The formulas on the true effects, up to the noise.
        QVERIFY(std::abs(r.scores[0].influence - 0.05) < 0.002);
        QVERIFY(std::abs(r.scores[0].sensitivity - 0.005) < 0.002);
        QVERIFY(std::abs(r.scores[1].meanWeight + 0.005) < 0.002);
        QVERIFY(std::abs(r.scores[1].sensitivity - 0.05) < 0.002);
        QVERIFY(std::abs(r.scores[1].reliability - 0.5 * 0.05) < 0.002);
        QVERIFY(r.skippedSettings.empty());
    }

    void limeFitRanksTheSame() {
        AugmentSensitivityOptions o;
        o.fit = AugmentFit::Lime;
        const AugmentSensitivity r = augmentSensitivity(synthetic(), o);
        checkRanking(r);
        // Ridge(1) on 16 kernel-weighted trials shrinks every weight a good deal, alike.
        QVERIFY(r.settings[0].weights[0] > 0.02 && r.settings[0].weights[0] < 0.05);
    }

    void fromParamTable() {
        const AugmentData d = augmentData(syntheticTable());
        QCOMPARE(d.augmentations, (std::vector<std::string>{"A", "B", "C"}));
        QCOMPARE(d.observations.size(), std::size_t(64));
        QCOMPARE(d.settingValues.size(), std::size_t(4)); // B's strength does not split them
        QCOMPARE(d.observations[0].setting, std::string("optimizer.lr=0.001, optimizer.kind=adam"));
        QCOMPARE(d.settingValues.at("optimizer.lr=0.001, optimizer.kind=adam")["optimizer.kind"],
                 Json("adam"));
        QCOMPARE(d.observations[3].on, (std::vector<bool>{true, true, false}));
        QCOMPARE(d.observations[4].on, (std::vector<bool>{false, false, true}));
        const AugmentSensitivity r = augmentSensitivity(d);
        checkRanking(r);
        QCOMPARE(r.metric, std::string("accuracy"));
        QCOMPARE(r.settings[0].values["optimizer.lr"].get<double>(), std::exp(std::log(1e-3)));
        // Explicit columns: the setting by the optimizer alone pools the two learning rates.
        AugmentColumns c;
        c.setting = {"optimizer.kind"};
        QCOMPARE(augmentData(syntheticTable(), c).settingValues.size(), std::size_t(2));
        c.switches = {"augment.A.enabled"};
        const AugmentData onlyA = augmentData(syntheticTable(), c);
        QCOMPARE(onlyA.augmentations, (std::vector<std::string>{"A"}));
    }

    void unidentifiedWeightIsLeftOut() {
        // A fifth setting that never turns C on says nothing about C.
        AugmentData d = synthetic();
        for (int policy = 0; policy < 8; ++policy) {
            AugmentObservation o;
            o.setting = "fifth";
            o.on = {bool(policy & 1), bool(policy & 2), false};
            o.objective = 0.5 + 0.05 * o.on[0];
            d.observations.push_back(o);
        }
        const AugmentSensitivity r = augmentSensitivity(d);
        QCOMPARE(r.settings.size(), std::size_t(5));
        QVERIFY(std::isnan(r.settings[4].weights[2]));
        QCOMPARE(r.scores[2].settings, std::size_t(4));
        QCOMPARE(r.scores[0].settings, std::size_t(5));
        const Json j = toJson(r);
        QVERIFY(j["settings"][4]["weights"][2].is_null());
        QCOMPARE(j["scores"].size(), std::size_t(3));
        QCOMPARE(j["scores"][1]["augmentation"], Json("B"));
        QVERIFY(j["scores"][1].contains("sensitivity"));
        QVERIFY(j["scores"][1].contains("consistency"));
        QVERIFY(j["scores"][1].contains("influence"));
    }

    void smallSettingsAreSkipped() {
        AugmentData d = synthetic();
        AugmentObservation o;
        o.setting = "lonely";
        o.on = {true, false, false};
        o.objective = 0.1;
        d.observations.push_back(o);
        const AugmentSensitivity r = augmentSensitivity(d);
        QCOMPARE(r.skippedSettings, (std::vector<std::string>{"lonely"}));
        QCOMPARE(r.settings.size(), std::size_t(4));
    }

    void badInput() {
        AugmentData d = synthetic();
        d.augmentations.clear();
        QVERIFY(errorOf([&] { augmentSensitivity(d); }).find("no augmentations") !=
                std::string::npos);
        d = synthetic();
        d.observations.resize(1);
        QVERIFY(errorOf([&] { augmentSensitivity(d); }).find("1 observations") !=
                std::string::npos);
        d = synthetic();
        d.observations[5].on.pop_back();
        QVERIFY(errorOf([&] {
                    augmentSensitivity(d);
                }).find("observation 5 has 2 flags for 3 augmentations") != std::string::npos);
        d = synthetic();
        AugmentSensitivityOptions o;
        o.minTrialsPerSetting = 17;
        QVERIFY(errorOf([&] {
                    augmentSensitivity(d, o);
                }).find("no hyperparameter setting has 17 trials") != std::string::npos);

        ParamTable t = syntheticTable();
        ParamTable noSwitches;
        noSwitches.columns = {t.columns[0], t.columns[1]};
        for (std::size_t i = 0; i < t.rows(); ++i) {
            noSwitches.x.insert(noSwitches.x.end(), {t.at(i, 0), t.at(i, 1)});
            noSwitches.y.push_back(t.y[i]);
        }
        QVERIFY(errorOf([&] { augmentData(noSwitches); }).find("no augmentation switch columns") !=
                std::string::npos);
        ParamTable oneRow = t;
        oneRow.y.resize(1);
        oneRow.x.resize(t.dims());
        QVERIFY(errorOf([&] { augmentData(oneRow); }).find("1 rows") != std::string::npos);
        AugmentColumns c;
        c.switches = {"augment.D.enabled"};
        QVERIFY(errorOf([&] { augmentData(t, c); }).find("no column 'augment.D.enabled'") !=
                std::string::npos);
        c.switches = {"optimizer.kind"};
        c.setting.clear();
        QVERIFY(errorOf([&] { augmentData(t, c); }).find("\"adam\", which is not a boolean") !=
                std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestAugmentSensitivity)
#include "tst_augment_sensitivity.moc"
