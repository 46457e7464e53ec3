// The study editor, offscreen: an example file shows in the forms, edits made through the
// widgets are saved and parse as expected, an invalid edit is shown at its field and leaves
// the file alone, a new study starts valid.

#include "core/execution/task.h"
#include "core/space/study_file.h"
#include "widgets/setting_form.h"
#include "widgets/space_table.h"
#include "widgets/study_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace ps;

namespace {

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A copy of an example in `dir`, so saving never touches the source tree.
QString copyExample(const QTemporaryDir& dir, const QString& name) {
    const QString to = dir.filePath(name);
    QFile::copy(QString(PS_SOURCE_DIR "/resources/examples/") + name, to);
    QFile(to).setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    return to;
}

int rowOf(SpaceTable* space, const QString& name) {
    for (int r = 0; r < space->table()->rowCount(); ++r) {
        if (static_cast<QLineEdit*>(space->cell(r, SpaceTable::Name))->text() == name)
            return r;
    }
    return -1;
}

// Types into a line edit as a user would, so textEdited fires.
void retype(QWidget* w, const QString& text) {
    auto* edit = qobject_cast<QLineEdit*>(w);
    QVERIFY(edit);
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
}

} // namespace

class TestStudyEditor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void formsShowTheFileAndEditsAreSaved() {
        QTemporaryDir dir;
        const QString path = copyExample(dir, "fmnist-demo.yaml");
        StudyEditor editor;
        QString error;
        QVERIFY2(editor.openFile(path, &error), qPrintable(error));
        // the forms show the file
        QCOMPARE(editor.findChild<QLineEdit*>("name")->text(), QString("fmnist-mlp-demo"));
        QCOMPARE(editor.findChild<QComboBox*>("taskKind")->currentText(), QString("classify"));
        auto* taskForm = editor.findChild<SettingForm*>("taskForm");
        auto* epochs = qobject_cast<QSpinBox*>(taskForm->editor("epochs"));
        QVERIFY(epochs);
        QCOMPARE(epochs->value(), 9);
        QVERIFY(taskForm->values().contains("model.activation"));
        QVERIFY(!taskForm->values().contains("model.norm")); // a default, not written
        auto* space = editor.findChild<SpaceTable*>("space");
        QCOMPARE(space->table()->rowCount(), 6);
        const int lr = rowOf(space, "optimizer.lr");
        QVERIFY(lr >= 0);
        QCOMPARE(static_cast<QLineEdit*>(space->cell(lr, SpaceTable::Low))->text(),
                 QString("1.0e-4"));
        QVERIFY(space->cell(lr, SpaceTable::Log)->findChild<QCheckBox*>()->isChecked());
        const int momentum = rowOf(space, "optimizer.momentum");
        QCOMPARE(static_cast<QLineEdit*>(space->cell(momentum, SpaceTable::Condition))->text(),
                 QString("optimizer.kind: sgd"));
        auto* samplerKind = editor.findChild<QComboBox*>("samplerKind");
        QCOMPARE(samplerKind->currentText(), QString("tpe"));
        auto* startup = qobject_cast<QSpinBox*>(
            editor.findChild<SettingForm*>("samplerForm")->editor("n_startup_trials"));
        QVERIFY(startup);
        QCOMPARE(startup->value(), 8);
        QCOMPARE(editor.findChild<QComboBox*>("schedulerKind")->currentText(),
                 QString("hyperband"));
        // the preview is what Save writes, and nothing changed yet
        const QString unchanged = editor.findChild<QPlainTextEdit*>("yaml")->toPlainText();
        QCOMPARE(unchanged, editor.yamlText());

        // change a bound, a task setting and the sampler through the widgets
        retype(space->cell(lr, SpaceTable::High), "0.05");
        epochs->setValue(7);
        samplerKind->setCurrentText("sobol");
        QVERIFY(editor.findChild<QPlainTextEdit*>("yaml")->toPlainText() != unchanged);
        QVERIFY2(editor.saveAs(path), qPrintable(editor.errorText()));
        QCOMPARE(editor.savedPath(), path);

        const StudyConfig c =
            parseStudyFile(path.toStdString(), TaskCatalog::withBuiltins(), false);
        QCOMPARE(c.space.find("optimizer.lr")->high, 0.05);
        QCOMPARE(c.space.find("optimizer.lr")->low, 1e-4);
        QVERIFY(c.task["epochs"] == 7);
        QCOMPARE(c.sampler.kind, std::string("sobol"));
        QCOMPARE(c.sampler.seed, std::uint64_t{1});               // the seed stays
        QVERIFY(!c.sampler.options.contains("n_startup_trials")); // tpe's options went
        // everything else as it was
        const StudyConfig before =
            parseStudyFile(PS_SOURCE_DIR "/resources/examples/fmnist-demo.yaml",
                           TaskCatalog::withBuiltins(), false);
        QCOMPARE(c.space.params.size(), before.space.params.size());
        QVERIFY(c.space.find("optimizer.momentum")->when ==
                before.space.find("optimizer.momentum")->when);
        QVERIFY(c.scheduler.options == before.scheduler.options);
        QCOMPARE(c.budget.trials, before.budget.trials);
        QCOMPARE(c.objectives.size(), std::size_t{1});
        Json task = c.task, beforeTask = before.task;
        task["epochs"] = beforeTask["epochs"];
        QVERIFY(task == beforeTask);
    }

    void anInvalidEditIsShownAndNotWritten() {
        QTemporaryDir dir;
        const QString path = copyExample(dir, "noop.yaml");
        const QByteArray original = readAll(path);
        StudyEditor editor;
        QVERIFY(editor.openFile(path));
        auto* space = editor.findChild<SpaceTable*>("space");
        const int y = rowOf(space, "y");
        QVERIFY(y >= 0);
        // log scale from a negative low bound: the parser refuses it
        retype(space->cell(y, SpaceTable::Low), "-1");
        QVERIFY(!editor.saveAs(path));
        QCOMPARE(readAll(path), original);
        QVERIFY2(editor.errorText().contains("space.y.low") &&
                     editor.errorText().contains("log-scale") &&
                     editor.errorText().contains("line "),
                 qPrintable(editor.errorText()));
        QVERIFY(!space->cell(y, SpaceTable::Low)->styleSheet().isEmpty()); // at the field
        QCOMPARE(editor.findChild<QTabWidget*>()->currentIndex(), 1);
        // text that is not YAML in a values cell is refused before the parser runs
        const int z = rowOf(space, "z");
        editor.findChild<QTabWidget*>()->setCurrentIndex(0);
        retype(space->cell(y, SpaceTable::Low), "0.001");
        static_cast<QComboBox*>(space->cell(z, SpaceTable::Type))->setCurrentText("categorical");
        retype(space->cell(z, SpaceTable::Values), "1, [2");
        QVERIFY(!editor.validate());
        QVERIFY2(editor.errorText().contains("not YAML"), qPrintable(editor.errorText()));
        QCOMPARE(readAll(path), original);
        // fixed, it saves
        retype(space->cell(z, SpaceTable::Values), "1, 2");
        QVERIFY2(editor.saveAs(path), qPrintable(editor.errorText()));
        const StudyConfig c =
            parseStudyFile(path.toStdString(), TaskCatalog::withBuiltins(), false);
        QVERIFY(c.space.find("z")->choices == std::vector<Json>({1, 2}));
        // the task's settings show in their form
        auto* taskForm = editor.findChild<SettingForm*>("taskForm");
        auto* steps = qobject_cast<QSpinBox*>(taskForm->editor("steps"));
        QVERIFY(steps);
        QCOMPARE(steps->value(), 5);
        editor.findChild<QComboBox*>("samplerKind")->setCurrentText("grid");
        // a grid over two floats is larger than the budget: the parser says so at the sampler
        QVERIFY(!editor.validate());
        QVERIFY2(editor.errorText().contains("sampler"), qPrintable(editor.errorText()));
        QCOMPARE(editor.findChild<QTabWidget*>()->currentIndex(), 3);
    }

    void commentsAreAnnounced() {
        QTemporaryDir dir;
        const QString path = copyExample(dir, "space-features.yaml");
        StudyEditor editor;
        QVERIFY(editor.openFile(path));
        auto* note = editor.findChild<QLabel*>("commentNote");
        QVERIFY(!note->isHidden());
        QVERIFY(note->text().contains("comment"));
        // forbidden clauses, not in any form, survive the save
        QVERIFY(editor.saveAs(path));
        const StudyConfig c =
            parseStudyFile(path.toStdString(), TaskCatalog::withBuiltins(), false);
        QCOMPARE(c.space.forbidden.size(), std::size_t{2});
        QCOMPARE(c.constraints.size(), std::size_t{1});
        QVERIFY(note->isHidden()); // they are gone now, and the note with them
    }

    void newStudyStartsValid() {
        QTemporaryDir dir;
        StudyEditor editor;
        editor.setDocument(StudyDocument::newStudyTemplate("first"), {}, dir.path());
        QVERIFY2(editor.validate(), qPrintable(editor.errorText()));
        // a task setting changed through its form is written, the rest stays unwritten
        auto* taskForm = editor.findChild<SettingForm*>("taskForm");
        auto* norm = qobject_cast<QComboBox*>(taskForm->editor("model.norm"));
        QVERIFY(norm);
        norm->setCurrentText("layer");
        QVERIFY(
            editor.yamlText().contains("model: {kind: mlp, width: 128, depth: 2, norm: layer}"));
        QVERIFY(!editor.yamlText().contains("batch_size"));
        // objectives: a second one
        auto* objectives = editor.findChild<QTableWidget*>("objectives");
        QCOMPARE(objectives->rowCount(), 1);
        const QString path = dir.filePath("first.yaml");
        QVERIFY(editor.saveAs(path));
        const StudyConfig c =
            parseStudyFile(path.toStdString(), TaskCatalog::withBuiltins(), false);
        QCOMPARE(c.name, std::string("first"));
        QVERIFY(c.task["model"]["norm"] == "layer");
        QCOMPARE(c.space.params.size(), std::size_t{3});
        // pictures of every tab, to look at (PS_EDITOR_SHOTS=folder)
        const QString shots = qEnvironmentVariable("PS_EDITOR_SHOTS");
        if (!shots.isEmpty()) {
            StudyEditor shown;
            QVERIFY(shown.openFile(PS_SOURCE_DIR "/resources/examples/fmnist-demo.yaml"));
            shown.show();
            auto* tabs = shown.findChild<QTabWidget*>();
            for (int i = 0; i < tabs->count(); ++i) {
                tabs->setCurrentIndex(i);
                QTest::qWait(20);
                shown.grab().save(QDir(shots).filePath(QString("editor-%1.png").arg(i)));
            }
            retype(static_cast<QLineEdit*>(
                       shown.findChild<SpaceTable*>("space")->cell(0, SpaceTable::Low)),
                   "-3");
            shown.validate();
            QTest::qWait(20);
            shown.grab().save(QDir(shots).filePath("editor-error.png"));
        }
    }
};

QTEST_MAIN(TestStudyEditor)
#include "tst_study_editor.moc"
