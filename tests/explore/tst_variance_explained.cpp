// The cheap importance the explorer orders its axes by: a U-shaped effect counts, a parameter
// without effect scores near 0, a categorical one by its categories, too few trials or no
// objective leave a parameter out, and the ordering keeps unscored parameters in place.

#include "../core/test_util.h"
#include "core/explore/category_jitter.h"
#include "core/explore/variance_explained.h"

#include <QTest>
#include <cmath>

using namespace ps;

namespace {

SearchSpace space() {
    SearchSpace s;
    s.params = {test::floatParam("noise", 0, 1), test::floatParam("lr", 1e-4, 1e-1, true),
                test::categoricalParam("opt", {"sgd", "adam"}), test::floatParam("unused", 0, 1)};
    return s;
}

// The loss has an optimum inside the lr range (U-shaped), a small offset for sgd, and no
// dependence on `noise`; `unused` is never sampled.
std::vector<Trial> trials(int n) {
    std::vector<Trial> out;
    for (int i = 0; i < n; ++i) {
        Trial t;
        t.id = i + 1;
        t.number = i;
        t.state = TrialState::Complete;
        const double lr = std::pow(10.0, -4.0 + 3.0 * double((i * 37) % n) / double(n - 1));
        const bool sgd = i % 2 == 0;
        t.params = {{"noise", double((i * 53) % n) / n}, {"lr", lr}, {"opt", sgd ? "sgd" : "adam"}};
        t.values["loss"] = std::pow(std::log10(lr) + 2.5, 2) + (sgd ? 0.5 : 0.0);
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace

class TestVarianceExplained : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ranksAUShapedEffectFirst() {
        TrialColumns c;
        c.setLayout(space(), {{"loss", Direction::Minimize}});
        c.apply(trials(200));
        const auto importance = varianceExplained(c);
        QVERIFY(importance.at("lr") > 0.7); // a rank correlation would see almost nothing
        QVERIFY(importance.at("noise") < 0.1);
        QVERIFY(importance.at("opt") > importance.at("noise"));
        QVERIFY(!importance.count("unused")); // no values
        QVERIFY(!importance.count("loss"));   // objectives are not parameters
        // lr, opt, noise by score; unused, unscored, last
        QCOMPARE(parametersByImportance(c, importance), (std::vector<std::size_t>{1, 2, 0, 3}));
        QCOMPARE(parametersByImportance(c, {}), (std::vector<std::size_t>{0, 1, 2, 3}));
    }

    void needsCompleteTrialsAndAnObjective() {
        TrialColumns c;
        c.setLayout(space(), {{"loss", Direction::Minimize}});
        auto three = trials(3);
        c.apply(three);
        QVERIFY(varianceExplained(c).empty()); // fewer than 4 values
        auto running = trials(20);
        for (Trial& t : running)
            t.state = TrialState::Running;
        c.clear();
        c.apply(running);
        QVERIFY(varianceExplained(c).empty());
        TrialColumns noObjective;
        noObjective.setLayout(space(), {});
        noObjective.apply(trials(20));
        QVERIFY(varianceExplained(noObjective).empty());
    }

    void jitterStaysInsideItsCategory() {
        // one function for every view: a quarter of a category's band either side, spread
        double low = 1, high = -1;
        for (std::size_t row = 0; row < 1000; ++row) {
            const double j = categoryJitter(row, 3);
            QVERIFY(j >= -0.25 && j < 0.25);
            low = std::min(low, j);
            high = std::max(high, j);
        }
        QVERIFY(low < -0.2 && high > 0.2);
        // decorrelated across dimensions: a categorical-against-categorical cell is a cloud,
        // not a diagonal
        double sxy = 0, sxx = 0, syy = 0;
        for (std::size_t row = 0; row < 2000; ++row) {
            const double x = categoryJitter(row, 0), y = categoryJitter(row, 1);
            sxy += x * y, sxx += x * x, syy += y * y;
        }
        QVERIFY2(std::abs(sxy / std::sqrt(sxx * syy)) < 0.1,
                 qPrintable(QString("correlation %1").arg(sxy / std::sqrt(sxx * syy))));
        QCOMPARE(categoryJitter(5), categoryJitter(5, 0));
    }
};

QTEST_GUILESS_MAIN(TestVarianceExplained)
#include "tst_variance_explained.moc"
