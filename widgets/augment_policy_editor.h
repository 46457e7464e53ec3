#pragma once
// Lets a person try an augmentation policy before running it (the augmentation preview's
// "policy" mode): one check box per augmentation the task declares (augment.<name>.enabled),
// and under a checked one, editors for its other settings (strength, probability, ...) with
// the declared bounds and help. Generated from the task's SettingSpecs, so a new augmentation
// in the task's spec appears here without a change. GUI thread only.

#include "core/space/setting_spec.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QVBoxLayout;

namespace ps {

class AugmentPolicyEditor : public QWidget {
    Q_OBJECT

public:
    explicit AugmentPolicyEditor(QWidget* parent = nullptr);

    // Rebuilds the editor from the task's settings under `augment.` (others are ignored).
    void setSpecs(const std::vector<SettingSpec>& specs);
    // Shows the augment.* values of `settings` (a task settings object, nested as a study's
    // task section; what it lacks shows its default) with `params` (dotted names) on top.
    void setValues(const Json& settings, const Json& params = Json::object());
    // Every augment.* setting as dotted name -> value.
    Json values() const;
    bool isEmpty() const { return m_editors.isEmpty(); }
    // The width the editor needs with every augmentation open (a hidden block's settings
    // count too, so opening one never needs more room).
    int widestHint() const;

    // The check box of augmentation `name` ("rotation"); null when there is none.
    QCheckBox* enabledBox(const QString& name) const;
    // The editor of setting `path` ("augment.rotation.degrees"); null when there is none.
    QWidget* editor(const QString& path) const;

Q_SIGNALS:
    void changed();

private:
    struct Editor {
        SettingSpec spec;
        QWidget* widget = nullptr;
    };
    Json valueOf(const Editor& e) const;
    void show(Editor& e, const Json& value);

    QVBoxLayout* m_layout;
    QHash<QString, Editor> m_editors;   // by path
    QHash<QString, QCheckBox*> m_boxes; // augmentation name -> its on/off box
    std::vector<QString> m_order;       // paths as declared
    bool m_loading = false;             // setValues is filling the editors
};

} // namespace ps
