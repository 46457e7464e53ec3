#include "widgets/setting_form.h"

#include "core/space/study_document.h"
#include "core/space/study_file.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <climits>
#include <cmath>
#include <map>

namespace ps {

namespace {

// A double spin box that shows numbers as a study file writes them (1.0e-4, not 0.00) and
// takes exponents, since learning rates and epsilons span many decades.
class NumberSpinBox : public QDoubleSpinBox {
public:
    explicit NumberSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
        setDecimals(40); // QDoubleSpinBox rounds values to this many decimals
    }
    QString textFromValue(double v) const override {
        return QString::fromStdString(toYamlFlow(Json(v)));
    }
    double valueFromText(const QString& text) const override {
        if (!specialValueText().isEmpty() && text == specialValueText())
            return minimum();
        return QLocale::c().toDouble(text.trimmed());
    }
    QValidator::State validate(QString& text, int&) const override {
        if (!specialValueText().isEmpty() && text == specialValueText())
            return QValidator::Acceptable;
        bool ok = false;
        const double v = QLocale::c().toDouble(text.trimmed(), &ok);
        return ok && v >= minimum() && v <= maximum() ? QValidator::Acceptable
                                                      : QValidator::Intermediate;
    }
};

QString settingTip(const SettingSpec& s) {
    QString tip = QString::fromStdString(s.help);
    tip += QString("\n\n%1 (default: %2)")
               .arg(QString::fromStdString(s.path),
                    QString::fromStdString(s.defaultValue.is_null() ? std::string("none")
                                                                    : toYamlFlow(s.defaultValue)));
    if (s.min || s.max)
        tip += QString(", range [%1, %2]")
                   .arg(s.min ? QString::number(*s.min) : QString("-inf"),
                        s.max ? QString::number(*s.max) : QString("inf"));
    return tip;
}

// Why `value` (set by the file) does not fit the editor of `s`; "" when it does.
QString misfit(const SettingSpec& s, const Json& value) {
    if (value.is_null())
        return {};
    const QString shown = QString::fromStdString(toYamlFlow(value));
    switch (s.type) {
    case SettingType::Int:
    case SettingType::Float: {
        if (!value.is_number() || (s.type == SettingType::Int && !value.is_number_integer()))
            return QString("the file sets %1, not a %2")
                .arg(shown, s.type == SettingType::Int ? "whole number" : "number");
        const double x = value.get<double>();
        if ((s.min && x < *s.min) || (s.max && x > *s.max) ||
            (s.type == SettingType::Int && std::abs(x) > INT_MAX))
            return QString("the file sets %1, out of range").arg(shown);
        return {};
    }
    case SettingType::Bool:
        return value.is_boolean() ? QString()
                                  : QString("the file sets %1, not true or false").arg(shown);
    case SettingType::String:
        return value.is_string() || value.is_number() || value.is_boolean()
                   ? QString()
                   : QString("the file sets %1, not a string").arg(shown);
    default:
        return {};
    }
}

const char* kErrorStyle = "color: #b03a2e;";

} // namespace

SettingForm::SettingForm(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
}

void SettingForm::setSpecs(const std::vector<SettingSpec>& specs, const Json& values,
                           bool grouped) {
    delete m_body;
    m_rows.clear();
    m_byPath.clear();
    m_groups.clear();
    m_values = values.is_object() ? values : Json::object();
    m_body = new QWidget(this);
    layout()->addWidget(m_body);
    auto* outer = new QVBoxLayout(m_body);
    outer->setContentsMargins(0, 0, 0, 0);
    std::map<std::string, QFormLayout*> forms; // one per group, in order of first appearance
    for (const auto& spec : specs) {
        if (spec.type == SettingType::Map)
            continue; // a group with no settings of its own: nothing to enter
        // the group: the first part of the path, two for augmentations (augment.flip)
        std::string group;
        std::string::size_type cut = 0;
        if (grouped && (cut = spec.path.find('.')) != std::string::npos) {
            if (spec.path.rfind("augment.", 0) == 0 &&
                spec.path.find('.', cut + 1) != std::string::npos)
                cut = spec.path.find('.', cut + 1);
            group = spec.path.substr(0, cut);
        } else if (grouped) {
            group = "general";
            cut = std::string::npos;
        }
        QFormLayout*& form = forms[group];
        if (!form) {
            QWidget* box = grouped ? new QGroupBox(QString::fromStdString(group), m_body)
                                   : new QWidget(m_body);
            form = new QFormLayout(box);
            form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
            form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (!grouped)
                form->setContentsMargins(0, 0, 0, 0);
            outer->addWidget(box);
            m_groups.push_back(box);
        }
        auto row = std::make_unique<Row>();
        row->spec = spec;
        row->form = form;
        const QString path = QString::fromStdString(spec.path);
        const std::string shortName = cut == 0 || cut == std::string::npos || !grouped
                                          ? spec.path
                                          : spec.path.substr(cut + 1);
        row->label = new QLabel(QString::fromStdString(shortName), m_body);
        row->label->setToolTip(settingTip(spec));
        auto* field = new QWidget(m_body);
        auto* fieldLayout = new QVBoxLayout(field);
        fieldLayout->setContentsMargins(0, 0, 0, 0);
        fieldLayout->setSpacing(2);
        auto* line = new QHBoxLayout;
        const Json value = m_values.contains(spec.path) ? m_values[spec.path] : Json();
        row->editor = makeEditor(*row, value);
        row->editor->setParent(field);
        row->editor->setToolTip(settingTip(spec));
        row->editor->setObjectName(path);
        // numbers and choices need little room; free text takes the width
        const bool wide = qobject_cast<QLineEdit*>(row->editor) != nullptr;
        if (!wide)
            row->editor->setFixedWidth(220);
        line->addWidget(row->editor, wide ? 1 : 0);
        row->reset = new QToolButton(field);
        row->reset->setText("reset");
        row->reset->setAutoRaise(true);
        row->reset->setToolTip("Remove this setting from the file: the task's default applies");
        line->addWidget(row->reset);
        if (!wide)
            line->addStretch(1);
        fieldLayout->addLayout(line);
        auto* error = new QLabel(field);
        error->setObjectName("error");
        error->setStyleSheet(kErrorStyle);
        error->setWordWrap(true);
        error->setVisible(false);
        fieldLayout->addWidget(error);
        form->addRow(row->label, field);
        Row* r = row.get();
        connect(row->reset, &QToolButton::clicked, this, [this, r] {
            setValue(QString::fromStdString(r->spec.path), nullptr);
            showValue(*r, r->spec.defaultValue);
        });
        m_byPath.insert(path, r);
        m_rows.push_back(std::move(row));
        updateRow(*r);
        if (const QString why = misfit(spec, value); !why.isEmpty())
            markError(path, why);
    }
    outer->addStretch(1);
}

QWidget* SettingForm::makeEditor(Row& row, const Json& value) {
    const SettingSpec& s = row.spec;
    const QString path = QString::fromStdString(s.path);
    switch (s.type) {
    case SettingType::Int: {
        auto* spin = new QSpinBox;
        spin->setRange(s.min ? static_cast<int>(std::max<double>(*s.min, INT_MIN)) : INT_MIN,
                       s.max ? static_cast<int>(std::min<double>(*s.max, INT_MAX)) : INT_MAX);
        row.editor = spin;
        showValue(row, value.is_null() ? s.defaultValue : value);
        connect(spin, &QSpinBox::valueChanged, this,
                [this, path](int v) { setValue(path, static_cast<std::int64_t>(v)); });
        return spin;
    }
    case SettingType::Float: {
        auto* spin = new NumberSpinBox(nullptr);
        spin->setRange(s.min.value_or(-1e300), s.max.value_or(1e300));
        if (s.defaultValue.is_null())
            spin->setSpecialValueText("none"); // unset: the minimum stands for it
        const double range = s.min && s.max ? *s.max - *s.min : 0;
        spin->setSingleStep(range > 0 && range <= 10 ? range / 100 : 1);
        row.editor = spin;
        showValue(row, value.is_null() ? s.defaultValue : value);
        connect(spin, &QDoubleSpinBox::valueChanged, this, [this, path, spin](double v) {
            setValue(path, !spin->specialValueText().isEmpty() && v == spin->minimum() ? Json()
                                                                                       : Json(v));
        });
        return spin;
    }
    case SettingType::Bool: {
        auto* check = new QCheckBox;
        row.editor = check;
        showValue(row, value.is_null() ? s.defaultValue : value);
        connect(check, &QCheckBox::toggled, this, [this, path](bool on) { setValue(path, on); });
        return check;
    }
    case SettingType::String:
        if (!s.choices.empty()) {
            auto* combo = new QComboBox;
            for (const auto& c : s.choices)
                combo->addItem(QString::fromStdString(c));
            row.editor = combo;
            showValue(row, value.is_null() ? s.defaultValue : value);
            connect(combo, &QComboBox::currentIndexChanged, this,
                    [this, path, combo] { setValue(path, combo->currentText().toStdString()); });
            return combo;
        } else {
            auto* edit = new QLineEdit;
            row.editor = edit;
            showValue(row, value.is_null() ? s.defaultValue : value);
            connect(edit, &QLineEdit::textEdited, this,
                    [this, path](const QString& t) { setValue(path, t.toStdString()); });
            return edit;
        }
    case SettingType::StringList:
    case SettingType::StringMap:
    case SettingType::Map: {
        auto* edit = new QLineEdit;
        edit->setPlaceholderText(s.type == SettingType::StringList ? "[a, b, \"{param.x}\"]"
                                                                   : "{NAME: value}");
        row.editor = edit;
        showValue(row, value.is_null() ? s.defaultValue : value);
        Row* r = &row;
        connect(edit, &QLineEdit::textEdited, this, [this, r, path](const QString& t) {
            Json v;
            r->inputError.clear();
            try {
                v = fromYamlFlow(t.toStdString(), r->spec.path);
                const bool list = r->spec.type == SettingType::StringList;
                if (!v.is_null() && (list ? !v.is_array() : !v.is_object()))
                    r->inputError = list ? "must be a list: [a, b]" : "must be a mapping: {A: b}";
            } catch (const StudyFileError& e) {
                r->inputError = QString::fromStdString(e.message());
            }
            if (r->inputError.isEmpty()) {
                clearErrors();
                setValue(path, v);
            } else {
                markError(path, r->inputError);
                Q_EMIT changed();
            }
        });
        return edit;
    }
    }
    return new QWidget;
}

void SettingForm::showValue(Row& row, const Json& value) {
    const QSignalBlocker block(row.editor);
    if (auto* spin = qobject_cast<QSpinBox*>(row.editor)) {
        spin->setValue(value.is_number() ? static_cast<int>(value.get<double>()) : 0);
    } else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(row.editor)) {
        dspin->setValue(value.is_number() ? value.get<double>() : dspin->minimum());
    } else if (auto* check = qobject_cast<QCheckBox*>(row.editor)) {
        check->setChecked(value.is_boolean() && value.get<bool>());
    } else if (auto* combo = qobject_cast<QComboBox*>(row.editor)) {
        const QString text = QString::fromStdString(value.is_string() ? value.get<std::string>()
                                                                      : toYamlFlow(value));
        if (combo->findText(text) < 0)
            combo->addItem(text); // what the file says, even if it is no choice: shown, refused
        combo->setCurrentText(text);
    } else if (auto* edit = qobject_cast<QLineEdit*>(row.editor)) {
        const bool structured =
            row.spec.type == SettingType::StringList || row.spec.type == SettingType::StringMap;
        edit->setText(QString::fromStdString(value.is_string() && !structured
                                                 ? value.get<std::string>()
                                             : value.is_null() ? std::string()
                                                               : toYamlFlow(value)));
    }
}

void SettingForm::setValue(const QString& path, const Json& value) {
    const std::string key = path.toStdString();
    if (value.is_null())
        m_values.erase(key);
    else
        m_values[key] = value;
    if (Row* row = m_byPath.value(path))
        updateRow(*row);
    Q_EMIT changed();
}

void SettingForm::updateRow(Row& row) {
    const bool set = m_values.contains(row.spec.path);
    QFont font = row.label->font();
    font.setBold(set);
    row.label->setFont(font);
    row.reset->setEnabled(set);
}

QWidget* SettingForm::editor(const QString& path) const {
    const Row* row = m_byPath.value(path);
    return row ? row->editor : nullptr;
}

bool SettingForm::markError(const QString& path, const QString& message) {
    Row* row = m_byPath.value(path);
    if (!row)
        return false;
    auto* error = row->editor->parentWidget()->findChild<QLabel*>("error");
    error->setText(message);
    error->setVisible(true);
    row->label->setStyleSheet(kErrorStyle);
    return true;
}

void SettingForm::clearErrors() {
    for (const auto& row : m_rows) {
        if (!row->inputError.isEmpty())
            continue; // stays until the text parses
        auto* error = row->editor->parentWidget()->findChild<QLabel*>("error");
        error->setVisible(false);
        row->label->setStyleSheet({});
    }
}

void SettingForm::setFilter(const QString& text) {
    for (const auto& row : m_rows) {
        const bool shown =
            text.isEmpty() ||
            QString::fromStdString(row->spec.path).contains(text, Qt::CaseInsensitive) ||
            QString::fromStdString(row->spec.help).contains(text, Qt::CaseInsensitive);
        row->form->setRowVisible(row->label, shown);
    }
    for (QWidget* box : m_groups) {
        auto* form = static_cast<QFormLayout*>(box->layout());
        bool any = false;
        for (const auto& row : m_rows)
            any = any || (row->form == form && row->label->isVisibleTo(box));
        box->setVisible(any);
    }
}

bool SettingForm::hasInputError(QString* message) const {
    for (const auto& row : m_rows) {
        if (!row->inputError.isEmpty()) {
            if (message)
                *message = QString::fromStdString(row->spec.path) + ": " + row->inputError;
            return true;
        }
    }
    return false;
}

} // namespace ps
