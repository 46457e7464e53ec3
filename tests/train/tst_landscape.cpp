// Loss landscapes (METHODS.md 1.9): filter-wise normalization and biasbn, exact scale
// invariance of the normalized curve, the fast path equal to the reference's loop, grid
// bookkeeping for nx != ny, interpolation end points, and the PCA of a trajectory.
#include "core/train/landscape_torch.h"

#include <QtTest>
#include <cmath>
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

using namespace ps;

namespace {

ModelSpec mlpSpec(Normalization norm) {
    ModelSpec s;
    s.kind = ModelKind::Mlp;
    s.inputShape = {20};
    s.outputs = 3;
    s.width = 16;
    s.depth = 2;
    s.norm = norm;
    return s;
}

struct Data {
    torch::Tensor x, y;
};

Data data(std::int64_t n, std::int64_t features) {
    torch::manual_seed(11);
    Data d;
    d.x = torch::randn({n, features});
    d.y = (d.x.slice(1, 0, 3).argmax(1)); // learnable labels in 3 classes
    return d;
}

GridEvaluation evaluation(const Data& d, bool fast, std::int64_t chunk = 64) {
    GridEvaluation how;
    how.inputs = &d.x;
    how.targets = &d.y;
    how.lossSum = [](const torch::Tensor& out, const torch::Tensor& t) {
        namespace F = torch::nn::functional;
        return F::cross_entropy(out, t, F::CrossEntropyFuncOptions().reduction(torch::kSum));
    };
    how.correct = [](const torch::Tensor& out, const torch::Tensor& t) {
        return out.argmax(1).eq(t).sum();
    };
    how.fast = fast;
    how.chunk = chunk;
    return how;
}

// A few Adam steps so the weights are not at initialization.
void train(Model& model, const Data& d, int steps) {
    torch::optim::Adam opt(model.parameters(), torch::optim::AdamOptions(1e-2));
    model.train();
    for (int i = 0; i < steps; ++i) {
        opt.zero_grad();
        torch::nn::functional::cross_entropy(model.forward(d.x), d.y).backward();
        opt.step();
    }
}

double maxDifference(const std::vector<std::vector<double>>& a,
                     const std::vector<std::vector<double>>& b) {
    double worst = 0;
    for (std::size_t r = 0; r < a.size(); ++r)
        for (std::size_t c = 0; c < a[r].size(); ++c)
            worst = std::max(worst, std::abs(a[r][c] - b[r][c]));
    return worst;
}

} // namespace

class TestLandscape : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void filterNormalizationAndBiasBn() {
        const auto model = buildModel(mlpSpec(Normalization::Batch), 1);
        const WeightList w = copyWeights(*model);
        const WeightList d = randomDirection(w, 123, DirectionNorm::Filter, true);
        QCOMPARE(d.size(), w.size());
        for (std::size_t i = 0; i < w.size(); ++i) {
            if (w[i].dim() <= 1) {
                QCOMPARE(d[i].abs().sum().item<double>(), 0.0); // biasbn: not moved
                continue;
            }
            // every filter (row) of the direction has its weights' norm
            const torch::Tensor ratio = d[i].norm(2, 1) / w[i].norm(2, 1);
            QVERIFY(torch::allclose(ratio, torch::ones_like(ratio), 1e-5, 1e-6));
        }
        const WeightList same = randomDirection(w, 123, DirectionNorm::Filter, true);
        QVERIFY(torch::equal(same[0], d[0]));
        QVERIFY(!torch::equal(randomDirection(w, 124, DirectionNorm::Filter, true)[0], d[0]));
        // without biasbn, one-dimensional tensors move with their own values
        const WeightList all = randomDirection(w, 123, DirectionNorm::Filter, false);
        QVERIFY(torch::equal(all[1], w[1]));
        // layer normalization: the whole tensor at the weights' norm
        const WeightList layer = randomDirection(w, 123, DirectionNorm::Layer, true);
        QVERIFY(std::abs(layer[0].norm().item<double>() / w[0].norm().item<double>() - 1) < 1e-5);
    }

    void normalizedCurveIsScaleInvariant() {
        // METHODS 1.9.1: with batch norm after every hidden layer, multiplying the pre-BN
        // weights by c (and the running statistics accordingly) leaves the function unchanged;
        // the filter-normalized curve must not change, the un-normalized one must flatten.
        const Data d = data(256, 20);
        const auto a = buildModel(mlpSpec(Normalization::Batch), 2);
        train(*a, d, 30);
        const auto b = buildModel(mlpSpec(Normalization::Batch), 2);
        {
            const torch::NoGradGuard noGrad;
            auto pa = a->named_parameters(), pb = b->named_parameters();
            for (const auto& item : pa) {
                torch::Tensor target = pb[item.key()];
                target.copy_(item.value());
                if (item.key().rfind("hidden.", 0) == 0)
                    target.mul_(10.0); // pre-BN weight and bias
            }
            auto ba = a->named_buffers(), bb = b->named_buffers();
            for (const auto& item : ba) {
                torch::Tensor target = bb[item.key()];
                target.copy_(item.value());
                if (item.key().ends_with("running_mean"))
                    target.mul_(10.0);
                if (item.key().ends_with("running_var"))
                    target.mul_(100.0);
            }
        }
        const auto xs = linspace(-1, 1, 21);
        const auto curve = [&](Model& m, DirectionNorm norm) {
            const WeightList w = copyWeights(m);
            return evaluateGrid(m, w, randomDirection(w, 7, norm, true), nullptr, xs, {},
                                evaluation(d, false))
                .loss;
        };
        const auto na = curve(*a, DirectionNorm::Filter), nb = curve(*b, DirectionNorm::Filter);
        QVERIFY2(maxDifference(na, nb) < 1e-4, qPrintable(QString::number(maxDifference(na, nb))));
        const auto ua = curve(*a, DirectionNorm::None), ub = curve(*b, DirectionNorm::None);
        const auto rise = [](const std::vector<std::vector<double>>& c) {
            return std::max(c[0].front(), c[0].back()) - c[0][10];
        };
        QVERIFY2(rise(ua) > 10 * rise(ub),
                 qPrintable(QString("%1 vs %2").arg(rise(ua)).arg(rise(ub))));
    }

    void fastPathEqualsTheReferenceLoop_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("mlp") << int(ModelKind::Mlp);
        QTest::newRow("cnn") << int(ModelKind::Cnn);
    }

    void fastPathEqualsTheReferenceLoop() {
        QFETCH(int, kind);
        ModelSpec spec = mlpSpec(Normalization::None);
        Data d = data(300, 20);
        if (kind == int(ModelKind::Cnn)) {
            spec.kind = ModelKind::Cnn;
            spec.inputShape = {1, 8, 8};
            spec.width = 4;
            spec.depth = 2;
            d = data(300, 64);
        }
        const auto model = buildModel(spec, 3);
        train(*model, d, 20);
        const WeightList w = copyWeights(*model);
        const WeightList dx = randomDirection(w, 1, DirectionNorm::Filter, true);
        const WeightList dy = randomDirection(w, 2, DirectionNorm::Filter, true);
        // nx != ny: stored [y][x], no transposition
        const auto xs = linspace(-1, 1, 7), ys = linspace(-0.5, 0.5, 5);
        const LandscapeGrid slow = evaluateGrid(*model, w, dx, &dy, xs, ys, evaluation(d, false));
        const LandscapeGrid fast = evaluateGrid(*model, w, dx, &dy, xs, ys, evaluation(d, true));
        QVERIFY(!slow.fastPath);
        QVERIFY(fast.fastPath);
        QCOMPARE(fast.loss.size(), std::size_t(5));
        QCOMPARE(fast.loss[0].size(), std::size_t(7));
        QVERIFY2(maxDifference(slow.loss, fast.loss) < 1e-5,
                 qPrintable(QString::number(maxDifference(slow.loss, fast.loss))));
        QCOMPARE(maxDifference(slow.accuracy, fast.accuracy), 0.0);
        // one point by hand: row 1 is y = -0.25, column 5 is x = 2/3
        {
            const torch::NoGradGuard noGrad;
            auto params = model->parameters();
            for (std::size_t i = 0; i < params.size(); ++i)
                params[i].copy_(w[i] + dx[i] * xs[5] + dy[i] * ys[1]);
            model->eval();
            const double loss =
                torch::nn::functional::cross_entropy(model->forward(d.x), d.y).item<double>();
            QVERIFY2(std::abs(loss - fast.loss[1][5]) < 1e-5,
                     qPrintable(QString("%1 vs %2").arg(loss).arg(fast.loss[1][5])));
            for (std::size_t i = 0; i < params.size(); ++i)
                params[i].copy_(w[i]);
        }
        // the model's own weights are back
        for (std::size_t i = 0; i < w.size(); ++i)
            QVERIFY(torch::equal(model->parameters()[i], w[i]));
    }

    void interpolationEndsAtBothModels() {
        const Data d = data(200, 20);
        const auto model = buildModel(mlpSpec(Normalization::None), 4);
        const WeightList start = copyWeights(*model);
        train(*model, d, 25);
        const WeightList end = copyWeights(*model);
        const LandscapeGrid g =
            evaluateGrid(*model, start, differenceDirection(start, end), nullptr,
                         linspace(-0.5, 1.5, 5), {}, evaluation(d, true));
        const auto lossAt = [&](const WeightList& w) {
            const torch::NoGradGuard noGrad;
            auto params = model->parameters();
            for (std::size_t i = 0; i < params.size(); ++i)
                params[i].copy_(w[i]);
            model->eval();
            return torch::nn::functional::cross_entropy(model->forward(d.x), d.y).item<double>();
        };
        QVERIFY(std::abs(g.loss[0][1] - lossAt(start)) < 1e-5); // x = 0
        QVERIFY(std::abs(g.loss[0][3] - lossAt(end)) < 1e-5);   // x = 1
        QVERIFY(g.loss[0][3] < g.loss[0][1]);
    }

    void pcaOfAPlanarTrajectory() {
        // weights moving in a plane: two components explain everything, the path ends at 0
        const auto model = buildModel(mlpSpec(Normalization::None), 5);
        const WeightList base = copyWeights(*model);
        const WeightList u = randomDirection(base, 1, DirectionNorm::None, true);
        const WeightList v = randomDirection(base, 2, DirectionNorm::None, true);
        std::vector<WeightList> trajectory;
        for (int t = 0; t <= 8; ++t) {
            WeightList w;
            for (std::size_t i = 0; i < base.size(); ++i)
                w.push_back(base[i] + u[i] * (8 - t) * 0.5 + v[i] * std::sin(t * 0.7) * 0.3);
            trajectory.push_back(w);
        }
        const PcaDirections pca = pcaDirections(trajectory, true);
        QVERIFY(pca.explainedFirst + pca.explainedSecond > 0.999);
        QVERIFY(pca.explainedFirst >= pca.explainedSecond);
        QCOMPARE(pca.path.size(), std::size_t(9));
        QVERIFY(std::abs(pca.path.back().first) < 1e-6 && std::abs(pca.path.back().second) < 1e-6);
        // unit-norm, orthogonal components
        double n1 = 0, dot = 0;
        for (std::size_t i = 0; i < base.size(); ++i) {
            n1 += pca.first[i].pow(2).sum().item<double>();
            dot += (pca.first[i] * pca.second[i]).sum().item<double>();
        }
        QVERIFY(std::abs(n1 - 1) < 1e-4);
        QVERIFY(std::abs(dot) < 1e-4);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pcaDirections({base, base}, true));
    }

    void linspaceIncludesBothEnds() {
        const auto x = linspace(-1, 1, 51);
        QCOMPARE(x.size(), std::size_t(51));
        QCOMPARE(x.front(), -1.0);
        QCOMPARE(x.back(), 1.0);
        QVERIFY(std::abs(x[1] - x[0] - 0.04) < 1e-12);
    }
};

QTEST_APPLESS_MAIN(TestLandscape)
#include "tst_landscape.moc"
