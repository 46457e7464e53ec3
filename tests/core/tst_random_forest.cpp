// The regression forest behind fANOVA and LIME: it learns a known function, splits categories
// by subsets, routes missing cells, partitions its domain into boxes, honours its options and
// gives the same forest for the same seed, whatever the number of threads.

#include "core/analysis/param_table.h"
#include "core/analysis/random_forest.h"

#include <QTest>
#include <cmath>
#include <random>
#include <stdexcept>

using namespace ps;

namespace {

// Uniform on [0, 1) from mt19937_64's bits, the same on every standard library.
class Uniform {
public:
    explicit Uniform(std::uint64_t seed) : m_engine(seed) {}
    double operator()() { return double(m_engine() >> 11) * 0x1.0p-53; }

private:
    std::mt19937_64 m_engine;
};

double target(double a, double b) {
    return std::sin(6 * a) + 2 * b * b;
}

struct Data {
    std::vector<double> x, y;
};

Data sample(int rows, std::uint64_t seed) {
    Uniform u(seed);
    Data d;
    for (int i = 0; i < rows; ++i) {
        const double a = u(), b = u();
        d.x.insert(d.x.end(), {a, b});
        d.y.push_back(target(a, b));
    }
    return d;
}

const std::vector<ForestFeature> kTwoNumerical(2);

double rSquared(const std::vector<double>& truth, const std::vector<double>& predicted) {
    double mean = 0;
    for (const double t : truth)
        mean += t / double(truth.size());
    double ssRes = 0, ssTot = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        ssRes += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
        ssTot += (truth[i] - mean) * (truth[i] - mean);
    }
    return 1 - ssRes / ssTot;
}

double boxVolume(const TreeBox& box, const std::vector<ForestFeature>& features) {
    double v = 1;
    for (std::size_t f = 0; f < features.size(); ++f) {
        if (features[f].categorical()) {
            double n = 0;
            for (const char c : box.categories[f])
                n += c;
            v *= n / features[f].categories;
        } else {
            v *= (box.high[f] - box.low[f]) / (features[f].high - features[f].low);
        }
    }
    return v;
}

} // namespace

class TestRandomForest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void learnsAKnownFunction() {
        const Data train = sample(2000, 1), test = sample(1000, 2);
        RandomForest forest;
        RandomForestOptions options;
        options.trees = 32;
        options.seed = 3;
        forest.fit(train.x, train.y, kTwoNumerical, options);
        const double r2 = rSquared(test.y, forest.predict(test.x));
        QVERIFY2(r2 > 0.98, qPrintable(QString("R^2 on fresh points: %1").arg(r2)));
    }

    void sameSeedSameForest() {
        const Data train = sample(300, 4), test = sample(100, 5);
        RandomForestOptions options;
        options.trees = 8;
        options.maxFeatures = 0.5;
        options.seed = 11;
        RandomForest a, b, c, threaded;
        a.fit(train.x, train.y, kTwoNumerical, options);
        b.fit(train.x, train.y, kTwoNumerical, options);
        RandomForestOptions twoThreads = options;
        twoThreads.threads = 2;
        threaded.fit(train.x, train.y, kTwoNumerical, twoThreads);
        RandomForestOptions other = options;
        other.seed = 12;
        c.fit(train.x, train.y, kTwoNumerical, other);
        QCOMPARE(a.predict(test.x), b.predict(test.x));
        QCOMPARE(a.predict(test.x), threaded.predict(test.x));
        QVERIFY(a.predict(test.x) != c.predict(test.x));
    }

    void withoutBootstrapOneDeepTreeInterpolates() {
        // Every training row gets its own leaf, so the training targets come back exactly.
        const Data train = sample(200, 6);
        RandomForestOptions options;
        options.trees = 1;
        options.bootstrap = false;
        RandomForest forest;
        forest.fit(train.x, train.y, kTwoNumerical, options);
        const std::vector<double> p = forest.predict(train.x);
        for (std::size_t i = 0; i < p.size(); ++i)
            QVERIFY(std::abs(p[i] - train.y[i]) < 1e-12);
    }

    void categoriesSplitBySubsets() {
        // y is high for categories 0 and 2 of four: one subset split separates them, where
        // ordered indices would need three.
        std::vector<double> x, y;
        for (int i = 0; i < 40; ++i) {
            const int c = i % 4;
            x.push_back(c);
            y.push_back(c == 0 || c == 2 ? 10.0 + 0.01 * i : 0.01 * i);
        }
        ForestFeature cat;
        cat.kind = FeatureKind::Categorical;
        cat.categories = 5; // category 4 never appears
        RandomForestOptions options;
        options.trees = 1;
        options.bootstrap = false;
        options.maxDepth = 1;
        RandomForest forest;
        forest.fit(x, y, {cat}, options);
        const RegressionTree& tree = forest.trees()[0];
        const TreeNode& root = tree.nodes()[0];
        QCOMPARE(root.feature, 0);
        QVERIFY(root.categorySet >= 0);
        const bool low = tree.inLeftSet(root, 1); // the low categories go left (sorted by mean)
        QVERIFY(low);
        QCOMPARE(tree.inLeftSet(root, 3), true);
        QCOMPARE(tree.inLeftSet(root, 0), false);
        QCOMPARE(tree.inLeftSet(root, 2), false);
        // The absent category joins the side with more weight (a tie here: left).
        QCOMPARE(tree.inLeftSet(root, 4), true);
        const double row0 = 0, row2 = 2;
        QVERIFY(std::abs(forest.predict(&row0) - forest.predict(&row2)) < 1e-9);
        QVERIFY(forest.predict(&row0) > 9);
    }

    void missingCellsHaveTheirOwnSide() {
        // Where x0 is missing (an inactive parameter) y is 5 whatever x0; elsewhere y = x0.
        Uniform u(7);
        std::vector<double> x, y;
        for (int i = 0; i < 400; ++i) {
            const double a = u(), b = u();
            const bool active = i % 2 == 0;
            x.insert(x.end(), {active ? a : NAN, b});
            y.push_back(active ? a : 5.0);
        }
        RandomForestOptions options;
        options.trees = 16;
        RandomForest forest;
        forest.fit(x, y, kTwoNumerical, options);
        const std::vector<double> rows{NAN, 0.3, 0.2, 0.3, 0.9, 0.3};
        const std::vector<double> p = forest.predict(rows);
        QVERIFY2(std::abs(p[0] - 5) < 0.05, qPrintable(QString::number(p[0])));
        QVERIFY2(std::abs(p[1] - 0.2) < 0.05, qPrintable(QString::number(p[1])));
        QVERIFY2(std::abs(p[2] - 0.9) < 0.05, qPrintable(QString::number(p[2])));
        // A NaN in a column that never had one in training still finds a leaf.
        const double unseen[] = {0.5, NAN};
        QVERIFY(std::isfinite(forest.predict(unseen)));
    }

    void leafBoxesPartitionTheDomain() {
        Data train = sample(300, 8);
        // Add a categorical column and some missing cells.
        std::vector<double> x;
        for (std::size_t r = 0; r < train.y.size(); ++r) {
            x.insert(x.end(),
                     {train.x[2 * r], r % 7 == 0 ? NAN : train.x[2 * r + 1], double(r % 3)});
            train.y[r] += r % 3 == 1 ? 1.0 : 0.0;
        }
        std::vector<ForestFeature> features(3);
        features[0].low = -1; // a domain wider than the data
        features[0].high = 2;
        features[2].kind = FeatureKind::Categorical;
        features[2].categories = 3;
        RandomForestOptions options;
        options.trees = 4;
        RandomForest forest;
        forest.fit(x, train.y, features, options);
        QCOMPARE(forest.features()[0].low, -1.0);
        QCOMPARE(forest.features()[0].high, 2.0);
        QVERIFY(forest.features()[1].low >= 0 && forest.features()[1].high < 1); // the data's
        for (const RegressionTree& tree : forest.trees()) {
            const std::vector<TreeBox> boxes = tree.boxes(forest.features());
            double volume = 0;
            for (std::size_t i = 0; i < boxes.size(); ++i)
                if (tree.nodes()[i].isLeaf())
                    volume += boxVolume(boxes[i], forest.features());
            QVERIFY2(std::abs(volume - 1) < 1e-12, qPrintable(QString::number(volume)));
            // Every fully active training row lies in the box of the leaf it reaches.
            for (std::size_t r = 0; r < train.y.size(); ++r) {
                const double* row = &x[r * 3];
                if (std::isnan(row[1]))
                    continue;
                const TreeBox& box = boxes[std::size_t(tree.leafOf(row))];
                for (std::size_t f = 0; f < 2; ++f)
                    QVERIFY(row[f] > box.low[f] - 1e-15 && row[f] <= box.high[f]);
                QVERIFY(box.categories[2][std::size_t(row[2])]);
            }
        }
    }

    void honoursItsOptions() {
        const Data train = sample(500, 9);
        RandomForestOptions options;
        options.trees = 3;
        options.bootstrap = false;
        options.minSamplesLeaf = 7;
        options.maxDepth = 5;
        RandomForest forest;
        forest.fit(train.x, train.y, kTwoNumerical, options);
        for (const RegressionTree& tree : forest.trees()) {
            std::vector<int> depth(tree.nodes().size(), 0);
            for (std::size_t i = 0; i < tree.nodes().size(); ++i) {
                const TreeNode& node = tree.nodes()[i];
                if (node.isLeaf()) {
                    QVERIFY(node.weight >= 7); // no bootstrap: weight = rows
                    QVERIFY(depth[i] <= 5);
                } else {
                    depth[std::size_t(node.left)] = depth[std::size_t(node.right)] = depth[i] + 1;
                }
            }
        }
    }

    void paramTableColumnsKeepTheirLevelsEqual() {
        ParamTable table;
        ParamColumn width;
        width.name = "width";
        width.type = ParamType::Int;
        width.low = 1;
        width.high = 4;
        ParamColumn opt;
        opt.name = "opt";
        opt.type = ParamType::Categorical;
        opt.choices = {"sgd", "adam", "lion"};
        table.columns = {width, opt};
        const std::vector<ForestFeature> f = forestFeatures(table);
        QCOMPARE(f[0].low, 0.5); // four ints, four cells of width 1
        QCOMPARE(f[0].high, 4.5);
        QVERIFY(f[1].categorical());
        QCOMPARE(f[1].categories, 3);
    }

    void rejectsBadInput() {
        RandomForest forest;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forest.fit({}, {}, kTwoNumerical));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 forest.fit({1, 2, 3}, {1, 2}, kTwoNumerical));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forest.fit({1, 2}, {1, NAN}, {{}}));
        ForestFeature cat;
        cat.kind = FeatureKind::Categorical;
        cat.categories = 2;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forest.fit({0, 2}, {1, 2}, {cat}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forest.fit({0, 0.5}, {1, 2}, {cat}));
        RandomForestOptions bad;
        bad.minSamplesLeaf = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forest.fit({0, 1}, {1, 2}, {{}}, bad));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, forest.predict(std::vector<double>{}));
    }
};

QTEST_GUILESS_MAIN(TestRandomForest)
#include "tst_random_forest.moc"
