// Every sampler of samplerCatalog() against the conformance kit, one data row per kind, so a
// sampler added to the catalog is covered without touching this file.

#include "sampler_conformance.h"

#include <QTest>
#include <cmath>

using namespace ps;

namespace {

// Options the kit needs from some samplers: an unshuffled grid ignores its seed, so the seed
// checks would (rightly) find nothing to compare; a crossed design needs its settings named.
Json kitOptions(const std::string& kind) {
    if (kind == "grid")
        return Json{{"shuffle", true}};
    if (kind == "crossed")
        return Json{{"grid", {"model.size", "bits"}}};
    return Json::object();
}

kit::SamplerConformance kitFor(const QString& kind) {
    const SamplerInfo* info = findSampler(kind.toStdString());
    if (!info)
        qFatal("no sampler %s", qPrintable(kind));
    return kit::SamplerConformance(*info, kitOptions(kind.toStdString()));
}

void addRows() {
    QTest::addColumn<QString>("kind");
    for (const auto& kind : samplerKinds())
        QTest::newRow(kind.c_str()) << QString::fromStdString(kind);
}

} // namespace

class TestSamplerConformance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void catalogIsSane() {
        QVERIFY(!samplerCatalog().empty());
        for (const auto& info : samplerCatalog()) {
            QVERIFY(!info.kind.empty());
            QVERIFY(!info.description.empty());
            QVERIFY(info.make);
            QCOMPARE(findSampler(info.kind), &info);
            for (const auto& option : info.options) {
                QVERIFY(!option.path.empty());
                QVERIFY2(option.path != "kind" && option.path != "seed", option.path.c_str());
                QVERIFY2(!option.defaultValue.is_null(), option.path.c_str());
            }
        }
    }

    // The kit's own check finds what it should: a kit that passes everything proves nothing.
    void kitRejectsBadPoints() {
        const SearchSpace space = kit::SamplerConformance::mixedSpace();
        const Json good{{"x", 0.5},
                        {"lr", 1e-3},
                        {"drop", 0.2},
                        {"layers", 3},
                        {"width", 64},
                        {"batch", 32},
                        {"optimizer.kind", "sgd"},
                        {"optimizer.momentum", 0.9},
                        {"optimizer.nesterov", true},
                        {"bits", 16},
                        {"model.size", "large"},
                        {"data.seed", 17}};
        QCOMPARE(kit::SamplerConformance::validate(space, good), std::string());
        auto bad = [&](const char* key, Json value) {
            Json p = good;
            if (value.is_null())
                p.erase(key);
            else
                p[key] = value;
            return !kit::SamplerConformance::validate(space, p).empty();
        };
        QVERIFY(bad("x", 3.5));                       // out of bounds
        QVERIFY(bad("x", std::nan("")));              // NaN
        QVERIFY(bad("lr", 0.5));                      // log param out of bounds
        QVERIFY(bad("drop", 0.25));                   // off its step
        QVERIFY(bad("layers", 3.0));                  // int as a JSON float
        QVERIFY(bad("batch", 40));                    // int off its step
        QVERIFY(bad("width", 4));                     // log int out of bounds
        QVERIFY(bad("optimizer.kind", "rmsprop"));    // not a choice
        QVERIFY(bad("optimizer.kind", 2.5));          // not a choice
        QVERIFY(bad("optimizer.momentum", nullptr));  // active but missing
        QVERIFY(bad("optimizer.beta", 0.9));          // present while inactive
        QVERIFY(bad("nonesuch", 1));                  // unknown parameter
        QVERIFY(bad("bits", 2));                      // an ordinal's index, not its value
        QVERIFY(bad("bits", 12));                     // not one of the ordinal's values
        QVERIFY(bad("model.size", "huge"));           // not one of the ordinal's values
        QVERIFY(bad("data.seed", 18));                // a fixed parameter at another value
        QVERIFY(bad("data.seed", nullptr));           // a fixed parameter missing
        QVERIFY(bad("optimizer.schedule", "cosine")); // fixed, present while inactive
        Json adam = good;
        adam.erase("optimizer.momentum");
        adam.erase("optimizer.nesterov");
        adam["optimizer.kind"] = 2;
        adam["optimizer.beta"] = 0.9;
        QCOMPARE(kit::SamplerConformance::validate(space, adam), std::string());
        adam["optimizer.kind"] = "adam";
        QVERIFY(!kit::SamplerConformance::validate(space, adam).empty()); // schedule missing
        adam["optimizer.schedule"] = "cosine";
        QCOMPARE(kit::SamplerConformance::validate(space, adam), std::string());
    }

    void emptyHistory_data() { addRows(); }
    void emptyHistory() {
        QFETCH(QString, kind);
        kitFor(kind).checkEmptyHistory();
    }

    void longHistory_data() { addRows(); }
    void longHistory() {
        QFETCH(QString, kind);
        kitFor(kind).checkLongHistory();
    }

    void seeds_data() { addRows(); }
    void seeds() {
        QFETCH(QString, kind);
        kitFor(kind).checkSeeds();
    }

    void pendingTrials_data() { addRows(); }
    void pendingTrials() {
        QFETCH(QString, kind);
        kitFor(kind).checkPending();
    }

    void nestedConditions_data() { addRows(); }
    void nestedConditions() {
        QFETCH(QString, kind);
        kitFor(kind).checkNested();
    }

    // Option variants that change how a sampler walks the space pass the whole kit too.
    void optionVariants_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("options");
        QTest::newRow("tpe multivariate") << "tpe"
                                          << R"({"multivariate": true})";
        QTest::newRow("tpe multivariate + group") << "tpe"
                                                  << R"({"multivariate": true, "group": true})";
        QTest::newRow("tpe constant liar") << "tpe"
                                           << R"({"constant_liar": true})";
    }
    void optionVariants() {
        QFETCH(QString, kind);
        QFETCH(QString, options);
        const SamplerInfo* info = findSampler(kind.toStdString());
        QVERIFY(info);
        kit::SamplerConformance(*info, Json::parse(options.toStdString())).checkAll();
    }

    void failedAndPruned_data() { addRows(); }
    void failedAndPruned() {
        QFETCH(QString, kind);
        kitFor(kind).checkFailedAndPruned();
    }
};

QTEST_GUILESS_MAIN(TestSamplerConformance)
#include "tst_sampler_conformance.moc"
