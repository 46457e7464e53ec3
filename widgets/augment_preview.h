#pragma once
// The augmentation preview (issue 6): a grid of the task's own training images (Fashion-MNIST
// or an IDX set) as an augmentation policy changes them, one row per image: the image itself
// ("original"), then independent augmented draws. It shows the policy of the selected trial
// (the newest of several; the study's own task settings when none is selected), or, in policy
// mode, a policy the person edits here to try it before running it.
//
// The grid is drawn by `paramscope-worker augment-grid` as a child process (the desktop app
// never links LibTorch; AugmentGridRunner), so a request is asynchronous: a busy bar with
// Cancel shows while the worker runs, a newer request replaces an older one, and what the
// worker says when it cannot draw (no worker, no data, a bad setting) is shown in place of
// the grid. Grids already drawn are kept (by settings, parameters, rows, draws and seed), so
// going back to a trial shows it at once. The worker runs only while the view is visible.
// GUI thread only; the selection is not owned.

#include "core/study/trial.h"
#include "core/study/trial_list.h"

#include <QCache>
#include <QHash>
#include <QImage>
#include <QWidget>

class QButtonGroup;
class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QStackedWidget;
class QSplitter;

namespace ps {

class AugmentGridRunner;
class AugmentPolicyEditor;
struct AugmentGridRequest;
class TrialSelection;

class AugmentPreview : public QWidget {
    Q_OBJECT

public:
    enum class Mode { Trial, Policy };

    explicit AugmentPreview(TrialSelection* selection, QWidget* parent = nullptr);
    ~AugmentPreview() override;

    // The study's task: StudyConfig::task (defaults filled) and StudyConfig::taskKind. Only
    // the classify task has images to augment; another kind shows why there is no preview.
    // Also resets the policy editor to these settings, unless they are the ones it has.
    void setTaskSettings(const Json& settings,
                         const QString& taskKind = QStringLiteral("classify"));
    // Trials new or changed, as every view gets them (MainWindow's applyTrials).
    void applyTrials(const TrialList& trials);
    // No study: forgets the task and the trials, stops the worker.
    void clear();

    // The worker that draws grids; by default AugmentGridRunner::defaultWorkerPath().
    void setWorkerPath(const QString& path);
    QString workerPath() const;

    Mode mode() const { return m_mode; }
    void setMode(Mode mode);
    int rows() const;
    int draws() const; // augmented draws per image: the columns right of the original
    void setGrid(int rows, int draws);
    quint64 seed() const;
    void setSeed(quint64 seed);
    int zoom() const; // each image pixel is shown as zoom x zoom screen pixels
    void setZoom(int zoom);

    // What is shown now, for tests and for whoever embeds the view.
    QImage image() const { return m_image; }        // the grid as the worker drew it; null if none
    QString caption() const;                        // which trial or policy the grid shows
    QString message() const;                        // shown instead of a grid; empty when a grid is
    bool isBusy() const;                            // a worker runs for what the view wants
    qint64 shownTrial() const { return m_trialId; } // the trial followed; 0 when none
    AugmentPolicyEditor* policyEditor() const { return m_policy; }
    AugmentGridRunner* runner() const { return m_runner; }

public Q_SLOTS:
    void newDraw(); // the next seed: other draws of the same policy
    void cancel();  // stops the worker; the view says it was canceled

Q_SIGNALS:
    // A grid or a message replaced what was shown.
    void shownChanged();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void followSelection();
    void refresh();
    void showGrid(const QImage& image, const QString& caption);
    // Hint: nothing to draw (no study). Failure: the worker could not. Stopped: canceled.
    enum class Message { Hint, Failure, Stopped };
    // `caption` says what was asked for, where something was.
    void showMessage(const QString& title, const QString& body, Message kind,
                     const QString& caption = {});
    void setBusyShown(bool busy);
    void fitPolicyPanel();
    AugmentGridRequest request() const;
    QString describe(const Json& params) const; // the caption for a request's parameters

    TrialSelection* m_selection;
    AugmentGridRunner* m_runner;
    Mode m_mode = Mode::Trial;
    QString m_taskKind;                       // "" until a study is open
    Json m_settings;                          // the task's settings
    std::vector<std::string> m_augmentations; // the task's augment.<name> blocks, declared order
    QHash<qint64, TrialPtr> m_trials;
    qint64 m_trialId = 0;
    bool m_stale = true; // the request changed while the view was hidden
    // Grids drawn, by AugmentGridRequest::key(); cost in KiB.
    QCache<QString, QImage> m_cache;
    QString m_wantedKey, m_wantedCaption; // what the running worker draws
    QImage m_image;

    QButtonGroup* m_modes;
    QSpinBox* m_rows;
    QSpinBox* m_draws;
    QSpinBox* m_seed;
    QSpinBox* m_zoom;
    QPushButton* m_newDraw;
    QLabel* m_captionLabel;
    QWidget* m_busyRow;
    QLabel* m_busyLabel;
    QProgressBar* m_busyBar;
    QPushButton* m_cancel;
    QStackedWidget* m_stack;
    QScrollArea* m_scroll;
    QWidget* m_canvas; // paints the grid and its column labels
    QWidget* m_messagePage;
    QLabel* m_messageTitle;
    QLabel* m_messageBody;
    QPushButton* m_retry;
    QWidget* m_policyPanel;
    QScrollArea* m_policyScroll;
    AugmentPolicyEditor* m_policy;
    QPushButton* m_fromTrial;
};

} // namespace ps
