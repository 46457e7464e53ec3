// The CMA-ES sampler: the tutorial's default strategy parameters, convergence on a sphere (far
// better than random search), maximization, seeded reproducibility and a resume that
// proposes the same next point.

#include "core/sampling/cmaes_sampler.h"
#include "core/sampling/random_sampler.h"
#include "test_util.h"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

using namespace ps;

namespace {

SearchSpace cube(int n) {
    SearchSpace s;
    for (int i = 0; i < n; ++i) {
        ParamSpec p;
        p.name = "x" + std::to_string(i);
        p.low = 0;
        p.high = 1;
        s.params.push_back(p);
    }
    return s;
}

double sphere(const Json& p) {
    double v = 0;
    for (const auto& [name, x] : p.items())
        v += (x.get<double>() - 0.3) * (x.get<double>() - 0.3);
    return v;
}

std::unique_ptr<Sampler> makeCmaes(std::uint64_t seed, Direction direction) {
    SamplerConfig c;
    c.kind = "cmaes";
    c.seed = seed;
    c.objectives = {Objective{"f", direction}};
    return makeSampler(c);
}

// `count` sequential trials: each is proposed with every earlier one finished.
std::vector<Trial> runSequential(Sampler& sampler, const SearchSpace& space, int count,
                                 const std::function<double(const Json&)>& f) {
    std::vector<Trial> trials;
    for (int n = 0; n < count; ++n) {
        Trial t;
        t.id = n + 1;
        t.number = n;
        t.params = sampler.sample(space, trials, n);
        t.state = TrialState::Complete;
        t.value = f(t.params);
        t.values["f"] = *t.value;
        trials.push_back(std::move(t));
    }
    return trials;
}

double best(const std::vector<Trial>& trials, bool maximize = false) {
    double b = maximize ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
    for (const auto& t : trials)
        b = maximize ? std::max(b, *t.value) : std::min(b, *t.value);
    return b;
}

} // namespace

class TestCmaEsSampler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultParameters_data() {
        QTest::addColumn<int>("n");
        QTest::newRow("n=2") << 2;
        QTest::newRow("n=10") << 10;
    }

    void defaultParameters() {
        QFETCH(int, n);
        const auto p = CmaEsSampler::defaultParams(n);
        const double dn = n;
        // Tutorial, Appendix A: lambda = 4 + floor(3 ln n), mu = floor(lambda / 2).
        QCOMPARE(p.lambda, n == 2 ? 6 : 10);
        QCOMPARE(p.mu, p.lambda / 2);
        QCOMPARE(static_cast<int>(p.weights.size()), p.mu);
        double sum = 0, sumSq = 0, raw = 0;
        for (int i = 1; i <= p.mu; ++i)
            raw += std::log((p.lambda + 1) / 2.0) - std::log(i);
        for (int i = 1; i <= p.mu; ++i) {
            const double w = p.weights[static_cast<std::size_t>(i - 1)];
            const double expected = (std::log((p.lambda + 1) / 2.0) - std::log(i)) / raw;
            QVERIFY(std::abs(w - expected) < 1e-12);
            QVERIFY(w > 0);
            if (i > 1)
                QVERIFY(w < p.weights[static_cast<std::size_t>(i - 2)]);
            sum += w;
            sumSq += w * w;
        }
        QVERIFY(std::abs(sum - 1) < 1e-12);
        const double muEff = 1 / sumSq;
        QVERIFY(std::abs(p.muEff - muEff) < 1e-12);
        QVERIFY(std::abs(p.cSigma - (muEff + 2) / (dn + muEff + 5)) < 1e-12);
        QVERIFY(std::abs(p.dSigma - (1 + 2 * std::max(0.0, std::sqrt((muEff - 1) / (dn + 1)) - 1) +
                                     p.cSigma)) < 1e-12);
        QVERIFY(std::abs(p.cC - (4 + muEff / dn) / (dn + 4 + 2 * muEff / dn)) < 1e-12);
        const double c1 = 2 / ((dn + 1.3) * (dn + 1.3) + muEff);
        QVERIFY(std::abs(p.c1 - c1) < 1e-12);
        const double cMu =
            std::min(1 - c1, 2 * (muEff - 2 + 1 / muEff) / ((dn + 2) * (dn + 2) + muEff));
        QVERIFY(std::abs(p.cMu - cMu) < 1e-12);
        QVERIFY(p.c1 + p.cMu <= 1);
        QVERIFY(std::abs(p.chiN - std::sqrt(dn) * (1 - 1 / (4 * dn) + 1 / (21 * dn * dn))) < 1e-12);
        if (n == 2) {
            // lambda = 6, mu = 3: w' = ln 3.5 - ln i
            QVERIFY(std::abs(p.weights[0] - std::log(3.5) / (3 * std::log(3.5) - std::log(6.0))) <
                    1e-12);
        }
    }

    void registered() {
        const SamplerInfo* info = findSampler("cmaes");
        QVERIFY(info);
        auto sampler = makeCmaes(1, Direction::Minimize);
        QVERIFY(sampler);
    }

    void convergesOnSphere() {
        const SearchSpace space = cube(4);
        auto cma = makeCmaes(3, Direction::Minimize);
        const auto trials = runSequential(*cma, space, 300, sphere);
        RandomSampler random(3);
        const auto randomTrials = runSequential(random, space, 300, sphere);
        const double b = best(trials), r = best(randomTrials);
        qInfo("best of 300: cmaes %g, random %g", b, r);
        QVERIFY2(b < 1e-4, qPrintable(QString::number(b)));
        QVERIFY(b < r / 100);
        for (const auto& t : trials)
            QVERIFY(std::isfinite(*t.value));
    }

    void climbsWhenMaximizing() {
        SearchSpace space = cube(3);
        space.params[2].type = ParamType::Int; // ints and log scales go through the cube too
        space.params[2].low = 1;
        space.params[2].high = 1000;
        space.params[2].log = true;
        // Peak at x0 = 0.7, x1 = 0.2, x2 = 100 (log scale).
        auto f = [](const Json& p) {
            const double a = p["x0"].get<double>() - 0.7, b = p["x1"].get<double>() - 0.2;
            const double c = std::log10(p["x2"].get<double>()) - 2;
            return 1 - a * a - b * b - c * c / 9;
        };
        auto cma = makeCmaes(11, Direction::Maximize);
        const auto trials = runSequential(*cma, space, 150, f);
        double first = -1e9, last = -1e9;
        for (int i = 0; i < 20; ++i) {
            first = std::max(first, *trials[static_cast<std::size_t>(i)].value);
            last = std::max(last, *trials[trials.size() - 1 - static_cast<std::size_t>(i)].value);
        }
        qInfo("maximize: best of the first 20 %g, of the last 20 %g", first, last);
        QVERIFY(last > first);
        QVERIFY(best(trials, true) > 1 - 1e-3);
        // The last generation's mean sits near the peak: its points are all good.
        double worstLast = 1e9;
        for (int i = 0; i < 10; ++i)
            worstLast =
                std::min(worstLast, *trials[trials.size() - 1 - static_cast<std::size_t>(i)].value);
        QVERIFY(worstLast > 0.99);
    }

    void reproducible() {
        const SearchSpace space = cube(4);
        auto a = makeCmaes(5, Direction::Minimize), b = makeCmaes(5, Direction::Minimize),
             c = makeCmaes(6, Direction::Minimize);
        const auto ta = runSequential(*a, space, 40, sphere);
        const auto tb = runSequential(*b, space, 40, sphere);
        const auto tc = runSequential(*c, space, 40, sphere);
        for (std::size_t i = 0; i < ta.size(); ++i)
            QVERIFY(ta[i].params == tb[i].params);
        QVERIFY(ta.back().params != tc.back().params);
    }

    void resumeProposesSamePoint() {
        const SearchSpace space = cube(4);
        auto a = makeCmaes(9, Direction::Minimize);
        auto trials = runSequential(*a, space, 57, sphere);
        // A pending trial and a failed one: the new instance must see them the same way.
        trials[56].state = TrialState::Running;
        trials[56].value.reset();
        trials[50].state = TrialState::Fail;
        trials[50].value.reset();
        const Json next = a->sample(space, trials, 57);
        auto resumed = makeCmaes(9, Direction::Minimize);
        QVERIFY(resumed->sample(space, trials, 57) == next);
        // And the cached instance agrees with itself after the history changed under it.
        trials[50].state = TrialState::Complete;
        trials[50].value = 0.0;
        auto fresh = makeCmaes(9, Direction::Minimize);
        QVERIFY(a->sample(space, trials, 57) == fresh->sample(space, trials, 57));
    }

    void unmodelledParamsFollowRandom() {
        SearchSpace space = cube(2);
        ParamSpec opt;
        opt.name = "opt";
        opt.type = ParamType::Categorical;
        opt.choices = {"a", "b", "c"};
        space.params.push_back(opt);
        auto cma = makeCmaes(4, Direction::Minimize);
        RandomSampler random(4);
        const auto trials = runSequential(*cma, space, 30, [](const Json& p) {
            return p["x0"].get<double>() + p["x1"].get<double>();
        });
        for (const auto& t : trials)
            QVERIFY(t.params["opt"] == random.sample(space, {}, t.number)["opt"]);
    }
};

QTEST_GUILESS_MAIN(TestCmaEsSampler)
#include "tst_cmaes_sampler.moc"
