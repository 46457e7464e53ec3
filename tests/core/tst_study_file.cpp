// The study-file parser: good files give the expected config; every bad one is refused with
// the file, the line and the key.

#include "core/execution/task.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>
#include <set>

using namespace ps;

namespace {

const char* kGood = R"(name: demo
description: a test
task:
  kind: classify
  dataset: {name: fashion-mnist, subset: 500, val_fraction: 0.2}
  model: {width: 32, depth: 1, activation: tanh}
  optimizer: {kind: sgd, lr: 0.1}
  epochs: 2
space:
  optimizer.lr: {type: float, low: 1.0e-4, high: 1.0, log: true}
  model.width: {type: categorical, values: [16, 32, 64]}
  model.depth: {type: int, low: 1, high: 3}
  optimizer.kind: {type: categorical, values: [sgd, adam]}
  optimizer.momentum: {type: float, low: 0.0, high: 0.9, step: 0.1, when: {optimizer.kind: sgd}}
objectives:
  - {metric: val_acc, direction: maximize}
sampler: {kind: random, seed: 7}
budget: {trials: 12, parallel: 3, timeout: 30m}
)";

} // namespace

class TestStudyFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void goodFile() {
        const auto catalog = TaskCatalog::withBuiltins();
        const StudyConfig c = parseStudyText(kGood, "good.yaml", "/tmp/x", catalog, false);
        QCOMPARE(c.name, std::string("demo"));
        QCOMPARE(c.taskKind, std::string("classify"));
        QCOMPARE(c.space.params.size(), std::size_t(5));
        const ParamSpec* lr = c.space.find("optimizer.lr");
        QVERIFY(lr);
        QCOMPARE(lr->type, ParamType::Float);
        QVERIFY(lr->log);
        QCOMPARE(lr->low, 1e-4);
        const ParamSpec* width = c.space.find("model.width");
        QCOMPARE(width->choices.size(), std::size_t(3));
        QVERIFY(width->choices[0].is_number_integer());
        const ParamSpec* momentum = c.space.find("optimizer.momentum");
        QCOMPARE(*momentum->step, 0.1);
        QVERIFY(momentum->when["optimizer.kind"] == Json("sgd"));
        QCOMPARE(c.objective().metric, std::string("val_acc"));
        QCOMPARE(c.objective().direction, Direction::Maximize);
        QCOMPARE(c.sampler.seed, std::uint64_t(7));
        QCOMPARE(c.budget.trials, 12);
        QCOMPARE(c.budget.parallel, 3);
        QCOMPARE(c.budget.timeoutSeconds, 1800.0);
        QCOMPARE(c.workers, 3);
        QCOMPARE(c.maxAttempts, 3); // defaults
        QCOMPARE(c.storageUrl, std::string("sqlite:/tmp/x/demo.db"));
        // defaults filled in, given values kept
        QCOMPARE(c.task["batch_size"].get<int>(), 128);
        QCOMPARE(c.task["dataset"]["subset"].get<int>(), 500);
        QCOMPARE(c.task["model"]["activation"].get<std::string>(), std::string("tanh"));
        // parameters land at their dotted paths
        const Json s = taskSettingsFor(c, Json{{"optimizer.lr", 0.5}, {"model.width", 64}});
        QCOMPARE(s["optimizer"]["lr"].get<double>(), 0.5);
        QCOMPARE(s["model"]["width"].get<int>(), 64);
        QCOMPARE(s["model"]["depth"].get<int>(), 1);
    }

    void noopFreeParameters() {
        const auto catalog = TaskCatalog::withBuiltins();
        const StudyConfig c = parseStudyText(
            "name: n\ntask: {kind: noop, steps: 2}\nspace:\n  x: {type: float, low: 0, high: "
            "1}\n  c: {type: categorical, values: [a, \"1\", 2]}\nobjective: {metric: loss}\n"
            "storage: other/place.db\n",
            "n.yaml", "/base", catalog);
        QCOMPARE(c.space.params.size(), std::size_t(2));
        QVERIFY(c.space.params[1].choices[1].is_string()); // quoted stays a string
        QVERIFY(c.space.params[1].choices[2].is_number_integer());
        QCOMPARE(c.storageUrl, std::string("sqlite:/base/other/place.db"));
    }

    void tpeSamplerOptions() {
        const auto catalog = TaskCatalog::withBuiltins();
        const StudyConfig c =
            parseStudyText("name: t\ntask: {kind: noop}\nobjectives: [{metric: loss}]\n"
                           "sampler: {kind: tpe, n_startup_trials: 5, multivariate: true}\n",
                           "t.yaml", "/tmp", catalog, false);
        QCOMPARE(c.sampler.kind, std::string("tpe"));
        QVERIFY(c.sampler.options["n_startup_trials"] == Json(5));
        QVERIFY(c.sampler.options["multivariate"] == Json(true));
        // the others filled with their defaults
        QVERIFY(c.sampler.options["n_ei_candidates"] == Json(24));
        QVERIFY(c.sampler.options["constant_liar"] == Json(false));
        QVERIFY(c.sampler.options["prior_weight"] == Json(1.0));
        QVERIFY(c.sampler.options["consider_endpoints"] == Json(false));
        QVERIFY(c.sampler.options["consider_magic_clip"] == Json(true));
        QCOMPARE(c.sampler.options.size(), std::size_t(7));
    }

    void badFile_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("message");
        const QString head = "name: s\ntask: {kind: noop}\nobjectives: [{metric: loss}]\n";
        QTest::newRow("unknown top key") << head + "samplr: {kind: random}\n"
                                         << 4 << "samplr"
                                         << "unknown key";
        QTest::newRow("low > high") << head + "space:\n  x: {type: float, low: 2, high: 1}\n"
                                    << 5 << "space.x.low"
                                    << "low (2) is greater than high (1)";
        QTest::newRow("log with low 0")
            << head + "space:\n  x: {type: float, low: 0, high: 1, log: true}\n"
            << 5 << "space.x.low"
            << "needs low > 0";
        QTest::newRow("wrong type of low")
            << head + "space:\n  x: {type: float, low: abc, high: 1}\n"
            << 5 << "space.x.low"
            << "must be a number";
        QTest::newRow("unknown param type")
            << head + "space:\n  x: {type: double, low: 0, high: 1}\n"
            << 5 << "space.x.type"
            << "not a parameter type";
        QTest::newRow("unknown param key")
            << head + "space:\n  x: {type: float, low: 0, high: 1, lgo: true}\n"
            << 5 << "space.x.lgo"
            << "unknown key";
        QTest::newRow("int with fractional bound")
            << head + "space:\n  x: {type: int, low: 0.5, high: 3}\n"
            << 5 << "space.x"
            << "whole-number";
        QTest::newRow("empty categorical")
            << head + "space:\n  x: {type: categorical, values: []}\n"
            << 5 << "space.x.values"
            << "non-empty list";
        QTest::newRow("condition on unknown parent")
            << head + "space:\n  x: {type: float, low: 0, high: 1, when: {y: 1}}\n"
            << 5 << "space.x.when.y"
            << "names no parameter";
        QTest::newRow("missing name") << "task: {kind: noop}\nobjective: {metric: loss}\n"
                                      << 1 << "name"
                                      << "is missing";
        QTest::newRow("bad name") << "name: a b\ntask: {kind: noop}\nobjective: {metric: loss}\n"
                                  << 1 << "name"
                                  << "not a valid study name";
        QTest::newRow("unknown task") << "name: s\ntask: {kind: trian}\n"
                                      << 2 << "task.kind"
                                      << "unknown task kind 'trian'";
        QTest::newRow("unknown task setting")
            << "name: s\ntask:\n  kind: classify\n  model: {widht: 3}\nobjective: {metric: "
               "val_loss}\n"
            << 4 << "task.model.widht"
            << "unknown setting";
        QTest::newRow("setting out of range")
            << "name: s\ntask:\n  kind: classify\n  epochs: 0\nobjective: {metric: val_loss}\n"
            << 4 << "task.epochs"
            << "out of range";
        QTest::newRow("setting wrong choice")
            << "name: s\ntask:\n  kind: classify\n  optimizer: {kind: lbfgs}\nobjective: "
               "{metric: val_loss}\n"
            << 4 << "task.optimizer.kind"
            << "not one of";
        QTest::newRow("param not a setting")
            << "name: s\ntask: {kind: classify}\nobjective: {metric: val_loss}\nspace:\n  "
               "optimizer.lrr: {type: float, low: 0.1, high: 1}\n"
            << 5 << "space.optimizer.lrr"
            << "is not a setting";
        QTest::newRow("param outside setting range")
            << "name: s\ntask: {kind: classify}\nobjective: {metric: val_loss}\nspace:\n  "
               "model.depth: {type: int, low: 0, high: 3}\n"
            << 5 << "space.model.depth.low"
            << "out of range";
        QTest::newRow("float param for int setting")
            << "name: s\ntask: {kind: classify}\nobjective: {metric: val_loss}\nspace:\n  "
               "model.width: {type: float, low: 1, high: 3}\n"
            << 5 << "space.model.width.type"
            << "use type: int";
        QTest::newRow("categorical value not allowed")
            << "name: s\ntask: {kind: classify}\nobjective: {metric: val_loss}\nspace:\n  "
               "optimizer.kind: {type: categorical, values: [sgd, rmsprop]}\n"
            << 5 << "space.optimizer.kind.values"
            << "'rmsprop' is not one of";
        QTest::newRow("objective metric unknown")
            << "name: s\ntask: {kind: classify}\nobjectives: [{metric: val_los}]\n"
            << 3 << "objectives[0].metric"
            << "does not report 'val_los'";
        QTest::newRow("bad direction")
            << "name: s\ntask: {kind: noop}\nobjective: {metric: loss, direction: up}\n"
            << 3 << "objective.direction"
            << "not minimize or maximize";
        QTest::newRow("no objective") << "name: s\ntask: {kind: noop}\n"
                                      << 1 << "objectives"
                                      << "is missing";
        QTest::newRow("unknown sampler") << head + "sampler: {kind: annealing}\n"
                                         << 4 << "sampler.kind"
                                         << "unknown sampler 'annealing'";
        QTest::newRow("unknown sampler option") << head + "sampler: {kind: tpe, n_startup: 5}\n"
                                                << 4 << "sampler.n_startup"
                                                << "unknown key";
        QTest::newRow("budget zero") << head + "budget: {trials: 0}\n"
                                     << 4 << "budget.trials"
                                     << "must be between";
        QTest::newRow("budget not a number") << head + "budget: {trials: many}\n"
                                             << 4 << "budget.trials"
                                             << "must be a number";
        QTest::newRow("bad timeout") << head + "budget: {timeout: soon}\n"
                                     << 4 << "budget.timeout"
                                     << "not a duration";
        QTest::newRow("duplicate key") << head + "name: t\n"
                                       << 4 << "name"
                                       << "given twice";
        QTest::newRow("yaml syntax") << "name: [unclosed\n"
                                     << 2 << ""
                                     << "";
        QTest::newRow("bad max_attempts") << head + "executor: {max_attempts: 0}\n"
                                          << 4 << "executor.max_attempts"
                                          << "between 1 and 100";
        QTest::newRow("short heartbeat timeout") << head + "executor: {heartbeat_timeout: 1s}\n"
                                                 << 4 << "executor.heartbeat_timeout"
                                                 << "at least 5s";
        QTest::newRow("unknown storage") << head + "storage: postgresql://x/y\n"
                                         << 4 << "storage"
                                         << "only sqlite";
    }

    void badFile() {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(QString, key);
        QFETCH(QString, message);
        const auto catalog = TaskCatalog::withBuiltins();
        try {
            parseStudyText(text.toStdString(), "bad.yaml", "/tmp", catalog, false);
            QFAIL("the file was accepted");
        } catch (const StudyFileError& e) {
            const QString what = QString::fromStdString(e.what());
            QCOMPARE(QString::fromStdString(e.file()), QString("bad.yaml"));
            QVERIFY2(what.startsWith("bad.yaml:" + QString::number(line) + ":"), qPrintable(what));
            QCOMPARE(QString::fromStdString(e.key()), key);
            QVERIFY2(what.contains(message), qPrintable(what));
        }
    }

    void missingDatasetIsRefused() {
        const auto catalog = TaskCatalog::withBuiltins();
        try {
            parseStudyText("name: s\ntask:\n  kind: classify\n  dataset: {path: /nonexistent/fm}\n"
                           "objective: {metric: val_loss}\n",
                           "d.yaml", "/tmp", catalog, true);
            QFAIL("a missing dataset was accepted");
        } catch (const StudyFileError& e) {
            QCOMPARE(e.line(), 4);
            QCOMPARE(e.key(), std::string("task.dataset.path"));
            QVERIFY(QString(e.what()).contains("/nonexistent/fm/train-images-idx3-ubyte.gz"));
        }
    }

    void gridMustFitTheBudget() {
        const auto catalog = TaskCatalog::withBuiltins();
        const std::string head = "name: g\ntask: {kind: noop}\nobjective: {metric: loss}\n"
                                 "space:\n  a: {type: int, low: 1, high: 4}\n"
                                 "  b: {type: categorical, values: [x, y, z]}\n";
        // 12 points, 10 trials: refused, naming both numbers
        try {
            parseStudyText(head + "sampler: {kind: grid}\nbudget: {trials: 10}\n", "g.yaml", "/tmp",
                           catalog);
            QFAIL("a grid larger than the budget was accepted");
        } catch (const StudyFileError& e) {
            QCOMPARE(e.line(), 7);
            QVERIFY2(QString(e.what()).contains("12 points but budget.trials is 10"), e.what());
        }
        // ... unless told to truncate
        auto c = parseStudyText(head + "sampler: {kind: grid, truncate: true}\nbudget: {trials: "
                                       "10}\n",
                                "g.yaml", "/tmp", catalog);
        QCOMPARE(c.budget.trials, 10);
        // a budget larger than the grid runs every point once
        c = parseStudyText(head + "sampler: {kind: grid}\nbudget: {trials: 50}\n", "g.yaml", "/tmp",
                           catalog);
        QCOMPARE(c.budget.trials, 12);
    }

    void unreadableFile() {
        const auto catalog = TaskCatalog::withBuiltins();
        QVERIFY_THROWS_EXCEPTION(StudyFileError,
                                 parseStudyFile("/nonexistent/study.yaml", catalog));
    }

    void exampleFilesParse() {
        const auto catalog = TaskCatalog::withBuiltins();
        for (const char* f : {"noop.yaml", "fmnist-demo.yaml", "command.yaml"}) {
            const std::string path = std::string(PS_SOURCE_DIR) + "/resources/examples/" + f;
            const StudyConfig c = parseStudyFile(path, catalog, false);
            QVERIFY(!c.name.empty());
        }
    }
};

QTEST_GUILESS_MAIN(TestStudyFile)
#include "tst_study_file.moc"
