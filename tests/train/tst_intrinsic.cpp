// Intrinsic dimension (METHODS.md 2): the toy problem whose intrinsic dimension is exactly 10,
// unit-norm columns for the three projections, Fastfood's backward pass equal to its
// transpose, the Walsh-Hadamard butterfly against the explicit matrix, determinism under a
// seed, clear errors for bad options, and subspace training of a small MLP.
#include "core/train/intrinsic_torch.h"

#include <QtTest>
#include <bit>
#include <cmath>
#include <torch/torch.h>

using namespace ps;

namespace {

// The columns P e_i as a [D, d] matrix.
torch::Tensor explicitMatrix(const Projection& p) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> columns;
    for (std::int64_t i = 0; i < p.d(); ++i) {
        torch::Tensor e = torch::zeros({p.d()});
        e[i] = 1;
        columns.push_back(p.apply(e));
    }
    return torch::stack(columns, 1);
}

// METHODS 2.4 toy: θ in R^1000, 10 groups of 100 coordinates whose sums must reach 1..10.
// Returns the final loss after training θ_d (from 0, θ0 random). The loss is quadratic in θ_d;
// L-BFGS with a strong Wolfe line search reaches its minimum in a few dozen steps even where
// the 10 x d system is badly conditioned (d near 10), where Adam stalls.
double toyLoss(std::int64_t d, std::uint64_t seed) {
    const std::int64_t bigD = 1000, groups = 10;
    torch::manual_seed(3);
    const torch::Tensor theta0 = torch::randn({bigD});
    const torch::Tensor targets = torch::arange(1, groups + 1, torch::kFloat);
    const auto projection = makeProjection("dense", d, bigD, seed);
    torch::Tensor thetaD = torch::zeros({d}, torch::kDouble).requires_grad_(true);
    torch::optim::LBFGS optimizer({thetaD}, torch::optim::LBFGSOptions(1)
                                                .max_iter(500)
                                                .tolerance_grad(1e-12)
                                                .tolerance_change(1e-14)
                                                .line_search_fn("strong_wolfe"));
    const auto loss = [&] {
        const torch::Tensor theta = theta0 + projection->apply(thetaD.to(torch::kFloat));
        return (theta.view({groups, bigD / groups}).sum(1) - targets).square().sum();
    };
    for (int step = 0; step < 5; ++step)
        optimizer.step([&] {
            optimizer.zero_grad();
            torch::Tensor l = loss();
            l.backward();
            return l;
        });
    torch::NoGradGuard noGrad;
    return loss().item<double>();
}

struct Blobs {
    torch::Tensor x, y;
};

Blobs blobs(std::int64_t n, std::uint64_t seed) {
    torch::manual_seed(seed);
    Blobs b;
    b.x = torch::randn({n, 20});
    b.y = b.x.slice(1, 0, 3).argmax(1); // learnable labels in 3 classes
    return b;
}

ModelSpec mlpSpec() {
    ModelSpec s;
    s.kind = ModelKind::Mlp;
    s.inputShape = {20};
    s.outputs = 3;
    s.width = 32;
    s.depth = 2;
    return s;
}

SubspaceTraining training(std::int64_t epochs) {
    SubspaceTraining how;
    how.epochs = epochs;
    how.batch = 32;
    how.lr = 1e-2;
    how.seed = 5;
    how.lossSum = [](const torch::Tensor& out, const torch::Tensor& t) {
        return torch::nn::functional::cross_entropy(
            out, t, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    };
    how.correct = [](const torch::Tensor& out, const torch::Tensor& t) {
        return out.argmax(1).eq(t).sum();
    };
    return how;
}

} // namespace

class TestIntrinsic : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void toyHasIntrinsicDimensionTen_data() {
        QTest::addColumn<qint64>("d");
        QTest::addColumn<bool>("solved");
        for (qint64 d : {5, 9})
            QTest::addRow("d=%lld", d) << d << false;
        for (qint64 d : {10, 11, 15})
            QTest::addRow("d=%lld", d) << d << true;
    }
    void toyHasIntrinsicDimensionTen() {
        QFETCH(qint64, d);
        QFETCH(bool, solved);
        const double loss = toyLoss(d, 42);
        if (solved)
            QVERIFY2(loss < 1e-3, qPrintable(QString::number(loss)));
        else // with d < 10 some group sums stay off: a loss of order 1 at least
            QVERIFY2(loss > 0.1, qPrintable(QString::number(loss)));
    }

    void walshHadamardMatchesExplicitMatrix() {
        const std::int64_t length = 16;
        torch::Tensor h = torch::empty({length, length});
        for (std::int64_t i = 0; i < length; ++i)
            for (std::int64_t j = 0; j < length; ++j)
                h[i][j] = (std::popcount(std::uint64_t(i & j)) % 2) ? -1.0 : 1.0;
        const torch::Tensor x = torch::randn({3, length});
        QVERIFY(torch::allclose(walshHadamard(x), x.matmul(h.t()), 1e-5, 1e-5));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, walshHadamard(torch::zeros({12})));
    }

    // Past the in-cache block (2048): against the butterfly written with tensor ops, and the
    // backward pass, which is the transform itself (H is symmetric).
    void walshHadamardLongRowsAndGradient() {
        const std::int64_t length = 1 << 14;
        const torch::Tensor x = torch::randn({2, length}, torch::kDouble);
        torch::Tensor expected = x.clone();
        for (std::int64_t h = 1; h < length; h *= 2) {
            const torch::Tensor blocks = expected.view({2, length / (2 * h), 2, h});
            const torch::Tensor a = blocks.select(2, 0), b = blocks.select(2, 1);
            expected = torch::stack({a + b, a - b}, 2).view({2, length});
        }
        QVERIFY(torch::allclose(walshHadamard(x), expected, 1e-9, 1e-9));
        // H H = L I
        QVERIFY(torch::allclose(walshHadamard(walshHadamard(x)) / double(length), x, 1e-9, 1e-9));
        const torch::Tensor input = x.clone().requires_grad_(true);
        const torch::Tensor w = torch::randn({2, length}, torch::kDouble);
        (walshHadamard(input) * w).sum().backward();
        QVERIFY(torch::allclose(input.grad(), walshHadamard(w), 1e-9, 1e-9));
    }

    void columnsHaveUnitNorm_data() {
        QTest::addColumn<QString>("kind");
        for (const char* k : {"dense", "sparse", "fastfood"})
            QTest::newRow(k) << QString(k);
    }
    void columnsHaveUnitNorm() {
        QFETCH(QString, kind);
        const auto p = makeProjection(kind.toStdString(), 64, 1000, 7); // Fastfood: L = 1024
        const torch::Tensor norms = explicitMatrix(*p).norm(2, {0});
        QCOMPARE(norms.numel(), 64);
        const double lo = norms.min().item<double>(), hi = norms.max().item<double>();
        QVERIFY2(lo > 0.95 && hi < 1.05, qPrintable(QString("%1 .. %2").arg(lo).arg(hi)));
    }

    // apply() is linear, and its backward pass is the transpose: grad = P^T g.
    void backwardIsTranspose_data() { columnsHaveUnitNorm_data(); }
    void backwardIsTranspose() {
        QFETCH(QString, kind);
        const auto p = makeProjection(kind.toStdString(), 7, 21, 3); // Fastfood: L = 32
        const torch::Tensor m = explicitMatrix(*p);
        torch::Tensor thetaD = torch::randn({7}).requires_grad_(true);
        const torch::Tensor out = p->apply(thetaD);
        QVERIFY(torch::allclose(out.detach(), m.mv(thetaD.detach()), 1e-5, 1e-5));
        const torch::Tensor g = torch::randn({21});
        out.backward(g);
        QVERIFY(torch::allclose(thetaD.grad(), m.t().mv(g), 1e-5, 1e-5));
    }

    void deterministicUnderSeed_data() { columnsHaveUnitNorm_data(); }
    void deterministicUnderSeed() {
        QFETCH(QString, kind);
        const torch::Tensor x = torch::randn({30});
        const auto a = makeProjection(kind.toStdString(), 30, 500, 11);
        const auto b = makeProjection(kind.toStdString(), 30, 500, 11);
        const auto c = makeProjection(kind.toStdString(), 30, 500, 12);
        QVERIFY(torch::equal(a->apply(x), b->apply(x)));
        QVERIFY(!torch::allclose(a->apply(x), c->apply(x)));
    }

    void badOptionsAreRefused() {
        try {
            makeProjection("fastfood", 2000, 1000, 0);
            QFAIL("d > D accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("d = 2000 is larger than the number of "
                                                "parameters D = 1000"),
                     e.what());
        }
        try {
            makeProjection("circulant", 10, 1000, 0);
            QFAIL("unknown projection accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("projection 'circulant' is not fastfood"),
                     e.what());
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 makeProjection("dense", 100'000, 100'000, 0));
        QCOMPARE(parseDims(" 100,10, 50,10"), (std::vector<std::int64_t>{10, 50, 100}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseDims("10,x"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseDims("10,0"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseDims(""));
    }

    void intrinsicDimensionRule() {
        // the first d (ascending) whose mean accuracy is strictly above 0.9 x baseline
        const std::vector<std::int64_t> dims = {100, 10, 50};
        QCOMPARE(intrinsicDimension(dims, {0.95, 0.5, 0.9}, 1.0), 100);
        QCOMPARE(intrinsicDimension(dims, {0.95, 0.5, 0.91}, 1.0), 50);
        QCOMPARE(intrinsicDimension(dims, {0.8, 0.5, 0.7}, 1.0), -1);
        QCOMPARE(intrinsicDimension(dims, {0.8, 0.5, 0.7}, 0.8), 100);
    }

    // A small MLP learns in a subspace: more dimensions do better, a subspace of the full size
    // comes close to direct training, and the same seed gives the same answer.
    void mlpTrainsInSubspace() {
        torch::set_num_threads(1);
        const Blobs train = blobs(600, 1), val = blobs(300, 2);
        auto model = buildModel(mlpSpec(), 9);
        const torch::Tensor theta0 = flatParameters(*model).clone();
        const std::int64_t bigD = theta0.numel();
        const auto run = [&](std::int64_t d, std::uint64_t seed) {
            setFlatParameters(*model, theta0);
            const auto p = makeProjection("fastfood", d, bigD, seed);
            return trainInSubspace(*model, *p, train.x, train.y, val.x, val.y, training(5));
        };
        const double tiny = run(2, 1), large = run(200, 1), again = run(200, 1);
        QCOMPARE(again, large);
        setFlatParameters(*model, theta0);
        const double direct = trainDirect(*model, train.x, train.y, val.x, val.y, training(5));
        qInfo("D = %lld: d = 2 %.3f, d = 200 %.3f, direct %.3f", (long long)bigD, tiny, large,
              direct);
        QVERIFY(large > tiny);
        QVERIFY(large > 0.7 && direct > 0.85);
        // the parameters are left at θ0 + P θ_d, not at θ0
        setFlatParameters(*model, theta0);
        run(50, 2);
        QVERIFY(!torch::equal(flatParameters(*model), theta0));
    }
};

QTEST_GUILESS_MAIN(TestIntrinsic)
#include "tst_intrinsic.moc"
