#include "widgets/study_editor.h"

#include "core/sampling/sampler.h"
#include "core/scheduling/scheduler.h"
#include "core/space/study_file.h"
#include "widgets/setting_form.h"
#include "widgets/space_table.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBlock>
#include <QVBoxLayout>
#include <algorithm>
#include <functional>

namespace ps {

namespace {

enum Tab { TaskTab, SpaceTab, ObjectivesTab, SamplerTab, SchedulerTab, BudgetTab, YamlTab };

const char* kMarked = "background: #f6d5d1;";

QLabel* helpLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    label->setStyleSheet("color: #505050;");
    return label;
}

// The study-level keys outside the task, declared as settings so the budget tab is a
// generated form like the others.
std::vector<SettingSpec> budgetSpecs() {
    using T = SettingType;
    return {
        makeSetting("budget.trials", T::Int, 10, 1, 1e7, "trials to run in all"),
        makeSetting("budget.parallel", T::Int, 1, 1, 1e7,
                    "trials running at once (also the number of workers)"),
        makeSetting("budget.timeout", T::String, "", std::nullopt, std::nullopt,
                    "stop starting trials after this long: 90s, 30m, 2h, 1d (empty: never)"),
        makeSetting("executor.workers", T::String, "auto", std::nullopt, std::nullopt,
                    "worker processes: auto (= budget.parallel) or a number"),
        makeSetting("executor.max_attempts", T::Int, 3, 1, 100,
                    "claims before a trial whose workers keep dying is failed"),
        makeSetting("executor.heartbeat_timeout", T::String, "60s", std::nullopt, std::nullopt,
                    "the silence that counts as a dead worker (at least 5s)"),
        makeSetting("storage", T::String, "", std::nullopt, std::nullopt,
                    "where trials are stored; empty: sqlite:<name>.db beside the study file"),
    };
}

// The options of `info` set in `options`, and (in `undeclared`) the rest.
Json declaredOptions(const std::vector<SettingSpec>* declared, const Json& options,
                     Json& undeclared) {
    Json out = Json::object();
    undeclared = Json::object();
    for (const auto& [k, v] : options.items()) {
        const bool known =
            declared && std::any_of(declared->begin(), declared->end(),
                                    [&](const SettingSpec& s) { return s.path == k; });
        (known ? out : undeclared)[k] = v;
    }
    return out;
}

QString comboText(QTableWidget* table, int row, int column) {
    auto* combo = qobject_cast<QComboBox*>(table->cellWidget(row, column));
    if (combo)
        return combo->currentText().trimmed();
    auto* edit = qobject_cast<QLineEdit*>(table->cellWidget(row, column));
    return edit ? edit->text().trimmed() : QString();
}

// A table with Add / Remove buttons under it.
QWidget* tableWithButtons(QTableWidget* table, const QString& what, QWidget* parent,
                          const std::function<void()>& add) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table, 1);
    auto* buttons = new QHBoxLayout;
    auto* addButton = new QPushButton("Add " + what, box);
    auto* removeButton = new QPushButton("Remove " + what, box);
    buttons->addWidget(addButton);
    buttons->addWidget(removeButton);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    QObject::connect(addButton, &QPushButton::clicked, box, add);
    QObject::connect(removeButton, &QPushButton::clicked, box, [table] {
        if (table->currentRow() >= 0)
            table->removeRow(table->currentRow()); // the editor refreshes on rowsRemoved
    });
    return box;
}

} // namespace

StudyEditor::StudyEditor(QWidget* parent)
    : QDialog(parent), m_catalog(TaskCatalog::withBuiltins()) {
    setWindowTitle("Study editor");
    resize(1040, 720);
    auto* layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildTaskTab(), "Task");
    m_tabs->addTab(buildSpaceTab(), "Space");
    m_tabs->addTab(buildObjectivesTab(), "Objectives");
    m_tabs->addTab(buildSamplerTab(), "Sampler");
    m_tabs->addTab(buildSchedulerTab(), "Scheduler");
    m_tabs->addTab(buildBudgetTab(), "Budget");
    m_tabs->addTab(buildYamlTab(), "YAML");
    layout->addWidget(m_tabs, 1);
    m_status = new QLabel(this);
    m_status->setObjectName("status");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(this);
    auto* validateButton = buttons->addButton("Validate", QDialogButtonBox::ActionRole);
    auto* saveButton = buttons->addButton(QDialogButtonBox::Save);
    auto* saveAsButton = buttons->addButton("Save As…", QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    validateButton->setObjectName("validate");
    saveButton->setObjectName("save");
    saveAsButton->setObjectName("saveAs");
    layout->addWidget(buttons);
    connect(validateButton, &QPushButton::clicked, this, &StudyEditor::validate);
    connect(saveButton, &QPushButton::clicked, this, &StudyEditor::save);
    connect(saveAsButton, &QPushButton::clicked, this, [this] {
        const QString start =
            m_path.isEmpty() ? QDir(m_dir).filePath(m_name->text().trimmed() + ".yaml") : m_path;
        const QString path = QFileDialog::getSaveFileName(this, "Save study as", start,
                                                          "Study files (*.yaml *.yml)");
        if (!path.isEmpty())
            saveAs(path);
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &StudyEditor::reject);
}

StudyEditor::~StudyEditor() = default;

QWidget* StudyEditor::buildTaskTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* head = new QFormLayout;
    m_name = new QLineEdit(tab);
    m_name->setObjectName("name");
    m_name->setToolTip("letters, digits, '_', '-', '.'; at most 100");
    m_description = new QLineEdit(tab);
    m_description->setObjectName("description");
    m_taskKind = new QComboBox(tab);
    m_taskKind->setObjectName("taskKind");
    for (const auto& kind : m_catalog.kinds())
        m_taskKind->addItem(QString::fromStdString(kind));
    m_taskHelp = helpLabel(tab);
    head->addRow("Name", m_name);
    head->addRow("Description", m_description);
    head->addRow("Task", m_taskKind);
    head->addRow("", m_taskHelp);
    layout->addLayout(head);
    m_filter = new QLineEdit(tab);
    m_filter->setPlaceholderText("Filter settings…");
    m_filter->setClearButtonEnabled(true);
    layout->addWidget(m_filter);
    m_taskScroll = new QScrollArea(tab);
    m_taskScroll->setWidgetResizable(true);
    m_taskForm = new SettingForm;
    m_taskForm->setObjectName("taskForm");
    m_taskScroll->setWidget(m_taskForm);
    layout->addWidget(m_taskScroll, 1);
    connect(m_name, &QLineEdit::textEdited, this, &StudyEditor::refresh);
    connect(m_description, &QLineEdit::textEdited, this, &StudyEditor::refresh);
    connect(m_taskForm, &SettingForm::changed, this, &StudyEditor::refresh);
    connect(m_taskKind, &QComboBox::currentIndexChanged, this, [this] {
        if (m_loading)
            return;
        loadTaskForm(false);
        refresh();
    });
    connect(m_filter, &QLineEdit::textChanged, m_taskForm, &SettingForm::setFilter);
    return tab;
}

QWidget* StudyEditor::buildSpaceTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    m_space = new SpaceTable(tab);
    m_space->setObjectName("space");
    layout->addWidget(m_space, 1);
    m_forbidden = helpLabel(tab);
    layout->addWidget(m_forbidden);
    connect(m_space, &SpaceTable::changed, this, &StudyEditor::refresh);
    return tab;
}

QWidget* StudyEditor::buildObjectivesTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    layout->addWidget(new QLabel("<b>Objectives</b> — the final metrics to optimize", tab));
    m_objectives = new QTableWidget(0, 2, tab);
    m_objectives->setObjectName("objectives");
    m_objectives->setHorizontalHeaderLabels({"Metric", "Direction"});
    m_objectives->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_objectives->setColumnWidth(1, 140);
    m_objectives->verticalHeader()->setVisible(false);
    layout->addWidget(tableWithButtons(m_objectives, "objective", tab,
                                       [this] {
                                           addObjectiveRow({});
                                           refresh();
                                       }),
                      1);
    layout->addWidget(new QLabel("<b>Constraints</b> — a trial is feasible only while these "
                                 "final metrics stay within bounds",
                                 tab));
    m_constraints = new QTableWidget(0, 3, tab);
    m_constraints->setObjectName("constraints");
    m_constraints->setHorizontalHeaderLabels({"Metric", "Min", "Max"});
    m_constraints->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_constraints->setColumnWidth(1, 140);
    m_constraints->setColumnWidth(2, 140);
    m_constraints->verticalHeader()->setVisible(false);
    layout->addWidget(tableWithButtons(m_constraints, "constraint", tab,
                                       [this] {
                                           addConstraintRow({});
                                           refresh();
                                       }),
                      1);
    connect(m_objectives->model(), &QAbstractItemModel::rowsRemoved, this, &StudyEditor::refresh);
    connect(m_constraints->model(), &QAbstractItemModel::rowsRemoved, this, &StudyEditor::refresh);
    return tab;
}

QWidget* StudyEditor::buildSamplerTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* head = new QFormLayout;
    m_samplerKind = new QComboBox(tab);
    m_samplerKind->setObjectName("samplerKind");
    for (const auto& kind : samplerKinds())
        m_samplerKind->addItem(QString::fromStdString(kind));
    m_samplerHelp = helpLabel(tab);
    m_samplerSeed = new QLineEdit(tab);
    m_samplerSeed->setObjectName("samplerSeed");
    m_samplerSeed->setPlaceholderText("0");
    m_samplerSeed->setToolTip("the sampler's random seed (a whole number >= 0)");
    head->addRow("Sampler", m_samplerKind);
    head->addRow("", m_samplerHelp);
    head->addRow("Seed", m_samplerSeed);
    layout->addLayout(head);
    auto* scroll = new QScrollArea(tab);
    scroll->setWidgetResizable(true);
    m_samplerForm = new SettingForm;
    m_samplerForm->setObjectName("samplerForm");
    scroll->setWidget(m_samplerForm);
    layout->addWidget(scroll, 1);
    connect(m_samplerSeed, &QLineEdit::textEdited, this, &StudyEditor::refresh);
    connect(m_samplerForm, &SettingForm::changed, this, &StudyEditor::refresh);
    connect(m_samplerKind, &QComboBox::currentIndexChanged, this, [this] {
        if (m_loading)
            return;
        m_samplerUndeclared = Json::object(); // another kind: the old options go
        m_doc.samplerOptions = Json::object();
        loadSamplerForm();
        refresh();
    });
    return tab;
}

QWidget* StudyEditor::buildSchedulerTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* head = new QFormLayout;
    m_schedulerKind = new QComboBox(tab);
    m_schedulerKind->setObjectName("schedulerKind");
    for (const auto& kind : schedulerKinds())
        m_schedulerKind->addItem(QString::fromStdString(kind));
    m_schedulerHelp = helpLabel(tab);
    head->addRow("Scheduler", m_schedulerKind);
    head->addRow("", m_schedulerHelp);
    layout->addLayout(head);
    auto* scroll = new QScrollArea(tab);
    scroll->setWidgetResizable(true);
    m_schedulerForm = new SettingForm;
    m_schedulerForm->setObjectName("schedulerForm");
    scroll->setWidget(m_schedulerForm);
    layout->addWidget(scroll, 1);
    connect(m_schedulerForm, &SettingForm::changed, this, &StudyEditor::refresh);
    connect(m_schedulerKind, &QComboBox::currentIndexChanged, this, [this] {
        if (m_loading)
            return;
        m_schedulerUndeclared = Json::object();
        m_doc.schedulerOptions = Json::object();
        loadSchedulerForm();
        refresh();
    });
    return tab;
}

QWidget* StudyEditor::buildBudgetTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* scroll = new QScrollArea(tab);
    scroll->setWidgetResizable(true);
    m_budgetForm = new SettingForm;
    m_budgetForm->setObjectName("budgetForm");
    scroll->setWidget(m_budgetForm);
    layout->addWidget(scroll, 1);
    connect(m_budgetForm, &SettingForm::changed, this, &StudyEditor::refresh);
    return tab;
}

QWidget* StudyEditor::buildYamlTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    m_commentNote = new QLabel(tab);
    m_commentNote->setObjectName("commentNote");
    m_commentNote->setWordWrap(true);
    m_commentNote->setStyleSheet("color: #9a6700;");
    m_commentNote->setVisible(false);
    layout->addWidget(m_commentNote);
    m_yaml = new QPlainTextEdit(tab);
    m_yaml->setObjectName("yaml");
    m_yaml->setReadOnly(true);
    m_yaml->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_yaml->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_yaml, 1);
    return tab;
}

bool StudyEditor::openFile(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = path + ": cannot read the file";
        return false;
    }
    const std::string text = file.readAll().toStdString();
    try {
        setDocument(StudyDocument::fromYaml(text, path.toStdString()), path);
    } catch (const StudyFileError& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    m_lostComments = commentLines(text);
    m_commentNote->setText(
        QString("This file has %1 comment line%2 besides its header. Saving rewrites the file "
                "from the forms, and those comments are not kept (the header comment is).")
            .arg(m_lostComments)
            .arg(m_lostComments == 1 ? "" : "s"));
    m_commentNote->setVisible(m_lostComments > 0);
    refresh();
    m_modified = false;
    setWindowTitle("Study editor — " + QFileInfo(path).fileName());
    return true;
}

void StudyEditor::setDocument(const StudyDocument& doc, const QString& path, const QString& dir) {
    m_loading = true;
    m_doc = doc;
    m_path = path;
    m_dir = path.isEmpty() ? (dir.isEmpty() ? QDir::currentPath() : dir)
                           : QFileInfo(path).absolutePath();
    m_lostComments = 0;
    m_commentNote->setVisible(false);
    m_name->setText(QString::fromStdString(doc.name));
    m_description->setText(QString::fromStdString(doc.description));
    const QString kind = QString::fromStdString(doc.taskKind);
    if (m_taskKind->findText(kind) < 0)
        m_taskKind->addItem(kind); // unknown kinds are shown; the parser names the known ones
    m_taskKind->setCurrentText(kind);
    loadTaskForm(true);
    m_space->setParams(doc.space);
    m_forbidden->setText(
        doc.forbidden.is_null()
            ? QString()
            : QString("forbidden: %1 clause(s), kept as written (edit them in the file): %2")
                  .arg(doc.forbidden.is_array() ? static_cast<int>(doc.forbidden.size()) : 1)
                  .arg(QString::fromStdString(toYamlFlow(doc.forbidden))));
    m_forbidden->setVisible(!doc.forbidden.is_null());
    m_objectives->setRowCount(0);
    for (const auto& o : doc.objectives)
        addObjectiveRow(o);
    m_constraints->setRowCount(0);
    for (const auto& c : doc.constraints)
        addConstraintRow(c);
    m_samplerKind->setCurrentText(
        doc.samplerKind.empty() ? "random" : QString::fromStdString(doc.samplerKind));
    m_samplerSeed->setText(doc.samplerSeed.is_null()
                               ? QString()
                               : QString::fromStdString(toYamlFlow(doc.samplerSeed)));
    loadSamplerForm();
    m_schedulerKind->setCurrentText(
        doc.schedulerKind.empty() ? "none" : QString::fromStdString(doc.schedulerKind));
    loadSchedulerForm();
    Json budget = Json::object();
    const auto put = [&](const char* key, const Json& v) {
        if (!v.is_null())
            budget[key] = v;
    };
    put("budget.trials", doc.budgetTrials);
    put("budget.parallel", doc.budgetParallel);
    put("budget.timeout",
        doc.budgetTimeout.is_number() ? Json(toYamlFlow(doc.budgetTimeout)) : doc.budgetTimeout);
    if (doc.executor.is_object()) {
        for (const auto& [k, v] : doc.executor.items()) {
            if (k != "kind")
                put(("executor." + k).c_str(),
                    v.is_number() && k != "max_attempts" ? Json(toYamlFlow(v)) : v);
        }
    }
    if (!doc.storage.empty())
        budget["storage"] = doc.storage;
    m_budgetForm->setSpecs(budgetSpecs(), budget, true);
    m_loading = false;
    refresh();
    m_modified = false;
    m_status->clear();
    setWindowTitle(path.isEmpty() ? "Study editor — new study"
                                  : "Study editor — " + QFileInfo(path).fileName());
}

void StudyEditor::loadTaskForm(bool keepUnknown) {
    const TaskSpec* spec = m_catalog.spec(m_taskKind->currentText().toStdString());
    Json values = Json::object();
    QStringList paths;
    if (spec) {
        Json kept = Json::object();
        for (const auto& s : spec->settings) {
            const Json v = m_doc.taskSetting(s.path);
            if (!v.is_null()) {
                values[s.path] = v;
                kept[s.path] = v;
            }
            if (s.type != SettingType::Map && s.type != SettingType::StringList &&
                s.type != SettingType::StringMap)
                paths << QString::fromStdString(s.path);
        }
        if (!keepUnknown) { // another task: only the settings it declares stay
            m_doc.task = Json::object();
            for (const auto& [k, v] : kept.items())
                m_doc.setTaskSetting(k, v);
        }
        m_taskHelp->setText(QString::fromStdString(spec->description));
        m_taskForm->setSpecs(spec->settings, values, true);
    } else {
        m_taskHelp->setText("unknown task kind");
        m_taskForm->setSpecs({}, values, true);
    }
    m_taskForm->setFilter(m_filter->text());
    m_space->setCompletions(paths);
    // the metrics the task reports, offered in the objective and constraint tables
    QStringList metrics;
    if (spec)
        for (const auto& m : spec->metrics)
            metrics << QString::fromStdString(m);
    for (QTableWidget* table : {m_objectives, m_constraints}) {
        for (int r = 0; r < table->rowCount(); ++r) {
            auto* combo = static_cast<QComboBox*>(table->cellWidget(r, 0));
            const QString current = combo->currentText();
            const QSignalBlocker block(combo);
            combo->clear();
            combo->addItems(metrics);
            combo->setCurrentText(current);
        }
    }
}

void StudyEditor::loadSamplerForm() {
    const SamplerInfo* info = findSampler(m_samplerKind->currentText().toStdString());
    m_samplerHelp->setText(info ? QString::fromStdString(info->description) : QString());
    const Json values =
        declaredOptions(info ? &info->options : nullptr, m_doc.samplerOptions, m_samplerUndeclared);
    m_samplerForm->setSpecs(info ? info->options : std::vector<SettingSpec>{}, values, false);
}

void StudyEditor::loadSchedulerForm() {
    const SchedulerInfo* info = findScheduler(m_schedulerKind->currentText().toStdString());
    m_schedulerHelp->setText(info ? QString::fromStdString(info->description) : QString());
    const Json values = declaredOptions(info ? &info->options : nullptr, m_doc.schedulerOptions,
                                        m_schedulerUndeclared);
    m_schedulerForm->setSpecs(info ? info->options : std::vector<SettingSpec>{}, values, false);
}

void StudyEditor::addObjectiveRow(const ObjectiveEntry& o) {
    const int r = m_objectives->rowCount();
    m_objectives->insertRow(r);
    auto* metric = new QComboBox(m_objectives);
    metric->setEditable(true);
    if (const TaskSpec* spec = m_catalog.spec(m_taskKind->currentText().toStdString()))
        for (const auto& m : spec->metrics)
            metric->addItem(QString::fromStdString(m));
    metric->setCurrentText(QString::fromStdString(o.metric));
    auto* direction = new QComboBox(m_objectives);
    direction->addItems({"minimize", "maximize"});
    if (direction->findText(QString::fromStdString(o.direction)) < 0)
        direction->addItem(QString::fromStdString(o.direction));
    direction->setCurrentText(QString::fromStdString(o.direction));
    m_objectives->setCellWidget(r, 0, metric);
    m_objectives->setCellWidget(r, 1, direction);
    connect(metric, &QComboBox::currentTextChanged, this, &StudyEditor::refresh);
    connect(direction, &QComboBox::currentTextChanged, this, &StudyEditor::refresh);
}

void StudyEditor::addConstraintRow(const ConstraintEntry& c) {
    const int r = m_constraints->rowCount();
    m_constraints->insertRow(r);
    auto* metric = new QComboBox(m_constraints);
    metric->setEditable(true);
    if (const TaskSpec* spec = m_catalog.spec(m_taskKind->currentText().toStdString()))
        for (const auto& m : spec->metrics)
            metric->addItem(QString::fromStdString(m));
    metric->setCurrentText(QString::fromStdString(c.metric));
    m_constraints->setCellWidget(r, 0, metric);
    connect(metric, &QComboBox::currentTextChanged, this, &StudyEditor::refresh);
    int column = 1;
    for (const Json* bound : {&c.min, &c.max}) {
        auto* edit =
            new QLineEdit(bound->is_null() ? QString() : QString::fromStdString(toYamlFlow(*bound)),
                          m_constraints);
        edit->setFrame(false);
        edit->setPlaceholderText("none");
        m_constraints->setCellWidget(r, column++, edit);
        connect(edit, &QLineEdit::textEdited, this, &StudyEditor::refresh);
    }
}

StudyDocument StudyEditor::document() const {
    StudyDocument d = m_doc;
    d.name = m_name->text().trimmed().toStdString();
    d.description = m_description->text().toStdString();
    d.taskKind = m_taskKind->currentText().toStdString();
    if (const TaskSpec* spec = m_catalog.spec(d.taskKind)) {
        const Json values = m_taskForm->values();
        for (const auto& s : spec->settings) {
            if (s.type != SettingType::Map)
                d.setTaskSetting(s.path, values.contains(s.path) ? values[s.path] : Json());
        }
    }
    d.space = m_space->params();
    d.objectives.clear();
    for (int r = 0; r < m_objectives->rowCount(); ++r)
        d.objectives.push_back({comboText(m_objectives, r, 0).toStdString(),
                                comboText(m_objectives, r, 1).toStdString()});
    d.constraints.clear();
    for (int r = 0; r < m_constraints->rowCount(); ++r) {
        ConstraintEntry c;
        c.metric = comboText(m_constraints, r, 0).toStdString();
        for (int column : {1, 2}) {
            const QString t = comboText(m_constraints, r, column);
            (column == 1 ? c.min : c.max) = t.isEmpty() ? Json() : scalarFromText(t.toStdString());
        }
        d.constraints.push_back(std::move(c));
    }
    // kinds the user left at the parser's default stay unwritten, as the file had them
    const std::string sampler = m_samplerKind->currentText().toStdString();
    d.samplerKind = sampler == "random" && m_doc.samplerKind.empty() ? "" : sampler;
    const QString seed = m_samplerSeed->text().trimmed();
    d.samplerSeed = seed.isEmpty() ? Json() : scalarFromText(seed.toStdString());
    d.samplerOptions = m_samplerForm->values();
    for (const auto& [k, v] : m_samplerUndeclared.items())
        d.samplerOptions[k] = v;
    const std::string scheduler = m_schedulerKind->currentText().toStdString();
    d.schedulerKind = scheduler == "none" && m_doc.schedulerKind.empty() ? "" : scheduler;
    d.schedulerOptions = m_schedulerForm->values();
    for (const auto& [k, v] : m_schedulerUndeclared.items())
        d.schedulerOptions[k] = v;
    const Json budget = m_budgetForm->values();
    const auto get = [&](const char* key) { return budget.contains(key) ? budget[key] : Json(); };
    d.budgetTrials = get("budget.trials");
    d.budgetParallel = get("budget.parallel");
    d.budgetTimeout = get("budget.timeout");
    if (d.budgetTimeout == "")
        d.budgetTimeout = nullptr;
    for (const char* key : {"workers", "max_attempts", "heartbeat_timeout"}) {
        Json v = get((std::string("executor.") + key).c_str());
        if (v.is_string() && std::string(key) == "workers")
            v = scalarFromText(v.get<std::string>()); // a number of workers is a number
        if (v.is_null())
            d.executor.erase(key);
        else
            d.executor[key] = v;
    }
    d.storage = get("storage").is_string() ? get("storage").get<std::string>() : "";
    return d;
}

QString StudyEditor::yamlText() const {
    return QString::fromStdString(document().toYaml());
}

void StudyEditor::refresh() {
    if (m_loading)
        return;
    const QString text = yamlText();
    if (text != m_yaml->toPlainText()) {
        m_yaml->setPlainText(text);
        m_modified = true;
    }
    clearMarks();
    m_status->clear();
}

QString StudyEditor::errorText() const {
    return m_status->property("error").toBool() ? m_status->text() : QString();
}

void StudyEditor::showError(const QString& text) {
    m_status->setText(text);
    m_status->setStyleSheet("color: #b03a2e;");
    m_status->setProperty("error", !text.isEmpty());
}

void StudyEditor::clearMarks() {
    m_taskForm->clearErrors();
    m_samplerForm->clearErrors();
    m_schedulerForm->clearErrors();
    m_budgetForm->clearErrors();
    m_space->clearErrors();
    for (QWidget* w : std::initializer_list<QWidget*>{
             m_name, m_description, m_taskKind, m_samplerKind, m_samplerSeed, m_schedulerKind}) {
        w->setStyleSheet({});
        w->setToolTip({});
    }
    for (QTableWidget* table : {m_objectives, m_constraints})
        for (int r = 0; r < table->rowCount(); ++r)
            for (int c = 0; c < table->columnCount(); ++c)
                table->cellWidget(r, c)->setStyleSheet({});
    m_status->setProperty("error", false);
    QList<QTextEdit::ExtraSelection> none;
    m_yaml->setExtraSelections(none);
}

bool StudyEditor::validate() {
    clearMarks();
    QString inputError;
    if (m_taskForm->hasInputError(&inputError) || m_space->hasInputError(&inputError) ||
        m_samplerForm->hasInputError(&inputError) || m_schedulerForm->hasInputError(&inputError) ||
        m_budgetForm->hasInputError(&inputError)) {
        showError(inputError);
        return false;
    }
    const std::string text = yamlText().toStdString();
    const std::string fileName =
        m_path.isEmpty() ? std::string("new study") : QFileInfo(m_path).fileName().toStdString();
    try {
        const StudyConfig c = parseStudyText(text, fileName, m_dir.toStdString(), m_catalog, false);
        m_status->setStyleSheet("color: #1e7a3c;");
        m_status->setText(QString("Valid: task %1, %2 parameter(s), sampler %3, %4 trial(s)")
                              .arg(QString::fromStdString(c.taskKind))
                              .arg(c.space.params.size())
                              .arg(QString::fromStdString(c.sampler.kind))
                              .arg(c.budget.trials));
        return true;
    } catch (const StudyFileError& e) {
        QString where = e.line() > 0 ? QString("line %1").arg(e.line()) : QString();
        if (!e.key().empty())
            where += (where.isEmpty() ? "" : ", ") + QString::fromStdString(e.key());
        const QString message = QString::fromStdString(e.message());
        showError((where.isEmpty() ? QString() : where + ": ") + message);
        if (e.line() > 0) { // the line in the preview
            QTextEdit::ExtraSelection line;
            line.cursor = QTextCursor(m_yaml->document()->findBlockByNumber(e.line() - 1));
            line.format.setBackground(QColor("#f6d5d1"));
            line.format.setProperty(QTextFormat::FullWidthSelection, true);
            m_yaml->setExtraSelections({line});
            m_yaml->setTextCursor(line.cursor);
        }
        locate(e.key(), message);
        return false;
    }
}

void StudyEditor::locate(const std::string& key, const QString& message) {
    const auto mark = [&](QWidget* w, int tab) {
        w->setStyleSheet(kMarked);
        w->setToolTip(message);
        m_tabs->setCurrentIndex(tab);
        w->setFocus();
    };
    const auto starts = [&](const char* prefix) { return key.rfind(prefix, 0) == 0; };
    // a form row: the key itself or the deepest setting above it ("command.2" -> "command")
    const auto inForm = [&](SettingForm* form, std::string path, int tab) {
        for (;;) {
            if (form->markError(QString::fromStdString(path), message)) {
                m_tabs->setCurrentIndex(tab);
                if (QWidget* editor = form->editor(QString::fromStdString(path))) {
                    if (auto* scroll = qobject_cast<QScrollArea*>(
                            form->parentWidget() ? form->parentWidget()->parentWidget() : nullptr))
                        scroll->ensureWidgetVisible(editor);
                    editor->setFocus();
                }
                return true;
            }
            const auto dot = path.rfind('.');
            if (dot == std::string::npos)
                return false;
            path.resize(dot);
        }
    };
    // "objectives[2].metric" -> row 2, column of the field
    const auto inTable = [&](QTableWidget* table, const std::string& rest, int tab) {
        const auto close = rest.find(']');
        if (rest.empty() || rest[0] != '[' || close == std::string::npos)
            return false;
        const int row = std::stoi(rest.substr(1, close - 1));
        if (row >= table->rowCount())
            return false;
        const std::string field = close + 2 < rest.size() ? rest.substr(close + 2) : "";
        const int column = field == "direction" || field == "min" ? 1 : field == "max" ? 2 : 0;
        mark(table->cellWidget(row, column), tab);
        return true;
    };
    if (key == "name")
        mark(m_name, TaskTab);
    else if (key == "description")
        mark(m_description, TaskTab);
    else if (key == "task.kind" || key == "task")
        mark(m_taskKind, TaskTab);
    else if (starts("task.") && inForm(m_taskForm, key.substr(5), TaskTab))
        return;
    else if (starts("space.") && m_space->markError(key, message))
        m_tabs->setCurrentIndex(SpaceTab);
    else if (starts("space") || starts("forbidden"))
        m_tabs->setCurrentIndex(SpaceTab);
    else if (starts("objectives") && inTable(m_objectives, key.substr(10), ObjectivesTab))
        return;
    else if (starts("constraints") && inTable(m_constraints, key.substr(11), ObjectivesTab))
        return;
    else if (starts("objective"))
        m_tabs->setCurrentIndex(ObjectivesTab);
    else if (key == "sampler.kind")
        mark(m_samplerKind, SamplerTab);
    else if (key == "sampler.seed")
        mark(m_samplerSeed, SamplerTab);
    else if (starts("sampler.") && inForm(m_samplerForm, key.substr(8), SamplerTab))
        return;
    else if (starts("sampler"))
        m_tabs->setCurrentIndex(SamplerTab);
    else if (key == "scheduler.kind")
        mark(m_schedulerKind, SchedulerTab);
    else if (starts("scheduler.") && inForm(m_schedulerForm, key.substr(10), SchedulerTab))
        return;
    else if (starts("scheduler"))
        m_tabs->setCurrentIndex(SchedulerTab);
    else if ((starts("budget") || starts("executor") || starts("storage")) &&
             inForm(m_budgetForm, key, BudgetTab))
        return;
    else
        m_tabs->setCurrentIndex(YamlTab);
}

bool StudyEditor::save() {
    if (m_path.isEmpty()) {
        const QString path = QFileDialog::getSaveFileName(
            this, "Save study", QDir(m_dir).filePath(m_name->text().trimmed() + ".yaml"),
            "Study files (*.yaml *.yml)");
        return !path.isEmpty() && saveAs(path);
    }
    return saveAs(m_path);
}

bool StudyEditor::saveAs(const QString& path) {
    const QString oldDir = m_dir;
    m_dir = QFileInfo(path).absolutePath(); // relative paths are taken from the new folder
    if (!validate()) {
        m_dir = oldDir;
        return false;
    }
    QSaveFile file(path); // written beside, renamed over: a failed write leaves the old file
    if (!file.open(QIODevice::WriteOnly) || file.write(yamlText().toUtf8()) < 0 || !file.commit()) {
        m_dir = oldDir;
        showError(path + ": cannot write the file (" + file.errorString() + ")");
        return false;
    }
    const bool sameFile = QFileInfo(path) == QFileInfo(m_path);
    m_path = path;
    m_savedPath = path;
    m_modified = false;
    setWindowTitle("Study editor — " + QFileInfo(path).fileName());
    QString saved = "Saved " + QDir::toNativeSeparators(path);
    if (sameFile && m_lostComments > 0)
        saved += QString(" (without the %1 comment line%2 it had besides its header)")
                     .arg(m_lostComments)
                     .arg(m_lostComments == 1 ? "" : "s");
    m_status->setText(saved);
    m_status->setStyleSheet("color: #1e7a3c;");
    if (sameFile)
        m_lostComments = 0; // they are gone now
    m_commentNote->setVisible(m_lostComments > 0);
    return true;
}

void StudyEditor::reject() {
    if (m_modified && isVisible() &&
        QMessageBox::question(this, "Study editor", "Discard the changes not saved?",
                              QMessageBox::Discard | QMessageBox::Cancel) != QMessageBox::Discard)
        return;
    QDialog::reject();
}

QString StudyEditor::editFile(const QString& path, QWidget* parent) {
    StudyEditor editor(parent);
    QString error;
    if (!editor.openFile(path, &error)) {
        QMessageBox::warning(parent, "Edit study", error);
        return {};
    }
    editor.exec();
    return editor.savedPath();
}

QString StudyEditor::newStudy(const QString& dir, QWidget* parent) {
    StudyEditor editor(parent);
    editor.setDocument(StudyDocument::newStudyTemplate("new-study"), {}, dir);
    editor.exec();
    return editor.savedPath();
}

} // namespace ps
