// Forbidden combinations: the predicate on SearchSpace, the study file's forbidden: section,
// the grid leaving forbidden points out, and sampleAllowed keeping every sampler's proposals
// allowed.

#include "core/execution/task.h"
#include "core/sampling/grid_sampler.h"
#include "core/sampling/random_sampler.h"
#include "core/sampling/sample_allowed.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>
#include <set>

using namespace ps;

namespace {

// a in {x, y, z}; b int 1..3; c float, active when a = x; forbidden: (a = y and b in {1, 2})
// and (a = x and c = 0.5: never hit by a continuous sampler, but exact on a grid).
const char* kStudy = "name: f\ntask: {kind: noop}\nobjective: {metric: loss}\n"
                     "space:\n"
                     "  a: {type: categorical, values: [x, y, z]}\n"
                     "  b: {type: int, low: 1, high: 3}\n"
                     "  c: {type: float, low: 0, high: 1, when: {a: x}}\n"
                     "forbidden:\n"
                     "  - {a: y, b: [1, 2]}\n"
                     "  - {a: x, c: 0.5}\n";

StudyConfig study(const std::string& extra = "") {
    const auto catalog = TaskCatalog::withBuiltins();
    return parseStudyText(kStudy + extra, "f.yaml", "/tmp", catalog, false);
}

} // namespace

class TestForbidden : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsed() {
        const StudyConfig c = study();
        QCOMPARE(c.space.forbidden.size(), std::size_t(2));
        QVERIFY(c.space.forbidden[0] == (Json{{"a", "y"}, {"b", Json::array({1, 2})}}));
        QVERIFY(c.space.forbidden[1] == (Json{{"a", "x"}, {"c", 0.5}}));
    }

    void predicate() {
        const SearchSpace space = study().space;
        QCOMPARE(space.forbiddenClause(Json{{"a", "y"}, {"b", 1}}), std::optional<std::size_t>(0));
        QCOMPARE(space.forbiddenClause(Json{{"a", "y"}, {"b", 2}}), std::optional<std::size_t>(0));
        QVERIFY(!space.isForbidden(Json{{"a", "y"}, {"b", 3}})); // every entry must match
        QVERIFY(!space.isForbidden(Json{{"a", "z"}, {"b", 1}}));
        QCOMPARE(space.forbiddenClause(Json{{"a", "x"}, {"b", 3}, {"c", 0.5}}),
                 std::optional<std::size_t>(1));
        QVERIFY(!space.isForbidden(Json{{"a", "x"}, {"b", 3}, {"c", 0.25}}));
        // an absent (inactive) parameter matches no entry, as in ConfigSpace
        QVERIFY(!space.isForbidden(Json{{"a", "x"}, {"b", 3}}));
    }

    // The grid counts and enumerates only allowed points: 3 (a = x, b) x 5 (c) + 3 (a = y, b)
    // + 3 (a = z, b) = 21 points, less 2 (a = y, b in {1, 2}) and 3 (a = x, c = 0.5).
    void gridSkipsForbiddenPoints() {
        const SearchSpace space = study().space;
        const Json options = Json::object();
        QCOMPARE(GridSampler::gridSize(space, options), std::size_t(16));
        std::set<std::string> seen;
        GridSampler grid(0, options);
        for (int n = 0; n < 16; ++n) {
            const Json p = grid.sample(space, {}, n);
            QVERIFY2(!space.isForbidden(p), p.dump().c_str());
            QVERIFY(seen.insert(p.dump()).second);
            QVERIFY(GridSampler::gridPoint(space, options, static_cast<std::size_t>(n)) == p);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, grid.sample(space, {}, 16));
        // shuffled: the same 16 points in another order
        GridSampler shuffled(3, Json{{"shuffle", true}});
        std::set<std::string> again;
        for (int n = 0; n < 16; ++n)
            again.insert(shuffled.sample(space, {}, n).dump());
        QCOMPARE(again, seen);
        // the study file's budget check counts allowed points
        const StudyConfig c = study("sampler: {kind: grid}\nbudget: {trials: 100}\n");
        QCOMPARE(c.budget.trials, 16);
    }

    // Every catalog sampler, through sampleAllowed, with and without history: never a forbidden
    // configuration, and the allowed part of a forbidden clause's parameters is still proposed.
    void everySamplerStaysAllowed_data() {
        QTest::addColumn<QString>("kind");
        for (const auto& kind : samplerKinds())
            QTest::newRow(kind.c_str()) << QString::fromStdString(kind);
    }
    void everySamplerStaysAllowed() {
        QFETCH(QString, kind);
        SearchSpace space = study().space;
        // a clause a continuous sampler does hit: y with b in {1, 2} is a third of random draws
        SamplerConfig config;
        config.kind = kind.toStdString();
        config.seed = 4;
        config.objectives = {Objective{"loss", Direction::Minimize}};
        if (config.kind == "grid")
            config.options = Json{{"shuffle", true}};
        if (config.kind == "crossed")
            config.options = Json{{"grid", {"a"}}};
        auto sampler = makeSampler(config);
        std::vector<Trial> trials;
        int ay = 0;
        for (int n = 0; n < 40; ++n) {
            Json p;
            try {
                p = sampleAllowed(*sampler, space, trials, n, config.seed);
            } catch (const std::invalid_argument&) {
                QVERIFY2(config.kind == "grid" && n >= 16, "only a grid may run out");
                break;
            }
            QVERIFY2(!space.isForbidden(p), p.dump().c_str());
            ay += p["a"] == "y" ? 1 : 0;
            Trial t;
            t.id = n + 1;
            t.number = n;
            t.state = TrialState::Complete;
            t.params = p;
            // the model's favourite is forbidden: a = y with a small b
            t.value = (p["a"] == "y" ? 0.0 : 1.0) + p["b"].get<double>();
            t.values["loss"] = *t.value;
            trials.push_back(t);
        }
        QVERIFY(ay > 0); // b = 3 is allowed with a = y
    }

    void unsatisfiableSpaceThrowsNamingTheClauses() {
        SearchSpace space = study().space;
        // together (not one by one) these forbid everything: the parser cannot see it
        space.forbidden = {Json{{"a", Json::array({"x", "y"})}}, Json{{"a", "z"}}};
        RandomSampler random(1);
        try {
            sampleAllowed(random, space, {}, 0, 1);
            QFAIL("an unsatisfiable space gave a configuration");
        } catch (const std::runtime_error& e) {
            const QString what = e.what();
            QVERIFY2(what.contains("forbidden[0]") && what.contains("forbidden[1]"), e.what());
            QVERIFY2(what.contains("no allowed configuration"), e.what());
        }
        // the grid is empty: refused when the study file is read
        const auto catalog = TaskCatalog::withBuiltins();
        QVERIFY_THROWS_EXCEPTION(
            StudyFileError,
            parseStudyText(std::string(kStudy) +
                               "  - {a: [x, y]}\n  - {a: z}\nsampler: {kind: grid}\n",
                           "f.yaml", "/tmp", catalog, false));
    }

    // A proposal that is allowed comes back untouched, and one that is not is replaced.
    void allowedProposalIsKept() {
        const SearchSpace space = study().space;
        RandomSampler random(5);
        std::string note;
        for (int n = 0; n < 30; ++n) {
            const Json direct = random.sample(space, {}, n);
            const Json p = sampleAllowed(random, space, {}, n, 5, &note);
            if (space.isForbidden(direct)) {
                QVERIFY(p != direct);
                QVERIFY(!note.empty());
            } else {
                QVERIFY(p == direct);
                QVERIFY(note.empty());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestForbidden)
#include "tst_forbidden.moc"
