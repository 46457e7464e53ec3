#include "widgets/space_table.h"

#include "core/space/study_file.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ps {

namespace {

const QStringList kTypes = {"float", "int", "categorical", "ordinal", "fixed"};
const char* kMarked = "background: #f6d5d1;";

bool isRange(const QString& type) {
    return type == "float" || type == "int";
}
bool isListed(const QString& type) {
    return type == "categorical" || type == "ordinal";
}

// A bound as it reads in a cell: numbers as the file writes them, text as typed.
QString cellText(const Json& v) {
    if (v.is_null())
        return {};
    return QString::fromStdString(v.is_string() ? v.get<std::string>() : toYamlFlow(v));
}

// "[a, b]" / "{p: v}" without the brackets: what a cell shows.
QString inner(const Json& v) {
    const std::string text = toYamlFlow(v);
    return QString::fromStdString(text.size() >= 2 ? text.substr(1, text.size() - 2) : text);
}

Json boundFromText(const QString& text) {
    const QString t = text.trimmed();
    return t.isEmpty() ? Json() : scalarFromText(t.toStdString());
}

} // namespace

SpaceTable::SpaceTable(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels(
        {"Name", "Type", "Low", "High", "Log", "Step", "Values", "Condition (when)"});
    m_table->horizontalHeaderItem(Values)->setToolTip(
        "categorical, ordinal: the values, comma-separated; fixed: the value");
    m_table->horizontalHeaderItem(Condition)->setToolTip(
        "active only while these parameters have these values, e.g.\n"
        "optimizer.kind: sgd   or   model.kind: [cnn, resnet]");
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    auto* header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    const int widths[] = {190, 105, 75, 75, 40, 60, 190, 150};
    for (int c = 0; c < ColumnCount; ++c)
        m_table->setColumnWidth(c, widths[c]);
    layout->addWidget(m_table, 1);
    m_error = new QLabel(this);
    m_error->setStyleSheet("color: #b03a2e;");
    m_error->setWordWrap(true);
    m_error->setVisible(false);
    layout->addWidget(m_error);
    auto* buttons = new QHBoxLayout;
    auto* add = new QPushButton("Add parameter", this);
    auto* remove = new QPushButton("Remove parameter", this);
    add->setObjectName("addParam");
    remove->setObjectName("removeParam");
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(add, &QPushButton::clicked, this, &SpaceTable::addParam);
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_table->currentRow() >= 0)
            removeParam(m_table->currentRow());
    });
}

void SpaceTable::setParams(const std::vector<ParamEntry>& params) {
    m_table->setRowCount(0);
    m_rows.clear();
    for (const auto& p : params)
        insertRow(m_table->rowCount(), p);
    clearErrors();
}

void SpaceTable::setCompletions(const QStringList& paths) {
    m_completions = paths;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        auto* name = static_cast<QLineEdit*>(cell(r, Name));
        auto* completer = new QCompleter(m_completions, name);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        completer->setFilterMode(Qt::MatchContains);
        name->setCompleter(completer);
    }
}

void SpaceTable::insertRow(int at, const ParamEntry& p) {
    m_table->insertRow(at);
    Row row;
    row.values = p.values;
    row.value = p.value;
    row.when = p.when;
    row.other = p.other;
    m_rows.insert(m_rows.begin() + at, row);
    const auto lineEdit = [&](Column c, const QString& text, const QString& placeholder) {
        auto* e = new QLineEdit(text, m_table);
        e->setFrame(false);
        e->setPlaceholderText(placeholder);
        m_table->setCellWidget(at, c, e);
        connect(e, &QLineEdit::textEdited, this, [this, e, c] { cellEdited(rowOf(e), c); });
        return e;
    };
    auto* name = lineEdit(Name, QString::fromStdString(p.name), "setting path");
    auto* completer = new QCompleter(m_completions, name);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    name->setCompleter(completer);
    connect(completer, qOverload<const QString&>(&QCompleter::activated), this,
            [this, name] { cellEdited(rowOf(name), Name); });
    auto* type = new QComboBox(m_table);
    type->addItems(kTypes);
    const QString typeText = QString::fromStdString(p.type);
    if (!kTypes.contains(typeText))
        type->addItem(typeText); // as written (even empty): the parser says what is wrong
    type->setCurrentText(typeText);
    m_table->setCellWidget(at, Type, type);
    connect(type, &QComboBox::currentIndexChanged, this,
            [this, type] { typeChanged(rowOf(type), true); });
    lineEdit(Low, cellText(p.low), "");
    lineEdit(High, cellText(p.high), "");
    auto* logBox = new QWidget(m_table);
    auto* logLayout = new QHBoxLayout(logBox);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->setAlignment(Qt::AlignCenter);
    auto* log = new QCheckBox(logBox);
    log->setChecked(p.log.is_boolean() && p.log.get<bool>());
    log->setToolTip("sample uniformly in log space (low > 0)");
    logLayout->addWidget(log);
    m_table->setCellWidget(at, Log, logBox);
    connect(log, &QCheckBox::toggled, this, [this, logBox] { cellEdited(rowOf(logBox), Log); });
    lineEdit(Step, cellText(p.step), "");
    const bool fixed = typeText == "fixed";
    lineEdit(Values,
             fixed ? cellText(p.value)
                   : (p.values.is_array() ? inner(p.values) : cellText(p.values)),
             fixed ? "value" : "");
    lineEdit(Condition, inner(p.when), "");
    typeChanged(at, false);
}

void SpaceTable::typeChanged(int r, bool byUser) {
    if (r < 0)
        return;
    const QString type = static_cast<QComboBox*>(cell(r, Type))->currentText();
    const bool range = isRange(type), listed = isListed(type), fixed = type == "fixed";
    const bool known = kTypes.contains(type);
    // A cell that does not apply is emptied when the user switches the type, and disabled;
    // one the file fills although it does not apply stays, so the parser can say so.
    for (const Column c : {Low, High, Step, Values}) {
        const bool applies = !known || (c == Values ? listed || fixed : range);
        auto* edit = static_cast<QLineEdit*>(cell(r, c));
        if (!applies && byUser)
            edit->clear();
        edit->setEnabled(applies || !edit->text().isEmpty());
    }
    auto* log = cell(r, Log)->findChild<QCheckBox*>();
    if (!range && byUser)
        log->setChecked(false);
    log->setEnabled(range || !known || log->isChecked());
    static_cast<QLineEdit*>(cell(r, Values))
        ->setPlaceholderText(fixed    ? "value"
                             : listed ? "a, b, c"
                                      : "");
    if (byUser) {
        m_rows[static_cast<std::size_t>(r)].values = Json::array();
        m_rows[static_cast<std::size_t>(r)].value = nullptr;
        cellEdited(r, Values);
    }
}

void SpaceTable::cellEdited(int r, Column column) {
    if (r < 0)
        return;
    Row& row = m_rows[static_cast<std::size_t>(r)];
    auto* edit = qobject_cast<QLineEdit*>(cell(r, column));
    if (edit && (column == Values || column == Condition)) {
        const std::string text = edit->text().trimmed().toStdString();
        const bool fixed = static_cast<QComboBox*>(cell(r, Type))->currentText() == "fixed";
        row.inputError.clear();
        try {
            if (column == Condition)
                row.when = text.empty() ? Json::object() : fromYamlFlow("{" + text + "}");
            else if (fixed)
                row.value = text.empty() ? Json() : fromYamlFlow(text);
            else
                row.values = text.empty() ? Json::array() : fromYamlFlow("[" + text + "]");
            edit->setStyleSheet({});
            edit->setToolTip({});
        } catch (const StudyFileError& e) {
            row.inputError = QString("row %1, %2: not YAML (%3)")
                                 .arg(r + 1)
                                 .arg(m_table->horizontalHeaderItem(column)->text(),
                                      QString::fromStdString(e.message()));
            mark(edit, row.inputError);
        }
    }
    Q_EMIT changed();
}

std::vector<ParamEntry> SpaceTable::params() const {
    std::vector<ParamEntry> out;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        const Row& row = m_rows[static_cast<std::size_t>(r)];
        ParamEntry p;
        p.name = static_cast<QLineEdit*>(cell(r, Name))->text().trimmed().toStdString();
        p.type = static_cast<QComboBox*>(cell(r, Type))->currentText().toStdString();
        p.low = boundFromText(static_cast<QLineEdit*>(cell(r, Low))->text());
        p.high = boundFromText(static_cast<QLineEdit*>(cell(r, High))->text());
        p.step = boundFromText(static_cast<QLineEdit*>(cell(r, Step))->text());
        if (cell(r, Log)->findChild<QCheckBox*>()->isChecked())
            p.log = true;
        if (p.type == "fixed")
            p.value = row.value;
        else
            p.values = row.values;
        p.when = row.when;
        p.other = row.other;
        out.push_back(std::move(p));
    }
    return out;
}

void SpaceTable::addParam() {
    ParamEntry p;
    p.low = 0.0;
    p.high = 1.0;
    const int at = m_table->rowCount();
    insertRow(at, p);
    m_table->setCurrentCell(at, Name);
    cell(at, Name)->setFocus();
    Q_EMIT changed();
}

void SpaceTable::removeParam(int r) {
    if (r < 0 || r >= m_table->rowCount())
        return;
    m_table->removeRow(r);
    m_rows.erase(m_rows.begin() + r);
    Q_EMIT changed();
}

QWidget* SpaceTable::cell(int r, Column column) const {
    return m_table->cellWidget(r, column);
}

int SpaceTable::rowOf(const QWidget* w) const {
    for (int r = 0; r < m_table->rowCount(); ++r) {
        for (int c = 0; c < ColumnCount; ++c) {
            if (m_table->cellWidget(r, c) == w)
                return r;
        }
    }
    return -1;
}

void SpaceTable::mark(QWidget* w, const QString& message) {
    w->setStyleSheet(kMarked);
    w->setToolTip(message);
    m_error->setText(message);
    m_error->setVisible(true);
}

bool SpaceTable::markError(const std::string& key, const QString& message) {
    if (key.rfind("space.", 0) != 0)
        return false;
    const std::string rest = key.substr(6);
    // the longest name that prefixes the key: names hold dots themselves
    int best = -1;
    std::size_t bestLength = 0;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        const std::string name =
            static_cast<QLineEdit*>(cell(r, Name))->text().trimmed().toStdString();
        if (!name.empty() && (rest == name || rest.rfind(name + ".", 0) == 0) &&
            name.size() >= bestLength) {
            best = r;
            bestLength = name.size();
        }
    }
    if (best < 0)
        return false;
    const std::string field = rest.size() > bestLength ? rest.substr(bestLength + 1) : "";
    const std::string first = field.substr(0, field.find('.'));
    Column column = Name;
    if (first == "type")
        column = Type;
    else if (first == "low")
        column = Low;
    else if (first == "high")
        column = High;
    else if (first == "log")
        column = Log;
    else if (first == "step")
        column = Step;
    else if (first == "values" || first == "value")
        column = Values;
    else if (first == "when")
        column = Condition;
    mark(cell(best, column), QString::fromStdString(key) + ": " + message);
    m_table->setCurrentCell(best, column);
    m_table->scrollTo(m_table->model()->index(best, column));
    return true;
}

void SpaceTable::clearErrors() {
    QString pending;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        const bool bad = !m_rows[static_cast<std::size_t>(r)].inputError.isEmpty();
        for (int c = 0; c < ColumnCount; ++c) {
            QWidget* w = cell(r, static_cast<Column>(c));
            const bool keep = bad && (c == Values || c == Condition) &&
                              w->toolTip() == m_rows[static_cast<std::size_t>(r)].inputError;
            if (!keep) {
                w->setStyleSheet({});
                if (c != Log)
                    w->setToolTip({});
            }
        }
        if (bad && pending.isEmpty())
            pending = m_rows[static_cast<std::size_t>(r)].inputError;
    }
    m_error->setText(pending);
    m_error->setVisible(!pending.isEmpty());
}

bool SpaceTable::hasInputError(QString* message) const {
    for (const auto& row : m_rows) {
        if (!row.inputError.isEmpty()) {
            if (message)
                *message = "space: " + row.inputError;
            return true;
        }
    }
    return false;
}

} // namespace ps
