// Tests of the augmentation grid (core/train/augment_grid.h): a classify configuration's own
// training images, each beside augmented draws of it. Small seeded Fashion-MNIST subsets from
// the Debian package dataset-fashion-mnist, and tiny IDX files written here.

#include "core/execution/builtin_tasks.h"
#include "core/train/augment_grid.h"
#include "core/train/fashion_mnist.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using ps::AugmentGrid;
using ps::Json;

namespace {

constexpr int kSubset = 200;
constexpr int kDataSeed = 5;
constexpr double kValFraction = 0.1;

// Settings as a study file would give them, on a small subset; `augment` on top.
Json settings(const Json& augment = Json::object()) {
    Json s = {{"dataset",
               {{"name", "fashion-mnist"},
                {"subset", kSubset},
                {"seed", kDataSeed},
                {"val_fraction", kValFraction}}},
              {"augment", augment}};
    return s;
}

std::string fashionMnistDir() {
    for (const auto& spec : ps::classifyTaskSpec().settings)
        if (spec.path == "dataset.path")
            return spec.defaultValue.get<std::string>();
    return {};
}

// Tile (row, column) of a grey grid, row-major.
std::vector<std::uint8_t> tile(const AugmentGrid& g, int row, int column) {
    std::vector<std::uint8_t> out;
    const int top = row * (g.tileHeight + ps::kAugmentGridGap);
    const int left = column * (g.tileWidth + ps::kAugmentGridGap);
    for (int y = 0; y < g.tileHeight; ++y) {
        const auto* line = g.pixels.data() + static_cast<std::size_t>(top + y) * g.width + left;
        out.insert(out.end(), line, line + g.tileWidth);
    }
    return out;
}

std::vector<std::uint8_t> mirrored(const std::vector<std::uint8_t>& image, int width) {
    std::vector<std::uint8_t> out = image;
    for (std::size_t y = 0; y < out.size() / std::size_t(width); ++y)
        std::reverse(out.begin() + std::ptrdiff_t(y * width),
                     out.begin() + std::ptrdiff_t((y + 1) * width));
    return out;
}

} // namespace

class TestAugmentGrid : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        if (!std::filesystem::exists(std::filesystem::path(fashionMnistDir()) /
                                     "train-images-idx3-ubyte.gz"))
            QSKIP("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
    }

    void sizesFollowRowsAndDraws() {
        const Json rotation = {{"rotation", {{"enabled", true}, {"degrees", 30}}}};
        const AugmentGrid g = ps::renderAugmentGrid(settings(rotation), {3, 4, 1});
        QCOMPARE(g.rows, 3);
        QCOMPARE(g.draws, 4);
        QCOMPARE(g.tileWidth, 28);
        QCOMPARE(g.tileHeight, 28);
        QCOMPARE(g.channels, 1);
        QCOMPARE(g.width, 5 * 28 + 4 * ps::kAugmentGridGap);
        QCOMPARE(g.height, 3 * 28 + 2 * ps::kAugmentGridGap);
        QCOMPARE(g.pixels.size(), std::size_t(g.width) * std::size_t(g.height));
        QCOMPARE(g.dataset, std::string("fashion-mnist"));
        QCOMPARE(g.augmenting, std::vector<std::string>{"rotation"});
        // the separators are white
        for (int y = 0; y < g.height; ++y)
            QCOMPARE(g.pixels[std::size_t(y) * g.width + 28], std::uint8_t(255));

        // No draws: the originals alone. More rows than the split has: all of them.
        const AugmentGrid alone = ps::renderAugmentGrid(settings(rotation), {2, 0, 1});
        QCOMPARE(alone.width, 28);
        Json tiny = settings();
        tiny["dataset"]["subset"] = 10; // 9 training images, 1 for validation
        QCOMPARE(ps::renderAugmentGrid(tiny, {20, 1, 1}).rows, 9);
    }

    void firstColumnIsTheTrainingImage() {
        const Json policy = {{"rotation", {{"enabled", true}, {"degrees", 45}}},
                             {"erasing", {{"enabled", true}, {"p", 1.0}}}};
        const AugmentGrid g = ps::renderAugmentGrid(settings(policy), {4, 3, 2});
        // The first training images of the split a trial with these settings trains on.
        const ps::FashionMnistImages& data =
            ps::loadFashionMnist(fashionMnistDir(), ps::FashionMnistPart::Train);
        const ps::DataSplit split = ps::splitFashionMnist(60000, kSubset, kValFraction, kDataSeed);
        for (int row = 0; row < 4; ++row) {
            const auto* first = data.pixels.data() + split.train[std::size_t(row)] * 784;
            const std::vector<std::uint8_t> source(first, first + 784);
            QVERIFY(tile(g, row, 0) == source);
            for (int draw = 1; draw <= 3; ++draw)
                QVERIFY(tile(g, row, draw) != source); // rotated and erased
        }
    }

    void certainFlipMirrors() {
        const Json flip = {{"flip", {{"enabled", true}, {"p", 1.0}}}};
        const AugmentGrid g = ps::renderAugmentGrid(settings(flip), {3, 2, 9});
        for (int row = 0; row < 3; ++row)
            for (int draw = 1; draw <= 2; ++draw)
                QVERIFY(tile(g, row, draw) == mirrored(tile(g, row, 0), 28));
    }

    void seedDecidesTheDraws() {
        const Json policy = {{"rotation", {{"enabled", true}, {"degrees", 30}}},
                             {"noise", {{"enabled", true}, {"std", 0.05}}}};
        const AugmentGrid a = ps::renderAugmentGrid(settings(policy), {3, 3, 7});
        const AugmentGrid b = ps::renderAugmentGrid(settings(policy), {3, 3, 7});
        const AugmentGrid c = ps::renderAugmentGrid(settings(policy), {3, 3, 8});
        QVERIFY(a.pixels == b.pixels);
        QVERIFY(a.pixels != c.pixels);
        QVERIFY(tile(a, 0, 0) == tile(c, 0, 0)); // the same images, other draws
        QVERIFY(tile(a, 0, 1) != tile(a, 0, 2)); // draws are independent
    }

    // As in a study file, a block is on only with enabled: true (the defaults fill in
    // enabled: false), so what the grid shows is what a trial with these settings trains on.
    void blockWithoutEnabledIsOff() {
        const AugmentGrid g =
            ps::renderAugmentGrid(settings({{"rotation", {{"degrees", 30}}}}), {2, 2, 1});
        QVERIFY(g.augmenting.empty());
        QVERIFY(tile(g, 1, 2) == tile(g, 1, 0));
    }

    // mixup blends each draw with another row of the same column, as training blends with
    // another example of the batch.
    void mixupBlendsRows() {
        const Json mixup = {{"mixup", {{"enabled", true}, {"alpha", 1.0}}}};
        const AugmentGrid g = ps::renderAugmentGrid(settings(mixup), {4, 2, 3});
        QCOMPARE(g.augmenting, std::vector<std::string>{"mixup"});
        int changed = 0;
        for (int row = 0; row < 4; ++row)
            changed += tile(g, row, 1) != tile(g, row, 0);
        QVERIFY(changed > 0);
        QVERIFY(g.pixels == ps::renderAugmentGrid(settings(mixup), {4, 2, 3}).pixels);
    }

    void tablesAreRefused() {
        Json s = settings();
        s["dataset"]["name"] = "spirals";
        try {
            ps::renderAugmentGrid(s, {2, 2, 0});
            QFAIL("a grid of spirals was rendered");
        } catch (const std::invalid_argument& error) {
            const std::string what = error.what();
            QVERIFY2(what.find("spirals") != std::string::npos &&
                         what.find("needs an image dataset") != std::string::npos,
                     error.what());
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 ps::renderAugmentGrid(settings(), {0, 2, 0}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 ps::renderAugmentGrid(settings(), {2, -1, 0}));
        // A bad setting is named.
        try {
            ps::renderAugmentGrid(settings({{"rotation", {{"enabled", true}, {"degrees", -3}}}}),
                                  {2, 2, 0});
            QFAIL("a negative rotation was accepted");
        } catch (const std::invalid_argument& error) {
            QVERIFY2(std::string(error.what()).find("augment.rotation.degrees") !=
                         std::string::npos,
                     error.what());
        }
    }

    // IDX images of another size, not square: the tiles take their shape, and each row starts
    // with one of the file's images.
    void idxImagesOfAnySize() {
        QTemporaryDir dir;
        const auto be = [](std::uint32_t v) {
            return std::string{char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff),
                               char(v & 0xff)};
        };
        constexpr int kCount = 20, kRows = 6, kCols = 9;
        std::string images = be(0x803) + be(kCount) + be(kRows) + be(kCols);
        std::string labels = be(0x801) + be(kCount);
        std::set<std::vector<std::uint8_t>> sources;
        for (int i = 0; i < kCount; ++i) {
            std::vector<std::uint8_t> image;
            for (int p = 0; p < kRows * kCols; ++p)
                image.push_back(std::uint8_t((i * 37 + p * 11) % 256));
            images.append(image.begin(), image.end());
            sources.insert(image);
            labels += char(i % 2);
        }
        QFile img(dir.filePath("img.idx")), lab(dir.filePath("lab.idx"));
        QVERIFY(img.open(QIODevice::WriteOnly) && lab.open(QIODevice::WriteOnly));
        img.write(images.data(), qint64(images.size()));
        lab.write(labels.data(), qint64(labels.size()));
        img.close();
        lab.close();
        Json s = settings({{"flip", {{"enabled", true}, {"p", 1.0}}}});
        s["dataset"] = {{"name", "idx"},
                        {"images", dir.filePath("img.idx").toStdString()},
                        {"labels", dir.filePath("lab.idx").toStdString()}};
        const AugmentGrid g = ps::renderAugmentGrid(s, {3, 1, 0});
        QCOMPARE(g.tileWidth, kCols);
        QCOMPARE(g.tileHeight, kRows);
        QCOMPARE(g.width, 2 * kCols + ps::kAugmentGridGap);
        for (int row = 0; row < 3; ++row) {
            QVERIFY(sources.count(tile(g, row, 0)) == 1);
            QVERIFY(tile(g, row, 1) == mirrored(tile(g, row, 0), kCols));
        }
    }

    void writesBinaryPgm() {
        const AugmentGrid g = ps::renderAugmentGrid(settings(), {2, 3, 0});
        QTemporaryDir dir;
        const QString path = dir.filePath("grid.pgm");
        ps::writePnm(g, path.toStdString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const QByteArray header =
            "P5\n" + QByteArray::number(g.width) + " " + QByteArray::number(g.height) + "\n255\n";
        QVERIFY(bytes.startsWith(header));
        QCOMPARE(bytes.size(), header.size() + qsizetype(g.pixels.size()));
        QVERIFY(
            std::equal(g.pixels.begin(), g.pixels.end(),
                       reinterpret_cast<const std::uint8_t*>(bytes.constData()) + header.size()));

        AugmentGrid rgb;
        rgb.width = 2;
        rgb.height = 1;
        rgb.channels = 3;
        rgb.pixels = {1, 2, 3, 4, 5, 6};
        ps::writePnm(rgb, dir.filePath("rgb.ppm").toStdString());
        QFile ppm(dir.filePath("rgb.ppm"));
        QVERIFY(ppm.open(QIODevice::ReadOnly));
        QCOMPARE(ppm.readAll(), QByteArray("P6\n2 1\n255\n\x01\x02\x03\x04\x05\x06"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 ps::writePnm(g, dir.filePath("no/such/dir.pgm").toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestAugmentGrid)
#include "tst_augment_grid.moc"
