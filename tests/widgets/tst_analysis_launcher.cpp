// Launching an analysis from the window: the dialog's kinds, option forms and trial scope; the
// command line it makes; and a real run through paramscope-cli from MainWindow, scoped to the
// selected trials, whose result comes back into the Analyses dock, and a cancelled one.

#include "core/analysis/analysis_options.h"
#include "core/execution/task.h"
#include "core/space/study_file.h"
#include "study_fixture.h"
#include "widgets/analysis_launcher.h"
#include "widgets/analysis_view.h"
#include "widgets/main_window.h"
#include "widgets/setting_form.h"
#include "widgets/trial_selection.h"
#include "widgets/trial_table_model.h"

#include <QFile>
#include <QProcess>
#include <QtTest>

using namespace ps;

class TestAnalysisLauncher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dialogOffersEveryKindWithItsOptions() {
        AnalysisLauncher dialog({9, 3, 5, 8, 10});
        QCOMPARE(dialog.kind(), QString("importance")); // the default
        dialog.setKind("landscape");
        QCOMPARE(dialog.kind(), QString("landscape"));
        QVERIFY(dialog.form()->editor("points_x")); // the kind's declared options
        QVERIFY(!dialog.form()->editor("trials"));  // the scope box says that
        // the selected trials, as ranges
        AnalysisRequest r = dialog.request();
        QCOMPARE(QString::fromStdString(r.options["trials"].get<std::string>()),
                 QString("3,5,8-10"));
        dialog.setSelectedOnly(false);
        QVERIFY(!dialog.request().options.contains("trials"));
        // nothing selected: all trials, and the scope cannot be chosen
        AnalysisLauncher none({});
        QVERIFY(!none.request().options.contains("trials"));
        none.setSelectedOnly(true);
        QVERIFY(!none.request().options.contains("trials"));
    }

    void commandLine() {
        AnalysisRequest r{"lime", {{"trial", 4}, {"trials", "0-7"}, {"metric", "val_loss"}}};
        const QStringList args = AnalysisLauncher::cliArguments("/s/study.yaml", "mine", r);
        QCOMPARE(args.mid(0, 3), QStringList({"analyze", "/s/study.yaml", "lime"}));
        QVERIFY(args.contains("trial=4"));
        QVERIFY(args.contains("trials=0-7"));
        QVERIFY(args.contains("metric=val_loss")); // text without JSON quotes
        QCOMPARE(args.mid(args.size() - 2), QStringList({"--study", "mine"}));
    }

    void runsFromTheWindowOnTheSelection() {
        const QString cli = QStringLiteral(PS_BINARY_DIR "/bin/paramscope-cli");
        if (!QFileInfo(cli).isExecutable())
            QSKIP("paramscope-cli is not built beside this test");
        qputenv("PARAMSCOPE_CLI", cli.toLocal8Bit());
        auto dir = test::makeTempDir();
        const QString file = dir->filePath("s.yaml");
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("name: launch\ntask: {kind: noop}\nspace:\n"
                    "  x: {type: float, low: 0, high: 1}\n  y: {type: float, low: 0, high: 1}\n"
                    "objectives: [{metric: loss, direction: minimize}]\n"
                    "sampler: {kind: random, seed: 1}\nbudget: {trials: 3}\n");
        }
        // the study's trials, written as a run would (no worker needed)
        const StudyConfig config = parseStudyFile(file.toStdString(), TaskCatalog::withBuiltins());
        {
            auto storage = openStorage(config.storageUrl);
            StudyRecord record;
            record.name = "launch";
            record.configText = config.text;
            record.studyFile = file.toStdString();
            record.objectiveMetric = "loss";
            const std::int64_t id = storage->createStudy(record);
            for (int i = 0; i < 12; ++i) {
                const double x = (i % 4) / 4.0, y = (i / 4) / 3.0;
                const Trial t = storage->createTrial(id, {{"x", x}, {"y", y}}, "w");
                storage->finishTrial(t.id, "w", TrialState::Complete, {{"loss", x + 0.1 * y}},
                                     x + 0.1 * y, "");
            }
        }
        MainWindow window;
        window.show();
        QVERIFY2(window.openStudy(file), qPrintable(window.lastError()));
        QTRY_COMPARE(window.trialModel()->rowCount(), 12);
        QSet<qint64> some;
        for (int row = 0; row < 8; ++row)
            some << window.trialModel()->trialAt(row)->id;
        window.selection()->setSelected(some);
        AnalysisLauncher dialog({0, 1, 2, 3, 4, 5, 6, 7}); // what the window makes of the selection
        QVERIFY2(window.startAnalysis(dialog.request()), qPrintable(window.lastError()));
        QVERIFY(window.analysisRunning());
        QVERIFY(window.progressShown());
        QVERIFY(window.progressText().contains("importance"));
        QVERIFY(!window.startAnalysis(dialog.request())); // one at a time
        QTRY_VERIFY_WITH_TIMEOUT(!window.analysisRunning(), 60000);
        QVERIFY(!window.progressShown());
        // stored, scoped to the 8, and shown
        QTRY_VERIFY_WITH_TIMEOUT(window.analysisView()->recordCount() == 1, 20000);
        QVERIFY(window.analysisView()->shownRecord() > 0); // the new result is the one shown
        auto storage = openStorage(config.storageUrl);
        const auto analyses = storage->analyses(storage->studies().front().id);
        QCOMPARE(int(analyses.size()), 1);
        QCOMPARE(analyses[0].state, AnalysisState::Done);
        QCOMPARE(analyses[0].inputs["options"]["trials"].get<std::string>(), std::string("0-7"));

        // a cancelled run ends with nothing shown as failed
        AnalysisRequest slow{"importance", {{"trees", 1000}}};
        QVERIFY(window.startAnalysis(slow));
        window.cancelProgress();
        QTRY_VERIFY_WITH_TIMEOUT(!window.analysisRunning(), 10000);
        QVERIFY(!window.progressShown());
    }
};

QTEST_MAIN(TestAnalysisLauncher)
#include "tst_analysis_launcher.moc"
