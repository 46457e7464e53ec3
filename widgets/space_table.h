#pragma once
// The search space as a table, one parameter per row: name (completed from the task's
// setting paths), type, low, high, log, step, values (or a fixed value) and condition. Cells
// hold what the user typed; the parser checks it. A cell whose text is not YAML is marked at
// once and keeps its last good value. GUI thread only.

#include "core/space/study_document.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QTableWidget;

namespace ps {

class SpaceTable : public QWidget {
    Q_OBJECT

public:
    enum Column { Name, Type, Low, High, Log, Step, Values, Condition, ColumnCount };

    explicit SpaceTable(QWidget* parent = nullptr);

    void setParams(const std::vector<ParamEntry>& params);
    std::vector<ParamEntry> params() const;
    // The setting paths offered while typing a parameter's name.
    void setCompletions(const QStringList& paths);
    void addParam(); // an empty float row, its name focused
    void removeParam(int row);
    // The editor of `row`'s `column` (a QLineEdit, QComboBox or QCheckBox).
    QWidget* cell(int row, Column column) const;
    QTableWidget* table() const { return m_table; }

    // Marks the cell the parser's key names ("space.<name>.<field>") with `message`; false
    // when no row has that name.
    bool markError(const std::string& key, const QString& message);
    void clearErrors();
    bool hasInputError(QString* message = nullptr) const;

Q_SIGNALS:
    void changed();

private:
    struct Row {
        Json values = Json::array(), value, when = Json::object(); // last values that parsed
        Json other = Json::object();                               // keys kept as written
        QString inputError;
    };
    void insertRow(int at, const ParamEntry& p);
    void typeChanged(int row, bool byUser);
    void cellEdited(int row, Column column);
    int rowOf(const QWidget* w) const;
    void mark(QWidget* w, const QString& message);

    QTableWidget* m_table;
    QLabel* m_error;
    QStringList m_completions;
    std::vector<Row> m_rows;
};

} // namespace ps
