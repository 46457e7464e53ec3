#include "widgets/augment_policy_editor.h"

#include "core/space/setting_pointer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>
#include <cmath>

namespace ps {

namespace {

const std::string kPrefix = "augment.";

QString tipOf(const SettingSpec& s) {
    QString tip =
        QString::fromStdString(s.help) + QStringLiteral("\n\n") + QString::fromStdString(s.path);
    if (s.min || s.max)
        tip += QStringLiteral(", range [%1, %2]")
                   .arg(s.min ? QString::number(*s.min) : QStringLiteral("-inf"),
                        s.max ? QString::number(*s.max) : QStringLiteral("inf"));
    return tip;
}

// "translate_scale" reads as "translate scale" beside a check box.
QString pretty(const std::string& name) {
    return QString::fromStdString(name).replace(QLatin1Char('_'), QLatin1Char(' '));
}

} // namespace

AugmentPolicyEditor::AugmentPolicyEditor(QWidget* parent)
    : QWidget(parent), m_layout(new QVBoxLayout(this)) {
    m_layout->setContentsMargins(4, 4, 4, 4);
    m_layout->setSpacing(2);
}

void AugmentPolicyEditor::setSpecs(const std::vector<SettingSpec>& specs) {
    while (QLayoutItem* item = m_layout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_editors.clear();
    m_boxes.clear();
    m_order.clear();

    // The augmentations in declaration order, each with its settings.
    std::vector<std::pair<std::string, std::vector<const SettingSpec*>>> blocks;
    for (const SettingSpec& s : specs) {
        if (s.path.rfind(kPrefix, 0) != 0 || s.type == SettingType::Map ||
            s.type == SettingType::StringList || s.type == SettingType::StringMap)
            continue;
        const std::string rest = s.path.substr(kPrefix.size());
        const std::string block = rest.substr(0, rest.find('.'));
        if (blocks.empty() || blocks.back().first != block)
            blocks.push_back({block, {}});
        blocks.back().second.push_back(&s);
    }

    for (const auto& [block, settings] : blocks) {
        const std::string enabledPath = kPrefix + block + ".enabled";
        auto* body = new QWidget(this);
        auto* form = new QFormLayout(body);
        form->setContentsMargins(22, 0, 0, 6); // under the check box's text
        form->setVerticalSpacing(2);
        form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
        QCheckBox* box = nullptr;
        for (const SettingSpec* s : settings) {
            Editor e;
            e.spec = *s;
            const QString path = QString::fromStdString(s->path);
            const auto changedNow = [this] {
                if (!m_loading)
                    Q_EMIT changed();
            };
            if (s->path == enabledPath && s->type == SettingType::Bool) {
                box = new QCheckBox(pretty(block), this);
                box->setToolTip(tipOf(*s));
                connect(box, &QCheckBox::toggled, body, &QWidget::setVisible);
                connect(box, &QCheckBox::toggled, this, changedNow);
                e.widget = box;
            } else {
                const QString name = QString::fromStdString(s->path.substr(s->path.rfind('.') + 1));
                QWidget* w = nullptr;
                switch (s->type) {
                case SettingType::Float: {
                    auto* spin = new QDoubleSpinBox(body);
                    spin->setRange(s->min.value_or(-1e9), s->max.value_or(1e9));
                    // Probabilities and shares step by 0.05, angles and factors by 1.
                    const double span = spin->maximum() - spin->minimum();
                    spin->setDecimals(span <= 10 ? 3 : 2);
                    spin->setSingleStep(span <= 10 ? 0.05 : 1.0);
                    spin->setKeyboardTracking(false); // one render per value, not per key
                    connect(spin, &QDoubleSpinBox::valueChanged, this, changedNow);
                    w = spin;
                    break;
                }
                case SettingType::Int: {
                    auto* spin = new QSpinBox(body);
                    spin->setRange(s->min ? int(std::max<double>(*s->min, INT_MIN)) : INT_MIN,
                                   s->max ? int(std::min<double>(*s->max, INT_MAX)) : INT_MAX);
                    spin->setKeyboardTracking(false);
                    connect(spin, &QSpinBox::valueChanged, this, changedNow);
                    w = spin;
                    break;
                }
                case SettingType::Bool: {
                    auto* check = new QCheckBox(body);
                    connect(check, &QCheckBox::toggled, this, changedNow);
                    w = check;
                    break;
                }
                default: {
                    if (!s->choices.empty()) {
                        auto* combo = new QComboBox(body);
                        for (const auto& c : s->choices)
                            combo->addItem(QString::fromStdString(c));
                        connect(combo, &QComboBox::currentTextChanged, this, changedNow);
                        w = combo;
                    } else {
                        auto* line = new QLineEdit(body);
                        connect(line, &QLineEdit::editingFinished, this, changedNow);
                        w = line;
                    }
                }
                }
                w->setToolTip(tipOf(*s));
                auto* label = new QLabel(name, body);
                label->setToolTip(tipOf(*s));
                form->addRow(label, w);
                e.widget = w;
            }
            m_editors.insert(path, e);
            m_order.push_back(path);
        }
        if (box) {
            m_layout->addWidget(box);
            body->setVisible(false); // shown while the augmentation is on
        } else {
            auto* title = new QLabel(QStringLiteral("<b>%1</b>").arg(pretty(block)), this);
            m_layout->addWidget(title);
        }
        if (form->rowCount() > 0)
            m_layout->addWidget(body);
        else
            delete body;
        if (box)
            m_boxes.insert(QString::fromStdString(block), box);
    }
    m_layout->addStretch(1);
    setValues(Json::object());
}

void AugmentPolicyEditor::setValues(const Json& settings, const Json& params) {
    m_loading = true;
    for (const QString& path : m_order) {
        Editor& e = m_editors[path];
        const std::string p = e.spec.path;
        Json value = e.spec.defaultValue;
        if (params.is_object() && params.contains(p))
            value = params[p];
        else if (settings.is_object() && settings.contains(settingPointer(p)))
            value = settings.at(settingPointer(p));
        show(e, value);
    }
    m_loading = false;
}

void AugmentPolicyEditor::show(Editor& e, const Json& value) {
    if (auto* real = qobject_cast<QDoubleSpinBox*>(e.widget)) {
        real->setValue(value.is_number() ? value.get<double>() : 0.0);
    } else if (auto* whole = qobject_cast<QSpinBox*>(e.widget)) {
        whole->setValue(value.is_number() ? int(value.get<double>()) : 0);
    } else if (auto* check = qobject_cast<QCheckBox*>(e.widget)) {
        check->setChecked(value.is_boolean() && value.get<bool>());
    } else if (auto* combo = qobject_cast<QComboBox*>(e.widget)) {
        combo->setCurrentText(value.is_string() ? QString::fromStdString(value.get<std::string>())
                                                : QString());
    } else if (auto* line = qobject_cast<QLineEdit*>(e.widget)) {
        line->setText(value.is_string() ? QString::fromStdString(value.get<std::string>())
                                        : QString());
    }
}

Json AugmentPolicyEditor::valueOf(const Editor& e) const {
    if (auto* real = qobject_cast<QDoubleSpinBox*>(e.widget))
        return real->value();
    if (auto* whole = qobject_cast<QSpinBox*>(e.widget))
        return whole->value();
    if (auto* check = qobject_cast<QCheckBox*>(e.widget))
        return check->isChecked();
    if (auto* combo = qobject_cast<QComboBox*>(e.widget))
        return combo->currentText().toStdString();
    if (auto* line = qobject_cast<QLineEdit*>(e.widget))
        return line->text().toStdString();
    return e.spec.defaultValue;
}

Json AugmentPolicyEditor::values() const {
    Json out = Json::object();
    for (const QString& path : m_order)
        out[path.toStdString()] = valueOf(m_editors[path]);
    return out;
}

int AugmentPolicyEditor::widestHint() const {
    const QMargins m = m_layout->contentsMargins();
    int widest = 0;
    for (int i = 0; i < m_layout->count(); ++i)
        if (const QWidget* w = m_layout->itemAt(i)->widget())
            widest = std::max(widest, w->sizeHint().width());
    return widest + m.left() + m.right();
}

QCheckBox* AugmentPolicyEditor::enabledBox(const QString& name) const {
    return m_boxes.value(name);
}

QWidget* AugmentPolicyEditor::editor(const QString& path) const {
    const auto it = m_editors.constFind(path);
    return it == m_editors.constEnd() ? nullptr : it->widget;
}

} // namespace ps
