// The augmentation preview (issue 6) against a fake worker, a shell script written here that
// records its arguments and writes a known PGM (or fails with a message), so the arguments,
// the cache, cancelling, coalescing and the error display are checked without LibTorch; and
// once against the real paramscope-worker where this build has one.

#include "core/execution/task.h"
#include "study_fixture.h"
#include "widgets/augment_grid_runner.h"
#include "widgets/augment_policy_editor.h"
#include "widgets/augment_preview.h"
#include "widgets/trial_selection.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImageReader>
#include <QPushButton>
#include <QScrollArea>
#include <QTest>

using namespace ps;

// Json has no QTest::toString: compare and print the two as JSON text.
#define COMPARE_JSON(actual, expected)                                                             \
    do {                                                                                           \
        const Json a_ = (actual), e_ = (expected);                                                 \
        QVERIFY2(a_ == e_, qPrintable(QString::fromStdString(a_.dump() + " != " + e_.dump())));    \
    } while (false)

namespace {

constexpr int kTimeout = 30000; // a loaded 2-core CI machine starts shell scripts slowly

// The worker's layout for 2 rows of 1 + 3 tiles of 28 x 28 with 2-pixel gaps.
constexpr int kRows = 2, kDraws = 3, kWidth = 4 * 30 - 2, kHeight = 2 * 30 - 2;

const QByteArray kFakeWorker = R"sh(#!/bin/sh
# Records its arguments (one per line, then --), keeps the settings file it was given, waits
# while the file `hold` exists, then writes grid.pgm to --out.
dir=$(dirname "$0")
{ for a in "$@"; do printf '%s\n' "$a"; done; echo --; } >> "$dir/calls.txt"
out=""; settings=""
while [ $# -gt 0 ]; do
  case "$1" in --out) out="$2"; shift;; --settings) settings="$2"; shift;; esac
  shift
done
cp "$settings" "$dir/last-settings.json"
while [ -f "$dir/hold" ]; do sleep 0.02; done
cp "$dir/grid.pgm" "$out"
)sh";

const QByteArray kFailingWorker = R"sh(#!/bin/sh
echo "paramscope-worker augment-grid: setting 'dataset.path': dataset file /nowhere/train-images-idx3-ubyte.gz is missing" >&2
echo "(paramscope-worker augment-grid --help for the usage)" >&2
exit 2
)sh";

// A checkerboard of 0 and 255, so a smoothing zoom would show greys.
QByteArray checkerPgm(int width, int height) {
    QByteArray pgm = QStringLiteral("P5\n%1 %2\n255\n").arg(width).arg(height).toLatin1();
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            pgm.append(char((x + y) % 2 ? 255 : 0));
    return pgm;
}

void writeFile(const QString& path, const QByteArray& bytes, bool executable = false) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
    f.close();
    if (executable)
        QVERIFY(f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeUser));
}

Json classifyDefaults() {
    const TaskCatalog catalog = TaskCatalog::withBuiltins();
    Json settings = defaultSettings(*catalog.spec("classify"));
    settings["dataset"]["subset"] = 100;
    return settings;
}

Trial trial(qint64 id, int number, Json params) {
    Trial t;
    t.id = id;
    t.number = number;
    t.state = TrialState::Complete;
    t.params = std::move(params);
    return t;
}

// The fake worker's calls: each its argument list.
std::vector<QStringList> calls(const QString& dir) {
    QFile f(dir + "/calls.txt");
    std::vector<QStringList> out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    QStringList current;
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line == "--") {
            out.push_back(current);
            current.clear();
        } else if (!line.isEmpty()) {
            current << QString::fromUtf8(line);
        }
    }
    return out;
}

QString argument(const QStringList& call, const QString& flag) {
    const qsizetype at = call.indexOf(flag);
    return at >= 0 && at + 1 < call.size() ? call[at + 1] : QString();
}

Json paramsOf(const QStringList& call) {
    const QString text = argument(call, "--params");
    return text.isEmpty() ? Json::object() : Json::parse(text.toStdString());
}

} // namespace

class TestAugmentPreview : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_fake, m_failing;

    QString path(const QString& name) const { return m_dir->filePath(name); }
    void hold() { writeFile(path("hold"), "1"); }
    void release() { QFile::remove(path("hold")); }

    // A preview of the classify task, 2 rows of 3 draws, the fake worker.
    std::unique_ptr<AugmentPreview> makePreview(TrialSelection& selection) {
        auto w = std::make_unique<AugmentPreview>(&selection);
        w->setWorkerPath(m_fake);
        w->setGrid(kRows, kDraws);
        w->setTaskSettings(classifyDefaults());
        w->resize(900, 600);
        return w;
    }

private Q_SLOTS:
    void init() {
        m_dir = ps::test::makeTempDir();
        QVERIFY(m_dir->isValid());
        m_fake = path("fake-worker.sh");
        m_failing = path("failing-worker.sh");
        writeFile(m_fake, kFakeWorker, true);
        writeFile(m_failing, kFailingWorker, true);
        writeFile(path("grid.pgm"), checkerPgm(kWidth, kHeight));
    }

    void qimageReadsBinaryPgm() {
        QVERIFY(QImageReader::supportedImageFormats().contains("pgm"));
        const QImage image(path("grid.pgm"));
        QCOMPARE(image.size(), QSize(kWidth, kHeight));
        QCOMPARE(qGray(image.pixel(0, 0)), 0);
        QCOMPARE(qGray(image.pixel(1, 0)), 255);
    }

    void passesTheTaskSettingsAndTheTrialsAugmentations() {
        TrialSelection selection;
        auto w = makePreview(selection);
        w->applyTrials({trial(7, 4,
                              {{"augment.rotation.enabled", true},
                               {"augment.rotation.degrees", 30},
                               {"optimizer.lr", 0.01}})});
        w->show();
        // None selected: the task's own settings, no parameters.
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull(), kTimeout);
        QCOMPARE(w->image().size(), QSize(kWidth, kHeight));
        QVERIFY2(w->caption().contains("no trial selected"), qPrintable(w->caption()));
        QVERIFY2(w->caption().contains("no augmentation on"), qPrintable(w->caption()));
        auto c = calls(m_dir->path());
        QCOMPARE(c.size(), std::size_t(1));
        QCOMPARE(c[0].first(), QString("augment-grid"));
        QCOMPARE(argument(c[0], "--rows"), QString::number(kRows));
        QCOMPARE(argument(c[0], "--cols"), QString::number(kDraws));
        QCOMPARE(argument(c[0], "--seed"), QString("0"));
        QVERIFY(argument(c[0], "--out").endsWith(".pgm"));
        QVERIFY(!c[0].contains("--params"));
        QFile settings(path("last-settings.json"));
        QVERIFY(settings.open(QIODevice::ReadOnly));
        COMPARE_JSON(Json::parse(settings.readAll().toStdString()), classifyDefaults());

        // A trial selected: its augmentations (and only the parameters that change the
        // picture) on top.
        selection.setSelected({7});
        QTRY_VERIFY_WITH_TIMEOUT(w->caption().contains("Trial #4"), kTimeout);
        QVERIFY2(w->caption().contains("augmentations: rotation"), qPrintable(w->caption()));
        c = calls(m_dir->path());
        QCOMPARE(c.size(), std::size_t(2));
        COMPARE_JSON(paramsOf(c[1]),
                     Json({{"augment.rotation.enabled", true}, {"augment.rotation.degrees", 30}}));
        QVERIFY(w->message().isEmpty());
        QVERIFY(!w->isBusy());
    }

    void followsTheNewestSelectedTrial() {
        TrialSelection selection;
        auto w = makePreview(selection);
        w->applyTrials({trial(1, 0, {{"augment.flip.enabled", true}}),
                        trial(2, 5, {{"augment.noise.enabled", true}})});
        selection.setSelected({1, 2});
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull(), kTimeout);
        QCOMPARE(w->shownTrial(), qint64(2));
        QVERIFY2(w->caption().contains("Trial #5 (the newest of 2 selected)"),
                 qPrintable(w->caption()));
        COMPARE_JSON(paramsOf(calls(m_dir->path()).back()),
                     Json({{"augment.noise.enabled", true}}));
    }

    void goingBackToATrialIsInstant() {
        TrialSelection selection;
        auto w = makePreview(selection);
        w->applyTrials({trial(1, 0, {{"augment.flip.enabled", true}}),
                        trial(2, 1, {{"augment.invert.enabled", true}})});
        selection.setSelected({1});
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull() && !w->isBusy(), kTimeout);
        selection.setSelected({2});
        QTRY_VERIFY_WITH_TIMEOUT(w->caption().contains("Trial #1") && !w->isBusy(), kTimeout);
        QCOMPARE(w->runner()->startedCount(), 2);

        // Back to the first: shown at once, from the cache, no worker.
        selection.setSelected({1});
        QVERIFY(!w->isBusy());
        QVERIFY2(w->caption().contains("Trial #0"), qPrintable(w->caption()));
        QVERIFY(!w->image().isNull());
        QCOMPARE(w->runner()->startedCount(), 2);

        // A new draw is another picture: the worker again, with the next seed.
        w->findChild<QPushButton*>("newDraw")->click();
        QCOMPARE(w->seed(), quint64(1));
        QTRY_VERIFY_WITH_TIMEOUT(w->caption().contains("seed 1") && !w->isBusy(), kTimeout);
        QCOMPARE(w->runner()->startedCount(), 3);
        QCOMPARE(argument(calls(m_dir->path()).back(), "--seed"), QString("1"));
    }

    void aNewerRequestReplacesTheOlder() {
        TrialSelection selection;
        auto w = makePreview(selection);
        hold();
        w->show();
        QVERIFY(w->isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(calls(m_dir->path()).size(), std::size_t(1), kTimeout);
        // Two more while the first is held: the first is stopped, the second never starts,
        // the third runs once the first is gone.
        w->setSeed(2);
        w->setSeed(3);
        QVERIFY(w->isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(w->runner()->startedCount(), 2, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(calls(m_dir->path()).size(), std::size_t(2), kTimeout);
        QVERIFY(w->image().isNull()); // nothing drawn yet: the first was stopped
        release();
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull(), kTimeout);
        QVERIFY(!w->isBusy());
        QVERIFY2(w->caption().contains("seed 3"), qPrintable(w->caption()));
        const auto c = calls(m_dir->path());
        QCOMPARE(c.size(), std::size_t(2));
        QCOMPARE(argument(c[0], "--seed"), QString("0"));
        QCOMPARE(argument(c[1], "--seed"), QString("3"));
        QCOMPARE(w->runner()->startedCount(), 2);
    }

    void cancelStopsTheWorkerAndSaysSo() {
        TrialSelection selection;
        auto w = makePreview(selection);
        hold();
        w->show();
        QTRY_COMPARE_WITH_TIMEOUT(calls(m_dir->path()).size(), std::size_t(1), kTimeout);
        auto* cancel = w->findChild<QPushButton*>("cancel");
        QVERIFY(cancel->isVisible());
        cancel->click();
        QVERIFY(!w->isBusy());
        QVERIFY2(w->message().contains("canceled"), qPrintable(w->message()));
        QVERIFY(w->image().isNull());
        QTRY_VERIFY_WITH_TIMEOUT(!w->runner()->isBusy(), kTimeout); // the process is gone
        QVERIFY2(w->message().contains("canceled"), qPrintable(w->message()));

        // Nothing was cached for it: drawing again runs the worker again.
        release();
        auto* again = w->findChild<QPushButton*>("drawAgain");
        QVERIFY(again->isVisible());
        again->click();
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull(), kTimeout);
        QCOMPARE(w->runner()->startedCount(), 2);
        QVERIFY(w->message().isEmpty());
    }

    void showsTheWorkersComplaint() {
        TrialSelection selection;
        auto w = makePreview(selection);
        w->setWorkerPath(m_failing);
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!w->message().isEmpty() && !w->isBusy(), kTimeout);
        const QString m = w->message();
        QVERIFY2(m.contains("Cannot draw"), qPrintable(m));
        QVERIFY2(m.contains("dataset file /nowhere/train-images-idx3-ubyte.gz is missing"),
                 qPrintable(m));
        QVERIFY2(!m.contains("--help"), qPrintable(m)); // the usage is the preview's business
        QVERIFY(w->image().isNull());
        QVERIFY(w->findChild<QPushButton*>("drawAgain")->isVisible());

        // Not cached: once the worker works, the same request draws.
        w->setWorkerPath(m_fake);
        w->findChild<QPushButton*>("drawAgain")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull(), kTimeout);
        QVERIFY(w->message().isEmpty());
    }

    void aMissingWorkerIsNamed() {
        TrialSelection selection;
        auto w = makePreview(selection);
        const QString missing = path("no-such-dir/paramscope-worker");
        w->setWorkerPath(missing);
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!w->message().isEmpty(), kTimeout);
        QVERIFY2(w->message().contains(missing), qPrintable(w->message()));
        QVERIFY2(w->message().contains("PARAMSCOPE_WORKER"), qPrintable(w->message()));
        QVERIFY(!w->isBusy());
        QCOMPARE(w->runner()->startedCount(), 0);
    }

    void theWorkerIsFoundByEnvironmentOrBesideTheApp() {
        qputenv("PARAMSCOPE_WORKER", m_fake.toLocal8Bit());
        TrialSelection selection;
        AugmentPreview fromEnv(&selection);
        QCOMPARE(fromEnv.workerPath(), m_fake);
        qunsetenv("PARAMSCOPE_WORKER");
        QCOMPARE(AugmentGridRunner::defaultWorkerPath(),
                 QCoreApplication::applicationDirPath() + "/paramscope-worker");
    }

    void aHiddenViewStartsNoWorker() {
        TrialSelection selection;
        auto w = makePreview(selection);
        w->setSeed(5);
        QCOMPARE(w->runner()->startedCount(), 0);
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull(), kTimeout);
        QCOMPARE(w->runner()->startedCount(), 1);
        QCOMPARE(argument(calls(m_dir->path()).back(), "--seed"), QString("5"));
    }

    void policyModeSendsTheEditedPolicy() {
        TrialSelection selection;
        auto w = makePreview(selection);
        w->applyTrials({trial(3, 2, {{"augment.erasing.enabled", true}})});
        selection.setSelected({3});
        w->setMode(AugmentPreview::Mode::Policy);
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull() && !w->isBusy(), kTimeout);
        // The study's settings to start with: no parameters, whatever is selected.
        QVERIFY2(w->caption().startsWith("Your policy"), qPrintable(w->caption()));
        QVERIFY(!calls(m_dir->path()).back().contains("--params"));

        // One check box per augmentation the task declares, from its spec.
        AugmentPolicyEditor* editor = w->policyEditor();
        int declared = 0;
        const TaskCatalog catalog = TaskCatalog::withBuiltins();
        for (const SettingSpec& s : catalog.spec("classify")->settings) {
            const std::string p = s.path;
            if (p.rfind("augment.", 0) == 0 && p.size() > 8 + 8 &&
                p.substr(p.size() - 8) == ".enabled") {
                ++declared;
                const QString name = QString::fromStdString(p.substr(8, p.size() - 16));
                QVERIFY2(editor->enabledBox(name), qPrintable(name));
            }
        }
        QVERIFY(declared >= 10);

        QCheckBox* rotation = editor->enabledBox("rotation");
        auto* degrees = qobject_cast<QDoubleSpinBox*>(editor->editor("augment.rotation.degrees"));
        QVERIFY(degrees);
        QVERIFY(!degrees->isVisible()); // its strength shows once it is on
        rotation->setChecked(true);
        QVERIFY(degrees->isVisible());
        degrees->setValue(30);
        editor->enabledBox("flip")->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(!w->isBusy() && w->caption().contains("flip"), kTimeout);
        COMPARE_JSON(paramsOf(calls(m_dir->path()).back()),
                     Json({{"augment.rotation.enabled", true},
                           {"augment.rotation.degrees", 30.0},
                           {"augment.flip.enabled", true}}));
        QVERIFY2(w->caption().contains("augmentations: flip, rotation"), qPrintable(w->caption()));

        // The same study handed over again (the window does on every change of it): the
        // policy being edited stays.
        w->setTaskSettings(classifyDefaults());
        QVERIFY(rotation->isChecked());
        QCOMPARE(degrees->value(), 30.0);

        // From the selected trial: its policy, in place of the edits.
        w->findChild<QPushButton*>("fromTrial")->click();
        QVERIFY(!rotation->isChecked());
        QVERIFY(editor->enabledBox("erasing")->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(!w->isBusy() && w->caption().contains("erasing"), kTimeout);
        COMPARE_JSON(paramsOf(calls(m_dir->path()).back()),
                     Json({{"augment.erasing.enabled", true}}));

        // Back to the trial: the same request as the trial's own, already drawn.
        const int started = w->runner()->startedCount();
        w->setMode(AugmentPreview::Mode::Trial);
        QVERIFY2(w->caption().startsWith("Trial #2"), qPrintable(w->caption()));
        QVERIFY(!w->isBusy());
        QCOMPARE(w->runner()->startedCount(), started);
    }

    void anotherTaskKindSaysWhy() {
        TrialSelection selection;
        AugmentPreview w(&selection);
        w.setWorkerPath(m_fake);
        w.setTaskSettings(defaultSettings(*TaskCatalog::withBuiltins().spec("noop")),
                          QStringLiteral("noop"));
        w.show();
        QVERIFY2(w.message().contains("noop"), qPrintable(w.message()));
        QVERIFY(w.policyEditor()->isEmpty());
        QVERIFY(!w.isBusy());
        w.clear();
        QVERIFY2(w.message().contains("No study"), qPrintable(w.message()));
        QCOMPARE(w.runner()->startedCount(), 0);
    }

    void zoomKeepsPixelsCrisp() {
        TrialSelection selection;
        auto w = makePreview(selection);
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!w->image().isNull(), kTimeout);
        w->setZoom(4);
        QWidget* canvas = w->findChild<QScrollArea*>("gridScroll")->widget();
        const int header = canvas->height() - 4 * kHeight;
        QCOMPARE(canvas->width(), 4 * kWidth);
        QVERIFY(header > 0); // room for the column labels
        const QImage shown = canvas->grab().toImage();
        // Every image pixel is a 4 x 4 square of its own value, never a blend.
        for (int y : {0, 1, 17, kHeight - 1})
            for (int x : {0, 1, 30, kWidth - 1}) {
                const int want = (x + y) % 2 ? 255 : 0;
                for (int dy : {0, 3})
                    for (int dx : {0, 3})
                        QCOMPARE(qGray(shown.pixel(4 * x + dx, header + 4 * y + dy)), want);
            }
    }

    // The real worker, where this build has one (the LibTorch build does; a build without
    // LibTorch does not), on Fashion-MNIST.
    void realWorkerDrawsAGrid() {
        const QString worker = QStringLiteral(PS_BINARY_DIR "/bin/paramscope-worker");
        if (!QFileInfo(worker).isExecutable())
            QSKIP("no paramscope-worker in this build (it needs LibTorch)");
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
            QSKIP("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
        TrialSelection selection;
        AugmentPreview w(&selection);
        w.setWorkerPath(worker);
        w.setGrid(kRows, kDraws);
        w.setTaskSettings(classifyDefaults());
        w.setMode(AugmentPreview::Mode::Policy);
        w.policyEditor()->enabledBox("rotation")->setChecked(true);
        qobject_cast<QDoubleSpinBox*>(w.policyEditor()->editor("augment.rotation.degrees"))
            ->setValue(30);
        w.policyEditor()->enabledBox("flip")->setChecked(true);
        w.policyEditor()->enabledBox("erasing")->setChecked(true);
        w.resize(1000, 560);
        w.show();
        QTRY_VERIFY_WITH_TIMEOUT(!w.isBusy(), 120000);
        QVERIFY2(w.message().isEmpty(), qPrintable(w.message()));
        const QImage image = w.image().convertToFormat(QImage::Format_Grayscale8);
        QCOMPARE(image.size(), QSize(kWidth, kHeight));
        // Not blank: the first original has dark and bright pixels.
        int lo = 255, hi = 0;
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x) {
                lo = std::min(lo, qGray(image.pixel(x, y)));
                hi = std::max(hi, qGray(image.pixel(x, y)));
            }
        QVERIFY2(hi - lo > 100, qPrintable(QString("grey levels %1..%2").arg(lo).arg(hi)));
        // For a look by eye.
        const QString grab = qEnvironmentVariable("PS_AUGMENT_PREVIEW_GRAB");
        if (!grab.isEmpty())
            QVERIFY(w.grab().save(grab));
    }
};

QTEST_MAIN(TestAugmentPreview)
#include "tst_augment_preview.moc"
