// The TPE sampler: Optuna's gamma and weights, random start-up, the space respected, seeded
// reproducibility, constant liar, and that it beats random search on a quadratic and Branin.

#include "core/sampling/random_sampler.h"
#include "core/sampling/tpe_sampler.h"
#include "test_util.h"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <set>

using namespace ps;

namespace {

ParamSpec floatParam(const std::string& name, double low, double high, bool log = false) {
    ParamSpec p;
    p.name = name;
    p.low = low;
    p.high = high;
    p.log = log;
    return p;
}

// Every kind of parameter, a conditional one included.
SearchSpace mixedSpace() {
    ParamSpec m = floatParam("m", 0.0, 0.9);
    m.step = 0.3;
    ParamSpec d;
    d.name = "d";
    d.type = ParamType::Int;
    d.low = 1;
    d.high = 4;
    ParamSpec w;
    w.name = "w";
    w.type = ParamType::Int;
    w.low = 8;
    w.high = 512;
    w.log = true;
    ParamSpec opt;
    opt.name = "opt";
    opt.type = ParamType::Categorical;
    opt.choices = {"sgd", "adam", "rmsprop"};
    ParamSpec mom = floatParam("mom", 0, 1);
    mom.when = Json{{"opt", "sgd"}};
    SearchSpace s;
    s.params = {floatParam("lr", 1e-4, 1.0, true), m, d, w, opt, mom};
    return s;
}

double mixedObjective(const Json& p) {
    double v = std::pow(std::log10(p["lr"].get<double>()) + 2.0, 2) + p["m"].get<double>() +
               std::abs(p["d"].get<double>() - 2) + std::abs(std::log2(p["w"].get<double>()) - 6);
    if (p["opt"] == Json("sgd"))
        v += std::abs(p["mom"].get<double>() - 0.9);
    else
        v += p["opt"] == Json("adam") ? 0.5 : 1.0;
    return v;
}

Trial completed(int number, Json params, double value) {
    Trial t;
    t.number = number;
    t.state = TrialState::Complete;
    t.params = std::move(params);
    t.value = value;
    return t;
}

// Runs a sequential study of n trials, returning the trials (all COMPLETE).
std::vector<Trial> runStudy(Sampler& sampler, const SearchSpace& space, int n,
                            const std::function<double(const Json&)>& f) {
    std::vector<Trial> trials;
    for (int i = 0; i < n; ++i) {
        Json p = sampler.sample(space, trials, i);
        const double v = f(p);
        trials.push_back(completed(i, std::move(p), v));
    }
    return trials;
}

double bestOf(const std::vector<Trial>& trials) {
    double best = INFINITY;
    for (const auto& t : trials)
        best = std::min(best, *t.value);
    return best;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

double branin(const Json& p) {
    const double x1 = p["x1"].get<double>(), x2 = p["x2"].get<double>();
    const double pi = std::numbers::pi;
    const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
    return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
}

TpeSampler::Options options(bool multivariate = false, bool constantLiar = false) {
    TpeSampler::Options o;
    o.multivariate = multivariate;
    o.constantLiar = constantLiar;
    return o;
}

} // namespace

class TestTpeSampler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // An ordinal is searched with the int kernel on its index: TPE homes in on the best value
    // and its neighbours, and trials store the values themselves.
    void ordinalConvergesOnTheBestValue() {
        SearchSpace space;
        ParamSpec p;
        p.name = "width";
        p.type = ParamType::Ordinal;
        p.choices = {1, 2, 4, 8, 16, 32, 64, 128};
        p.low = 0;
        p.high = 7;
        space.params = {p};
        TpeSampler tpe(6, TpeSampler::Options{});
        std::vector<Trial> trials;
        int near = 0;
        for (int n = 0; n < 60; ++n) {
            const Json params = tpe.sample(space, trials, n);
            const Json v = params.at("width");
            QVERIFY2(std::find(p.choices.begin(), p.choices.end(), v) != p.choices.end(),
                     v.dump().c_str());
            const double x = std::log2(v.get<double>());
            if (n >= 30 && std::abs(x - 4) <= 1)
                ++near;
            Trial t;
            t.id = n + 1;
            t.number = n;
            t.state = TrialState::Complete;
            t.params = params;
            t.value = (x - 4) * (x - 4);
            trials.push_back(t);
        }
        // random would put 3 of 8 values (37 %) there
        QVERIFY2(near >= 18, qPrintable(QString::number(near)));
    }

    void gammaMatchesOptuna() {
        QCOMPARE(TpeSampler::gamma(0), 0);
        QCOMPARE(TpeSampler::gamma(1), 1);
        QCOMPARE(TpeSampler::gamma(9), 1);
        QCOMPARE(TpeSampler::gamma(10), 1);
        QCOMPARE(TpeSampler::gamma(11), 2);
        QCOMPARE(TpeSampler::gamma(100), 10);
        QCOMPARE(TpeSampler::gamma(241), 25);
        QCOMPARE(TpeSampler::gamma(300), 25);
    }

    void weightsMatchOptuna() {
        QCOMPARE(TpeSampler::weights(0).size(), std::size_t(0));
        const auto w10 = TpeSampler::weights(10);
        QCOMPARE(w10.size(), std::size_t(10));
        QVERIFY(std::all_of(w10.begin(), w10.end(), [](double x) { return x == 1.0; }));
        QCOMPARE(TpeSampler::weights(25), std::vector<double>(25, 1.0));
        // numpy: np.linspace(1/26, 1, 1) = [1/26]
        const auto w26 = TpeSampler::weights(26);
        QCOMPARE(w26.size(), std::size_t(26));
        QCOMPARE(w26[0], 1.0 / 26);
        QCOMPARE(w26[1], 1.0);
        // numpy: np.linspace(1/30, 1, 5) = [0.0333.., 0.275, 0.5166.., 0.7583.., 1.0]
        const auto w30 = TpeSampler::weights(30);
        QCOMPARE(w30.size(), std::size_t(30));
        QCOMPARE(w30[0], 1.0 / 30);
        QVERIFY(std::abs(w30[1] - 0.275) < 1e-12);
        QVERIFY(std::abs(w30[2] - 0.5166666666666667) < 1e-12);
        QVERIFY(std::abs(w30[3] - 0.7583333333333333) < 1e-12);
        QCOMPARE(w30[4], 1.0);
        QVERIFY(std::all_of(w30.begin() + 4, w30.end(), [](double x) { return x == 1.0; }));
    }

    void registered() {
        const SamplerInfo* info = findSampler("tpe");
        QVERIFY(info);
        QCOMPARE(info->options.size(), std::size_t(8));
        SamplerConfig c;
        c.kind = "tpe";
        c.seed = 3;
        QVERIFY(makeSampler(c) != nullptr);
    }

    void startupIsRandomSampling() {
        const SearchSpace s = mixedSpace();
        TpeSampler tpe(11, options());
        RandomSampler random(11);
        std::vector<Trial> trials;
        for (int i = 0; i < 10; ++i) {
            const Json p = tpe.sample(s, trials, i);
            QVERIFY(p == random.sample(s, trials, i));
            trials.push_back(completed(i, p, mixedObjective(p)));
        }
        // FAIL and RUNNING trials do not count towards the start-up trials
        trials[3].state = TrialState::Fail;
        Trial running;
        running.number = 10;
        running.state = TrialState::Running;
        trials.push_back(running);
        QVERIFY(tpe.sample(s, trials, 11) == random.sample(s, trials, 11));
        trials[3].state = TrialState::Complete;
        QVERIFY(tpe.sample(s, trials, 11) != random.sample(s, trials, 11));
    }

    void respectsTheSpace_data() {
        QTest::addColumn<bool>("multivariate");
        QTest::newRow("univariate") << false;
        QTest::newRow("multivariate") << true;
    }

    void respectsTheSpace() {
        QFETCH(bool, multivariate);
        const SearchSpace s = mixedSpace();
        TpeSampler tpe(5, options(multivariate));
        const std::vector<Trial> trials = runStudy(tpe, s, 300, mixedObjective);
        std::set<std::int64_t> depths;
        std::set<std::string> opts;
        for (const auto& t : trials) {
            const Json& p = t.params;
            const double lr = p["lr"].get<double>();
            QVERIFY(std::isfinite(lr) && lr >= 1e-4 && lr <= 1.0);
            const double m = p["m"].get<double>();
            QVERIFY(std::abs(m / 0.3 - std::round(m / 0.3)) < 1e-9 && m >= 0 && m <= 0.9 + 1e-12);
            QVERIFY(p["d"].is_number_integer());
            const auto d = p["d"].get<std::int64_t>();
            QVERIFY(d >= 1 && d <= 4);
            depths.insert(d);
            QVERIFY(p["w"].is_number_integer());
            const auto w = p["w"].get<std::int64_t>();
            QVERIFY(w >= 8 && w <= 512);
            const std::string opt = p["opt"].get<std::string>();
            QVERIFY(opt == "sgd" || opt == "adam" || opt == "rmsprop");
            opts.insert(opt);
            QCOMPARE(p.contains("mom"), opt == "sgd"); // conditional
            if (p.contains("mom")) {
                const double mom = p["mom"].get<double>();
                QVERIFY(std::isfinite(mom) && mom >= 0 && mom <= 1);
            }
            QCOMPARE(p.size(), std::size_t(opt == "sgd" ? 6 : 5));
        }
        QCOMPARE(depths.size(), std::size_t(4));
        QCOMPARE(opts.size(), std::size_t(3));
        // it learns: the later trials are better than random search's
        RandomSampler random(5);
        std::vector<double> late, randomValues;
        for (std::size_t i = 150; i < trials.size(); ++i)
            late.push_back(*trials[i].value);
        for (int n = 0; n < 300; ++n)
            randomValues.push_back(mixedObjective(random.sample(s, {}, n)));
        QVERIFY2(
            median(late) < median(randomValues),
            qPrintable(QString("tpe %1, random %2").arg(median(late)).arg(median(randomValues))));
    }

    void degenerateRangesAndPrunedTrials() {
        SearchSpace s;
        ParamSpec c = floatParam("c", 2.0, 2.0);
        ParamSpec one;
        one.name = "one";
        one.type = ParamType::Categorical;
        one.choices = {"only"};
        ParamSpec i;
        i.name = "i";
        i.type = ParamType::Int;
        i.low = 3;
        i.high = 3;
        s.params = {c, one, i, floatParam("x", -1, 1)};
        for (bool mv : {false, true}) {
            TpeSampler tpe(1, options(mv));
            std::vector<Trial> trials;
            for (int n = 0; n < 40; ++n) {
                const Json p = tpe.sample(s, trials, n);
                QCOMPARE(p["c"].get<double>(), 2.0);
                QVERIFY(p["one"] == Json("only"));
                QCOMPARE(p["i"].get<std::int64_t>(), std::int64_t(3));
                const double x = p["x"].get<double>();
                QVERIFY(x >= -1 && x <= 1);
                Trial t = completed(n, p, x * x);
                if (n % 3 == 0) { // pruned, some without a value
                    t.state = TrialState::Pruned;
                    if (n % 2 == 0)
                        t.value.reset();
                }
                trials.push_back(t);
            }
        }
    }

    void maximizeFollowsTheDirection() {
        SearchSpace s;
        s.params = {floatParam("x", 0, 10)};
        auto f = [](const Json& p) { return -std::pow(p["x"].get<double>() - 8, 2); };
        TpeSampler tpe(2, options(), Direction::Maximize);
        const std::vector<Trial> trials = runStudy(tpe, s, 60, f);
        std::vector<double> dist;
        for (std::size_t i = 30; i < trials.size(); ++i)
            dist.push_back(std::abs(trials[i].params["x"].get<double>() - 8));
        // uniform on [0, 10] would give a median distance of about 2.9
        QVERIFY2(median(dist) < 1.0, qPrintable(QString::number(median(dist))));
    }

    void seededAndReproducible() {
        const SearchSpace s = mixedSpace();
        for (bool mv : {false, true}) {
            TpeSampler a(42, options(mv)), b(42, options(mv)), c(43, options(mv));
            const std::vector<Trial> ta = runStudy(a, s, 40, mixedObjective);
            const std::vector<Trial> tb = runStudy(b, s, 40, mixedObjective);
            for (std::size_t i = 0; i < ta.size(); ++i)
                QVERIFY(ta[i].params == tb[i].params);
            // the same history gives the same suggestion, whatever came before
            QVERIFY(a.sample(s, ta, 40) == b.sample(s, ta, 40));
            QVERIFY(a.sample(s, ta, 40) != c.sample(s, ta, 40));
        }
    }

    void constantLiarSpreadsParallelTrials() {
        SearchSpace s;
        s.params = {floatParam("x", 0, 10)};
        auto f = [](const Json& p) { return std::pow(p["x"].get<double>() - 3, 2); };
        TpeSampler plain(0, options()), liar(0, options(false, true));
        std::vector<Trial> trials = runStudy(plain, s, 30, f);
        // five workers already busy right at the optimum
        for (int k = 0; k < 5; ++k) {
            Trial r;
            r.number = 30 + k;
            r.state = TrialState::Running;
            r.params = Json{{"x", 2.9 + 0.05 * k}};
            trials.push_back(r);
        }
        int differ = 0, nearPlain = 0, nearLiar = 0;
        for (int n = 35; n < 135; ++n) {
            const double xp = plain.sample(s, trials, n)["x"].get<double>();
            const double xl = liar.sample(s, trials, n)["x"].get<double>();
            differ += xp != xl ? 1 : 0;
            nearPlain += std::abs(xp - 3) < 0.25 ? 1 : 0;
            nearLiar += std::abs(xl - 3) < 0.25 ? 1 : 0;
        }
        QVERIFY(differ > 50);
        // without the liar most suggestions land where the workers already are
        QVERIFY2(nearPlain > 40 && nearLiar < nearPlain / 4,
                 qPrintable(QString("near 3: liar %1, plain %2").arg(nearLiar).arg(nearPlain)));
    }

    void concentratesOnAQuadratic() {
        SearchSpace s;
        s.params = {floatParam("x", -10, 10)};
        auto f = [](const Json& p) { return std::pow(p["x"].get<double>() - 2, 2); };
        TpeSampler tpe(3, options());
        RandomSampler random(3);
        const std::vector<Trial> trials = runStudy(tpe, s, 60, f);
        std::vector<double> dTpe, dRandom;
        for (int n = 30; n < 60; ++n) {
            dTpe.push_back(
                std::abs(trials[static_cast<std::size_t>(n)].params["x"].get<double>() - 2));
            dRandom.push_back(std::abs(random.sample(s, {}, n)["x"].get<double>() - 2));
        }
        QVERIFY2(median(dTpe) < 0.5 * median(dRandom),
                 qPrintable(QString("tpe %1, random %2").arg(median(dTpe)).arg(median(dRandom))));
    }

    void beatsRandomOnBranin_data() {
        QTest::addColumn<bool>("multivariate");
        QTest::newRow("univariate") << false;
        QTest::newRow("multivariate") << true;
    }

    void beatsRandomOnBranin() {
        QFETCH(bool, multivariate);
        SearchSpace s;
        s.params = {floatParam("x1", -5, 10), floatParam("x2", 0, 15)};
        const double optimum = 0.397887;
        std::vector<double> rTpe, rRandom;
        for (std::uint64_t seed = 0; seed < 10; ++seed) {
            TpeSampler tpe(seed, options(multivariate));
            RandomSampler random(seed);
            rTpe.push_back(bestOf(runStudy(tpe, s, 100, branin)) - optimum);
            rRandom.push_back(bestOf(runStudy(random, s, 100, branin)) - optimum);
        }
        qInfo("median best regret after 100 trials: tpe %g, random %g", median(rTpe),
              median(rRandom));
        QVERIFY(median(rTpe) < median(rRandom));
    }
};

QTEST_GUILESS_MAIN(TestTpeSampler)
#include "tst_tpe_sampler.moc"
