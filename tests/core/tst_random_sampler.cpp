// The random sampler: bounds, log scale, steps, ints, categoricals and conditions respected;
// the same seed gives the same trials.

#include "core/sampling/random_sampler.h"
#include "test_util.h"

#include <QTest>
#include <cmath>
#include <set>

using namespace ps;

namespace {

SearchSpace space() {
    SearchSpace s;
    ParamSpec lr;
    lr.name = "lr";
    lr.low = 1e-4;
    lr.high = 1.0;
    lr.log = true;
    ParamSpec m;
    m.name = "m";
    m.low = 0.0;
    m.high = 0.9;
    m.step = 0.3;
    ParamSpec d;
    d.name = "d";
    d.type = ParamType::Int;
    d.low = 1;
    d.high = 4;
    ParamSpec opt;
    opt.name = "opt";
    opt.type = ParamType::Categorical;
    opt.choices = {"sgd", "adam"};
    ParamSpec mom;
    mom.name = "mom";
    mom.low = 0;
    mom.high = 1;
    mom.when = Json{{"opt", "sgd"}};
    s.params = {lr, m, d, opt, mom};
    return s;
}

} // namespace

class TestRandomSampler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void respectsTheSpace() {
        RandomSampler sampler(3);
        const SearchSpace s = space();
        int lowDecade = 0, sgd = 0;
        std::set<std::int64_t> depths;
        for (int n = 0; n < 2000; ++n) {
            const Json p = sampler.sample(s, {}, n);
            const double lr = p["lr"].get<double>();
            QVERIFY(lr >= 1e-4 && lr <= 1.0);
            lowDecade += lr < 1e-3 ? 1 : 0;
            const double m = p["m"].get<double>();
            QVERIFY(std::abs(m / 0.3 - std::round(m / 0.3)) < 1e-9 && m >= 0 && m <= 0.9 + 1e-12);
            QVERIFY(p["d"].is_number_integer());
            depths.insert(p["d"].get<std::int64_t>());
            const std::string opt = p["opt"].get<std::string>();
            QVERIFY(opt == "sgd" || opt == "adam");
            QCOMPARE(p.contains("mom"), opt == "sgd"); // conditional
            sgd += opt == "sgd" ? 1 : 0;
        }
        // log-uniform: a quarter of the draws in the lowest of four decades
        QVERIFY2(lowDecade > 400 && lowDecade < 600, qPrintable(QString::number(lowDecade)));
        QCOMPARE(depths, (std::set<std::int64_t>{1, 2, 3, 4}));
        QVERIFY(sgd > 900 && sgd < 1100);
    }

    void seededAndIndependentOfOrder() {
        RandomSampler a(42), b(42), c(43);
        const SearchSpace s = space();
        QVERIFY(a.sample(s, {}, 5) == b.sample(s, {}, 5));
        QVERIFY(a.sample(s, {}, 5) != c.sample(s, {}, 5));
        QVERIFY(a.sample(s, {}, 5) != a.sample(s, {}, 6));
    }

    void unknownKindIsRefused() {
        SamplerConfig config;
        config.kind = "nonesuch";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeSampler(config));
        config.kind = "random";
        QVERIFY(makeSampler(config));
        QVERIFY(findSampler("random"));
    }
};

QTEST_GUILESS_MAIN(TestRandomSampler)
#include "tst_random_sampler.moc"
