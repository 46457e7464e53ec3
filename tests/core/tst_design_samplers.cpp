// The design samplers: the grid enumerates exactly the product of the parameters' values (and
// no inactive combination), Sobol's points are the known sequence and stay balanced once
// scrambled, and each Latin hypercube batch stratifies every dimension.

#include "core/sampling/grid_sampler.h"
#include "core/sampling/lhs_sampler.h"
#include "core/sampling/sobol_sampler.h"

#include <QTest>
#include <cmath>
#include <limits>
#include <random>
#include <set>

using namespace ps;

namespace {

ParamSpec floatParam(std::string name, double low, double high, bool log = false,
                     std::optional<double> step = std::nullopt) {
    ParamSpec p;
    p.name = std::move(name);
    p.low = low;
    p.high = high;
    p.log = log;
    p.step = step;
    return p;
}

ParamSpec intParam(std::string name, double low, double high,
                   std::optional<double> step = std::nullopt) {
    ParamSpec p = floatParam(std::move(name), low, high, false, step);
    p.type = ParamType::Int;
    return p;
}

ParamSpec categorical(std::string name, std::vector<Json> choices) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = ParamType::Categorical;
    p.choices = std::move(choices);
    return p;
}

// opt in {sgd, adam}; mom (3 points) only for sgd, beta (2 choices) only for adam; depth 1..3.
SearchSpace conditionalSpace() {
    SearchSpace s;
    ParamSpec mom = floatParam("mom", 0.0, 0.9);
    mom.when = Json{{"opt", "sgd"}};
    ParamSpec beta = categorical("beta", {0.9, 0.99});
    beta.when = Json{{"opt", "adam"}};
    s.params = {categorical("opt", {"sgd", "adam"}), mom, beta, intParam("depth", 1, 3)};
    return s;
}

// L2-star discrepancy (Warnock's formula) of points in [0,1)^d.
double l2StarDiscrepancy(const std::vector<std::vector<double>>& x) {
    const std::size_t n = x.size(), d = x.front().size();
    double single = 0, pairs = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double prod = 1;
        for (std::size_t k = 0; k < d; ++k)
            prod *= (1 - x[i][k] * x[i][k]);
        single += prod;
        for (std::size_t j = 0; j < n; ++j) {
            double q = 1;
            for (std::size_t k = 0; k < d; ++k)
                q *= 1 - std::max(x[i][k], x[j][k]);
            pairs += q;
        }
    }
    const double dd = static_cast<double>(d), nn = static_cast<double>(n);
    return std::sqrt(std::pow(3.0, -dd) - std::pow(2.0, 1 - dd) / nn * single + pairs / (nn * nn));
}

// True when each dimension has exactly one of the points in each of n equal strata.
bool stratified(const std::vector<std::vector<double>>& x, std::size_t n) {
    for (std::size_t k = 0; k < x.front().size(); ++k) {
        std::set<std::size_t> cells;
        for (const auto& p : x) {
            if (!(p[k] >= 0.0 && p[k] < 1.0))
                return false;
            cells.insert(static_cast<std::size_t>(std::floor(p[k] * static_cast<double>(n))));
        }
        if (cells.size() != n || x.size() != n)
            return false;
    }
    return true;
}

} // namespace

class TestDesignSamplers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gridEnumeratesTheProduct() {
        SearchSpace s;
        s.params = {floatParam("a", 0.0, 1.0), intParam("b", 2, 8, 3.0),
                    categorical("c", {"x", 1, true}), floatParam("d", 0.0, 0.5, false, 0.25),
                    intParam("e", -1, 1)};
        const Json options{{"points_per_float", 4}};
        const std::size_t size = GridSampler::gridSize(s, options);
        QCOMPARE(size, std::size_t{4 * 3 * 3 * 3 * 3});
        GridSampler grid(0, options);
        std::set<std::string> seen;
        std::set<double> as;
        std::set<std::int64_t> bs;
        for (std::size_t n = 0; n < size; ++n) {
            const Json p = grid.sample(s, {}, static_cast<int>(n));
            QCOMPARE(p.size(), std::size_t{5});
            seen.insert(p.dump());
            as.insert(p["a"].get<double>());
            QVERIFY(p["b"].is_number_integer());
            bs.insert(p["b"].get<std::int64_t>());
        }
        QCOMPARE(seen.size(), size); // every point once
        QCOMPARE(as, (std::set<double>{0.0, 1.0 / 3, 2.0 / 3, 1.0}));
        QCOMPARE(bs, (std::set<std::int64_t>{2, 5, 8}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, grid.sample(s, {}, static_cast<int>(size)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, grid.sample(s, {}, -1));
        // The default is five points per float.
        QCOMPARE(GridSampler::gridSize(s, Json::object()), std::size_t{5 * 81});
    }

    void gridHonoursConditions() {
        const SearchSpace s = conditionalSpace();
        const Json options{{"points_per_float", 3}};
        // sgd: 3 momenta x 3 depths; adam: 2 betas x 3 depths.
        QCOMPARE(GridSampler::gridSize(s, options), std::size_t{9 + 6});
        GridSampler grid(0, options);
        std::set<std::string> seen;
        for (int n = 0; n < 15; ++n) {
            const Json p = grid.sample(s, {}, n);
            const bool sgd = p["opt"] == "sgd";
            QCOMPARE(p.contains("mom"), sgd);
            QCOMPARE(p.contains("beta"), !sgd);
            seen.insert(p.dump());
        }
        QCOMPARE(seen.size(), std::size_t{15});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, grid.sample(s, {}, 15));
        // A grid too large to count saturates instead of overflowing.
        SearchSpace huge;
        for (int i = 0; i < 8; ++i)
            huge.params.push_back(intParam("k" + std::to_string(i), 0, 1e6));
        QCOMPARE(GridSampler::gridSize(huge, Json::object()),
                 std::numeric_limits<std::size_t>::max());
        // An empty space is one (empty) configuration.
        QCOMPARE(GridSampler::gridSize(SearchSpace{}, Json::object()), std::size_t{1});
    }

    void gridLogSpacingAndShuffle() {
        SearchSpace s;
        s.params = {floatParam("lr", 1e-4, 1.0, true)};
        const Json options{{"points_per_float", 5}};
        GridSampler grid(0, options);
        const double expected[] = {1e-4, 1e-3, 1e-2, 1e-1, 1.0};
        for (int n = 0; n < 5; ++n) {
            const double lr = grid.sample(s, {}, n)["lr"].get<double>();
            QVERIFY2(std::abs(lr / expected[n] - 1) < 1e-12, qPrintable(QString::number(lr)));
        }
        // Shuffled: a seeded permutation of the same grid.
        SearchSpace big = conditionalSpace();
        big.params.push_back(floatParam("w", 0, 1));
        const Json shuffled{{"points_per_float", 7}, {"shuffle", true}};
        const std::size_t size = GridSampler::gridSize(big, shuffled);
        GridSampler a(1, shuffled), b(1, shuffled), c(2, shuffled),
            plain(1, Json{{"points_per_float", 7}});
        std::set<std::string> fromA, fromPlain;
        bool differs = false, sameSeedSame = true;
        for (std::size_t n = 0; n < size; ++n) {
            const Json pa = a.sample(big, {}, static_cast<int>(n));
            fromA.insert(pa.dump());
            fromPlain.insert(plain.sample(big, {}, static_cast<int>(n)).dump());
            sameSeedSame = sameSeedSame && pa == b.sample(big, {}, static_cast<int>(n));
            differs = differs || pa != c.sample(big, {}, static_cast<int>(n));
        }
        QCOMPARE(fromA.size(), size);
        QVERIFY(fromA == fromPlain);
        QVERIFY(sameSeedSame);
        QVERIFY(differs);
    }

    void sobolKnownPoints() {
        SobolSampler sobol(0, false);
        // Gray-code order, as scipy.stats.qmc.Sobol(scramble=False).
        const double expected[8][3] = {{0, 0, 0},
                                       {0.5, 0.5, 0.5},
                                       {0.75, 0.25, 0.25},
                                       {0.25, 0.75, 0.75},
                                       {0.375, 0.375, 0.625},
                                       {0.875, 0.875, 0.125},
                                       {0.625, 0.125, 0.875},
                                       {0.125, 0.625, 0.375}};
        for (int n = 0; n < 8; ++n) {
            const std::vector<double> u = sobol.unitPoint(static_cast<std::uint64_t>(n), 3);
            for (int k = 0; k < 3; ++k)
                QVERIFY2(u[k] == expected[n][k],
                         qPrintable(QString("point %1 dim %2: %3").arg(n).arg(k).arg(u[k])));
        }
        // Unscrambled trial 0 is the lowest corner of the space.
        SearchSpace s;
        s.params = {floatParam("a", -1, 1), floatParam("lr", 1e-3, 1, true)};
        const Json p = sobol.sample(s, {}, 0);
        QCOMPARE(p["a"].get<double>(), -1.0);
        QVERIFY(std::abs(p["lr"].get<double>() - 1e-3) < 1e-15);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 sobol.unitPoint(0, SobolSampler::kMaxDimensions + 1));
    }

    void sobolScrambledIsBalanced() {
        for (std::uint64_t seed : {1ULL, 2ULL, 99ULL}) {
            SobolSampler sobol(seed, true);
            for (std::size_t m : {4u, 8u}) {
                const std::size_t n = std::size_t{1} << m;
                std::vector<std::vector<double>> x;
                for (std::size_t i = 0; i < n; ++i)
                    x.push_back(sobol.unitPoint(i, SobolSampler::kMaxDimensions));
                QVERIFY2(stratified(x, n), qPrintable(QString("seed %1, m %2").arg(seed).arg(m)));
            }
        }
        // Each seed scrambles differently; a seed scrambles the same way twice.
        QVERIFY(SobolSampler(1, true).unitPoint(3, 5) == SobolSampler(1, true).unitPoint(3, 5));
        QVERIFY(SobolSampler(1, true).unitPoint(3, 5) != SobolSampler(2, true).unitPoint(3, 5));
        QVERIFY(SobolSampler(1, true).unitPoint(0, 5) != std::vector<double>(5, 0.0));
    }

    void sobolHasLowDiscrepancy() {
        const std::size_t n = 256, d = 5;
        double sobolSum = 0, randomSum = 0;
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> unit(0, 1);
        for (std::uint64_t seed = 0; seed < 8; ++seed) {
            SobolSampler sobol(seed, true);
            std::vector<std::vector<double>> x, r;
            for (std::size_t i = 0; i < n; ++i) {
                x.push_back(sobol.unitPoint(i, d));
                std::vector<double> p(d);
                for (auto& v : p)
                    v = unit(rng);
                r.push_back(p);
            }
            sobolSum += l2StarDiscrepancy(x);
            randomSum += l2StarDiscrepancy(r);
        }
        QVERIFY2(sobolSum < 0.5 * randomSum,
                 qPrintable(QString("sobol %1, random %2").arg(sobolSum / 8).arg(randomSum / 8)));
    }

    void lhsStratifiesEveryBatch() {
        for (int points : {1, 7, 16}) {
            LhsSampler lhs(11, points);
            for (std::uint64_t batch = 0; batch < 3; ++batch) {
                std::vector<std::vector<double>> x;
                for (int i = 0; i < points; ++i)
                    x.push_back(lhs.unitPoint(batch * static_cast<std::uint64_t>(points) +
                                                  static_cast<std::uint64_t>(i),
                                              6));
                QVERIFY2(stratified(x, static_cast<std::size_t>(points)),
                         qPrintable(QString("points %1 batch %2").arg(points).arg(batch)));
            }
        }
        // Through the sampler: a float in [0, 1) gets one value per stratum.
        SearchSpace s;
        s.params = {floatParam("a", 0, 1), intParam("k", 0, 15)};
        auto sampler = makeSampler(SamplerConfig{"lhs", 5, Json::object(), {}, {}});
        std::set<int> strata;
        std::set<std::int64_t> ks;
        for (int n = 16; n < 32; ++n) {
            const Json p = sampler->sample(s, {}, n);
            strata.insert(static_cast<int>(std::floor(p["a"].get<double>() * 16)));
            ks.insert(p["k"].get<std::int64_t>());
        }
        QCOMPARE(strata.size(), std::size_t{16});
        QCOMPARE(ks.size(), std::size_t{16}); // 16 ints in 16 strata: each exactly once
    }

    void lhsIsReproducible() {
        LhsSampler a(3, 16), b(3, 16), c(4, 16);
        QVERIFY(a.unitPoint(21, 4) == b.unitPoint(21, 4));
        QVERIFY(a.unitPoint(21, 4) != c.unitPoint(21, 4));
        QVERIFY(a.unitPoint(21, 4) != a.unitPoint(5, 4)); // batches differ
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LhsSampler(0, 0));
    }
};

QTEST_GUILESS_MAIN(TestDesignSamplers)
#include "tst_design_samplers.moc"
