#pragma once
// A form generated from SettingSpecs (task settings, sampler and scheduler options, the
// budget): a spin box with the declared bounds for numbers, a combo for choices, a check box
// for booleans, a one-line YAML edit for lists and maps, the help as tooltip. It knows which
// settings the study file sets: those have a bold name and a reset button, and only they are
// returned by values(); editing a setting sets it. GUI thread only.

#include "core/space/setting_spec.h"

#include <QHash>
#include <QWidget>

class QFormLayout;
class QLabel;
class QToolButton;

namespace ps {

class SettingForm : public QWidget {
    Q_OBJECT

public:
    explicit SettingForm(QWidget* parent = nullptr);

    // Rebuilds the form. `values` maps a setting's path to what the file sets ({} for none);
    // with `grouped`, settings are boxed by the first part of their path ("optimizer").
    void setSpecs(const std::vector<SettingSpec>& specs, const Json& values, bool grouped);
    // Path -> value of every setting that is set, as the user entered it.
    Json values() const { return m_values; }
    // The editor of setting `path`; null when the form has none.
    QWidget* editor(const QString& path) const;
    // Marks setting `path` as refused by the parser with `message`; false when not shown.
    bool markError(const QString& path, const QString& message);
    void clearErrors();
    // True when some one-line YAML edit holds text that is not YAML; `message` says which.
    bool hasInputError(QString* message = nullptr) const;

public Q_SLOTS:
    // Shows only the settings whose path contains `text` (all when empty).
    void setFilter(const QString& text);

Q_SIGNALS:
    void changed();

private:
    struct Row {
        SettingSpec spec;
        QLabel* label = nullptr;
        QFormLayout* form = nullptr; // the group's
        QWidget* editor = nullptr;
        QToolButton* reset = nullptr;
        QString inputError; // the YAML edit's text does not parse
    };
    QWidget* makeEditor(Row& row, const Json& value);
    void showValue(Row& row, const Json& value);
    void setValue(const QString& path, const Json& value); // null: unset
    void updateRow(Row& row);

    std::vector<std::unique_ptr<Row>> m_rows;
    QHash<QString, Row*> m_byPath;
    Json m_values = Json::object();
    QWidget* m_body = nullptr;
    std::vector<QWidget*> m_groups;
};

} // namespace ps
