// The study-file parser: good files give the expected config; every bad one is refused with
// the file, the line and the key.

#include "core/execution/task.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QDir>
#include <QFile>
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
    void dataFilesAreTakenFromTheStudyFolder() {
        auto dir = test::makeTempDir();
        const auto catalog = TaskCatalog::withBuiltins();
        const std::string text = "name: t\ntask:\n  kind: classify\n  dataset: {name: csv, "
                                 "file: data/table.csv, target: y}\nobjectives: [{metric: "
                                 "val_loss}]\n";
        // the file is missing: refused at the key, with the resolved path
        try {
            parseStudyText(text, "t.yaml", dir.path().toStdString(), catalog, true);
            QFAIL("a missing CSV was accepted");
        } catch (const StudyFileError& e) {
            const QString what = e.what();
            QVERIFY2(what.contains("dataset.file") && what.contains(dir.filePath("data/table.csv")),
                     qPrintable(what));
        }
        QDir(dir.path()).mkpath("data");
        QFile f(dir.filePath("data/table.csv"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x,y\n1,a\n2,b\n");
        f.close();
        const StudyConfig c =
            parseStudyText(text, "t.yaml", dir.path().toStdString(), catalog, true);
        QCOMPARE(c.task["dataset"]["file"].get<std::string>(),
                 dir.filePath("data/table.csv").toStdString());
        // synthetic sets need no files; an unknown dataset is refused by its choices
        QVERIFY_THROWS_EXCEPTION(
            StudyFileError,
            parseStudyText("name: t\ntask: {kind: classify, dataset: {name: cifar}}\n"
                           "objectives: [{metric: val_loss}]\n",
                           "t.yaml", "/tmp", catalog, true));
        parseStudyText("name: t\ntask: {kind: classify, dataset: {name: spirals}}\n"
                       "objectives: [{metric: val_loss}]\n",
                       "t.yaml", "/tmp", catalog, true);
    }

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

    void fixedAndOrdinal() {
        const auto catalog = TaskCatalog::withBuiltins();
        const StudyConfig c =
            parseStudyText("name: n\ntask: {kind: noop}\nobjective: {metric: loss}\nspace:\n"
                           "  seed: {type: fixed, value: 7}\n"
                           "  tag: {type: fixed, value: \"7\"}\n"
                           "  size: {type: ordinal, values: [small, medium, large]}\n"
                           "  bits: {type: ordinal, values: [4, 8, 16]}\n"
                           "  rate: {type: fixed, value: 0.5, when: {size: [medium, large]}}\n",
                           "n.yaml", "/base", catalog);
        QCOMPARE(c.space.params.size(), std::size_t(5));
        const ParamSpec& seed = c.space.params[0];
        QVERIFY(seed.fixed);
        QCOMPARE(seed.type, ParamType::Categorical);
        QCOMPARE(seed.choices.size(), std::size_t(1));
        QVERIFY(seed.choices[0] == Json(7));
        QVERIFY(c.space.params[1].choices[0] == Json("7")); // quoted stays a string
        const ParamSpec& size = c.space.params[2];
        QCOMPARE(size.type, ParamType::Ordinal);
        QVERIFY(!size.fixed);
        QCOMPARE(size.choices.size(), std::size_t(3));
        QVERIFY(size.choices[2] == Json("large"));
        QCOMPARE(size.low, 0.0); // the index range
        QCOMPARE(size.high, 2.0);
        QVERIFY(c.space.params[3].choices[1] == Json(8));
        QVERIFY(c.space.params[4].fixed);
        QVERIFY(c.space.params[4].when["size"] == Json::array({"medium", "large"}));
        QCOMPARE(toText(ParamType::Ordinal), std::string_view("ordinal"));
    }

    // A parent may be declared after its child and may itself be conditional: the space comes
    // out ordered parents first, otherwise in declaration order.
    void nestedConditions() {
        const auto catalog = TaskCatalog::withBuiltins();
        const StudyConfig c =
            parseStudyText("name: n\ntask: {kind: noop}\nobjective: {metric: loss}\nspace:\n"
                           "  z: {type: float, low: 0, high: 1}\n"
                           "  c: {type: float, low: 0, high: 1, when: {b: on}}\n"
                           "  b: {type: categorical, values: [on, off], when: {a: [2, 3]}}\n"
                           "  a: {type: int, low: 1, high: 3}\n"
                           "  y: {type: ordinal, values: [s, m], when: {a: 1}}\n",
                           "n.yaml", "/base", catalog);
        std::vector<std::string> order;
        for (const auto& p : c.space.params)
            order.push_back(p.name);
        QCOMPARE(order, (std::vector<std::string>{"z", "a", "b", "c", "y"}));
        // active iff the whole chain is
        const ParamSpec& cs = *c.space.find("c");
        QVERIFY(SearchSpace::isActive(cs, Json{{"a", 2}, {"b", "on"}}));
        QVERIFY(!SearchSpace::isActive(cs, Json{{"a", 1}})); // b inactive, so c too
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
        QVERIFY(c.sampler.options["group"] == Json(false));
        QCOMPARE(c.sampler.options.size(), std::size_t(8));
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
        QTest::newRow("fixed without value") << head + "space:\n  x: {type: fixed}\n"
                                             << 5 << "space.x.value"
                                             << "is missing";
        QTest::newRow("fixed with a list value")
            << head + "space:\n  x: {type: fixed, value: [1, 2]}\n"
            << 5 << "space.x.value"
            << "must be a single value";
        QTest::newRow("fixed with low") << head + "space:\n  x: {type: fixed, value: 1, low: 0}\n"
                                        << 5 << "space.x.low"
                                        << "a fixed parameter takes value";
        QTest::newRow("value on a categorical")
            << head + "space:\n  x: {type: categorical, values: [a], value: a}\n"
            << 5 << "space.x.value"
            << "only fixed parameters take value";
        QTest::newRow("ordinal with low")
            << head + "space:\n  x: {type: ordinal, values: [1, 2], low: 0}\n"
            << 5 << "space.x.low"
            << "ordinal parameters take values";
        QTest::newRow("ordinal without values") << head + "space:\n  x: {type: ordinal}\n"
                                                << 5 << "space.x.values"
                                                << "is missing";
        QTest::newRow("empty ordinal") << head + "space:\n  x: {type: ordinal, values: []}\n"
                                       << 5 << "space.x.values"
                                       << "non-empty list";
        QTest::newRow("ordinal value twice")
            << head + "space:\n  x: {type: ordinal, values: [s, m, s]}\n"
            << 5 << "space.x.values"
            << "listed twice";
        QTest::newRow("ordinal value not allowed by the setting")
            << "name: s\ntask: {kind: classify}\nobjective: {metric: val_loss}\n"
               "space:\n  model.activation: {type: ordinal, values: [relu, swish]}\n"
            << 5 << "space.model.activation.values"
            << "'swish' is not one of";
        QTest::newRow("fixed value out of the setting's range")
            << "name: s\ntask: {kind: classify}\nobjective: {metric: val_loss}\n"
               "space:\n  optimizer.lr: {type: fixed, value: -1}\n"
            << 5 << "space.optimizer.lr.value"
            << "out of range";
        QTest::newRow("condition on itself")
            << head + "space:\n  x: {type: int, low: 0, high: 3, when: {x: 1}}\n"
            << 5 << "space.x.when.x"
            << "cannot depend on itself";
        QTest::newRow("conditions in a cycle")
            << head + "space:\n  a: {type: int, low: 0, high: 3, when: {b: 1}}\n"
                      "  b: {type: int, low: 0, high: 3, when: {a: 1}}\n"
            << 6 << "space.b.when.a"
            << "form a cycle: a -> b -> a";
        QTest::newRow("conditions in a longer cycle")
            << head + "space:\n  a: {type: categorical, values: [u, v], when: {c: 0.5}}\n"
                      "  b: {type: int, low: 0, high: 3, when: {a: u}}\n"
                      "  c: {type: float, low: 0, high: 1, when: {b: [1, 2]}}\n"
            << 6 << "space.b.when.a"
            << "form a cycle: a -> c -> b -> a";
        QTest::newRow("condition value not a choice of the parent")
            << head + "space:\n  c: {type: categorical, values: [x, y]}\n"
                      "  d: {type: float, low: 0, high: 1, when: {c: z}}\n"
            << 6 << "space.d.when.c"
            << "value \"z\" is not one c can take";
        QTest::newRow("condition value outside the parent's range")
            << head + "space:\n  n: {type: int, low: 0, high: 3}\n"
                      "  d: {type: float, low: 0, high: 1,\n"
                      "      when: {n: [1, 9]}}\n"
            << 7 << "space.d.when.n"
            << "value 9 is not one n can take";
        QTest::newRow("condition value off the parent's step")
            << head + "space:\n  n: {type: float, low: 0, high: 1, step: 0.25}\n"
                      "  d: {type: float, low: 0, high: 1, when: {n: 0.3}}\n"
            << 6 << "space.d.when.n"
            << "value 0.3 is not one n can take";
        QTest::newRow("condition value not an ordinal's value")
            << head + "space:\n  s: {type: ordinal, values: [small, large]}\n"
                      "  d: {type: fixed, value: 1, when: {s: medium}}\n"
            << 6 << "space.d.when.s"
            << "is not one s can take";
        QTest::newRow("condition with an empty list")
            << head + "space:\n  s: {type: ordinal, values: [small, large]}\n"
                      "  d: {type: fixed, value: 1, when: {s: []}}\n"
            << 6 << "space.d.when.s"
            << "at least one value";
        const QString ab = head + "space:\n  a: {type: categorical, values: [x, y, z]}\n"
                                  "  b: {type: int, low: 1, high: 3}\n";
        QTest::newRow("forbidden not a list") << ab + "forbidden: {a: x}\n"
                                              << 7 << "forbidden"
                                              << "must be a list of clauses";
        QTest::newRow("forbidden clause not a mapping") << ab + "forbidden: [a]\n"
                                                        << 7 << "forbidden[0]"
                                                        << "must be a mapping";
        QTest::newRow("forbidden empty clause") << ab + "forbidden:\n  - {}\n"
                                                << 8 << "forbidden[0]"
                                                << "at least one parameter";
        QTest::newRow("forbidden unknown parameter")
            << ab + "forbidden:\n  - {a: x}\n  - {a: y, c: 1}\n"
            << 9 << "forbidden[1].c"
            << "names no parameter";
        QTest::newRow("forbidden value not a choice") << ab + "forbidden:\n  - {a: w, b: 1}\n"
                                                      << 8 << "forbidden[0].a"
                                                      << "value \"w\" is not one a can take";
        QTest::newRow("forbidden value out of range") << ab + "forbidden:\n  - {a: x, b: [1, 4]}\n"
                                                      << 8 << "forbidden[0].b"
                                                      << "value 4 is not one b can take";
        QTest::newRow("forbidden empty list") << ab + "forbidden:\n  - {a: [], b: 1}\n"
                                              << 8 << "forbidden[0].a"
                                              << "at least one value";
        QTest::newRow("forbidden clause forbids everything")
            << ab + "forbidden:\n  - {a: [x, y, z], b: [3, 2, 1]}\n"
            << 8 << "forbidden[0]"
            << "forbids every configuration";
        QTest::newRow("forbidden before any space") << head + "forbidden:\n  - {a: x}\n"
                                                    << 5 << "forbidden[0].a"
                                                    << "names no parameter";
        QTest::newRow("constraints not a list") << head + "constraints: {metric: norm, max: 1}\n"
                                                << 4 << "constraints"
                                                << "must be a list";
        QTest::newRow("constraint without metric") << head + "constraints:\n  - {max: 1}\n"
                                                   << 5 << "constraints[0].metric"
                                                   << "is missing";
        QTest::newRow("constraint on an unknown metric")
            << head + "constraints:\n  - {metric: norm, max: 1}\n  - {metric: latency, max: 1}\n"
            << 6 << "constraints[1].metric"
            << "does not report 'latency'";
        QTest::newRow("constraint without bounds") << head + "constraints:\n  - {metric: norm}\n"
                                                   << 5 << "constraints[0]"
                                                   << "needs min, max or both";
        QTest::newRow("constraint min above max")
            << head + "constraints:\n  - {metric: norm, min: 3, max: 1}\n"
            << 5 << "constraints[0].min"
            << "no trial could be feasible";
        QTest::newRow("constraint bound not a number")
            << head + "constraints:\n  - {metric: norm, max: small}\n"
            << 5 << "constraints[0].max"
            << "must be a number";
        QTest::newRow("constraint unknown key")
            << head + "constraints:\n  - {metric: norm, maximum: 1}\n"
            << 5 << "constraints[0].maximum"
            << "unknown key";
        QTest::newRow("constraint given twice")
            << head + "constraints:\n  - {metric: norm, max: 1}\n  - {metric: norm, min: 0}\n"
            << 6 << "constraints[1].metric"
            << "constrained twice";
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
        for (const char* f : {"noop.yaml", "fmnist-demo.yaml", "space-features.yaml",
                              "command.yaml", "lr-range.yaml", "augment-search.yaml"}) {
            const std::string path = std::string(PS_SOURCE_DIR) + "/resources/examples/" + f;
            const StudyConfig c = parseStudyFile(path, catalog, false);
            QVERIFY(!c.name.empty());
        }
    }
};

QTEST_GUILESS_MAIN(TestStudyFile)
#include "tst_study_file.moc"
