// The explorer's filter expressions: comparisons on parameters, metrics, state and number;
// and/or/not with their precedence; lists; missing values; and errors that say where.

#include "core/explore/trial_filter.h"

#include <QTest>

using namespace ps;

namespace {

Trial trial(int number, double lr, const char* opt, std::optional<double> loss,
            TrialState state = TrialState::Complete) {
    Trial t;
    t.id = number + 1;
    t.number = number;
    t.state = state;
    t.params = {
        {"optimizer.lr", lr}, {"optimizer.kind", opt}, {"augment.flip.enabled", number % 2 == 1}};
    if (loss)
        t.values["val_loss"] = *loss;
    return t;
}

bool keeps(const char* text, const Trial& t) {
    return TrialFilter::parse(text).matches(t);
}

QString error(const char* text) {
    try {
        TrialFilter::parse(text);
    } catch (const FilterError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestTrialFilter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void comparisons() {
        const Trial a = trial(0, 1e-3, "adam", 0.4);
        QVERIFY(keeps("val_loss < 0.5", a));
        QVERIFY(!keeps("val_loss > 0.5", a));
        QVERIFY(keeps("val_loss <= 0.4 and val_loss >= 0.4", a));
        QVERIFY(keeps("optimizer.lr == 1e-3", a));
        QVERIFY(keeps("optimizer.lr = 0.001", a)); // a single = reads as ==
        QVERIFY(keeps("optimizer.kind == \"adam\"", a));
        QVERIFY(keeps("optimizer.kind != 'sgd'", a));
        QVERIFY(keeps("optimizer.kind in ['sgd', \"adam\"]", a));
        QVERIFY(!keeps("optimizer.kind in ['sgd']", a));
        QVERIFY(keeps("state == 'COMPLETE' and number = 0", a));
        QVERIFY(keeps("state in ['COMPLETE', 'PRUNED']", a));
        QVERIFY(keeps("optimizer.lr > -1", a));
    }

    void booleansAndLogic() {
        const Trial even = trial(0, 1e-2, "sgd", 0.9), odd = trial(1, 1e-2, "sgd", 0.9);
        QVERIFY(keeps("augment.flip.enabled", odd));
        QVERIFY(!keeps("augment.flip.enabled", even));
        QVERIFY(keeps("augment.flip.enabled == false", even));
        QVERIFY(keeps("not augment.flip.enabled", even));
        // and binds tighter than or
        QVERIFY(keeps("val_loss < 0.5 and number == 5 or optimizer.kind == 'sgd'", even));
        QVERIFY(!keeps("val_loss < 0.5 and (number == 5 or optimizer.kind == 'sgd')", even));
        QVERIFY(keeps("!(val_loss < 0.5) && optimizer.lr >= 0.01 || false", even));
    }

    void missingValuesCompareFalse() {
        const Trial running = trial(2, 1e-3, "adam", std::nullopt, TrialState::Running);
        QVERIFY(!keeps("val_loss < 0.5", running));
        QVERIFY(!keeps("val_loss >= 0.5", running));
        QVERIFY(keeps("not (val_loss >= 0.5)", running));
        QVERIFY(!keeps("no_such_thing == 1", running));
        QVERIFY(!keeps("optimizer.kind < 3", running));      // a string against a number
        QVERIFY(TrialFilter::parse("   ").matches(running)); // blank: everything
        QVERIFY(TrialFilter::parse("").empty());
        const TrialFilter f =
            TrialFilter::parse("val_loss < 1 and optimizer.kind == 'x' or val_loss > 2");
        QCOMPARE(f.names(), (std::vector<std::string>{"val_loss", "optimizer.kind"}));
    }

    void errorsSayWhere() {
        QVERIFY2(error("val_loss <").contains("expected a name or a value at the end"),
                 qPrintable(error("val_loss <")));
        QVERIFY(error("val_loss < 0.5 )").contains("unexpected ')'"));
        QVERIFY(error("val_loss < 0.5 )").contains("character 16"));
        QVERIFY(error("(val_loss < 0.5").contains("'(' is not closed"));
        QVERIFY(error("kind == 'adam").contains("string is not closed"));
        QVERIFY(error("kind in 'adam'").contains("'in' needs a list"));
        QVERIFY(error("kind in ['a' 'b']").contains("expected ',' or ']'"));
        QVERIFY(error("val_loss ~ 1").contains("unexpected character '~'"));
        QVERIFY(error("val_loss < and").contains("not 'and'"));
    }
};

QTEST_APPLESS_MAIN(TestTrialFilter)
#include "tst_trial_filter.moc"
