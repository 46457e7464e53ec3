#pragma once
// The desktop app's window: docks for the trial table, the optimization history, the learning
// curves and the parallel coordinates, all linked through one TrialSelection, fed live by a
// StudyWatcher. It never owns a
// running study: Run starts `paramscope-cli run` as a detached process and Stop asks it to stop
// through storage (DESIGN.md, data flow 5), so closing the window leaves the study running.
// GUI thread only.

#include "core/storage/storage.h"
#include "widgets/theme.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <functional>
#include <memory>
#include <optional>

class QAction;
class QActionGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSplitter;
class QTimer;
class QToolButton;

namespace ps {

class AnalysisRun;
struct AnalysisRequest;
class AnalysisView;
class AugmentPreview;
class HistoryPlot;
class LearningCurvesPlot;
class ParallelCoordinates;
class ScatterMatrix;
class ScatterView;
class TrialDetails;
class ObjectiveView;
class StudyWatcher;
class TrialSelection;
class TrialTableModel;
class TrialTableView;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a study file (.yaml, .yml) or a study database (anything else, e.g. .db). In a
    // database, `studyName` picks the study; empty: the first one. A study that has not run
    // yet is shown empty and fills in once it runs. Returns false, with lastError() saying
    // why, when the file cannot be read as either; the window then stays as it was.
    bool openStudy(const QString& path, const QString& studyName = {});
    // Starts `paramscope-cli run STUDY.yaml` beside this executable, detached, its output
    // appended to "<database>.log". Returns false with lastError() when there is no study file
    // or the CLI does not start.
    bool runStudy();
    // Asks the study's orchestrator to stop, through storage, off the GUI thread.
    void stopStudy();
    QString lastError() const { return m_lastError; }

    // The parts, for the app's wiring, plugins and tests.
    TrialSelection* selection() const { return m_selection; }
    TrialTableModel* trialModel() const { return m_model; }
    TrialTableView* trialTable() const { return m_table; }
    HistoryPlot* historyPlot() const { return m_history; }
    LearningCurvesPlot* learningCurves() const { return m_curves; }
    ParallelCoordinates* parallelCoordinates() const { return m_parallel; }
    AnalysisView* analysisView() const { return m_analyses; }
    ScatterView* scatterView() const { return m_scatter; }
    ScatterMatrix* scatterMatrix() const { return m_matrix; }
    TrialDetails* trialDetails() const { return m_details; }
    AugmentPreview* augmentPreview() const { return m_augment; }
    ObjectiveView* objectiveView() const { return m_objective; }

    // The shared filter (TrialFilter's expressions), as if typed into the filter bar; false,
    // with filterError() saying why, when it does not parse (the views keep the last one).
    bool setFilterText(const QString& text);
    QString filterError() const { return m_filterError; }

    // The docks' arrangement and the window's geometry, kept in QSettings between runs; the
    // app restores it at start and saves it on close. restoreLayout is false when nothing was
    // saved yet. resetLayout goes back to the built-in arrangement.
    void saveLayout() const;
    bool restoreLayout();
    void resetLayout();
    // Runs `paramscope-cli analyze` for `request` on the open study in the background, with
    // progress and Cancel in the status bar; the result reaches the Analyses dock. False, with
    // lastError(), when no study is open, one runs already, or the CLI is missing.
    bool startAnalysis(const AnalysisRequest& request);
    bool analysisRunning() const { return m_analysisRun != nullptr; }
    // The long operation in progress (status bar), and its Cancel.
    bool progressShown() const;
    QString progressText() const;
    void cancelProgress();

    // Light or dark, for the whole app; kept in QSettings (window/theme).
    void setTheme(Theme theme);
    // Every keyboard shortcut of the window and what it does, for Help > Keyboard shortcuts.
    QList<QPair<QString, QString>> shortcuts() const;
    QString studyFile() const { return m_studyFile; } // "" when not known
    QString storageUrl() const { return m_storageUrl; }

private:
    void buildActions();
    void buildLayout();
    void openFromDialog();
    void runFromAction();
    void analyseFromDialog();
    static QString cliPath();
    void showProgress(const QString& text, std::function<void()> cancel);
    void hideProgress();
    void newStudyFromEditor();
    void editStudyInEditor();
    void closeStudy();
    void watch(const QString& storageUrl, const QString& studyName);
    void onStudyChanged(const StudyRecord& study);
    void onStudiesListed(const QStringList& names);
    void updateParallelLayout(const StudyRecord& study);
    void updateFilterStatus();
    void showShortcuts();
    int selectedFailed() const; // failed trials among the selected
    void retrySelected();
    void onCounts(const TrialCounts& counts);
    void onProblem(const QString& message);
    void updateStatus();
    void updateActions();
    bool orchestratorAlive() const;
    QString databasePath() const;

    TrialSelection* m_selection;
    TrialTableModel* m_model;
    TrialTableView* m_table = nullptr;
    HistoryPlot* m_history = nullptr;
    LearningCurvesPlot* m_curves = nullptr;
    ParallelCoordinates* m_parallel = nullptr;
    AnalysisView* m_analyses = nullptr;
    ScatterView* m_scatter = nullptr;
    ScatterMatrix* m_matrix = nullptr;
    TrialDetails* m_details = nullptr;
    AugmentPreview* m_augment = nullptr;
    ObjectiveView* m_objective = nullptr;
    std::unique_ptr<StudyWatcher> m_watcher;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_goMenu = nullptr;
    QActionGroup* m_themeActions = nullptr;
    QAction* m_filterAction = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QLabel* m_filterStatus = nullptr;
    QString m_filterError;
    QByteArray m_defaultState;
    std::string m_layoutText; // the axes the parallel coordinates were laid out for

    QAction* m_openAction = nullptr;
    QAction* m_newAction = nullptr;
    QAction* m_editAction = nullptr;
    QAction* m_runAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_resumeAction = nullptr;
    QAction* m_retryAction = nullptr;
    QAction* m_analyseAction = nullptr;
    AnalysisRun* m_analysisRun = nullptr;
    QWidget* m_progressBox = nullptr;
    QLabel* m_progressLabel = nullptr;
    QToolButton* m_progressCancelButton = nullptr;
    QTimer* m_progressTimer = nullptr;
    QElapsedTimer m_progressClock;
    QString m_progressText;
    std::function<void()> m_progressCancel;
    QComboBox* m_studyCombo = nullptr;
    QAction* m_studyComboAction = nullptr;
    QLabel* m_studyLabel = nullptr;
    QLabel* m_countsLabel = nullptr;
    QLabel* m_problemLabel = nullptr;
    QTimer* m_clock; // durations of running trials and the orchestrator's liveness

    QString m_studyFile;           // the YAML, when known: needed to Run
    QString m_storageUrl;          // absolute
    QString m_studyName;           // as asked for; the record's name once it arrives
    std::string m_constraintsText; // the study text the views' constraints were read from
    std::optional<StudyRecord> m_record;
    TrialCounts m_counts;
    double m_runStartedAt = 0; // when this window last pressed Run, to not start twice
    QString m_lastError;
};

} // namespace ps
