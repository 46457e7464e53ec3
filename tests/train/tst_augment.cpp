// Augmentations (issue 4): each one alone is deterministic under a seed, keeps shapes and the
// [0, 1] value range, is the identity when disabled, and gives known answers where there are
// some (flips, quarter turns, identity affine, invert, zero noise, erased boxes, mixup's convex
// combinations and Beta mean); the parser names the key it rejects, and augmentSettings()
// declares exactly the keys the parser reads.

#include "core/train/augment_torch.h"

#include <QTest>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

using namespace ps;

namespace {

torch::Tensor images(std::int64_t n = 16, std::int64_t h = 28, std::int64_t w = 28) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1234);
    torch::Tensor x = torch::rand({n, 1, h, w}, gen, torch::kFloat);
    if (n >= 2) {
        x[0].fill_(1); // the range's ends, where clamps matter
        x[1].fill_(0);
    }
    return x;
}

torch::Tensor run(const torch::Tensor& x, const Json& policy, std::uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return applyAugmentations(x, parseAugmentPolicy(policy), gen);
}

bool inUnitRange(const torch::Tensor& t) {
    return t.min().item<float>() >= 0.0f && t.max().item<float>() <= 1.0f;
}

const std::vector<std::string> kBlocks = {"flip",   "rotation", "rot90",   "translate_scale",
                                          "noise",  "blur",     "erasing", "brightness_contrast",
                                          "invert", "mixup"};

// The parsed policy as numbers, to see whether a key changed it.
std::vector<double> flat(const AugmentPolicy& p) {
    return {double(p.flip.enabled),
            p.flip.p,
            double(p.flip.horizontal),
            double(p.flip.vertical),
            double(p.rotation.enabled),
            p.rotation.degrees,
            double(p.rot90.enabled),
            p.rot90.p,
            double(p.rot90.k),
            double(p.translateScale.enabled),
            p.translateScale.translate,
            p.translateScale.scaleMin,
            p.translateScale.scaleMax,
            double(p.noise.enabled),
            p.noise.std,
            double(p.blur.enabled),
            p.blur.p,
            p.blur.sigmaMin,
            p.blur.sigmaMax,
            double(p.erasing.enabled),
            p.erasing.p,
            p.erasing.scaleMin,
            p.erasing.scaleMax,
            p.erasing.ratioMin,
            p.erasing.ratioMax,
            p.erasing.value,
            double(p.brightnessContrast.enabled),
            p.brightnessContrast.brightness,
            p.brightnessContrast.contrast,
            double(p.invert.enabled),
            p.invert.p,
            double(p.mixup.enabled),
            p.mixup.alpha};
}

} // namespace

class TestAugment : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void eachAlone_data() {
        QTest::addColumn<QString>("policy");
        QTest::newRow("flip") << R"({"flip": {"p": 0.5, "vertical": true}})";
        QTest::newRow("rotation") << R"({"rotation": {"degrees": 30}})";
        QTest::newRow("rot90") << R"({"rot90": {"p": 0.7}})";
        QTest::newRow("translate_scale") << R"({"translate_scale": {"translate": 0.2}})";
        QTest::newRow("noise") << R"({"noise": {"std": 0.2}})";
        QTest::newRow("blur") << R"({"blur": {"p": 0.5, "sigma_max": 1.5}})";
        QTest::newRow("erasing") << R"({"erasing": {"p": 0.7}})";
        QTest::newRow("brightness_contrast")
            << R"({"brightness_contrast": {"brightness": 0.5, "contrast": 0.5}})";
        QTest::newRow("invert") << R"({"invert": {}})";
        QTest::newRow("all") << R"({"flip": {"p": 0.5, "horizontal": true, "vertical": false},
            "rotation": {"degrees": 15}, "rot90": {"p": 0.5},
            "translate_scale": {"translate": 0.1, "scale_min": 0.9, "scale_max": 1.1},
            "noise": {"std": 0.1}, "blur": {"sigma_max": 1.0, "p": 0.5},
            "erasing": {"p": 0.5, "scale_min": 0.02, "scale_max": 0.2},
            "brightness_contrast": {"brightness": 0.2, "contrast": 0.2},
            "invert": {"p": 0.1}, "mixup": {"alpha": 0.2}})";
    }
    void eachAlone() {
        QFETCH(QString, policy);
        const Json p = Json::parse(policy.toStdString());
        const torch::Tensor x = images();
        const torch::Tensor before = x.clone();
        const torch::Tensor a = run(x, p, 7);
        const torch::Tensor b = run(x, p, 7);
        const torch::Tensor c = run(x, p, 8);
        QVERIFY(torch::equal(x, before)); // the input is left alone
        QCOMPARE(a.sizes().vec(), x.sizes().vec());
        QCOMPARE(a.scalar_type(), torch::kFloat);
        QVERIFY(torch::equal(a, b));
        QVERIFY(!torch::equal(a, c));
        QVERIFY(!torch::equal(a, x));
        QVERIFY(inUnitRange(a));
        QVERIFY(inUnitRange(c));
    }

    void disabledIsIdentity_data() {
        QTest::addColumn<QString>("block");
        for (const auto& b : kBlocks)
            QTest::newRow(b.c_str()) << QString::fromStdString(b);
    }
    void disabledIsIdentity() {
        QFETCH(QString, block);
        const torch::Tensor x = images();
        Json p;
        p[block.toStdString()] = {{"enabled", false}};
        QVERIFY(!parseAugmentPolicy(p).anyImageAugment());
        QVERIFY(torch::equal(run(x, p, 3), x));
        QVERIFY(torch::equal(run(x, Json::object(), 3), x));
        QVERIFY(torch::equal(run(x, Json(), 3), x));
    }

    void otherShapesAndTypes() {
        const Json all = {{"flip", {{"vertical", true}}}, {"rotation", Json::object()},
                          {"rot90", Json::object()},      {"translate_scale", Json::object()},
                          {"noise", Json::object()},      {"blur", Json::object()},
                          {"erasing", Json::object()},    {"brightness_contrast", Json::object()},
                          {"invert", Json::object()}};
        // Double precision, three channels, non-square, a single image and an empty batch.
        for (const auto& x : {images(4).to(torch::kDouble), images(3, 20, 28).repeat({1, 3, 1, 1}),
                              images(1, 5, 3), torch::zeros({0, 1, 28, 28})}) {
            const torch::Tensor y = run(x, all, 4);
            QCOMPARE(y.sizes().vec(), x.sizes().vec());
            QCOMPARE(y.scalar_type(), x.scalar_type());
            if (x.numel() > 0)
                QVERIFY(inUnitRange(y));
            QVERIFY(torch::equal(y, run(x, all, 4)));
        }
        auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 applyAugmentations(torch::zeros({2, 28, 28}), {}, gen));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            applyAugmentations(torch::zeros({2, 1, 28, 28}, torch::kLong), {}, gen));
    }

    void flipWithCertaintyIsTorchFlip() {
        const torch::Tensor x = images();
        QVERIFY(torch::equal(run(x, {{"flip", {{"p", 1.0}}}}, 1), x.flip({3})));
        QVERIFY(torch::equal(
            run(x, {{"flip", {{"p", 1.0}, {"horizontal", false}, {"vertical", true}}}}, 1),
            x.flip({2})));
        QVERIFY(torch::equal(run(x, {{"flip", {{"p", 0.0}, {"vertical", true}}}}, 1), x));
    }

    void rot90WithCertaintyIsTorchRot90() {
        const torch::Tensor x = images();
        for (int k = 1; k <= 3; ++k)
            QVERIFY(torch::equal(run(x, {{"rot90", {{"p", 1.0}, {"k", k}}}}, 1),
                                 torch::rot90(x, k, {2, 3})));
        // k drawn: every image is one of the three turns, and all three occur.
        const torch::Tensor y = run(x, {{"rot90", {{"p", 1.0}}}}, 5);
        std::set<int> seen;
        for (std::int64_t i = 2; i < x.size(0); ++i) { // images 0 and 1 are constant
            int which = 0;
            for (int k = 1; k <= 3; ++k)
                if (torch::equal(y[i], torch::rot90(x[i], k, {1, 2})))
                    which = k;
            QVERIFY(which != 0);
            seen.insert(which);
        }
        QCOMPARE(seen.size(), std::size_t(3));
        // Not square: half turns only, shape kept.
        const torch::Tensor wide = images(4, 20, 28);
        const torch::Tensor z = run(wide, {{"rot90", {{"p", 1.0}, {"k", 1}}}}, 5);
        QVERIFY(torch::equal(z, torch::rot90(wide, 2, {2, 3})));
    }

    void identityAffineIsIdentity() {
        for (const auto& [h, w] : std::vector<std::pair<int, int>>{{28, 28}, {20, 28}}) {
            const torch::Tensor x = images(16, h, w);
            const Json p = {
                {"rotation", {{"degrees", 0}}},
                {"translate_scale", {{"translate", 0}, {"scale_min", 1.0}, {"scale_max", 1.0}}}};
            const torch::Tensor y = run(x, p, 2);
            QVERIFY((y - x).abs().max().item<float>() <= 1e-5f);
        }
    }

    void affineRotatesAboutTheCentre() {
        // A 180-degree rotation of a 2x2 block at the centre of an odd-sized image maps it onto
        // itself; rotating by +-90 keeps the centre pixel.
        torch::Tensor x = torch::zeros({8, 1, 15, 15});
        x.index_put_({torch::indexing::Slice(), 0, 7, 7}, 1.0);
        const torch::Tensor y = run(x, {{"rotation", {{"degrees", 180}}}}, 4);
        QVERIFY(y.index({torch::indexing::Slice(), 0, 7, 7}).min().item<float>() > 0.0f);
        QVERIFY(inUnitRange(y));
        // Zooming in on the centre pixel spreads it: its mass grows.
        const torch::Tensor z = run(
            x, {{"translate_scale", {{"translate", 0}, {"scale_min", 2.0}, {"scale_max", 2.0}}}},
            4);
        QVERIFY(z.sum().item<float>() > x.sum().item<float>());
    }

    void invertWithCertaintyIsOneMinus() {
        const torch::Tensor x = images();
        QVERIFY(torch::equal(run(x, {{"invert", {{"p", 1.0}}}}, 1), 1 - x));
        QVERIFY(torch::equal(run(x, {{"invert", {{"p", 0.0}}}}, 1), x));
    }

    void zeroNoiseIsIdentity() {
        const torch::Tensor x = images();
        QVERIFY(torch::equal(run(x, {{"noise", {{"std", 0.0}}}}, 1), x));
        // and noise has the std asked for, away from the clamps
        const torch::Tensor mid = torch::full({16, 1, 28, 28}, 0.5f);
        const torch::Tensor y = run(mid, {{"noise", {{"std", 0.05}}}}, 1);
        QVERIFY(std::abs((y - mid).std().item<float>() - 0.05f) < 0.003f);
        QVERIFY(std::abs((y - mid).mean().item<float>()) < 0.003f);
    }

    void neutralColourIsIdentity() {
        const torch::Tensor x = images();
        const torch::Tensor y =
            run(x, {{"brightness_contrast", {{"brightness", 0.0}, {"contrast", 0.0}}}}, 1);
        QVERIFY(torch::equal(y, x));
    }

    void blurKeepsMeanAndSmooths() {
        const torch::Tensor x = images();
        const Json p = {{"blur", {{"p", 1.0}, {"sigma_min", 1.0}, {"sigma_max", 1.0}}}};
        const torch::Tensor y = run(x, p, 1);
        // Random pixels get smoother: neighbour differences shrink.
        const auto roughness = [](const torch::Tensor& t) {
            return (t.slice(3, 1) - t.slice(3, 0, -1)).abs().mean().item<float>();
        };
        QVERIFY(roughness(y) < 0.5f * roughness(x));
        // Constant images stay constant.
        QVERIFY((y[0] - 1).abs().max().item<float>() < 1e-5f);
        QVERIFY(y[1].abs().max().item<float>() < 1e-5f);
        // A tiny sigma is almost the identity.
        const torch::Tensor z =
            run(x, {{"blur", {{"p", 1.0}, {"sigma_min", 0.0}, {"sigma_max", 0.05}}}}, 1);
        QVERIFY((z - x).abs().max().item<float>() < 1e-5f);
    }

    void erasingFillsOneBoxOfTheDrawnShare() {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
        const torch::Tensor x = 0.25 + 0.5 * torch::rand({64, 1, 28, 32}, gen, torch::kFloat);
        const double scaleMin = 0.05, scaleMax = 0.4;
        const Json p = {{"erasing",
                         {{"p", 1.0},
                          {"scale_min", scaleMin},
                          {"scale_max", scaleMax},
                          {"ratio_min", 0.2},
                          {"ratio_max", 5.0},
                          {"value", 0.9}}}};
        const torch::Tensor y = run(x, p, 11);
        const double area = 28.0 * 32.0;
        for (std::int64_t i = 0; i < x.size(0); ++i) {
            const torch::Tensor erased = (y[i][0] == 0.9f);
            const auto count = erased.sum().item<std::int64_t>();
            QVERIFY(count > 0);
            const torch::Tensor rows = erased.any(1).nonzero();
            const torch::Tensor cols = erased.any(0).nonzero();
            const auto bh = rows.max().item<std::int64_t>() - rows.min().item<std::int64_t>() + 1;
            const auto bw = cols.max().item<std::int64_t>() - cols.min().item<std::int64_t>() + 1;
            QCOMPARE(count, bh * bw);                              // one filled rectangle
            const double slack = 0.5 * double(bh + bw + 1) / area; // rounding to pixels
            const double share = double(count) / area;
            QVERIFY2(share >= scaleMin - slack && share <= scaleMax + slack,
                     qPrintable(QString::number(share)));
            // Outside the box nothing changed.
            QVERIFY(torch::equal(y[i][0].masked_select(~erased), x[i][0].masked_select(~erased)));
        }
    }

    void mixupIsConvex() {
        const torch::Tensor x = images();
        const torch::Tensor targets = torch::arange(16, torch::kLong);
        auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
        const Mixed m =
            applyMixup(x, targets, parseAugmentPolicy({{"mixup", {{"alpha", 0.4}}}}), gen);
        QCOMPARE(m.images.sizes().vec(), x.sizes().vec());
        QVERIFY(torch::equal(m.targetsA, targets));
        QCOMPARE(m.lambda.sizes().vec(), std::vector<std::int64_t>{16});
        QVERIFY(m.lambda.min().item<float>() >= 0 && m.lambda.max().item<float>() <= 1);
        QVERIFY(inUnitRange(m.images));
        // targetsB are the partners' indices, so every row can be checked.
        const torch::Tensor l = m.lambda.view({-1, 1, 1, 1});
        const torch::Tensor expected = l * x + (1 - l) * x.index_select(0, m.targetsB);
        QVERIFY((m.images - expected).abs().max().item<float>() < 1e-6f);
        QCOMPARE(std::set<std::int64_t>(m.targetsB.data_ptr<std::int64_t>(),
                                        m.targetsB.data_ptr<std::int64_t>() + 16)
                     .size(),
                 std::size_t(16)); // a permutation
        // Seeded: the same again.
        auto again = at::make_generator<at::CPUGeneratorImpl>(3);
        const Mixed m2 =
            applyMixup(x, targets, parseAugmentPolicy({{"mixup", {{"alpha", 0.4}}}}), again);
        QVERIFY(torch::equal(m.images, m2.images) && torch::equal(m.lambda, m2.lambda));
        // Off: passes through with lambda 1.
        const Mixed off = applyMixup(x, targets, AugmentPolicy{}, gen);
        QVERIFY(torch::equal(off.images, x) && torch::equal(off.targetsB, targets));
        QVERIFY(torch::equal(off.lambda, torch::ones({16})));
        // With lambda 1 the loss is plain cross-entropy.
        const torch::Tensor logits = torch::randn({16, 16}, gen, torch::kFloat);
        QVERIFY(torch::allclose(mixupCrossEntropy(logits, off),
                                torch::nn::functional::cross_entropy(logits, targets)));
    }

    void betaHasItsMeanAndVariance() {
        for (const double alpha : {0.2, 1.0, 2.0}) {
            auto gen = at::make_generator<at::CPUGeneratorImpl>(17);
            const torch::Tensor l = sampleBetaSymmetric(40000, alpha, gen);
            QVERIFY(l.min().item<float>() >= 0 && l.max().item<float>() <= 1);
            QVERIFY(std::abs(l.mean().item<float>() - 0.5) < 0.01);
            const double variance = 1.0 / (4 * (2 * alpha + 1)); // Beta(a, a)
            QVERIFY(std::abs(l.var().item<float>() - variance) < 0.01);
        }
        auto gen = at::make_generator<at::CPUGeneratorImpl>(17);
        const torch::Tensor tiny = sampleBetaSymmetric(1000, 0.01, gen);
        QVERIFY(!tiny.isnan().any().item<bool>());
    }

    void gridShowsOriginalsThenVariants() {
        const torch::Tensor x = images(4);
        const Json p = {{"rotation", {{"degrees", 20}}}, {"noise", {{"std", 0.05}}}};
        const torch::Tensor g = renderAugmentationGrid(x, parseAugmentPolicy(p), 5, 5);
        QCOMPARE(g.scalar_type(), torch::kUInt8);
        QCOMPARE(g.sizes().vec(), (std::vector<std::int64_t>{4 * 28 + 3 * 2, 5 * 28 + 4 * 2}));
        const torch::Tensor originals = (x * 255).round().to(torch::kUInt8);
        for (int i = 0; i < 4; ++i) {
            QVERIFY(torch::equal(g.slice(0, i * 30, i * 30 + 28).slice(1, 0, 28), originals[i][0]));
            QVERIFY(
                !torch::equal(g.slice(0, i * 30, i * 30 + 28).slice(1, 30, 58), originals[i][0]));
        }
        QVERIFY((g.slice(1, 28, 30) == 255).all().item<bool>()); // the separators
        QVERIFY((g.slice(0, 28, 30) == 255).all().item<bool>());
        QVERIFY(torch::equal(g, renderAugmentationGrid(x, parseAugmentPolicy(p), 5, 5)));
        QVERIFY(!torch::equal(g, renderAugmentationGrid(x, parseAugmentPolicy(p), 6, 5)));

        // Three channels: [3, H', W']; mixup included.
        const torch::Tensor rgb = x.repeat({1, 3, 1, 1});
        const torch::Tensor g3 =
            renderAugmentationGrid(rgb, parseAugmentPolicy({{"mixup", Json::object()}}), 5, 3);
        QCOMPARE(g3.sizes().vec(), (std::vector<std::int64_t>{3, 118, 88}));

        // The LibTorch-free wrapper gives the same bytes.
        std::vector<float> plain(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
        int outH = 0, outW = 0;
        const auto bytes = augmentationGridGray(plain, 4, 28, 28, p, 5, 5, outH, outW);
        QCOMPARE(outH, 118);
        QCOMPARE(outW, 148);
        QVERIFY(std::equal(bytes.begin(), bytes.end(), g.data_ptr<std::uint8_t>()));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 augmentationGridGray(plain, 4, 28, 27, p, 5, 5, outH, outW));
    }

    // Not a check: PS_AUGMENT_GRID=<file.pgm> writes one grid per augmentation of an asymmetric
    // shape on a non-square image, stacked, for a person to look at.
    void gridForLooking() {
        const QByteArray path = qgetenv("PS_AUGMENT_GRID");
        if (path.isEmpty())
            QSKIP("set PS_AUGMENT_GRID to a .pgm path to write the grid");
        torch::Tensor x = torch::zeros({3, 1, 24, 32});
        using torch::indexing::Slice;
        x.index_put_({Slice(), 0, Slice(4, 20), Slice(6, 9)}, 1.0);   // an F: stem
        x.index_put_({Slice(), 0, Slice(4, 7), Slice(6, 20)}, 1.0);   // top bar
        x.index_put_({Slice(), 0, Slice(10, 13), Slice(6, 16)}, 0.6); // middle bar
        x[1] = x[1] * 0.7 + 0.2;
        x[2] = x[2].flip({2});
        std::vector<torch::Tensor> grids;
        for (const auto& block : kBlocks) {
            Json p;
            p[block] = Json::object();
            if (block == "rotation")
                p[block]["degrees"] = 90;
            if (block == "blur" || block == "erasing" || block == "rot90")
                p[block]["p"] = 1.0;
            grids.push_back(renderAugmentationGrid(x, parseAugmentPolicy(p), 1, 8));
            grids.push_back(torch::full({6, grids.back().size(1)}, 128, torch::kUInt8));
        }
        const torch::Tensor all = torch::cat(grids).contiguous();
        FILE* f = std::fopen(path.constData(), "wb");
        QVERIFY(f);
        std::fprintf(f, "P5\n%ld %ld\n255\n", long(all.size(1)), long(all.size(0)));
        std::fwrite(all.data_ptr<std::uint8_t>(), 1, std::size_t(all.numel()), f);
        std::fclose(f);
    }

    void parserNamesTheKey_data() {
        QTest::addColumn<QString>("policy");
        QTest::addColumn<QString>("message");
        QTest::newRow("negative degrees") << R"({"rotation": {"degrees": -3}})"
                                          << "augment.rotation.degrees: must be >= 0, not -3";
        QTest::newRow("p above 1") << R"({"flip": {"p": 1.5}})"
                                   << "augment.flip.p: must be <= 1, not 1.5";
        QTest::newRow("unknown block") << R"({"solarize": {}})"
                                       << "augment.solarize: unknown augmentation";
        QTest::newRow("unknown key")
            << R"({"noise": {"sigma": 0.1}})"
            << "augment.noise.sigma: unknown setting (known: enabled, std)";
        QTest::newRow("string for number") << R"({"noise": {"std": "0.1"}})"
                                           << "augment.noise.std: must be a finite number";
        QTest::newRow("number for bool") << R"({"flip": {"vertical": 1}})"
                                         << "augment.flip.vertical: must be true or false";
        QTest::newRow("fractional k") << R"({"rot90": {"k": 1.5}})"
                                      << "augment.rot90.k: must be an integer, not 1.5";
        QTest::newRow("k too large") << R"({"rot90": {"k": 4}})"
                                     << "augment.rot90.k: must be <= 3";
        QTest::newRow("block not a map") << R"({"invert": 0.5})"
                                         << "augment.invert: must be a mapping";
        QTest::newRow("not a map") << R"([1, 2])"
                                   << "augment: must be a mapping";
        QTest::newRow("scale order")
            << R"({"translate_scale": {"scale_min": 1.3}})"
            << "augment.translate_scale.scale_min: must be <= scale_max (1.1), not 1.3";
        QTest::newRow("sigma order") << R"({"blur": {"sigma_min": 3, "sigma_max": 2}})"
                                     << "augment.blur.sigma_min: must be <= sigma_max";
        QTest::newRow("erasing ratio order") << R"({"erasing": {"ratio_min": 4}})"
                                             << "augment.erasing.ratio_min: must be <=";
        QTest::newRow("alpha zero") << R"({"mixup": {"alpha": 0}})"
                                    << "augment.mixup.alpha: must be >= 0.01";
    }
    void parserNamesTheKey() {
        QFETCH(QString, policy);
        QFETCH(QString, message);
        try {
            parseAugmentPolicy(Json::parse(policy.toStdString()));
            QFAIL("no exception");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).startsWith(message), e.what());
        }
    }

    void parserDefaultsAndSwitches() {
        const AugmentPolicy none = parseAugmentPolicy(Json::object());
        QVERIFY(!none.anyImageAugment() && !none.mixup.enabled);
        QVERIFY(flat(none) == flat(AugmentPolicy{})); // declared defaults = the structs' ones
        const AugmentPolicy some = parseAugmentPolicy({{"rotation", Json::object()},
                                                       {"mixup", {{"enabled", true}}},
                                                       {"blur", {{"enabled", false}}}});
        QVERIFY(some.rotation.enabled && some.mixup.enabled && !some.blur.enabled);
        QCOMPARE(some.rotation.degrees, 15.0);
        QCOMPARE(some.erasing.scaleMax, 0.33); // torchvision's defaults
        QCOMPARE(some.erasing.ratioMin, 0.3);
        QCOMPARE(some.erasing.ratioMax, 3.3);
        QCOMPARE(some.blur.sigmaMin, 0.1);
        QCOMPARE(some.blur.sigmaMax, 2.0);
        // The example of the issue parses.
        const AugmentPolicy all = parseAugmentPolicy(Json::parse(R"({
            "flip": {"enabled": true, "p": 0.5, "horizontal": true, "vertical": false},
            "rotation": {"enabled": true, "degrees": 15}, "rot90": {"enabled": true, "p": 0.5},
            "translate_scale": {"enabled": true, "translate": 0.1, "scale_min": 0.9, "scale_max": 1.1},
            "noise": {"enabled": true, "std": 0.1}, "blur": {"enabled": true, "sigma_max": 1.0, "p": 0.5},
            "erasing": {"enabled": true, "p": 0.5, "scale_min": 0.02, "scale_max": 0.2},
            "brightness_contrast": {"enabled": true, "brightness": 0.2, "contrast": 0.2},
            "invert": {"enabled": true, "p": 0.1}, "mixup": {"enabled": true, "alpha": 0.2}})"));
        QCOMPARE(all.invert.p, 0.1);
        QCOMPARE(all.erasing.scaleMax, 0.2);
        QVERIFY(all.mixup.enabled && all.translateScale.enabled);
    }

    void settingsCoverTheParser() {
        const std::vector<SettingSpec> specs = augmentSettings();
        std::map<std::string, std::set<std::string>> declared;
        for (const auto& spec : specs) {
            QVERIFY2(spec.path.rfind("augment.", 0) == 0, spec.path.c_str());
            QVERIFY(!spec.help.empty());
            const auto rest = spec.path.substr(8);
            const auto dot = rest.find('.');
            const std::string block = rest.substr(0, dot), key = rest.substr(dot + 1);
            QVERIFY2(declared[block].insert(key).second, spec.path.c_str()); // no duplicates
            QVERIFY(spec.type == SettingType::Bool || spec.type == SettingType::Float ||
                    spec.type == SettingType::Int);

            // The default parses, and agrees with the struct's default.
            if (key != "enabled") {
                const AugmentPolicy withDefault =
                    parseAugmentPolicy({{block, {{key, spec.defaultValue}}}});
                const AugmentPolicy onlyOn = parseAugmentPolicy({{block, Json::object()}});
                QVERIFY2(flat(withDefault) == flat(onlyOn), spec.path.c_str());
            }
            // Some other value parses and changes the policy: the parser reads the key.
            std::vector<Json> others;
            if (spec.type == SettingType::Bool) {
                others = {!spec.defaultValue.get<bool>()};
            } else {
                const double def = spec.defaultValue.get<double>();
                for (const double v :
                     {*spec.min, *spec.max, (def + *spec.min) / 2, (def + *spec.max) / 2})
                    others.push_back(spec.type == SettingType::Int ? Json(std::llround(v))
                                                                   : Json(v));
                // Out of bounds fails, naming the path.
                try {
                    parseAugmentPolicy({{block, {{key, *spec.max + 1}}}});
                    QFAIL(spec.path.c_str());
                } catch (const std::invalid_argument& e) {
                    QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(spec.path)),
                             e.what());
                }
            }
            bool changed = false;
            for (const Json& v : others) {
                try {
                    changed = changed || flat(parseAugmentPolicy({{block, {{key, v}}}})) !=
                                             flat(parseAugmentPolicy({{block, Json::object()}}));
                } catch (const std::invalid_argument&) {
                    // an ordered pair (min <= max) may refuse one of them
                }
            }
            QVERIFY2(changed || key == "enabled", spec.path.c_str());
        }
        // Every block, and for each the keys the policy struct has.
        const std::map<std::string, std::set<std::string>> expected = {
            {"flip", {"enabled", "p", "horizontal", "vertical"}},
            {"rotation", {"enabled", "degrees"}},
            {"rot90", {"enabled", "p", "k"}},
            {"translate_scale", {"enabled", "translate", "scale_min", "scale_max"}},
            {"noise", {"enabled", "std"}},
            {"blur", {"enabled", "p", "sigma_min", "sigma_max"}},
            {"erasing",
             {"enabled", "p", "scale_min", "scale_max", "ratio_min", "ratio_max", "value"}},
            {"brightness_contrast", {"enabled", "brightness", "contrast"}},
            {"invert", {"enabled", "p"}},
            {"mixup", {"enabled", "alpha"}}};
        QCOMPARE(declared, expected);
        QCOMPARE(flat(AugmentPolicy{}).size(), std::size_t(33)); // a field added: add it above
    }
};

QTEST_GUILESS_MAIN(TestAugment)
#include "tst_augment.moc"
