// Mixed precision's pieces that run without a GPU: the precision setting's resolution, the
// CPU's bf16 autocast scope, and fp16's dynamic loss scaling.
#include "core/train/precision_torch.h"

#include <QtTest>
#include <limits>
#include <stdexcept>
#include <torch/torch.h>

class TestPrecision : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void resolvesOnTheCpu();
    void autocastScopeCastsAndRestores();
    void lossScalerSkipsOverflowAndAdapts();
};

void TestPrecision::resolvesOnTheCpu() {
    const torch::Device cpu(torch::kCPU);
    QCOMPARE(ps::resolvePrecision("auto", cpu), ps::Precision::Fp32);
    QCOMPARE(ps::resolvePrecision("bf16", cpu), ps::Precision::Bf16);
    QCOMPARE(ps::resolvePrecision("fp32", cpu), ps::Precision::Fp32);
    for (const char* bad : {"fp16", "half"}) {
        try {
            ps::resolvePrecision(bad, cpu);
            QFAIL(bad);
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("setting 'precision'") != std::string::npos,
                     e.what());
        }
    }
}

void TestPrecision::autocastScopeCastsAndRestores() {
    const torch::Tensor a = torch::randn({4, 4}), b = torch::randn({4, 4});
    {
        const ps::AutocastScope scope(torch::Device(torch::kCPU), ps::Precision::Bf16);
        QCOMPARE(torch::mm(a, b).scalar_type(), torch::kBFloat16);
        {
            // nested scopes restore the outer one
            const ps::AutocastScope inner(torch::Device(torch::kCPU), ps::Precision::Fp32);
            QCOMPARE(torch::mm(a, b).scalar_type(), torch::kBFloat16);
        }
        QCOMPARE(torch::mm(a, b).scalar_type(), torch::kBFloat16);
    }
    QCOMPARE(torch::mm(a, b).scalar_type(), torch::kFloat);
}

void TestPrecision::lossScalerSkipsOverflowAndAdapts() {
    ps::LossScaler scaler(1024.0, 3);
    torch::Tensor w = torch::ones({2}, torch::requires_grad());
    scaler.scale((w * 3).sum()).backward();
    QVERIFY(scaler.unscale({w}));
    // the gradient is the true one, 3, after unscaling
    QCOMPARE(w.grad()[0].item<double>(), 3.0);
    scaler.update(true);
    scaler.update(true);
    QCOMPARE(scaler.currentScale(), 1024.0);
    scaler.update(true); // the third good step in a row doubles it
    QCOMPARE(scaler.currentScale(), 2048.0);

    w.mutable_grad().fill_(std::numeric_limits<float>::infinity());
    QVERIFY(!scaler.unscale({w}));
    scaler.update(false);
    QCOMPARE(scaler.currentScale(), 1024.0);
    QCOMPARE(scaler.skippedSteps(), std::int64_t(1));
    w.mutable_grad().fill_(std::numeric_limits<float>::quiet_NaN());
    QVERIFY(!scaler.unscale({w}));
}

QTEST_APPLESS_MAIN(TestPrecision)
#include "tst_precision.moc"
