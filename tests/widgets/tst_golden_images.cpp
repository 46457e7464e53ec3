// Golden images: each view kind drawn from a fixed study at a fixed size and font, compared
// with the reviewed image in tests/widgets/golden/. A pixel differs when one of its channels
// is off by more than kChannelTolerance; the test fails when more than kPixelTolerance of the
// pixels differ, and writes what it drew beside the test's temporary files. After a deliberate
// change, PS_UPDATE_GOLDEN=1 rewrites the images; look at every one before committing it.

#include "../core/test_util.h"
#include "widgets/analysis_view.h"
#include "widgets/history_plot.h"
#include "widgets/parallel_coordinates.h"
#include "widgets/scatter_matrix.h"
#include "widgets/scatter_view.h"
#include "widgets/trial_selection.h"

#include <QApplication>
#include <QDir>
#include <QTest>
#include <cmath>

using namespace ps;

namespace {

constexpr int kChannelTolerance = 40;    // of 255
constexpr double kPixelTolerance = 0.01; // 1 % of the pixels
const QSize kSize(640, 380);

SearchSpace space() {
    SearchSpace s;
    s.params = {test::floatParam("optimizer.lr", 1e-4, 1e-1, true),
                test::intParam("model.width", 16, 512),
                test::categoricalParam("optimizer.kind", {"sgd", "adam", "adamw"})};
    return s;
}

// 60 trials on a fixed pattern; the loss has an optimum inside the lr range.
std::vector<Trial> trials() {
    std::vector<Trial> out;
    for (int i = 0; i < 60; ++i) {
        Trial t;
        t.id = i + 1;
        t.number = i;
        t.state = i % 11 == 10 ? TrialState::Pruned : TrialState::Complete;
        const double u = double((i * 37) % 60) / 59.0, w = double((i * 17) % 60) / 59.0;
        const double lr = std::pow(10.0, -4.0 + 3.0 * u);
        t.params = {{"optimizer.lr", lr},
                    {"model.width", 16 + int(496 * w)},
                    {"optimizer.kind", i % 3 == 0 ? "sgd" : (i % 3 == 1 ? "adam" : "adamw")}};
        const double loss = 0.3 + std::pow(std::log10(lr) + 2.5, 2) / 3 + 0.1 * (1 - w);
        t.value = loss;
        t.values["val_loss"] = loss;
        out.push_back(std::move(t));
    }
    return out;
}

QImage drawn(QWidget& w) {
    w.resize(kSize);
    w.show();
    QTest::qWait(20);
    return w.grab().toImage().convertToFormat(QImage::Format_RGB32);
}

void compareWithGolden(const QString& name, const QImage& image) {
    const QString path = QStringLiteral(PS_SOURCE_DIR "/tests/widgets/golden/") + name + ".png";
    if (qEnvironmentVariableIsSet("PS_UPDATE_GOLDEN")) {
        QVERIFY(image.save(path));
        QSKIP("golden image written; look at it before committing");
    }
    const QImage golden = QImage(path).convertToFormat(QImage::Format_RGB32);
    QVERIFY2(!golden.isNull(),
             qPrintable("no golden image " + path + ": run with PS_UPDATE_GOLDEN=1, look at it"));
    QCOMPARE(image.size(), golden.size());
    qint64 differing = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto* a = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        const auto* b = reinterpret_cast<const QRgb*>(golden.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            if (std::abs(qRed(a[x]) - qRed(b[x])) > kChannelTolerance ||
                std::abs(qGreen(a[x]) - qGreen(b[x])) > kChannelTolerance ||
                std::abs(qBlue(a[x]) - qBlue(b[x])) > kChannelTolerance)
                ++differing;
    }
    const double fraction = double(differing) / double(image.width() * image.height());
    if (fraction > kPixelTolerance) {
        const QString base = qEnvironmentVariable("PS_TEST_TMP", QDir::tempPath());
        QDir().mkpath(base);
        const QString actual = base + "/" + name + "-actual.png";
        image.save(actual);
        QFAIL(
            qPrintable(QString("%1: %2 % of the pixels differ from %3 (tolerance %4 %); drawn: %5")
                           .arg(name)
                           .arg(100 * fraction, 0, 'f', 2)
                           .arg(path)
                           .arg(100 * kPixelTolerance)
                           .arg(actual)));
    }
}

} // namespace

class TestGoldenImages : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QFont font(QStringLiteral("DejaVu Sans"));
        font.setPixelSize(12);
        QApplication::setFont(font);
    }

    void parallelCoordinates() {
        TrialSelection selection;
        ParallelCoordinates view(&selection);
        view.setStudyLayout(space(), {{"val_loss", Direction::Minimize}});
        view.applyTrials(trials());
        view.setBrush(2, 1, 1); // adam
        view.rebuildNow();
        compareWithGolden("parallel_coordinates", drawn(view));
    }

    void scatter() {
        TrialSelection selection;
        ScatterView view(&selection);
        view.setStudyLayout(space(), {{"val_loss", Direction::Minimize}});
        view.applyTrials(trials());
        selection.setSelected({5, 6, 7});
        view.resize(kSize);
        view.rebuildNow();
        compareWithGolden("scatter", drawn(view));
    }

    void scatterMatrix() {
        TrialSelection selection;
        ScatterMatrix view(&selection);
        view.setStudyLayout(space(), {{"val_loss", Direction::Minimize}});
        view.applyTrials(trials());
        selection.setSelected({5, 6, 7});
        view.resize(kSize);
        view.rebuildNow();
        compareWithGolden("scatter_matrix", drawn(view));
    }

    void history() {
        TrialSelection selection;
        HistoryPlot view(&selection);
        view.setObjective("val_loss", Direction::Minimize);
        view.applyTrials(trials());
        selection.setSelected({12});
        view.resize(kSize);
        view.rebuildNow();
        compareWithGolden("history", drawn(view));
    }

    void analysisHeatmap() {
        AnalysisView view;
        view.showResult(
            "augment_sensitivity",
            {{"metric", "val_loss"},
             {"augmentations", {"flip", "rotation", "noise", "erasing"}},
             {"settings",
              {{{"setting", "lr=0.001, width=64"}, {"weights", {0.12, 0.06, 0.01, 0.05}}},
               {{"setting", "lr=0.001, width=256"}, {"weights", {0.02, 0.05, -0.02, 0.03}}},
               {{"setting", "lr=0.004, width=64"}, {"weights", {0.03, 0.04, -0.01, nullptr}}}}},
             {"summary", {"augmentation sensitivity of val_loss over 3 settings"}}});
        compareWithGolden("analysis_heatmap", drawn(view));
    }

    void analysisTransfer() {
        AnalysisView view;
        Json curves = Json::array();
        for (int w = 0; w < 3; ++w) {
            Json points = Json::array();
            for (int k = -12; k <= -4; k += 2)
                points.push_back(
                    {{"log2_lr", k}, {"loss", 0.5 + 0.02 * (k + 8 + w) * (k + 8 + w) - 0.05 * w}});
            curves.push_back({{"width", 64 << w},
                              {"points", points},
                              {"optimum", {{"log2_lr", -8 - w}, {"loss", 0.5 - 0.05 * w}}}});
        }
        view.showResult("transfer", {{"curves", curves}, {"slope", {{"per_doubling", -1.0}}}});
        compareWithGolden("analysis_transfer", drawn(view));
    }
};

QTEST_MAIN(TestGoldenImages)
#include "tst_golden_images.moc"
