// The editable study file: every example survives fromYaml -> toYaml with the same parsed
// config, edits made through the model come out as the parser reads them, sections the model
// does not know are kept, and what it cannot hold is refused with its line and key.

#include "core/execution/task.h"
#include "core/space/study_document.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace ps;

namespace {

std::string readText(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

StudyConfig parse(const std::string& text) {
    return parseStudyText(text, "t.yaml", PS_SOURCE_DIR "/resources/examples",
                          TaskCatalog::withBuiltins(), false);
}

Json paramJson(const ParamSpec& p) {
    return {
        {"name", p.name},       {"type", toText(p.type)}, {"low", p.low},
        {"high", p.high},       {"log", p.log},           {"step", p.step ? Json(*p.step) : Json()},
        {"choices", p.choices}, {"fixed", p.fixed},       {"when", p.when}};
}

// Every part of a config a study file decides, as JSON, so a difference prints readably.
Json configJson(const StudyConfig& c) {
    Json out;
    out["name"] = c.name;
    out["description"] = c.description;
    out["taskKind"] = c.taskKind;
    out["task"] = c.task;
    for (const auto& p : c.space.params)
        out["space"].push_back(paramJson(p));
    out["forbidden"] = c.space.forbidden;
    for (const auto& o : c.objectives)
        out["objectives"].push_back({o.metric, toText(o.direction)});
    for (const auto& k : c.constraints)
        out["constraints"].push_back(
            {k.metric, k.min ? Json(*k.min) : Json(), k.max ? Json(*k.max) : Json()});
    out["sampler"] = {c.sampler.kind, c.sampler.seed, c.sampler.options};
    out["scheduler"] = {c.scheduler.kind, c.scheduler.options};
    out["budget"] = {c.budget.trials, c.budget.parallel, c.budget.timeoutSeconds};
    out["executor"] = {c.workers, c.maxAttempts, c.heartbeatTimeoutSeconds};
    out["storage"] = c.storageUrl;
    return out;
}

} // namespace

class TestStudyDocument : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripKeepsEveryExample_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(PS_SOURCE_DIR "/resources/examples");
        const auto files = dir.entryList({"*.yaml"}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 13);
        for (const auto& f : files)
            QTest::newRow(qPrintable(f)) << dir.filePath(f);
    }
    void roundTripKeepsEveryExample() {
        QFETCH(QString, file);
        const std::string text = readText(file);
        QVERIFY(!text.empty());
        const std::string written = StudyDocument::fromYaml(text, file.toStdString()).toYaml();
        const Json before = configJson(parse(text));
        Json after;
        try {
            after = configJson(parse(written));
        } catch (const StudyFileError& e) {
            QFAIL(qPrintable(QString("the written file does not parse: %1\n%2")
                                 .arg(e.what(), QString::fromStdString(written))));
        }
        QVERIFY2(before == after,
                 qPrintable(QString::fromStdString(before.dump(1) + "\n---\n" + after.dump(1) +
                                                   "\n" + written)));
        // and writing is stable: a second round trip changes nothing
        QCOMPARE(StudyDocument::fromYaml(written).toYaml(), written);
    }

    void writesReadableYaml() {
        const std::string text = readText(PS_SOURCE_DIR "/resources/examples/fmnist-demo.yaml");
        const std::string written = StudyDocument::fromYaml(text).toYaml();
        // the header comment stays, parameters are one flow line each and line up, the task's
        // groups keep the file's key order, numbers read as written
        QVERIFY(written.rfind("# The demo study", 0) == 0);
        QVERIFY2(written.find("  optimizer.lr:       {type: float, low: 1.0e-4, high: 0.3, log: "
                              "true}\n") != std::string::npos,
                 written.c_str());
        QVERIFY(written.find("  dataset: {name: fashion-mnist, subset: 12000, val_fraction: 0.2, "
                             "seed: 0}\n") != std::string::npos);
        QVERIFY(written.find("sampler: {kind: tpe, seed: 1, n_startup_trials: 8}\n") !=
                std::string::npos);
        QVERIFY(written.find("  - {metric: val_loss, direction: minimize}\n") != std::string::npos);
        // strings that would read as numbers or flow syntax are quoted
        const std::string command =
            StudyDocument::fromYaml(readText(PS_SOURCE_DIR "/resources/examples/command.yaml"))
                .toYaml();
        QVERIFY2(
            command.find(
                R"(command: [python3, command/train.py, --lr, "{param.lr}", --epochs, "9"])") !=
                std::string::npos,
            command.c_str());
        QVERIFY(command.find(R"(env: {PYTHONHASHSEED: "0"})") != std::string::npos);
    }

    void editsComeOutAsParsed() {
        StudyDocument d =
            StudyDocument::fromYaml(readText(PS_SOURCE_DIR "/resources/examples/fmnist-demo.yaml"));
        // change a bound
        ParamEntry* lr = d.findParam("optimizer.lr");
        QVERIFY(lr);
        lr->high = 0.05;
        // add a parameter, conditional on another
        ParamEntry wd;
        wd.name = "optimizer.weight_decay";
        wd.type = "float";
        wd.low = 0.0;
        wd.high = 0.01;
        wd.step = 0.001;
        wd.when = {{"optimizer.kind", "adam"}};
        d.space.push_back(wd);
        // change the sampler: its old options go with it
        d.samplerKind = "gp";
        d.samplerOptions = {{"n_startup_trials", 4}};
        d.samplerSeed = 9;
        // a task setting, in a group the file already has and in one it has not
        d.setTaskSetting("model.width", 64);
        d.setTaskSetting("schedule.kind", "cosine");
        d.budgetTrials = 12;
        const StudyConfig c = parse(d.toYaml());
        QCOMPARE(c.space.find("optimizer.lr")->high, 0.05);
        const ParamSpec* w = c.space.find("optimizer.weight_decay");
        QVERIFY(w);
        QCOMPARE(w->step.value_or(0), 0.001);
        QVERIFY(w->when == Json({{"optimizer.kind", "adam"}}));
        QCOMPARE(c.sampler.kind, std::string("gp"));
        QCOMPARE(c.sampler.seed, std::uint64_t{9});
        QVERIFY(c.sampler.options["n_startup_trials"] == 4);
        QVERIFY(c.task["model"]["width"] == 64);
        QVERIFY(c.task["model"]["depth"] == 2); // its neighbours stay
        QVERIFY(c.task["schedule"]["kind"] == "cosine");
        QCOMPARE(c.budget.trials, 12);
        QCOMPARE(c.space.params.size(), std::size_t{7});
    }

    void taskSettingsOnlyWhatWasSet() {
        StudyDocument d = StudyDocument::fromYaml("name: t\ntask:\n  kind: noop\n  "
                                                  "model.width: 3\n  a: {b: {c: 1}}\n");
        // a dotted key and a nested group are both found, and removing leaves no empty group
        QVERIFY(d.taskSetting("model.width") == 3);
        QVERIFY(d.taskSetting("a.b.c") == 1);
        QVERIFY(d.taskSetting("a.b.x").is_null());
        d.setTaskSetting("a.b.c", nullptr);
        QVERIFY(!d.task.contains("a"));
        d.setTaskSetting("model.width", 5);
        QVERIFY(d.task == Json({{"model", {{"width", 5}}}}));
        QVERIFY(d.toYaml().find("  model: {width: 5}\n") != std::string::npos);
        // the template is a valid study with only what it sets written
        const StudyDocument t = StudyDocument::newStudyTemplate("my-study");
        const StudyConfig c = parse(t.toYaml());
        QCOMPARE(c.name, std::string("my-study"));
        QCOMPARE(c.taskKind, std::string("classify"));
        QVERIFY(!t.task.contains("batch_size"));
    }

    void unknownSectionsAreKept() {
        const std::string text = "name: t\ntask: {kind: noop}\nspace:\n  x: {type: float, low: "
                                 "0, high: 1, hgih: 2}\nobjectives: [{metric: loss}]\n"
                                 "dashboard: {theme: dark, panels: [a, b]}\n";
        const StudyDocument d = StudyDocument::fromYaml(text);
        QCOMPARE(d.otherSections.size(), std::size_t{1});
        QCOMPARE(d.otherSections[0].first, std::string("dashboard"));
        const std::string out = d.toYaml();
        QVERIFY2(out.find("dashboard: {theme: dark, panels: [a, b]}\n") != std::string::npos,
                 out.c_str());
        QVERIFY(out.find("hgih: 2") != std::string::npos);
        // the parser still refuses both, at their keys: the editor does not hide mistakes
        const auto refusedAt = [](const std::string& yaml) {
            try {
                parse(yaml);
            } catch (const StudyFileError& e) {
                return e.key();
            }
            return std::string("(accepted)");
        };
        QCOMPARE(refusedAt(out), std::string("dashboard"));
        StudyDocument fixed = d;
        fixed.otherSections.clear();
        QCOMPARE(refusedAt(fixed.toYaml()), std::string("space.x.hgih"));
        fixed.space[0].other = Json::object();
        QCOMPARE(refusedAt(fixed.toYaml()), std::string("(accepted)"));
    }

    void quotingAndNumbers_data() {
        QTest::addColumn<QString>("json");
        for (const char* j : {R"("9")",
                              R"("true")",
                              R"("null")",
                              R"("")",
                              R"(" padded ")",
                              R"("a: b")",
                              R"("x # y")",
                              R"("-")",
                              R"("--flag")",
                              R"("1e3")",
                              R"("0x10")",
                              R"("line\nbreak")",
                              "\"quote \\\" and \\\\\"",
                              R"("{param.lr}")",
                              R"("a,b")",
                              R"("cuda:0")",
                              "0.1",
                              "1.0",
                              "1e-4",
                              "6.103515625e-05",
                              "1e300",
                              "-2.5",
                              "12",
                              "-7",
                              "true",
                              R"([1, "1", 1.5, "x y", [true]])",
                              R"({"k": "v", "n": 2})"})
            QTest::newRow(j) << QString(j);
    }
    void quotingAndNumbers() {
        // every value reads back as itself, in a flow list and as a block value
        QFETCH(QString, json);
        const Json value = Json::parse(json.toStdString());
        const std::string flow = toYamlFlow(value);
        const Json back = fromYamlFlow(flow);
        QVERIFY2(back == value && back.is_number_float() == value.is_number_float() &&
                     std::string(back.type_name()) == value.type_name(),
                 qPrintable(QString::fromStdString(flow + " -> " + back.dump())));
        StudyDocument d;
        d.name = "t";
        d.taskKind = "noop";
        d.task["v"] = value;
        QVERIFY(StudyDocument::fromYaml(d.toYaml()).task["v"] == value);
        if (value.is_string()) {
            d.description = value.get<std::string>();
            QCOMPARE(StudyDocument::fromYaml(d.toYaml()).description, d.description);
        }
    }

    void commentsAreCounted() {
        const std::string text = "# header\n# more\n\nname: t # inline\n# own line\n"
                                 "task: {kind: noop, command: [\"a # not\", 'b #c']}\n";
        QCOMPARE(commentLines(text), 2);
        const StudyDocument d = StudyDocument::fromYaml(text);
        QCOMPARE(d.headerComment, std::string("# header\n# more\n"));
        QVERIFY(d.toYaml().rfind("# header\n# more\nname: t\n", 0) == 0);
        QCOMPARE(commentLines(d.toYaml()), 0);
        QCOMPARE(commentLines(readText(PS_SOURCE_DIR "/resources/examples/noop.yaml")), 0);
        QVERIFY(commentLines(readText(PS_SOURCE_DIR "/resources/examples/space-features.yaml")) >=
                4);
    }

    void badInputIsRefused_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("key");
        QTest::newRow("syntax") << "name: t\ntask: {kind: noop\n" << 3 << "";
        QTest::newRow("empty") << "" << 0 << "";
        QTest::newRow("root is a list") << "- a\n- b\n" << 1 << "";
        QTest::newRow("twice") << "name: a\nname: b\n" << 2 << "name";
        QTest::newRow("task not a map") << "name: a\ntask: noop\n" << 2 << "task";
        QTest::newRow("param not a map") << "name: a\nspace:\n  x: 3\n" << 3 << "space.x";
        QTest::newRow("objective key") << "name: a\nobjectives:\n  - {metric: loss, goal: min}\n"
                                       << 3 << "objectives[0].goal";
        QTest::newRow("both objectives")
            << "name: a\nobjective: {metric: loss}\nobjectives: [{metric: loss}]\n"
            << 3 << "objectives";
        QTest::newRow("budget key") << "name: a\nbudget: {trials: 3, hours: 2}\n"
                                    << 2 << "budget.hours";
        QTest::newRow("name a list") << "name: [a]\n" << 1 << "name";
    }
    void badInputIsRefused() {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(QString, key);
        try {
            StudyDocument::fromYaml(text.toStdString(), "bad.yaml");
            QFAIL("accepted");
        } catch (const StudyFileError& e) {
            QCOMPARE(e.file(), std::string("bad.yaml"));
            QCOMPARE(e.line(), line);
            QCOMPARE(QString::fromStdString(e.key()), key);
            QVERIFY(!e.message().empty());
        }
    }
};

QTEST_GUILESS_MAIN(TestStudyDocument)
#include "tst_study_document.moc"
