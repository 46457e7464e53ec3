// LIME tabular explanations on known predictors: weights of a linear function, the instance
// as sample 0, numpy's quartiles as bin edges, lime's kernel width, categorical and inactive
// columns, the feature selections, determinism under a seed, and bad input.
#include "core/analysis/lime.h"

#include <QtTest>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

using namespace ps;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ParamColumn floatColumn(const std::string& name, double low, double high, bool log = false) {
    ParamColumn c;
    c.name = name;
    c.type = ParamType::Float;
    c.log = log;
    c.low = log ? std::log(low) : low;
    c.high = log ? std::log(high) : high;
    return c;
}

ParamColumn choiceColumn(const std::string& name, std::vector<Json> choices) {
    ParamColumn c;
    c.name = name;
    c.type = ParamType::Categorical;
    c.choices = std::move(choices);
    c.high = double(c.choices.size() - 1);
    return c;
}

// Three float columns a, b, c in [0, 1), each a different permutation of k / 400, so that all
// three have the same marginal distribution and the same quartiles.
ParamTable abcTable() {
    ParamTable t;
    t.columns = {floatColumn("a", 0, 1), floatColumn("b", 0, 1), floatColumn("c", 0, 1)};
    const int n = 400;
    for (int i = 0; i < n; ++i) {
        t.x.push_back(double((i * 37) % n) / n);
        t.x.push_back(double((i * 91 + 13) % n) / n);
        t.x.push_back(double((i * 53 + 7) % n) / n);
        t.y.push_back(0);
        t.trialNumbers.push_back(100 + i);
    }
    return t;
}

// 3a - 2b + 0c on rows of the table's encoding.
std::vector<double> linearAbc(const std::vector<double>& x, std::size_t rows) {
    std::vector<double> y(rows);
    for (std::size_t i = 0; i < rows; ++i)
        y[i] = 3 * x[i * 3] - 2 * x[i * 3 + 1] + 0 * x[i * 3 + 2];
    return y;
}

// The first row whose a and b are both in their top quartile and c in the middle.
std::size_t topRow(const ParamTable& t) {
    for (std::size_t i = 0; i < t.rows(); ++i)
        if (t.at(i, 0) > 0.8 && t.at(i, 1) > 0.8 && t.at(i, 2) > 0.3 && t.at(i, 2) < 0.7)
            return i;
    return 0;
}

const LimeFeature* featureNamed(const LimeExplanation& e, const std::string& name) {
    for (const LimeFeature& f : e.features)
        if (f.name == name)
            return &f;
    return nullptr;
}

template <class F> std::string errorOf(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no std::invalid_argument)";
}

} // namespace

class TestLime : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void linearPredictorDiscretized() {
        const ParamTable t = abcTable();
        const std::size_t row = topRow(t);
        QVERIFY(t.at(row, 0) > 0.8);
        const LimeExplanation e = explainRow(t, row, linearAbc);
        QCOMPARE(e.features.size(), std::size_t(3)); // auto, 10 features: highest weights, all 3
        QCOMPARE(e.features[0].name, std::string("a"));
        QCOMPARE(e.features[1].name, std::string("b"));
        QCOMPARE(e.features[2].name, std::string("c"));
        const double wa = featureNamed(e, "a")->weight, wb = featureNamed(e, "b")->weight,
                     wc = featureNamed(e, "c")->weight;
        // Being in a's top quartile raises 3a - 2b, being in b's lowers it, c does nothing.
        QVERIFY(wa > wc);
        QVERIFY(wc > wb);
        QVERIFY(wa > 0.5);
        QVERIFY(std::abs(wc) < 0.05 * wa);
        // Same marginals, so the weights are in the ratio of the slopes, 2 : 3.
        QVERIFY2(std::abs(-wb / wa - 2.0 / 3.0) < 0.05, qPrintable(QString::number(-wb / wa)));
        QCOMPARE(featureNamed(e, "a")->condition, std::string("a > 0.748125"));
        QVERIFY(e.score > 0.3 && e.score < 1);
        QCOMPARE(e.predictedValue, linearAbc({t.at(row, 0), t.at(row, 1), t.at(row, 2)}, 1)[0]);
        QCOMPARE(e.row, row);
        QCOMPARE(e.trialNumber, t.trialNumbers[row]);
        QCOMPARE(e.numSamples, std::size_t(5000));
        // local_pred is the surrogate at the instance (all indicators 1).
        QVERIFY(std::abs(e.localPrediction - (e.intercept + wa + wb + wc)) < 1e-12);
    }

    void linearPredictorContinuousScoresNearOne() {
        const ParamTable t = abcTable();
        LimeOptions o;
        o.discretizer = LimeDiscretizer::None;
        o.sampleAroundInstance = true;
        const LimeExplanation e = explainRow(t, topRow(t), linearAbc, o);
        // Without a discretizer the features are standardized values: the weights are the
        // slopes times each column's standard deviation, and the linear model fits exactly.
        double mean = 0, var = 0;
        for (std::size_t i = 0; i < t.rows(); ++i)
            mean += t.at(i, 0) / double(t.rows());
        for (std::size_t i = 0; i < t.rows(); ++i)
            var += (t.at(i, 0) - mean) * (t.at(i, 0) - mean) / double(t.rows());
        const double sd = std::sqrt(var);
        QVERIFY(e.score > 0.999);
        QVERIFY(std::abs(featureNamed(e, "a")->weight - 3 * sd) < 0.01 * sd);
        QVERIFY(std::abs(featureNamed(e, "b")->weight + 2 * sd) < 0.01 * sd);
        QVERIFY(std::abs(featureNamed(e, "c")->weight) < 0.01 * sd);
        QCOMPARE(e.features[0].name, std::string("a"));
        QCOMPARE(e.features[0].condition, std::string("a"));
        QVERIFY(std::abs(e.localPrediction - e.predictedValue) < 1e-3);
    }

    void instanceIsSampleZero() {
        ParamTable t = abcTable();
        t.columns.push_back(choiceColumn("kind", {"adam", "sgd"}));
        std::vector<double> x;
        for (std::size_t i = 0; i < t.rows(); ++i) {
            for (std::size_t j = 0; j < 3; ++j)
                x.push_back(t.x[i * 3 + j]);
            x.push_back(i % 3 == 0 ? kNaN : double(i % 2));
        }
        t.x = x;
        for (std::size_t row : {std::size_t(0), std::size_t(7)}) {
            std::vector<double> seen;
            std::size_t rows = 0, values = 0;
            LimeOptions o;
            o.numSamples = 300;
            explainRow(
                t, row,
                [&](const std::vector<double>& in, std::size_t n) {
                    seen.assign(in.begin(), in.begin() + 4);
                    rows = n;
                    values = in.size();
                    return std::vector<double>(n, 1.0);
                },
                o);
            QCOMPARE(rows, std::size_t(300));
            QCOMPARE(values, std::size_t(300 * 4));
            for (std::size_t j = 0; j < 4; ++j) {
                const double want = t.at(row, j);
                QVERIFY(std::isnan(want) ? std::isnan(seen[j]) : seen[j] == want);
            }
        }
    }

    void quartileEdgesAreNumpyPercentiles() {
        ParamTable t;
        t.columns = {floatColumn("v", 0, 20), floatColumn("w", 0, 5), floatColumn("z", 0, 1)};
        // v: np.percentile([1, 2, 3, 4, 7, 10], [25, 50, 75]) = [2.25, 3.5, 6.25]; the NaN
        // (inactive) cell is left out of the statistics. w: [1, 1, 1] unique'd to [1].
        const double v[] = {4, 10, 1, kNaN, 7, 2, 3};
        const double w[] = {1, 1, 1, 1, 2, 1, 1};
        for (int i = 0; i < 7; ++i) {
            t.x.insert(t.x.end(), {v[i], w[i], 0.5});
            t.y.push_back(0);
        }
        const LimeExplainer quartiles(t);
        QCOMPARE(quartiles.binEdges(0), (std::vector<double>{2.25, 3.5, 6.25}));
        QCOMPARE(quartiles.binEdges(1), (std::vector<double>{1}));
        LimeOptions o;
        o.discretizer = LimeDiscretizer::Decile;
        const LimeExplainer deciles(t, o);
        // np.percentile([1, 2, 3, 4, 7, 10], range(10, 100, 10))
        const std::vector<double> want = {1.5, 2, 2.5, 3, 3.5, 4, 5.5, 7, 8.5};
        QCOMPARE(deciles.binEdges(0).size(), want.size());
        for (std::size_t i = 0; i < want.size(); ++i)
            QVERIFY2(std::abs(deciles.binEdges(0)[i] - want[i]) < 1e-12,
                     qPrintable(QString::number(deciles.binEdges(0)[i], 'g', 17)));
        o.discretizer = LimeDiscretizer::None;
        QVERIFY(LimeExplainer(t, o).binEdges(0).empty());
    }

    void conditionsReadInParameterUnits() {
        // A log column: edges in log space, conditions in the parameter's own values. x equal
        // to an edge falls in the lower bin (searchsorted, side 'left').
        ParamTable t;
        t.columns = {floatColumn("optimizer.lr", 1e-4, 1, true),
                     choiceColumn("optimizer.kind", {"adam", "sgd"})};
        const double lr[] = {1e-4, 1e-3, 1e-2, 1e-1, 1};
        for (int i = 0; i < 5; ++i) {
            t.x.push_back(std::log(lr[i]));
            t.x.push_back(i % 2);
            t.y.push_back(0);
        }
        auto f = [](const std::vector<double>& x, std::size_t n) {
            std::vector<double> y(n);
            for (std::size_t i = 0; i < n; ++i)
                y[i] = x[i * 2] + x[i * 2 + 1];
            return y;
        };
        LimeOptions o;
        o.numSamples = 500;
        const LimeExplanation e = explainRow(t, 2, f, o);
        QCOMPARE(featureNamed(e, "optimizer.lr")->condition,
                 std::string("0.001 < optimizer.lr <= 0.01"));
        QCOMPARE(featureNamed(e, "optimizer.lr")->value.get<double>(), std::exp(std::log(1e-2)));
        QCOMPARE(featureNamed(e, "optimizer.kind")->condition,
                 std::string("optimizer.kind = adam"));
        QCOMPARE(featureNamed(explainRow(t, 0, f, o), "optimizer.lr")->condition,
                 std::string("optimizer.lr <= 0.001"));
        QCOMPARE(featureNamed(explainRow(t, 4, f, o), "optimizer.lr")->condition,
                 std::string("optimizer.lr > 0.1"));
    }

    void kernelWidthDefault() {
        const ParamTable t = abcTable();
        QCOMPARE(LimeExplainer(t).kernelWidth(), 0.75 * std::sqrt(3.0));
        LimeOptions o;
        o.kernelWidth = 2.5;
        QCOMPARE(LimeExplainer(t, o).kernelWidth(), 2.5);
        o.numSamples = 100;
        QCOMPARE(explainRow(t, 1, linearAbc, o).kernelWidth, 2.5);
    }

    void deterministicUnderSeed() {
        const ParamTable t = abcTable();
        LimeOptions o;
        o.numSamples = 1000;
        o.seed = 42;
        const Json first = toJson(explainRow(t, 5, linearAbc, o));
        QCOMPARE(toJson(explainRow(t, 5, linearAbc, o)), first);
        const LimeExplainer explainer(t, o);
        QCOMPARE(toJson(explainer.explain(5, linearAbc)), first);
        QCOMPARE(toJson(explainer.explain(5, linearAbc)), first);
        o.seed = 43;
        QVERIFY(toJson(explainRow(t, 5, linearAbc, o)) != first);
    }

    void categoricalFeature() {
        // kind: adam half the time, sgd a third, rmsprop a sixth; the predictor is 1 for adam.
        ParamTable t;
        t.columns = {choiceColumn("optimizer.kind", {"adam", "sgd", "rmsprop"}),
                     floatColumn("a", 0, 1)};
        for (int i = 0; i < 60; ++i) {
            const int r = i % 6;
            t.x.push_back(r < 3 ? 0 : r < 5 ? 1 : 2);
            t.x.push_back(double((i * 7) % 60) / 60);
            t.y.push_back(0);
        }
        std::vector<int> counts(3, 0);
        auto f = [&](const std::vector<double>& x, std::size_t n) {
            std::vector<double> y(n);
            for (std::size_t i = 0; i < n; ++i) {
                ++counts[static_cast<std::size_t>(x[i * 2])];
                y[i] = x[i * 2] == 0 ? 1.0 : 0.0;
            }
            return y;
        };
        const LimeExplanation e = explainRow(t, 0, f);
        // Sampled from the training frequencies (1/2, 1/3, 1/6).
        QVERIFY(std::abs(counts[0] / 5000.0 - 0.5) < 0.03);
        QVERIFY(std::abs(counts[1] / 5000.0 - 1.0 / 3) < 0.03);
        QVERIFY(std::abs(counts[2] / 5000.0 - 1.0 / 6) < 0.03);
        QCOMPARE(e.features[0].condition, std::string("optimizer.kind = adam"));
        QCOMPARE(e.features[0].value, Json("adam"));
        QVERIFY(std::abs(e.features[0].weight - 1) < 0.01);
        QVERIFY(std::abs(e.features[1].weight) < 0.01);
        QVERIFY(e.score > 0.99);
    }

    void inactiveCellsAreABin() {
        // momentum is inactive (NaN) in a third of the rows; explained at an inactive row, the
        // condition says so and the predictor sees NaN about a third of the time.
        ParamTable t;
        t.columns = {floatColumn("momentum", 0, 1), floatColumn("a", 0, 1)};
        for (int i = 0; i < 90; ++i) {
            t.x.push_back(i % 3 == 0 ? kNaN : double(i) / 90);
            t.x.push_back(double((i * 11) % 90) / 90);
            t.y.push_back(0);
        }
        std::size_t inactive = 0;
        auto f = [&](const std::vector<double>& x, std::size_t n) {
            std::vector<double> y(n);
            for (std::size_t i = 0; i < n; ++i) {
                const bool off = std::isnan(x[i * 2]);
                inactive += off;
                y[i] = off ? 2.0 : x[i * 2];
            }
            return y;
        };
        const LimeExplanation e = explainRow(t, 3, f);
        QVERIFY(std::abs(double(inactive) / 5000 - 1.0 / 3) < 0.03);
        const LimeFeature* m = featureNamed(e, "momentum");
        QCOMPARE(m->condition, std::string("momentum is inactive"));
        QVERIFY(m->value.is_null());
        QVERIFY(m->weight > 1); // inactive gives 2, active at most 1
        QVERIFY(toJson(e)["features"][0]["value"].is_null());
        // Without a discretizer an inactive column stays inactive and gets no weight.
        LimeOptions o;
        o.discretizer = LimeDiscretizer::None;
        inactive = 0;
        const LimeExplanation c = explainRow(t, 3, f, o);
        QCOMPARE(inactive, std::size_t(5000));
        QCOMPARE(featureNamed(c, "momentum")->weight, 0.0);
    }

    void featureSelections() {
        const ParamTable t = abcTable();
        const std::size_t row = topRow(t);
        LimeOptions o;
        o.numSamples = 2000;
        o.numFeatures = 2; // auto: forward selection
        LimeExplanation e = explainRow(t, row, linearAbc, o);
        QCOMPARE(e.features.size(), std::size_t(2));
        QCOMPARE(e.features[0].name, std::string("a"));
        QCOMPARE(e.features[1].name, std::string("b"));
        o.featureSelection = LimeFeatureSelection::HighestWeights;
        o.numFeatures = 1;
        e = explainRow(t, row, linearAbc, o);
        QCOMPARE(e.features.size(), std::size_t(1));
        QCOMPARE(e.features[0].name, std::string("a"));
        o.featureSelection = LimeFeatureSelection::ForwardSelection;
        e = explainRow(t, row, linearAbc, o);
        QCOMPARE(e.features.size(), std::size_t(1));
        QCOMPARE(e.features[0].name, std::string("a"));
        o.featureSelection = LimeFeatureSelection::None; // ignores num_features
        QCOMPARE(explainRow(t, row, linearAbc, o).features.size(), std::size_t(3));
    }

    void badInput() {
        const ParamTable t = abcTable();
        QVERIFY(errorOf([&] { explainRow(t, 400, linearAbc); }).find("row 400 is out of range") !=
                std::string::npos);
        ParamTable one = t;
        one.x.resize(3);
        one.y.resize(1);
        QVERIFY(errorOf([&] { LimeExplainer{one}; }).find("1 rows; at least 2") !=
                std::string::npos);
        ParamTable none;
        none.y = {1, 2};
        QVERIFY(errorOf([&] { LimeExplainer{none}; }).find("no parameter columns") !=
                std::string::npos);
        LimeOptions o;
        o.numSamples = 10;
        QVERIFY(
            errorOf([&] {
                explainRow(
                    t, 0,
                    [](const std::vector<double>&, std::size_t) { return std::vector<double>(3); },
                    o);
            }).find("returned 3 values for 10 samples") != std::string::npos);
        QVERIFY(errorOf([&] { explainRow(t, 0, Predictor{}, o); }).find("no predictor") !=
                std::string::npos);
    }

    void jsonCarriesWhatLimeReturns() {
        const ParamTable t = abcTable();
        LimeOptions o;
        o.numSamples = 200;
        const Json j = toJson(explainRow(t, 1, linearAbc, o));
        for (const char* key : {"intercept", "features", "score", "local_pred", "predicted_value",
                                "kernel_width", "num_samples", "trial", "row"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j["features"].size(), std::size_t(3));
        QVERIFY(j["features"][0].contains("condition"));
        QCOMPARE(j["trial"].get<int>(), 101);
    }
};

QTEST_GUILESS_MAIN(TestLime)
#include "tst_lime.moc"
