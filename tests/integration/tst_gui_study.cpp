// The desktop app on a real study, as a user drives it: Run on a study file that never ran
// starts paramscope-cli in the background and the views fill live until all 4 trials are
// in; a study run from the command line opens with its 4 trials in the table and the plot.

#include "../core/test_util.h"
#include "core/storage/storage.h"
#include "widgets/export_renderer.h"
#include "widgets/history_plot.h"
#include "widgets/learning_curves_plot.h"
#include "widgets/main_window.h"
#include "widgets/trial_table_model.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTest>

using namespace ps;

namespace {

QString writeStudy(const QTemporaryDir& dir, const QString& name) {
    const QString path = dir.filePath(name + ".yaml");
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(QStringLiteral("name: %1\n"
                           "task:\n"
                           "  kind: classify\n"
                           "  dataset: {subset: 1000, val_fraction: 0.2}\n"
                           "  model: {width: 32, depth: 1}\n"
                           "  epochs: 2\n"
                           "space:\n"
                           "  optimizer.lr: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}\n"
                           "objectives: [{metric: val_loss, direction: minimize}]\n"
                           "budget: {trials: 4, parallel: 2}\n")
                .arg(name)
                .toUtf8());
    return path;
}

} // namespace

class TestGuiStudy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runFromTheWindow() {
        auto dir = test::makeTempDir();
        const QString file = writeStudy(dir, "from-window");
        MainWindow window;
        window.show();
        QVERIFY2(window.openStudy(file), qPrintable(window.lastError()));
        QCOMPARE(window.trialModel()->rowCount(), 0); // never ran: empty, nothing written
        QVERIFY(!QFile::exists(dir.filePath("from-window.db")));

        QVERIFY2(window.runStudy(), qPrintable(window.lastError()));
        QTRY_COMPARE_WITH_TIMEOUT(window.trialModel()->rowCount(), 4, 120000);
        QTRY_COMPARE_WITH_TIMEOUT(window.historyPlot()->pointCount(), 4, 120000);
        QTRY_COMPARE_WITH_TIMEOUT(window.learningCurves()->shownTrials().size(), 4, 30000);

        auto storage = openStorage(test::dbUrl(dir, "from-window.db"));
        const auto id = storage->findStudy("from-window")->id;
        QCOMPARE(storage->counts(id).complete, 4);
        // the background run ends by itself and says so in its log
        QTRY_VERIFY_WITH_TIMEOUT(storage->study(id)->orchestrator.empty(), 30000);
        QFile log(dir.filePath("from-window.db.log"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("finished: 4 complete"));
    }

    void opensAStudyRunFromTheCommandLine() {
        auto dir = test::makeTempDir();
        const QString file = writeStudy(dir, "from-cli");
        QProcess cli;
        cli.start(QStringLiteral(PS_BINARY_DIR "/bin/paramscope-cli"), {"run", file, "--quiet"});
        QVERIFY(cli.waitForFinished(300000));
        QCOMPARE(cli.exitCode(), 0);

        MainWindow window;
        window.show();
        QVERIFY2(window.openStudy(dir.filePath("from-cli.db")), qPrintable(window.lastError()));
        QTRY_COMPARE(window.trialModel()->rowCount(), 4);
        QTRY_COMPARE(window.historyPlot()->pointCount(), 4);

        const auto files = exportStudy(test::dbUrl(dir, "from-cli.db"), "from-cli",
                                       dir.filePath("export").toStdString());
        QVERIFY(files.size() >= 4);
        QImage png(dir.filePath("export/history.png"));
        QVERIFY(!png.isNull());
        QVERIFY(png.width() >= 1000 && png.height() >= 700);
    }
};

QTEST_MAIN(TestGuiStudy)
#include "tst_gui_study.moc"
