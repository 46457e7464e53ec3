#include "study_fixture.h"
#include "widgets/history_plot.h"
#include "widgets/learning_curves_plot.h"
#include "widgets/main_window.h"
#include "widgets/parallel_coordinates.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/scatter_matrix.h"
#include "widgets/scatter_view.h"
#include "widgets/study_watcher.h"
#include "widgets/theme.h"
#include "widgets/trial_details.h"
#include "widgets/trial_selection.h"
#include "widgets/trial_table_model.h"
#include "widgets/trial_table_view.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QtTest>

using namespace ps;

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void showsAStudyAndLinksTheSelection();
    void updatesLive();
    void refusesWhatItCannotOpen();
    void stopWritesToStorage();
    void parallelCoordinatesFollowTheStoredStudy();
    void oneFilterForEveryView();
    void tableCopiesRowsAndChoosesColumns();
    void trialDetailsFollowTheSelection();
    void retriesTheSelectedFailedTrial();
    void pausedStudiesShowItAndResume();
    void scatterMatrixAndThemeAndShortcuts();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_db;
    std::int64_t m_studyId = 0;
};

void TestMainWindow::init() {
    m_dir = test::makeTempDir();
    QVERIFY(m_dir->isValid());
    m_db = m_dir->filePath(QStringLiteral("study.db"));
    auto storage = openStorage("sqlite:" + m_db.toStdString());
    m_studyId = test::writeFinishedStudy(*storage, "window");
}

void TestMainWindow::showsAStudyAndLinksTheSelection() {
    MainWindow window;
    window.show();
    QVERIFY2(window.openStudy(m_db), qPrintable(window.lastError()));
    QTRY_COMPARE(window.trialModel()->rowCount(), 4);
    QTRY_COMPARE(window.historyPlot()->pointCount(), 4);
    QCOMPARE(window.trialModel()->objectiveMetric(), QStringLiteral("val_loss"));
    QTRY_COMPARE(window.learningCurves()->shownTrials().size(), 4);
    QCOMPARE(window.learningCurves()->metric(), QStringLiteral("val_loss"));
    QCOMPARE(window.historyPlot()->bestValue(), std::optional<double>(0.3));

    // Table -> shared selection -> plots.
    TrialTableView* table = window.trialTable();
    table->selectRow(1);
    const qint64 id = table->proxy()->index(1, 0).data(TrialTableModel::TrialIdRole).toLongLong();
    QCOMPARE(window.selection()->selected(), QSet<qint64>{id});
    QTRY_COMPARE(window.historyPlot()->highlighted(), QSet<qint64>{id});
    QTRY_COMPARE(window.learningCurves()->shownTrials(), QList<qint64>{id});

    // Plots (through the shared selection) -> table rows.
    const qint64 other = window.trialModel()->trialAt(3)->id;
    window.selection()->setSelected({other});
    const auto rows = table->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].data(TrialTableModel::TrialIdRole).toLongLong(), other);
    QTRY_COMPARE(window.historyPlot()->highlighted(), QSet<qint64>{other});

    // A database that does not name an existing study file cannot Run.
    QVERIFY(window.studyFile().isEmpty());
    QVERIFY(!window.runStudy());
    QVERIFY(!window.lastError().isEmpty());
}

void TestMainWindow::updatesLive() {
    MainWindow window;
    QVERIFY(window.openStudy(m_db));
    QTRY_COMPARE(window.trialModel()->rowCount(), 4);
    QSignalSpy reset(window.trialModel(), &QAbstractItemModel::modelReset);

    // What a worker writes meanwhile shows up without reopening.
    auto storage = openStorage("sqlite:" + m_db.toStdString());
    storage->createTrial(m_studyId, {{"optimizer.lr", 0.01}});
    const auto claimed = storage->claimTrial(m_studyId, "w:2");
    QVERIFY(claimed);
    storage->finishTrial(claimed->id, "w:2", TrialState::Complete, {{"val_loss", 0.1}}, 0.1, "");
    QTRY_COMPARE(window.trialModel()->rowCount(), 5);
    QTRY_COMPARE(window.historyPlot()->pointCount(), 5);
    QTRY_COMPARE(window.historyPlot()->bestValue(), std::optional<double>(0.1));
    QCOMPARE(reset.count(), 0);
}

void TestMainWindow::refusesWhatItCannotOpen() {
    MainWindow window;
    QVERIFY(!window.openStudy(m_dir->filePath(QStringLiteral("missing.db"))));
    QVERIFY(window.lastError().contains(QStringLiteral("missing.db")));
    QVERIFY(window.storageUrl().isEmpty());
}

void TestMainWindow::stopWritesToStorage() {
    MainWindow window;
    QVERIFY(window.openStudy(m_db));
    QTRY_COMPARE(window.trialModel()->rowCount(), 4);
    window.stopStudy();
    auto storage = openStorage("sqlite:" + m_db.toStdString());
    QTRY_VERIFY(storage->study(m_studyId)->control == StudyControl::Stop);
}

// A database alone (no study file beside it): the axes come from the study text stored with
// it, with log and categorical scales, and a brush there selects rows in the table.
void TestMainWindow::parallelCoordinatesFollowTheStoredStudy() {
    {
        auto storage = openStorage("sqlite:" + m_db.toStdString());
        StudyRecord record = *storage->study(m_studyId);
        record.configText = "name: window\n"
                            "task: {kind: classify, dataset: {name: fashion-mnist}}\n"
                            "space:\n"
                            "  optimizer.lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}\n"
                            "  model.width: {type: int, low: 16, high: 1024}\n"
                            "  optimizer.kind: {type: categorical, values: [sgd, adam]}\n"
                            "objectives: [{metric: val_loss, direction: minimize}]\n";
        storage->updateStudy(record);
    }
    MainWindow window;
    window.show();
    QVERIFY2(window.openStudy(m_db), qPrintable(window.lastError()));
    ParallelCoordinates* parallel = window.parallelCoordinates();
    QTRY_COMPARE(parallel->columns().rows(), std::size_t(4));
    const TrialColumns& c = parallel->columns();
    QCOMPARE(c.dimensions(), std::size_t(4));
    QCOMPARE(c.dimension(0).name, std::string("optimizer.lr"));
    QCOMPARE(c.dimension(0).scale, AxisScale::Log);
    QCOMPARE(c.dimension(2).scale, AxisScale::Categorical);
    QCOMPARE(c.dimension(2).categories.size(), std::size_t(3)); // + the fixture's odd value
    QVERIFY(c.dimension(3).objective);
    // the two best trials (val_loss 0.5 and 0.3) by a brush on the objective axis
    parallel->setBrush(3, 0.0, 0.6);
    const auto rows = window.trialTable()->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(window.selection()->selected().size(), 2);
}

// The filter bar hides trials in every view, refuses what does not parse without losing the
// filter in force, and judges trials that arrive later.
void TestMainWindow::oneFilterForEveryView() {
    MainWindow window;
    window.show();
    QVERIFY2(window.openStudy(m_db), qPrintable(window.lastError()));
    QTRY_COMPARE(window.trialModel()->rowCount(), 4);
    QTRY_COMPARE(window.historyPlot()->pointCount(), 4);
    // the fixture's values: 0.9, 0.5, 0.7, 0.3; kinds alternate "adam, ..." and sgd
    QVERIFY(window.setFilterText("val_loss < 0.8 and optimizer.kind == 'sgd'"));
    QCOMPARE(window.trialTable()->proxy()->rowCount(), 2);
    window.historyPlot()->rebuildNow();
    QCOMPARE(window.historyPlot()->pointCount(), 2);
    QCOMPARE(window.historyPlot()->bestValue(), std::optional<double>(0.3));
    window.parallelCoordinates()->rebuildNow();
    QCOMPARE(window.parallelCoordinates()->drawnLines(), 2);
    window.scatterView()->rebuildNow();
    QCOMPARE(window.scatterView()->pointCount(), 2);
    QTRY_COMPARE(window.learningCurves()->shownTrials().size(), 2);
    // a selection of hidden trials is kept, but shown nowhere
    const qint64 hidden = window.trialModel()->trialAt(0)->id;
    window.selection()->setSelected({hidden});
    QCOMPARE(window.trialTable()->selectionModel()->selectedRows().size(), 0);
    window.historyPlot()->rebuildNow();
    QVERIFY(window.historyPlot()->highlighted().isEmpty());
    // a filter that does not parse leaves the last one in force
    QVERIFY(!window.setFilterText("val_loss <"));
    QVERIFY(window.filterError().contains("at the end"));
    QCOMPARE(window.trialTable()->proxy()->rowCount(), 2);
    // a new trial is judged as it arrives
    {
        auto storage = openStorage("sqlite:" + m_db.toStdString());
        storage->createTrial(
            m_studyId, {{"optimizer.lr", 0.1}, {"model.width", 8}, {"optimizer.kind", "sgd"}});
        const auto claimed = storage->claimTrial(m_studyId, "test-host:1");
        storage->finishTrial(claimed->id, "test-host:1", TrialState::Complete, {{"val_loss", 0.1}},
                             0.1, "");
    }
    QTRY_COMPARE(window.trialModel()->rowCount(), 5);
    QTRY_COMPARE(window.trialTable()->proxy()->rowCount(), 3);
    // and clearing it shows everything again, the selected row included
    QVERIFY(window.setFilterText(""));
    QCOMPARE(window.trialTable()->proxy()->rowCount(), 5);
    QCOMPARE(window.trialTable()->selectionModel()->selectedRows().size(), 1);
}

void TestMainWindow::tableCopiesRowsAndChoosesColumns() {
    MainWindow window;
    window.show();
    QVERIFY2(window.openStudy(m_db), qPrintable(window.lastError()));
    QTRY_COMPARE(window.trialModel()->rowCount(), 4);
    TrialTableView* table = window.trialTable();
    table->selectTrials({window.trialModel()->trialAt(1)->id, window.trialModel()->trialAt(3)->id});
    QStringList lines = table->selectedRowsText().split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3); // header and two rows
    QVERIFY(lines[0].startsWith("#\tstate\tval_loss"));
    QVERIFY(lines[1].startsWith("1\tCOMPLETE\t0.5"));
    QVERIFY(lines[2].startsWith("3\tCOMPLETE\t0.3"));
    // the fixture's odd category value keeps its comma and quotes, without tabs
    QVERIFY(table->selectedRowsText().count('\t') == 3 * (lines[0].count('\t')));
    table->setColumnShown(TrialTableModel::StateColumn, false);
    lines = table->selectedRowsText().split('\n', Qt::SkipEmptyParts);
    QVERIFY(lines[0].startsWith("#\tval_loss"));
    QVERIFY(lines[1].startsWith("1\t0.5"));
}

void TestMainWindow::trialDetailsFollowTheSelection() {
    // a failed trial with a log file
    const QString log = m_dir->filePath("task.log");
    {
        QFile f(log);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("epoch 1: loss 2.3\nepoch 2: loss nan\n");
    }
    std::int64_t failed = 0;
    {
        auto storage = openStorage("sqlite:" + m_db.toStdString());
        storage->createTrial(
            m_studyId, {{"optimizer.lr", 0.9}, {"model.width", 8}, {"optimizer.kind", "sgd"}});
        const auto claimed = storage->claimTrial(m_studyId, "test-host:1");
        failed = claimed->id;
        storage->updateTrialSystem(failed, {{"log", log.toStdString()}});
        storage->finishTrial(failed, "test-host:1", TrialState::Fail, {}, std::nullopt,
                             "training diverged: loss is nan at epoch 2, step 3");
    }
    MainWindow window;
    window.show();
    QVERIFY2(window.openStudy(m_db), qPrintable(window.lastError()));
    QTRY_COMPARE(window.trialModel()->rowCount(), 5);
    TrialDetails* details = window.trialDetails();
    QCOMPARE(details->shownTrial(), qint64(0));
    window.selection()->setSelected({failed});
    QCOMPARE(details->shownTrial(), qint64(failed));
    QVERIFY(details->detailsText().contains("Trial #4"));
    QVERIFY(details->detailsText().contains("Failed: training diverged: loss is nan"));
    QVERIFY(details->detailsText().contains("optimizer.lr"));
    QVERIFY(details->logText().contains("epoch 2: loss nan"));
    // several selected: the newest; none: nothing
    const qint64 first = window.trialModel()->trialAt(0)->id;
    window.selection()->setSelected({first, failed});
    QCOMPARE(details->shownTrial(), qint64(failed));
    window.selection()->setSelected({first});
    QVERIFY(details->detailsText().contains("val_loss"));
    QVERIFY(details->logText().isEmpty());
    window.selection()->clear();
    QCOMPARE(details->shownTrial(), qint64(0));
}

void TestMainWindow::retriesTheSelectedFailedTrial() {
    std::int64_t failed = 0, failedNumber = 0;
    {
        auto storage = openStorage("sqlite:" + m_db.toStdString());
        storage->createTrial(m_studyId, {{"optimizer.lr", 0.5}, {"model.width", 8}});
        const auto claimed = storage->claimTrial(m_studyId, "test-host:1");
        failed = claimed->id;
        failedNumber = claimed->number;
        storage->finishTrial(failed, "test-host:1", TrialState::Fail, {}, std::nullopt, "diverged");
    }
    MainWindow window;
    window.show();
    QVERIFY2(window.openStudy(m_db), qPrintable(window.lastError()));
    QTRY_COMPARE(window.trialModel()->rowCount(), 5);
    QAction* retry = nullptr;
    for (QAction* a : window.findChildren<QAction*>())
        if (a->text().contains("try failed"))
            retry = a;
    QVERIFY(retry);
    // a complete trial selected: nothing to retry
    window.selection()->setSelected({window.trialModel()->trialAt(0)->id});
    QVERIFY(!retry->isEnabled());
    QVERIFY(window.trialTable()->actions().contains(retry)); // in the table's context menu
    window.selection()->setSelected({window.trialModel()->trialAt(0)->id, failed});
    QVERIFY(retry->isEnabled());
    retry->trigger();
    // a waiting copy with the same parameters, which the window shows as it arrives
    QTRY_COMPARE(window.trialModel()->rowCount(), 6);
    auto storage = openStorage("sqlite:" + m_db.toStdString());
    const auto trials = storage->trials(m_studyId);
    const Trial& copy = trials.back();
    QCOMPARE(copy.state, TrialState::Waiting);
    QVERIFY(copy.retryOf && *copy.retryOf == failedNumber);
    QVERIFY(copy.params == trials[std::size_t(trials.size() - 2)].params);
    // its details say what it retries
    QTRY_VERIFY(window.trialModel()->trialAt(5) != nullptr);
    window.selection()->setSelected({window.trialModel()->trialAt(5)->id});
    QVERIFY2(window.trialDetails()->detailsText().contains(
                 QString("trial #%1 (same parameters)").arg(failedNumber)),
             qPrintable(window.trialDetails()->detailsText()));
}

void TestMainWindow::pausedStudiesShowItAndResume() {
    {
        auto storage = openStorage("sqlite:" + m_db.toStdString());
        // a live orchestrator, paused
        storage->setControl(m_studyId, StudyControl::Pause);
        storage->setOrchestrator(m_studyId, "other-host:1"); // beats now: alive for 10 s
    }
    MainWindow window;
    window.show();
    QVERIFY2(window.openStudy(m_db), qPrintable(window.lastError()));
    QTRY_COMPARE(window.trialModel()->rowCount(), 4);
    QAction *pause = nullptr, *resume = nullptr, *stop = nullptr;
    for (QAction* a : window.findChildren<QAction*>()) {
        const QString t = a->text().remove('&');
        if (t == "Pause")
            pause = a;
        else if (t == "Resume")
            resume = a;
        else if (t == "Stop")
            stop = a;
    }
    QVERIFY(pause && resume && stop);
    QTRY_VERIFY(resume->isEnabled());
    QVERIFY(resume->isVisible() && !pause->isVisible());
    QVERIFY(stop->isEnabled()); // a paused study can be stopped
    QVERIFY(window.statusBar()->findChildren<QLabel*>().size() > 0);
    bool paused = false;
    for (QLabel* l : window.statusBar()->findChildren<QLabel*>())
        paused = paused || l->text().contains("paused");
    QVERIFY(paused);
    resume->trigger();
    auto storage = openStorage("sqlite:" + m_db.toStdString());
    QTRY_VERIFY(storage->study(m_studyId)->control == StudyControl::Run);
}

void TestMainWindow::scatterMatrixAndThemeAndShortcuts() {
    MainWindow window;
    window.show();
    QVERIFY2(window.openStudy(m_db), qPrintable(window.lastError()));
    QTRY_COMPARE(window.trialModel()->rowCount(), 4);
    QTRY_COMPARE(window.scatterMatrix()->columns().rows(), std::size_t(4));
    // the theme reaches the plots and the table's state colours
    window.setTheme(Theme::Dark);
    QVERIFY(darkPalette());
    const auto plots = window.findChildren<QCustomPlot*>();
    QVERIFY(!plots.isEmpty());
    for (QCustomPlot* plot : plots) // every plot's background follows
        QVERIFY(plot->toPixmap(60, 40).toImage().pixelColor(1, 1).lightness() < 80);
    const QColor darkState =
        window.trialModel()->index(0, 1).data(Qt::BackgroundRole).value<QBrush>().color();
    window.setTheme(Theme::Light);
    QVERIFY(!darkPalette());
    const QColor lightState =
        window.trialModel()->index(0, 1).data(Qt::BackgroundRole).value<QBrush>().color();
    QVERIFY(darkState.lightness() < 128 && lightState.lightness() > 128);
    QCOMPARE(QSettings().value("window/theme").toString(), QString("light"));
    // every view has a shortcut, listed with the others
    const auto keys = window.shortcuts();
    QStringList texts;
    for (const auto& [k, what] : keys)
        texts << k + " " + what;
    QVERIFY(texts.join('\n').contains("Ctrl+1 Go to Trials"));
    QVERIFY(texts.join('\n').contains("Go to Scatter matrix"));
    QVERIFY(texts.join('\n').contains("Pause"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
