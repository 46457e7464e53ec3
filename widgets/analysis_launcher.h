#pragma once
// Launching an analysis from the window: a dialog that picks the kind, fills its options in a
// form generated from the kind's declared options, and scopes it to the selected trials or to
// all; and the run itself, `paramscope-cli analyze` as a child process that can be cancelled,
// whose result reaches the Analyses dock through storage like any other. GUI thread only.

#include "core/analysis/analysis.h"

#include <QDialog>
#include <QElapsedTimer>
#include <QObject>
#include <QStringList>

class QComboBox;
class QLabel;
class QProcess;
class QRadioButton;
class QTimer;

namespace ps {

class SettingForm;

// What to analyse: a kind and its options (the form's, plus `trials` when scoped).
struct AnalysisRequest {
    QString kind;
    Json options = Json::object();
};

class AnalysisLauncher : public QDialog {
    Q_OBJECT

public:
    // `selected`: the numbers of the selected trials (may be empty).
    AnalysisLauncher(std::vector<std::int64_t> selected, QWidget* parent = nullptr);

    void setKind(const QString& kind);
    QString kind() const;
    // false: every trial (also when none is selected)
    void setSelectedOnly(bool on);
    SettingForm* form() const { return m_form; }
    // The request the dialog describes now.
    AnalysisRequest request() const;

    // paramscope-cli's arguments for `request` on the study at `studyPath` (a .yaml or .db).
    static QStringList cliArguments(const QString& studyPath, const QString& studyName,
                                    const AnalysisRequest& request);

private:
    void showKind();

    AnalysisCatalog m_catalog;
    std::vector<std::int64_t> m_selected;
    QComboBox* m_kinds;
    QLabel* m_description;
    SettingForm* m_form;
    QRadioButton* m_all;
    QRadioButton* m_some;
};

// One `paramscope-cli analyze` run: started, timed, cancellable. finished() comes once.
class AnalysisRun : public QObject {
    Q_OBJECT

public:
    AnalysisRun(QString cli, QStringList arguments, QString workingDir, QObject* parent = nullptr);
    ~AnalysisRun() override;

    void start();
    // Asks the CLI to stop (SIGTERM), and kills it if it has not after a few seconds.
    void cancel();
    bool running() const;
    double elapsedSeconds() const;
    QString kind() const { return m_kind; }

Q_SIGNALS:
    // ok: the CLI stored a result (done or failed analysis alike: it is in storage). Otherwise
    // `message` says why (its error output, or "cancelled").
    void finished(bool ok, const QString& message);

private:
    QProcess* m_process;
    QString m_cli, m_workingDir, m_kind;
    QStringList m_arguments;
    QElapsedTimer m_clock;
    bool m_cancelled = false, m_done = false;
};

} // namespace ps
