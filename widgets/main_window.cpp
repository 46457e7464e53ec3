#include "widgets/main_window.h"

#include "core/execution/study_control.h"
#include "core/execution/task.h"
#include "core/space/study_file.h"
#include "widgets/analysis_launcher.h"
#include "widgets/analysis_view.h"
#include "widgets/augment_preview.h"
#include "widgets/history_plot.h"
#include "widgets/learning_curves_plot.h"
#include "widgets/objective_view.h"
#include "widgets/parallel_coordinates.h"
#include "widgets/scatter_matrix.h"
#include "widgets/scatter_view.h"
#include "widgets/study_editor.h"
#include "widgets/study_watcher.h"
#include "widgets/trial_details.h"
#include "widgets/trial_selection.h"
#include "widgets/trial_table_model.h"
#include "widgets/trial_table_view.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <cmath>

namespace ps {

namespace {

// The orchestrator beats once a second and counts a beat older than 10 s as dead
// (core/execution/orchestrator.cpp); the GUI uses the same horizon.
// After Run, the orchestrator needs a moment to start and beat; Run stays off meanwhile.
constexpr double kRunStartGraceSeconds = 15;

bool isStudyFile(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("yaml") || suffix == QLatin1String("yml");
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_selection(new TrialSelection(this)),
      m_model(new TrialTableModel(this)), m_clock(new QTimer(this)) {
    registerWidgetMetaTypes();
    setWindowTitle(tr("ParamScope"));
    buildActions();
    buildLayout();
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, [this] {
        m_model->refreshRunning();
        updateStatus();
        updateActions();
    });
    m_clock->start();
    updateStatus();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
    m_openAction =
        new QAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setToolTip(tr("Open a study file (.yaml) or a study database (.db)"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openFromDialog);

    m_runAction = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run"), this);
    m_runAction->setShortcut(QKeySequence(tr("Ctrl+R")));
    m_runAction->setToolTip(tr("Run the study in the background (paramscope-cli run)"));
    connect(m_runAction, &QAction::triggered, this, &MainWindow::runFromAction);

    m_stopAction = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("&Stop"), this);
    m_stopAction->setShortcut(QKeySequence(tr("Ctrl+.")));
    m_stopAction->setToolTip(tr("Ask the running study to stop; finished trials are kept"));
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stopStudy);

    m_newAction = new QAction(style()->standardIcon(QStyle::SP_FileIcon), tr("&New study…"), this);
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setToolTip(tr("Describe a new study in forms and save it as a study file"));
    connect(m_newAction, &QAction::triggered, this, &MainWindow::newStudyFromEditor);
    m_editAction = new QAction(tr("&Edit study…"), this);
    m_editAction->setShortcut(QKeySequence(tr("Ctrl+E")));
    m_editAction->setToolTip(tr("Edit the study file's space, sampler, scheduler, objectives "
                                "and budget in forms"));
    connect(m_editAction, &QAction::triggered, this, &MainWindow::editStudyInEditor);

    m_pauseAction = new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
    m_pauseAction->setShortcut(QKeySequence(tr("Ctrl+Shift+P")));
    m_pauseAction->setToolTip(tr("Start no new trials until resumed; running trials finish"));
    connect(m_pauseAction, &QAction::triggered, this, [this] {
        if (m_watcher)
            m_watcher->requestPause();
    });
    m_resumeAction = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Res&ume"), this);
    m_resumeAction->setShortcut(QKeySequence(tr("Ctrl+Shift+R")));
    m_resumeAction->setToolTip(tr("Go on starting trials"));
    connect(m_resumeAction, &QAction::triggered, this, [this] {
        if (m_watcher)
            m_watcher->requestResume();
    });
    m_retryAction = new QAction(tr("Re&try failed trial"), this);
    m_retryAction->setShortcut(QKeySequence(tr("Ctrl+T")));
    m_retryAction->setToolTip(tr("Run the selected failed trials again with the same "
                                 "parameters, on top of the budget"));
    connect(m_retryAction, &QAction::triggered, this, &MainWindow::retrySelected);

    m_analyseAction = new QAction(tr("&Analyse…"), this);
    m_analyseAction->setShortcut(QKeySequence(tr("Ctrl+Shift+A")));
    m_analyseAction->setToolTip(tr("Run an analysis (importance, LIME, landscape, transfer, …) "
                                   "on the study, or on the selected trials"));
    connect(m_analyseAction, &QAction::triggered, this, &MainWindow::analyseFromDialog);

    auto* quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_goMenu = new QMenu(tr("&Go to view"), this);
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    file->addAction(m_editAction);
    file->addSeparator();
    file->addAction(quit);
    QMenu* study = menuBar()->addMenu(tr("&Study"));
    study->addAction(m_runAction);
    study->addAction(m_pauseAction);
    study->addAction(m_resumeAction);
    study->addAction(m_stopAction);
    study->addSeparator();
    study->addAction(m_retryAction);
    study->addAction(m_analyseAction);

    QToolBar* bar = addToolBar(tr("Study"));
    bar->setObjectName(QStringLiteral("studyToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(m_openAction);
    bar->addSeparator();
    bar->addAction(m_runAction);
    bar->addAction(m_pauseAction);
    bar->addAction(m_resumeAction);
    bar->addAction(m_stopAction);
    bar->addSeparator();
    // A database may hold several studies; the combo shows only when it does.
    auto* picker = new QWidget(this);
    auto* pickerLayout = new QHBoxLayout(picker);
    pickerLayout->setContentsMargins(4, 0, 4, 0);
    auto* pickerLabel = new QLabel(tr("S&tudy:"), picker);
    m_studyCombo = new QComboBox(picker);
    pickerLabel->setBuddy(m_studyCombo);
    m_studyCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_studyCombo->setToolTip(tr("The studies in this database"));
    pickerLayout->addWidget(pickerLabel);
    pickerLayout->addWidget(m_studyCombo);
    m_studyComboAction = bar->addWidget(picker);
    m_studyComboAction->setVisible(false);
    connect(m_studyCombo, &QComboBox::activated, this, [this](int index) {
        const QString name = m_studyCombo->itemText(index);
        if (name != m_studyName)
            openStudy(databasePath(), name);
    });

    // The one filter every view applies (TrialFilter), typed here; applied a moment after the
    // last keystroke.
    QToolBar* filterBar = addToolBar(tr("Filter"));
    filterBar->setObjectName(QStringLiteral("filterToolBar"));
    auto* filterLabel = new QLabel(tr(" &Filter: "), filterBar);
    m_filterEdit = new QLineEdit(filterBar);
    filterLabel->setBuddy(m_filterEdit);
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setPlaceholderText(
        tr("e.g. val_loss < 0.5 and optimizer.kind == \"adam\" (Ctrl+F); empty: every trial"));
    m_filterEdit->setToolTip(
        tr("Shows only the trials that match, in every view. Names: parameters, final metrics, "
           "state, number; < <= > >= == != in [..]; and, or, not, parentheses."));
    m_filterEdit->setMinimumWidth(420);
    filterBar->addWidget(filterLabel);
    filterBar->addWidget(m_filterEdit);
    m_filterStatus = new QLabel(filterBar);
    filterBar->addWidget(m_filterStatus);
    auto* focusFilter = new QAction(tr("Filter trials"), this);
    focusFilter->setShortcut(QKeySequence::Find);
    connect(focusFilter, &QAction::triggered, this, [this] {
        m_filterEdit->setFocus();
        m_filterEdit->selectAll();
    });
    addAction(focusFilter);
    m_filterAction = focusFilter;

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    auto* keys = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    keys->setShortcut(QKeySequence::HelpContents);
    auto* filterTimer = new QTimer(this);
    filterTimer->setSingleShot(true);
    filterTimer->setInterval(300);
    connect(m_filterEdit, &QLineEdit::textChanged, filterTimer, qOverload<>(&QTimer::start));
    connect(filterTimer, &QTimer::timeout, this, [this] { setFilterText(m_filterEdit->text()); });
    connect(m_filterEdit, &QLineEdit::returnPressed, this, [this, filterTimer] {
        filterTimer->stop();
        setFilterText(m_filterEdit->text());
    });
}

bool MainWindow::setFilterText(const QString& text) {
    if (m_filterEdit->text() != text) {
        const QSignalBlocker block(m_filterEdit);
        m_filterEdit->setText(text);
    }
    TrialFilter filter;
    try {
        filter = TrialFilter::parse(text.toStdString());
    } catch (const FilterError& e) {
        m_filterError = QString::fromStdString(e.what());
        m_filterEdit->setStyleSheet(darkPalette()
                                        ? QStringLiteral("QLineEdit { background: #5c2222; }")
                                        : QStringLiteral("QLineEdit { background: #ffe0e0; }"));
        m_filterEdit->setToolTip(m_filterError);
        m_filterStatus->setText(tr(" not applied: %1").arg(m_filterError));
        return false; // the views keep the last filter that worked
    }
    m_filterError.clear();
    m_filterEdit->setStyleSheet({});
    m_selection->setFilter(filter, m_model->trials());
    updateFilterStatus();
    return true;
}

void MainWindow::updateFilterStatus() {
    const TrialFilter& filter = m_selection->filter();
    if (filter.empty()) {
        m_filterStatus->clear();
        return;
    }
    const int total = m_model->rowCount();
    QString text =
        tr(" %1 of %2 trials shown").arg(total - int(m_selection->hidden().size())).arg(total);
    // a name no trial has is most likely a typo
    QStringList unknown;
    for (const std::string& name : filter.names()) {
        if (name == "state" || name == "number")
            continue;
        bool known = false;
        for (int row = 0; row < total && !known; ++row) {
            const Trial* t = m_model->trialAt(row);
            known = t->params.contains(name) || t->values.count(name) > 0;
        }
        if (!known && total > 0)
            unknown << QString::fromStdString(name);
    }
    if (!unknown.isEmpty())
        text += tr("; no trial has %1").arg(unknown.join(QStringLiteral(", ")));
    m_filterStatus->setText(text);
}

void MainWindow::buildLayout() {
    m_table = new TrialTableView(m_model, m_selection, this);
    // right-click on trials: what can be done with them
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->addAction(m_retryAction);
    m_table->addAction(m_analyseAction);
    connect(m_selection, &TrialSelection::selectionChanged, this, [this] { updateActions(); });
    m_history = new HistoryPlot(m_selection, this);
    m_curves = new LearningCurvesPlot(m_selection, this);
    m_parallel = new ParallelCoordinates(m_selection, this);
    m_analyses = new AnalysisView(this);
    m_scatter = new ScatterView(m_selection, this);
    m_matrix = new ScatterMatrix(m_selection, this);
    m_details = new TrialDetails(m_selection, this);
    m_augment = new AugmentPreview(m_selection, this);
    m_objective = new ObjectiveView(m_selection, this);

    // Every view is a dock: moved, tabbed, floated or closed by the user, and the arrangement
    // is kept between runs (saveLayout / restoreLayout). No central widget: the docks share the
    // whole window.
    setDockNestingEnabled(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks |
                   QMainWindow::AllowTabbedDocks | QMainWindow::GroupedDragging);
    int dockNumber = 0;
    const auto dock = [this, &dockNumber](QWidget* view, const QString& title,
                                          const QString& name) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name); // saveState keys on it
        d->setWidget(view);
        m_viewMenu->addAction(d->toggleViewAction());
        // Ctrl+1..9 brings a view forward wherever it is (tabbed, hidden, floating) and gives
        // it the keyboard.
        auto* go = new QAction(tr("Go to %1").arg(title), this);
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + dockNumber++)));
        connect(go, &QAction::triggered, this, [d, view] {
            d->show();
            d->raise();
            view->setFocus(Qt::ShortcutFocusReason);
        });
        m_goMenu->addAction(go);
        return d;
    };
    QDockWidget* table = dock(m_table, tr("Trials"), QStringLiteral("trialsDock"));
    QDockWidget* history =
        dock(m_history, tr("Optimization history"), QStringLiteral("historyDock"));
    QDockWidget* curves = dock(m_curves, tr("Learning curves"), QStringLiteral("curvesDock"));
    QDockWidget* parallel =
        dock(m_parallel, tr("Parallel coordinates"), QStringLiteral("parallelDock"));
    QDockWidget* scatter = dock(m_scatter, tr("Scatter"), QStringLiteral("scatterDock"));
    QDockWidget* matrix = dock(m_matrix, tr("Scatter matrix"), QStringLiteral("matrixDock"));
    // a double-clicked cell of the matrix opens in the single scatter, large
    connect(
        m_matrix, &ScatterMatrix::pairActivated, this,
        [this, scatter](const QString& x, const QString& y) {
            const auto index = [this](const QString& name) {
                const long long p = m_scatter->columns().dimensionIndex(name.toStdString(), false);
                return p >= 0 ? p : m_scatter->columns().dimensionIndex(name.toStdString(), true);
            };
            const long long xi = index(x), yi = index(y);
            if (xi < 0 || yi < 0)
                return;
            m_scatter->setAxes(std::size_t(xi), std::size_t(yi));
            scatter->show();
            scatter->raise();
        });
    QDockWidget* details = dock(m_details, tr("Trial details"), QStringLiteral("detailsDock"));
    QDockWidget* augment =
        dock(m_augment, tr("Augmentation preview"), QStringLiteral("augmentDock"));
    QDockWidget* objective = dock(m_objective, tr("Objective"), QStringLiteral("objectiveDock"));
    QDockWidget* analyses = dock(m_analyses, tr("Analyses"), QStringLiteral("analysesDock"));
    auto* centre = new QWidget(this);
    centre->setMaximumSize(0, 0);
    setCentralWidget(centre);
    addDockWidget(Qt::LeftDockWidgetArea, table);
    addDockWidget(Qt::RightDockWidgetArea, history);
    splitDockWidget(history, curves, Qt::Vertical);
    tabifyDockWidget(curves, details);
    tabifyDockWidget(details, augment);
    curves->raise();
    tabifyDockWidget(history, objective);
    history->raise();
    addDockWidget(Qt::BottomDockWidgetArea, parallel);
    tabifyDockWidget(parallel, scatter);
    tabifyDockWidget(scatter, matrix);
    tabifyDockWidget(matrix, analyses);
    parallel->raise();
    resizeDocks({table, history}, {620, 780}, Qt::Horizontal);
    resizeDocks({history, parallel}, {520, 380}, Qt::Vertical);
    m_defaultState = saveState();
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout);
    m_viewMenu->addSeparator();
    m_viewMenu->addMenu(m_goMenu);
    QMenu* themes = m_viewMenu->addMenu(tr("&Theme"));
    auto* themeGroup = new QActionGroup(this);
    for (const Theme theme : {Theme::Light, Theme::Dark}) {
        QAction* a = themes->addAction(theme == Theme::Light ? tr("&Light") : tr("&Dark"));
        a->setCheckable(true);
        a->setChecked(currentTheme() == theme);
        a->setData(themeName(theme));
        themeGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, theme] { setTheme(theme); });
    }
    m_themeActions = themeGroup;

    m_studyLabel = new QLabel(this);
    m_studyLabel->setTextFormat(Qt::PlainText);
    m_problemLabel = new QLabel(this);
    m_problemLabel->setStyleSheet(darkPalette() ? QStringLiteral("color: #ffb45a;")
                                                : QStringLiteral("color: #a05a00;"));
    m_countsLabel = new QLabel(this);
    statusBar()->addWidget(m_studyLabel);
    statusBar()->addWidget(m_problemLabel, 1);
    statusBar()->addPermanentWidget(m_countsLabel);
    // long operations (opening a study, an analysis): what runs, for how long, and Cancel
    m_progressBox = new QWidget(this);
    auto* progressLayout = new QHBoxLayout(m_progressBox);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    m_progressLabel = new QLabel(m_progressBox);
    auto* bar = new QProgressBar(m_progressBox);
    bar->setRange(0, 0); // busy: the CLI and the watcher do not say how far they are
    bar->setMaximumWidth(120);
    bar->setMaximumHeight(14);
    m_progressCancelButton = new QToolButton(m_progressBox);
    m_progressCancelButton->setText(tr("Cancel"));
    connect(m_progressCancelButton, &QToolButton::clicked, this, &MainWindow::cancelProgress);
    progressLayout->addWidget(m_progressLabel);
    progressLayout->addWidget(bar);
    progressLayout->addWidget(m_progressCancelButton);
    statusBar()->addPermanentWidget(m_progressBox);
    m_progressBox->setVisible(false);
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(500);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        m_progressLabel->setText(
            tr("%1… %2 s").arg(m_progressText).arg(m_progressClock.elapsed() / 1000));
    });
    resize(1400, 900);
}

bool MainWindow::openStudy(const QString& path, const QString& studyName) {
    m_lastError.clear();
    const QFileInfo info(path);
    if (!info.exists()) {
        m_lastError = tr("%1 does not exist").arg(QDir::toNativeSeparators(path));
        return false;
    }
    QString storageUrl, name = studyName, studyFile, metric;
    Direction direction = Direction::Minimize;
    std::vector<Constraint> constraints;
    SearchSpace space;
    std::vector<Objective> objectives;
    if (isStudyFile(path)) {
        try {
            const StudyConfig config =
                parseStudyFile(info.absoluteFilePath().toStdString(), TaskCatalog::withBuiltins(),
                               /*checkData=*/false);
            storageUrl = QString::fromStdString(config.storageUrl);
            name = QString::fromStdString(config.name);
            studyFile = info.absoluteFilePath();
            metric = QString::fromStdString(config.objective().metric);
            direction = config.objective().direction;
            constraints = config.constraints;
            space = config.space;
            objectives = config.objectives;
        } catch (const std::exception& e) {
            m_lastError = QString::fromStdString(e.what());
            return false;
        }
    } else {
        storageUrl = QStringLiteral("sqlite:") + info.absoluteFilePath();
    }

    closeStudy();
    m_studyFile = studyFile;
    m_studyName = name;
    m_model->setObjective(metric, direction);
    m_history->setObjective(metric, direction);
    m_model->setConstraints(constraints);
    m_history->setConstraints(constraints);
    m_curves->setObjective(metric);
    if (!objectives.empty()) {
        m_parallel->setStudyLayout(space, objectives);
        m_scatter->setStudyLayout(space, objectives);
        m_matrix->setStudyLayout(space, objectives);
        m_objective->setObjectives(objectives, constraints);
    }
    try {
        watch(storageUrl, name);
    } catch (const std::exception& e) { // a storage URL that names no store we can read
        m_lastError = QString::fromStdString(e.what());
        return false;
    }
    updateStatus();
    updateActions();
    return true;
}

void MainWindow::closeStudy() {
    if (m_analysisRun) // its study goes; its result would land in the one it was asked of
        m_analysisRun->cancel();
    else
        hideProgress();
    m_watcher.reset(); // waits for a poll in flight; the watcher thread ends here
    m_record.reset();
    m_counts = {};
    m_studyFile.clear();
    m_storageUrl.clear();
    m_studyName.clear();
    m_runStartedAt = 0;
    m_selection->clear();
    m_selection->setFilter(m_selection->filter(),
                           {}); // the text stays; what it hid was another study's
    m_model->clear();
    m_history->clear();
    m_curves->clear();
    m_parallel->setStudyLayout({}, {});
    m_scatter->setStudyLayout({}, {});
    m_matrix->setStudyLayout({}, {});
    m_analyses->clear();
    m_details->clear();
    m_augment->clear();
    m_objective->clear();
    m_layoutText.clear();
    m_problemLabel->clear();
    m_studyCombo->clear();
    m_studyComboAction->setVisible(false);
}

void MainWindow::watch(const QString& storageUrl, const QString& studyName) {
    m_watcher = std::make_unique<StudyWatcher>(storageUrl, studyName);
    m_storageUrl = m_watcher->storageUrl();
    connect(m_watcher.get(), &StudyWatcher::studyChanged, this, &MainWindow::onStudyChanged);
    connect(m_watcher.get(), &StudyWatcher::studiesListed, this, &MainWindow::onStudiesListed);
    connect(m_watcher.get(), &StudyWatcher::countsChanged, this, &MainWindow::onCounts);
    connect(m_watcher.get(), &StudyWatcher::problemChanged, this, &MainWindow::onProblem);
    connect(m_watcher.get(), &StudyWatcher::requestRefused, this, [this](const QString& why) {
        statusBar()->showMessage(why, 12000);
        QMessageBox::information(this, tr("Not done"), why);
    });
    // the first read of a large study takes seconds: say so, and let it be given up
    showProgress(tr("Reading the study"), [this] { closeStudy(); });
    const auto opened = [this] {
        if (progressShown() && !m_analysisRun)
            hideProgress();
    };
    connect(m_watcher.get(), &StudyWatcher::countsChanged, this, opened);
    connect(m_watcher.get(), &StudyWatcher::problemChanged, this, opened);
    connect(m_watcher.get(), &StudyWatcher::trialsChanged, this, [this](const TrialList& t) {
        m_selection->judge(t); // before the views take them, so they know what is hidden
        m_model->applyTrials(t);
        m_history->applyTrials(t);
        m_curves->applyTrials(t);
        m_parallel->applyTrials(t);
        m_scatter->applyTrials(t);
        m_matrix->applyTrials(t);
        m_details->applyTrials(t);
        m_augment->applyTrials(t);
        m_objective->applyTrials(t);
        if (!m_selection->filter().empty())
            updateFilterStatus();
        updateStatus();
    });
    connect(m_watcher.get(), &StudyWatcher::analysesChanged, m_analyses, &AnalysisView::setRecords);
    connect(m_watcher.get(), &StudyWatcher::metricsAdded, m_curves,
            &LearningCurvesPlot::addMetrics);
    m_watcher->start();
}

void MainWindow::onStudyChanged(const StudyRecord& study) {
    const bool first = !m_record;
    const bool objectiveChanged = first || study.objectiveMetric != m_record->objectiveMetric ||
                                  study.direction != m_record->direction;
    m_record = study;
    m_studyName = QString::fromStdString(study.name);
    if (objectiveChanged) {
        const QString metric = QString::fromStdString(study.objectiveMetric);
        m_model->setObjective(metric, study.direction);
        m_history->setObjective(metric, study.direction);
        m_curves->setObjective(metric);
    }
    if (first || study.configText != m_constraintsText) {
        m_constraintsText = study.configText;
        const auto constraints = readConstraints(study.configText);
        m_model->setConstraints(constraints);
        m_history->setConstraints(constraints);
        updateParallelLayout(study);
    }
    // A database remembers the file its study came from: with it, Run works from a .db too.
    if (m_studyFile.isEmpty() && !study.studyFile.empty() &&
        QFileInfo::exists(QString::fromStdString(study.studyFile)))
        m_studyFile = QString::fromStdString(study.studyFile);
    if (orchestratorAlive())
        m_runStartedAt = 0;
    const int index = m_studyCombo->findText(m_studyName);
    if (index >= 0)
        m_studyCombo->setCurrentIndex(index);
    updateStatus();
    updateActions();
}

void MainWindow::updateParallelLayout(const StudyRecord& study) {
    // The axes come from the study as stored (its space and objectives); a text that does not
    // parse here (a plugin's task) leaves the parameters to be found in the trials.
    SearchSpace space;
    std::vector<Objective> objectives = {{study.objectiveMetric, study.direction}};
    if (!study.configText.empty()) {
        try {
            // relative paths in it are the study file's, else the database's folder
            const QString base =
                !study.studyFile.empty()
                    ? QFileInfo(QString::fromStdString(study.studyFile)).absolutePath()
                : !databasePath().isEmpty() ? QFileInfo(databasePath()).absolutePath()
                                            : QDir::currentPath();
            const StudyConfig config =
                parseStudyText(study.configText, study.name + ".yaml", base.toStdString(),
                               TaskCatalog::withBuiltins(), /*checkData=*/false);
            space = config.space;
            objectives = config.objectives;
            m_augment->setTaskSettings(config.task, QString::fromStdString(config.taskKind));
        } catch (const std::exception&) {
            // not readable here: the axes come from the trials
            m_augment->clear();
        }
    } else {
        m_augment->clear();
    }
    std::string text;
    for (const auto& p : space.params)
        text += p.name + "/" + std::string(toText(p.type)) + (p.log ? "/log" : "") + "|";
    for (const auto& o : objectives)
        text += o.metric + "/" + std::string(toText(o.direction)) + "|";
    if (text == m_layoutText)
        return;
    m_layoutText = text;
    m_parallel->setStudyLayout(space, objectives);
    m_scatter->setStudyLayout(space, objectives);
    m_matrix->setStudyLayout(space, objectives);
    m_objective->setObjectives(objectives, readConstraints(study.configText));
    // the trials already shown come back onto the new axes
    const TrialList trials = m_model->trials(); // shared, not copied
    m_parallel->applyTrials(trials);
    m_scatter->applyTrials(trials);
    m_matrix->applyTrials(trials);
    m_objective->applyTrials(trials);
}

void MainWindow::saveLayout() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
}

bool MainWindow::restoreLayout() {
    QSettings settings;
    const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
    const QByteArray state = settings.value(QStringLiteral("window/state")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    return !state.isEmpty() && restoreState(state);
}

void MainWindow::resetLayout() {
    restoreState(m_defaultState);
}

void MainWindow::setTheme(Theme theme) {
    applyTheme(theme);
    QSettings().setValue(QStringLiteral("window/theme"), themeName(theme));
    for (QAction* a : m_themeActions->actions())
        a->setChecked(a->data().toString() == themeName(theme));
    // the filter bar's error colour is picked from the palette when it is shown
    if (!m_filterError.isEmpty())
        setFilterText(m_filterEdit->text());
}

QList<QPair<QString, QString>> MainWindow::shortcuts() const {
    QList<QPair<QString, QString>> out;
    for (QAction* a : findChildren<QAction*>()) {
        if (a->shortcut().isEmpty())
            continue;
        QString name = a->text();
        name.remove(QLatin1Char('&'));
        name.remove(QStringLiteral("…"));
        out.append({a->shortcut().toString(QKeySequence::NativeText), name});
    }
    // and those the views handle themselves
    out.append({tr("Ctrl+C"), tr("Copy the selected trials (trial table) as tab-separated text")});
    out.append({tr("Escape"), tr("Clear the brushes (parallel coordinates)")});
    out.append({tr("Shift+drag"), tr("Add to the selection (scatter)")});
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    return out;
}

void MainWindow::showShortcuts() {
    QString html = QStringLiteral("<table cellpadding=3>");
    for (const auto& [keys, what] : shortcuts())
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(keys.toHtmlEscaped(), what.toHtmlEscaped());
    html += QStringLiteral("</table>");
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard shortcuts"), html, QMessageBox::Close, this);
    box.setTextFormat(Qt::RichText);
    box.exec();
}

void MainWindow::onStudiesListed(const QStringList& names) {
    m_studyCombo->clear();
    m_studyCombo->addItems(names);
    m_studyCombo->setCurrentIndex(std::max(0, int(names.indexOf(m_studyName))));
    m_studyComboAction->setVisible(names.size() > 1);
}

void MainWindow::onCounts(const TrialCounts& counts) {
    m_counts = counts;
    updateStatus();
    updateActions();
}

void MainWindow::onProblem(const QString& message) {
    m_problemLabel->setText(message);
    m_problemLabel->setToolTip(message);
}

bool MainWindow::orchestratorAlive() const {
    return m_record && ps::orchestratorAlive(*m_record);
}

QString MainWindow::databasePath() const {
    return m_storageUrl.startsWith(QLatin1String("sqlite:")) ? m_storageUrl.mid(7) : QString();
}

void MainWindow::updateStatus() {
    if (m_storageUrl.isEmpty()) {
        setWindowTitle(tr("ParamScope"));
        m_studyLabel->setText(tr("No study open: File > Open (Ctrl+O)"));
        m_countsLabel->clear();
        return;
    }
    const QString name = m_studyName.isEmpty() ? tr("(first study)") : m_studyName;
    setWindowTitle(tr("%1 — ParamScope").arg(name));
    QString state;
    if (orchestratorAlive())
        state = m_record->control == StudyControl::Stop    ? tr("stopping")
                : m_record->control == StudyControl::Pause ? tr("paused: no new trials start")
                                                           : tr("running");
    else if (m_runStartedAt > 0)
        state = tr("starting");
    else if (m_record)
        state = tr("not running");
    else
        state = tr("not run yet");
    m_studyLabel->setText(tr("Study %1 · %2").arg(name, state));
    m_studyLabel->setToolTip(
        QDir::toNativeSeparators(m_studyFile.isEmpty() ? databasePath() : m_studyFile));

    QString counts = tr("waiting %1 · running %2 · complete %3 · pruned %4 · fail %5")
                         .arg(m_counts.waiting)
                         .arg(m_counts.running)
                         .arg(m_counts.complete)
                         .arg(m_counts.pruned)
                         .arg(m_counts.fail);
    if (m_record && m_record->plannedTrials > 0)
        counts += tr(" (of %1)").arg(m_record->plannedTrials);
    // From the model, which has the trials already; the plots redraw a moment later.
    const auto bestId = m_model->bestTrialId();
    const Trial* bestTrial = bestId ? m_model->trialAt(m_model->rowOf(*bestId)) : nullptr;
    if (const auto best = bestTrial ? bestTrial->value : std::nullopt) {
        const QString metric = m_model->objectiveMetric();
        counts += tr(" · best %1 %2")
                      .arg(metric.isEmpty() ? tr("value") : metric)
                      .arg(QString::number(*best, 'g', 5));
    }
    m_countsLabel->setText(counts);
}

void MainWindow::updateActions() {
    const bool alive = orchestratorAlive();
    const bool starting =
        m_runStartedAt > 0 && nowSeconds() - m_runStartedAt < kRunStartGraceSeconds;
    if (m_runStartedAt > 0 && !starting)
        m_runStartedAt = 0; // it never beat: let the user try again (the log says why)
    m_runAction->setEnabled(!m_studyFile.isEmpty() && !alive && !starting);
    m_editAction->setEnabled(!m_studyFile.isEmpty());
    m_runAction->setToolTip(m_studyFile.isEmpty()
                                ? tr("Run needs the study file (.yaml); open that instead")
                                : tr("Run %1 in the background").arg(m_studyFile));
    const StudyControl control = m_record ? m_record->control : StudyControl::Run;
    // a paused study can be stopped too; Stop wins over Pause
    m_stopAction->setEnabled(m_record && alive && control != StudyControl::Stop);
    m_pauseAction->setEnabled(m_record && alive && control == StudyControl::Run);
    m_resumeAction->setEnabled(m_record && control == StudyControl::Pause);
    m_pauseAction->setVisible(control != StudyControl::Pause);
    m_resumeAction->setVisible(control == StudyControl::Pause);
    m_retryAction->setEnabled(m_watcher && selectedFailed() > 0);
    m_analyseAction->setEnabled(!m_storageUrl.isEmpty() && !m_analysisRun);
}

void MainWindow::openFromDialog() {
    const QString start = m_studyFile.isEmpty() ? QFileInfo(databasePath()).absolutePath()
                                                : QFileInfo(m_studyFile).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open study"), start,
        tr("Studies (*.yaml *.yml *.db *.sqlite *.sqlite3);;Study files (*.yaml *.yml);;"
           "Study databases (*.db *.sqlite *.sqlite3);;All files (*)"));
    if (path.isEmpty())
        return;
    if (!openStudy(path))
        QMessageBox::warning(this, tr("Cannot open study"), m_lastError);
}

void MainWindow::newStudyFromEditor() {
    const QString start =
        m_studyFile.isEmpty() ? QDir::currentPath() : QFileInfo(m_studyFile).absolutePath();
    const QString path = StudyEditor::newStudy(start, this);
    if (!path.isEmpty() && !openStudy(path))
        QMessageBox::warning(this, tr("Cannot open study"), m_lastError);
}

void MainWindow::editStudyInEditor() {
    if (m_studyFile.isEmpty())
        return;
    const QString path = StudyEditor::editFile(m_studyFile, this);
    // saved: show what was saved (a study already run keeps its database and its trials)
    if (!path.isEmpty() && !openStudy(path))
        QMessageBox::warning(this, tr("Cannot open study"), m_lastError);
}

void MainWindow::runFromAction() {
    if (!runStudy())
        QMessageBox::warning(this, tr("Cannot run study"), m_lastError);
}

QString MainWindow::cliPath() {
    // PARAMSCOPE_CLI names another paramscope-cli (tests, and installs that keep the
    // executables apart); by default it is the one beside this executable.
    const QString cli = qEnvironmentVariable("PARAMSCOPE_CLI");
    return !cli.isEmpty() ? cli
                          : QDir(QCoreApplication::applicationDirPath())
                                .filePath(QStringLiteral("paramscope-cli"));
}

void MainWindow::showProgress(const QString& text, std::function<void()> cancel) {
    m_progressText = text;
    m_progressCancel = std::move(cancel);
    m_progressClock.start();
    m_progressLabel->setText(text);
    m_progressCancelButton->setVisible(bool(m_progressCancel));
    m_progressBox->setVisible(true);
    m_progressTimer->start();
}

void MainWindow::hideProgress() {
    m_progressBox->setVisible(false);
    m_progressTimer->stop();
    m_progressCancel = {};
}

bool MainWindow::progressShown() const {
    return m_progressBox->isVisible();
}

QString MainWindow::progressText() const {
    return m_progressLabel->text();
}

void MainWindow::cancelProgress() {
    if (auto cancel = std::move(m_progressCancel)) {
        m_progressCancel = {};
        cancel();
    }
}

void MainWindow::analyseFromDialog() {
    if (m_storageUrl.isEmpty() || m_analysisRun)
        return;
    std::vector<std::int64_t> selected;
    for (const qint64 id : m_selection->selected()) {
        const int row = m_model->rowOf(id);
        if (const Trial* t = row >= 0 ? m_model->trialAt(row) : nullptr)
            selected.push_back(t->number);
    }
    AnalysisLauncher dialog(selected, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (!startAnalysis(dialog.request()))
        QMessageBox::warning(this, tr("Cannot analyse"), m_lastError);
}

bool MainWindow::startAnalysis(const AnalysisRequest& request) {
    m_lastError.clear();
    if (m_storageUrl.isEmpty() || m_analysisRun) {
        m_lastError = m_analysisRun ? tr("an analysis is running already") : tr("no study is open");
        return false;
    }
    const QString cli = cliPath();
    if (!QFileInfo(cli).isExecutable()) {
        m_lastError = tr("%1 is missing: it runs analyses, and belongs beside paramscope")
                          .arg(QDir::toNativeSeparators(cli));
        return false;
    }
    // the database shown (it keeps the study's text, which tells the task to analyses that
    // train); the study file only when there is no database path: a file's own storage may be
    // another database than the one opened (a copy, a moved study)
    const QString target = databasePath().isEmpty() ? m_studyFile : databasePath();
    const QStringList args = AnalysisLauncher::cliArguments(target, m_studyName, request);
    m_analysisRun = new AnalysisRun(cli, args, QFileInfo(target).absolutePath(), this);
    connect(m_analysisRun, &AnalysisRun::finished, this,
            [this, kind = request.kind](bool ok, const QString& message) {
                m_analysisRun->deleteLater();
                m_analysisRun = nullptr;
                hideProgress();
                updateActions();
                if (ok)
                    m_analyses->expectResult(kind);
                if (m_watcher)
                    m_watcher->pollAnalysesNow();
                if (ok) {
                    statusBar()->showMessage(
                        tr("Analysis %1 stored; it shows in the Analyses dock").arg(kind), 8000);
                    if (auto* dock = qobject_cast<QDockWidget*>(m_analyses->parentWidget())) {
                        dock->show();
                        dock->raise();
                    }
                } else if (message == tr("cancelled")) {
                    statusBar()->showMessage(tr("Analysis %1 cancelled").arg(kind), 8000);
                } else {
                    QMessageBox::warning(this, tr("Analysis %1 failed").arg(kind), message);
                }
            });
    m_analysisRun->start();
    showProgress(tr("Analysing: %1").arg(request.kind), [this] {
        if (m_analysisRun)
            m_analysisRun->cancel();
    });
    updateActions();
    return true;
}

bool MainWindow::runStudy() {
    m_lastError.clear();
    if (m_studyFile.isEmpty()) {
        m_lastError = tr("Run needs the study's file (.yaml); this database does not name one "
                         "that exists. Open the study file instead.");
        return false;
    }
    const QString cli = cliPath();
    if (!QFileInfo(cli).isExecutable()) {
        m_lastError = tr("%1 is missing: it runs studies, and belongs beside paramscope")
                          .arg(QDir::toNativeSeparators(cli));
        return false;
    }
    // Detached, so the study outlives this window; its output goes beside the database,
    // where whoever reopens the study will find it.
    QString log = databasePath();
    log = log.isEmpty() ? m_studyFile + QStringLiteral(".log") : log + QStringLiteral(".log");
    QProcess process;
    process.setProgram(cli);
    process.setArguments({QStringLiteral("run"), m_studyFile});
    process.setWorkingDirectory(QFileInfo(m_studyFile).absolutePath());
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(log, QIODevice::Append);
    process.setStandardErrorFile(log, QIODevice::Append);
    qint64 pid = 0;
    if (!process.startDetached(&pid)) {
        m_lastError = tr("could not start %1: %2").arg(cli, process.errorString());
        return false;
    }
    m_runStartedAt = nowSeconds();
    statusBar()->showMessage(tr("Started paramscope-cli (pid %1); its output goes to %2")
                                 .arg(pid)
                                 .arg(QDir::toNativeSeparators(log)),
                             8000);
    if (m_watcher)
        m_watcher->pollNow();
    updateStatus();
    updateActions();
    return true;
}

int MainWindow::selectedFailed() const {
    int n = 0;
    for (const qint64 id : m_selection->selected()) {
        const int row = m_model->rowOf(id);
        const Trial* t = row >= 0 ? m_model->trialAt(row) : nullptr;
        n += t && t->state == TrialState::Fail ? 1 : 0;
    }
    return n;
}

void MainWindow::retrySelected() {
    if (!m_watcher)
        return;
    std::vector<std::int64_t> numbers;
    for (const qint64 id : m_selection->selected()) {
        const int row = m_model->rowOf(id);
        if (const Trial* t = row >= 0 ? m_model->trialAt(row) : nullptr;
            t && t->state == TrialState::Fail)
            numbers.push_back(t->number);
    }
    std::sort(numbers.begin(), numbers.end());
    for (const std::int64_t n : numbers)
        m_watcher->requestRetry(n);
    if (numbers.empty())
        return;
    QString message = tr("Asked to retry %n failed trial(s)", nullptr, int(numbers.size()));
    if (!orchestratorAlive())
        message += tr("; they run when the study runs (Run)");
    statusBar()->showMessage(message, 8000);
}

void MainWindow::stopStudy() {
    if (!m_watcher)
        return;
    // The watcher thread owns a Storage already: the write happens there, not here.
    m_watcher->requestStop();
    statusBar()->showMessage(tr("Asked the study to stop; running trials end first"), 8000);
}

} // namespace ps

// Its moc output is compiled here, not in the shared mocs_compilation unit: the CLI links that
// unit, and through main_window would pull in the 3-D views and with them VTK.
#include "moc_main_window.cpp"
