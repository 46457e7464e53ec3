// Trials as a numeric table: log columns, choices as indices, inactive parameters as NaN,
// only finished rows with a finite metric.
#include "core/analysis/param_table.h"

#include <QtTest>
#include <cmath>

using namespace ps;

class TestParamTable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    static ParamSpec param(const std::string& name, ParamType type, double low = 0, double high = 0,
                           bool log = false) {
        ParamSpec p;
        p.name = name;
        p.type = type;
        p.low = low;
        p.high = high;
        p.log = log;
        return p;
    }

    void encodesEveryKind() {
        SearchSpace space;
        space.params.push_back(param("lr", ParamType::Float, 1e-4, 1e-1, true));
        space.params.push_back(param("width", ParamType::Int, 16, 256));
        ParamSpec opt = param("opt", ParamType::Categorical);
        opt.choices = {"sgd", "adam"};
        space.params.push_back(opt);
        ParamSpec momentum = param("momentum", ParamType::Float, 0, 0.9);
        momentum.when = {{"opt", "sgd"}};
        space.params.push_back(momentum);
        ParamSpec fixed = param("seed", ParamType::Categorical);
        fixed.choices = {7};
        fixed.fixed = true;
        space.params.push_back(fixed);

        std::vector<Trial> trials(4);
        trials[0].params = {{"lr", 1e-2}, {"width", 64}, {"opt", "adam"}, {"seed", 7}};
        trials[0].values = {{"val_loss", 0.5}};
        trials[0].state = TrialState::Complete;
        trials[1].params = {{"lr", 1e-3}, {"width", 32}, {"opt", "sgd"}, {"momentum", 0.5}};
        trials[1].values = {{"val_loss", 0.7}};
        trials[1].state = TrialState::Complete;
        trials[1].number = 1;
        trials[2] = trials[1];
        trials[2].state = TrialState::Pruned;
        trials[2].number = 2;
        trials[3] = trials[1];
        trials[3].values = {{"val_loss", NAN}};
        trials[3].number = 3;

        const ParamTable t = paramTable(space, trials, "val_loss");
        QCOMPARE(t.dims(), std::size_t(4)); // the fixed seed is left out
        QCOMPARE(t.rows(), std::size_t(2)); // pruned and NaN rows are left out
        QCOMPARE(t.trialNumbers, (std::vector<int>{0, 1}));
        QCOMPARE(t.at(0, 0), std::log(1e-2));
        QCOMPARE(t.columns[0].low, std::log(1e-4));
        QCOMPARE(t.at(0, 1), 64.0);
        QCOMPARE(t.at(0, 2), 1.0);       // adam is choice 1
        QVERIFY(std::isnan(t.at(0, 3))); // momentum inactive under adam
        QCOMPARE(t.at(1, 3), 0.5);
        QCOMPARE(t.columns[0].decode(std::log(1e-3)).get<double>(), 1e-3);
        QCOMPARE(t.columns[2].decode(0.2), Json("sgd"));
        QCOMPARE(t.columnOf("momentum"), 3);

        ParamTableOptions withPruned;
        withPruned.states = {TrialState::Complete, TrialState::Pruned};
        QCOMPARE(paramTable(space, trials, "val_loss", withPruned).rows(), std::size_t(3));

        trials[0].params["opt"] = "rmsprop";
        try {
            paramTable(space, trials, "val_loss");
            QFAIL("an unknown choice must be refused");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("parameter 'opt'") != std::string::npos, e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestParamTable)
#include "tst_param_table.moc"
