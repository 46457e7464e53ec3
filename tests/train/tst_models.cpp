// The parametrizations' per-layer rules (METHODS.md 3.1, 3.2, 3.5, 3.6): the init scale each
// tensor gets and the learning-rate and weight-decay multipliers its optimizer group gets, on
// models built exactly as a trial builds them.
#include "core/train/models.h"

#include <QtTest>
#include <cmath>
#include <map>
#include <stdexcept>

namespace {

std::map<std::string, ps::ParameterRule> rulesOf(const ps::ModelSpec& spec, bool adam) {
    std::map<std::string, ps::ParameterRule> out;
    for (auto& r : ps::parameterRules(spec, adam, 5))
        out[r.name] = r;
    return out;
}

ps::ModelSpec mlp(ps::Parametrization p, std::int64_t width) {
    ps::ModelSpec s;
    s.kind = ps::ModelKind::Mlp;
    s.inputShape = {784};
    s.width = width;
    s.depth = 2;
    s.parametrization = p;
    s.baseWidth = 64;
    return s;
}

ps::ModelSpec image(ps::ModelKind kind, ps::Parametrization p, std::int64_t width,
                    std::int64_t base) {
    ps::ModelSpec s;
    s.kind = kind;
    s.inputShape = {1, 28, 28};
    s.width = width;
    s.depth = 2;
    s.patch = 7;
    s.heads = 2;
    s.parametrization = p;
    s.baseWidth = base;
    return s;
}

// A measured standard deviation against the intended one, within sampling error.
bool near(double measured, double intended, double tolerance = 0.05) {
    return std::abs(measured - intended) <= tolerance * intended;
}

} // namespace

class TestModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void spIsOneGroupOfDefaults();
    void mupAdamMlp();
    void mupSgdMlp();
    void mupFindsWidthDimensionsOfEveryArchitecture();
    void mupAtBaseWidthChangesNoLearningRate();
    void umupAdamAndSgd();
    void depthMupScalesResidualBranches();
    void depthMupNeedsResiduals();
};

void TestModels::spIsOneGroupOfDefaults() {
    for (bool adam : {true, false})
        for (const auto& [name, r] : rulesOf(mlp(ps::Parametrization::Sp, 256), adam)) {
            QCOMPARE(r.lrMult, 1.0);
            QCOMPARE(r.wdMult, 1.0);
            QCOMPARE(r.forwardMult, 1.0);
        }
    // LibTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), std 1/sqrt(3 fan_in)
    const auto rules = rulesOf(mlp(ps::Parametrization::Sp, 256), true);
    QVERIFY(near(rules.at("hidden.1.weight").initStd, 1 / std::sqrt(3.0 * 256)));
    QCOMPARE(rules.at("hidden.0.weight").role, std::string("input"));
    QCOMPARE(rules.at("hidden.1.weight").role, std::string("hidden"));
    QCOMPARE(rules.at("output.weight").role, std::string("readout"));
}

void TestModels::mupAdamMlp() {
    // width 256 against base 64: m = 4 (METHODS.md 3.7's Adam recipe)
    const auto r = rulesOf(mlp(ps::Parametrization::MuP, 256), true);
    QCOMPARE(r.at("hidden.0.weight").lrMult, 1.0);     // input: eta
    QCOMPARE(r.at("hidden.1.weight").lrMult, 0.25);    // hidden: eta / m
    QCOMPARE(r.at("hidden.1.weight").wdMult, 4.0);     // MuAdam: wd * m
    QCOMPARE(r.at("output.weight").lrMult, 1.0);       // readout: eta
    QCOMPARE(r.at("hidden.1.bias").lrMult, 1.0);       // vectors: eta
    QCOMPARE(r.at("output.weight").forwardMult, 0.25); // readout multiplier 1 / m
    QVERIFY(near(r.at("hidden.0.weight").initStd, 1 / std::sqrt(784.0)));
    QVERIFY(near(r.at("hidden.1.weight").initStd, 1 / 16.0)); // N(0, 1 / fan_in)
    QCOMPARE(r.at("output.weight").initStd, 0.0);             // readout zero-init
    QCOMPARE(r.at("hidden.1.bias").initStd, 0.0);

    ps::ModelSpec noZero = mlp(ps::Parametrization::MuP, 256);
    noZero.readoutZeroInit = false;
    noZero.outputMult = 2;
    const auto nz = rulesOf(noZero, true);
    // variance 1 / base fan_in behind the multiplier outputMult / m
    QVERIFY(near(nz.at("output.weight").initStd, 1 / 8.0, 0.1));
    QCOMPARE(nz.at("output.weight").forwardMult, 0.5);
}

void TestModels::mupSgdMlp() {
    // MuSGD: vector-like tensors (one width dimension) lr * m, wd / m; square hidden matrices
    // unchanged; the readout bias (nothing grows) unchanged
    const auto r = rulesOf(mlp(ps::Parametrization::MuP, 256), false);
    QCOMPARE(r.at("hidden.0.weight").lrMult, 4.0);
    QCOMPARE(r.at("hidden.0.weight").wdMult, 0.25);
    QCOMPARE(r.at("hidden.0.bias").lrMult, 4.0);
    QCOMPARE(r.at("hidden.1.weight").lrMult, 1.0);
    QCOMPARE(r.at("output.weight").lrMult, 4.0);
    QCOMPARE(r.at("output.bias").lrMult, 1.0);
    QCOMPARE(r.at("output.bias").role, std::string("finite"));
}

void TestModels::mupFindsWidthDimensionsOfEveryArchitecture() {
    // cnn width 32, base 8: m = 4; its readout's fan-in (channels x pixels) grows with width
    const auto cnn = rulesOf(image(ps::ModelKind::Cnn, ps::Parametrization::MuP, 32, 8), true);
    QCOMPARE(cnn.at("conv.0.weight").role, std::string("input"));
    QCOMPARE(cnn.at("conv.1.weight").role, std::string("hidden"));
    QCOMPARE(cnn.at("conv.1.weight").lrMult, 0.25);
    QVERIFY(near(cnn.at("conv.1.weight").initStd, 1 / std::sqrt(32.0 * 9)));
    QCOMPARE(cnn.at("bn.1.weight").role, std::string("vector"));
    QCOMPARE(cnn.at("output.weight").forwardMult, 0.25);

    // resnet: every stage's convs scale alike; the projections are hidden matrices too
    const auto resnet =
        rulesOf(image(ps::ModelKind::ResNet, ps::Parametrization::MuP, 16, 8), true);
    QCOMPARE(resnet.at("stem.weight").role, std::string("input"));
    QCOMPARE(resnet.at("blocks.2.project.weight").lrMult, 0.5);
    QCOMPARE(resnet.at("blocks.5.conv2.weight").lrMult, 0.5);
    QCOMPARE(resnet.at("output.weight").forwardMult, 0.5);

    // vit: attention and MLP matrices hidden, patch embedding input, position vector-like;
    // the queries start at zero
    const auto vit = rulesOf(image(ps::ModelKind::Vit, ps::Parametrization::MuP, 64, 16), true);
    QCOMPARE(vit.at("patch_embed.weight").role, std::string("input"));
    QCOMPARE(vit.at("blocks.0.attention.qkv.weight").lrMult, 0.25);
    QCOMPARE(vit.at("blocks.1.fc2.weight").lrMult, 0.25); // fan-in 4w over base 4w
    QCOMPARE(vit.at("position").role, std::string("vector"));
    QCOMPARE(vit.at("position").lrMult, 1.0);
    QCOMPARE(vit.at("output.weight").forwardMult, 0.25);
    // qkv's std: a third of the rows are zero, the rest N(0, 1/64)
    QVERIFY(
        near(vit.at("blocks.0.attention.qkv.weight").initStd, std::sqrt(2.0 / 3.0) / 8.0, 0.05));
}

void TestModels::mupAtBaseWidthChangesNoLearningRate() {
    for (bool adam : {true, false})
        for (const auto& [name, r] : rulesOf(mlp(ps::Parametrization::MuP, 64), adam)) {
            QCOMPARE(r.lrMult, 1.0);
            QCOMPARE(r.wdMult, 1.0);
        }
}

void TestModels::umupAdamAndSgd() {
    // Effective form: weight = a x unit weight, with a = fan_in^-1/2 (readout fan_in^-1);
    // Adam lr a * eta_unit, SGD lr a^2 * eta_unit (METHODS.md 3.5)
    const auto adam = rulesOf(mlp(ps::Parametrization::UMuP, 256), true);
    QCOMPARE(adam.at("hidden.0.weight").lrMult, 1 / 784.0);
    QCOMPARE(adam.at("hidden.1.weight").lrMult, 1 / 256.0);
    QCOMPARE(adam.at("output.weight").lrMult, 1 / 256.0);
    QCOMPARE(adam.at("hidden.1.bias").lrMult, 1.0);
    QVERIFY(near(adam.at("hidden.1.weight").initStd, 1 / 16.0));
    QVERIFY(near(adam.at("output.weight").initStd, 1 / 256.0));
    QCOMPARE(adam.at("output.weight").forwardMult, 1.0);

    const auto sgd = rulesOf(mlp(ps::Parametrization::UMuP, 256), false);
    QVERIFY(near(sgd.at("hidden.1.weight").lrMult, 1 / 16.0, 1e-12));
    QVERIFY(near(sgd.at("output.weight").lrMult, 1 / (256.0 * 256.0), 1e-12));
    QCOMPARE(sgd.at("hidden.1.bias").lrMult, 256.0);
    QCOMPARE(sgd.at("output.bias").lrMult, 10.0);
}

void TestModels::depthMupScalesResidualBranches() {
    // resnet depth 2: L = 6 blocks; Adam lr / sqrt(6) inside the branches, not on the stem,
    // the projections (shortcuts) or the readout; SGD's lr is depth-independent
    ps::ModelSpec s = image(ps::ModelKind::ResNet, ps::Parametrization::Sp, 8, 8);
    s.depthMuP = true;
    QCOMPARE(ps::residualBlocks(s), std::int64_t(6));
    const auto adam = rulesOf(s, true);
    QVERIFY(near(adam.at("blocks.3.conv1.weight").lrMult, 1 / std::sqrt(6.0), 1e-12));
    QVERIFY(near(adam.at("blocks.0.bn2.bias").lrMult, 1 / std::sqrt(6.0), 1e-12));
    QCOMPARE(adam.at("stem.weight").lrMult, 1.0);
    QCOMPARE(adam.at("blocks.2.project.weight").lrMult, 1.0);
    QCOMPARE(adam.at("output.weight").lrMult, 1.0);
    for (const auto& [name, r] : rulesOf(s, false))
        QCOMPARE(r.lrMult, 1.0);
    QVERIFY(ps::describe(s).find("depth-muP (1/sqrt(6) branches)") != std::string::npos);

    // combined with muP the factors multiply
    s.parametrization = ps::Parametrization::MuP;
    s.width = 16;
    const auto both = rulesOf(s, true);
    QVERIFY(near(both.at("blocks.3.conv1.weight").lrMult, 0.5 / std::sqrt(6.0), 1e-12));
}

void TestModels::depthMupNeedsResiduals() {
    ps::ModelSpec s = mlp(ps::Parametrization::Sp, 64);
    s.depthMuP = true;
    try {
        ps::checkModelSpec(s);
        QFAIL("an mlp has no residual blocks");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("resnet or vit") != std::string::npos, e.what());
    }
}

QTEST_APPLESS_MAIN(TestModels)
#include "tst_models.moc"
