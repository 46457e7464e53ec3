#pragma once
// The study editor: a dialog that creates or edits a study file through forms generated from
// the declarations (the task's settings, the sampler's and scheduler's options), with a
// table for the space, the objectives and constraints, the budget, and a preview of exactly
// the YAML it saves. Validate runs the study-file parser on that text and shows its error
// (line, key, message) at the field it is about; Save writes the file only when it validates,
// and atomically, so a failed save never touches the user's file. Comments other than the
// header are not kept by the rewrite; the dialog says so when the file had some.
// GUI thread only.

#include "core/execution/task.h"
#include "core/space/study_document.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QScrollArea;
class QTableWidget;
class QTabWidget;

namespace ps {

class SettingForm;
class SpaceTable;

class StudyEditor : public QDialog {
    Q_OBJECT

public:
    explicit StudyEditor(QWidget* parent = nullptr);
    ~StudyEditor() override;

    // Edits the study file at `path`; false, with the reason in `error`, when it cannot be
    // read as a study (the dialog is then left as it was).
    bool openFile(const QString& path, QString* error = nullptr);
    // Edits `doc`, to be saved at `path` (empty: Save asks, starting in `dir`).
    void setDocument(const StudyDocument& doc, const QString& path, const QString& dir = {});

    StudyDocument document() const; // what the forms hold
    QString yamlText() const;       // what Save writes
    QString filePath() const { return m_path; }
    QString savedPath() const { return m_savedPath; } // the last file written; empty if none
    QString errorText() const;                        // the error shown; empty when none

    // Parses yamlText() (data files not checked); on an error shows it at its field.
    bool validate();
    // Writes yamlText() to filePath() (asks for a path when there is none) if it validates.
    bool save();
    bool saveAs(const QString& path);

    // Dialog entry points for the main window: the path saved, or empty when nothing was.
    static QString editFile(const QString& path, QWidget* parent = nullptr);
    static QString newStudy(const QString& dir, QWidget* parent = nullptr);

protected:
    void reject() override;

private:
    QWidget* buildTaskTab();
    QWidget* buildSpaceTab();
    QWidget* buildObjectivesTab();
    QWidget* buildSamplerTab();
    QWidget* buildSchedulerTab();
    QWidget* buildBudgetTab();
    QWidget* buildYamlTab();

    void loadTaskForm(bool keepUnknown);
    void loadSamplerForm();
    void loadSchedulerForm();
    void addObjectiveRow(const ObjectiveEntry& o);
    void addConstraintRow(const ConstraintEntry& c);
    void refresh(); // a form changed: the preview follows
    void showError(const QString& text);
    void locate(const std::string& key, const QString& message);
    void clearMarks();

    TaskCatalog m_catalog;
    StudyDocument m_doc; // what the forms do not show, and the order of keys
    QString m_path, m_dir, m_savedPath;
    int m_lostComments = 0;
    bool m_loading = false, m_modified = false;
    Json m_samplerUndeclared, m_schedulerUndeclared; // options the kind does not declare

    QTabWidget* m_tabs;
    QLineEdit* m_name;
    QLineEdit* m_description;
    QComboBox* m_taskKind;
    QLabel* m_taskHelp;
    QLineEdit* m_filter;
    QScrollArea* m_taskScroll;
    SettingForm* m_taskForm;
    SpaceTable* m_space;
    QLabel* m_forbidden;
    QTableWidget* m_objectives;
    QTableWidget* m_constraints;
    QComboBox* m_samplerKind;
    QLabel* m_samplerHelp;
    QLineEdit* m_samplerSeed;
    SettingForm* m_samplerForm;
    QComboBox* m_schedulerKind;
    QLabel* m_schedulerHelp;
    SettingForm* m_schedulerForm;
    SettingForm* m_budgetForm;
    QPlainTextEdit* m_yaml;
    QLabel* m_commentNote;
    QLabel* m_status;
};

} // namespace ps
