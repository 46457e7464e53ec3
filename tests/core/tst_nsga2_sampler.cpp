// The NSGA-II sampler: it beats random search on ZDT1 by hypervolume, its first generation is
// random search, it is reproducible and resumable, children are made of their parents' genes,
// and it stays valid with failures, pending trials, SBX and small populations.

#include "../kit/sampler_conformance.h"
#include "core/analysis/pareto.h"
#include "core/execution/task.h"
#include "core/sampling/nsga2_sampler.h"
#include "core/sampling/random_sampler.h"
#include "core/space/study_file.h"
#include "test_util.h"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

using namespace ps;

namespace {

const std::vector<Objective> kZdtObjectives{{"f1", Direction::Minimize},
                                            {"f2", Direction::Minimize}};

SearchSpace unitSpace(int n) {
    SearchSpace s;
    for (int i = 0; i < n; ++i) {
        ParamSpec p;
        p.name = "x" + std::to_string(i);
        p.low = 0;
        p.high = 1;
        s.params.push_back(p);
    }
    return s;
}

// ZDT1: the Pareto front is f2 = 1 - sqrt(f1) where x1..x4 = 0.
std::map<std::string, double> zdt1(const Json& p) {
    const std::size_t n = p.size();
    const double f1 = p["x0"].get<double>();
    double sum = 0;
    for (std::size_t i = 1; i < n; ++i)
        sum += p["x" + std::to_string(i)].get<double>();
    const double g = 1 + 9 * sum / static_cast<double>(n - 1);
    return {{"f1", f1}, {"f2", g * (1 - std::sqrt(f1 / g))}};
}

using Metrics = std::function<std::map<std::string, double>(const Json&)>;

// A sequential study: each trial sees all earlier ones, COMPLETE.
std::vector<Trial> runStudy(Sampler& sampler, const SearchSpace& space, int n, const Metrics& f,
                            const std::string& first) {
    std::vector<Trial> trials;
    for (int i = 0; i < n; ++i) {
        Trial t;
        t.id = i + 1;
        t.number = i;
        t.params = sampler.sample(space, trials, i);
        t.values = f(t.params);
        t.value = t.values[first];
        t.state = TrialState::Complete;
        trials.push_back(std::move(t));
    }
    return trials;
}

// Area dominated by the front of two minimized objectives, bounded by `ref`.
double hypervolume2d(const std::vector<Trial>& trials, double r1, double r2) {
    std::vector<std::pair<double, double>> pts;
    for (const auto& t : paretoFront(trials, kZdtObjectives)) {
        const double a = t.values.at("f1"), b = t.values.at("f2");
        if (a < r1 && b < r2)
            pts.emplace_back(a, b);
    }
    std::sort(pts.begin(), pts.end());
    double hv = 0, lastF2 = r2;
    for (const auto& [a, b] : pts) {
        if (b >= lastF2)
            continue; // a duplicate in f2 adds nothing
        hv += (r1 - a) * (lastF2 - b);
        lastF2 = b;
    }
    return hv;
}

std::unique_ptr<Sampler> nsga2(std::uint64_t seed, Json options,
                               std::vector<Objective> objectives = kZdtObjectives) {
    SamplerConfig c;
    c.kind = "nsga2";
    c.seed = seed;
    c.options = std::move(options);
    c.objectives = std::move(objectives);
    return makeSampler(c);
}

} // namespace

class TestNsga2Sampler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void catalogEntry() {
        const SamplerInfo* info = findSampler("nsga2");
        QVERIFY(info);
        auto defaultOf = [&](const std::string& path) {
            for (const auto& o : info->options) {
                if (o.path == path)
                    return o.defaultValue;
            }
            return Json();
        };
        QVERIFY(defaultOf("population_size") == Json(50));
        QVERIFY(defaultOf("crossover_prob") == Json(0.9));
        QVERIFY(defaultOf("swapping_prob") == Json(0.5));
        QVERIFY(defaultOf("mutation_prob") == Json(0.0));
        QVERIFY(defaultOf("crossover") == Json("uniform"));
    }

    void studyFileOptions() {
        const auto catalog = TaskCatalog::withBuiltins();
        const StudyConfig c =
            parseStudyText("name: t\ntask: {kind: noop}\nobjectives: [{metric: loss}]\n"
                           "sampler: {kind: nsga2, seed: 3, population_size: 20, crossover: sbx, "
                           "mutation_prob: 0.25}\n",
                           "t.yaml", "/tmp", catalog, false);
        QVERIFY(c.sampler.options["population_size"] == Json(20));
        QVERIFY(c.sampler.options["crossover"] == Json("sbx"));
        QVERIFY(c.sampler.options["swapping_prob"] == Json(0.5));
        QCOMPARE(c.sampler.objectives.size(), std::size_t(1));
        QVERIFY(makeSampler(c.sampler));
        QVERIFY_THROWS_EXCEPTION(
            StudyFileError,
            parseStudyText("name: t\ntask: {kind: noop}\nobjectives: [{metric: loss}]\n"
                           "sampler: {kind: nsga2, crossover: blend}\n",
                           "t.yaml", "/tmp", catalog, false));
    }

    void hypervolumeHelper() {
        Trial a;
        a.state = TrialState::Complete;
        a.values = {{"f1", 0.0}, {"f2", 0.5}};
        Trial b = a;
        b.values = {{"f1", 0.5}, {"f2", 0.0}};
        // Two rectangles: 1 x 0.5 plus 0.5 x 0.5 on a (1, 1) reference.
        QCOMPARE(hypervolume2d({a, b}, 1.0, 1.0), 0.75);
    }

    void beatsRandomOnZdt1() {
        const SearchSpace space = unitSpace(5);
        const int budget = 20 * 20;
        for (const char* crossover : {"uniform", "sbx"}) {
            for (std::uint64_t seed : {1u, 2u, 3u}) {
                auto ga = nsga2(seed, Json{{"population_size", 20}, {"crossover", crossover}});
                RandomSampler random(seed);
                const double hvGa =
                    hypervolume2d(runStudy(*ga, space, budget, zdt1, "f1"), 1.1, 1.1);
                const double hvRandom =
                    hypervolume2d(runStudy(random, space, budget, zdt1, "f1"), 1.1, 1.1);
                qInfo("%s seed %d: hypervolume NSGA-II %.4f, random %.4f", crossover,
                      static_cast<int>(seed), hvGa, hvRandom);
                QVERIFY2(hvGa > hvRandom + 0.1, crossover);
            }
        }
    }

    void firstGenerationIsRandom() {
        const SearchSpace space = kit::SamplerConformance::mixedSpace();
        auto ga = nsga2(9, Json{{"population_size", 10}}, {{"loss", Direction::Minimize}});
        RandomSampler random(9);
        for (int n = 0; n < 10; ++n)
            QVERIFY(ga->sample(space, {}, n) == random.sample(space, {}, n));
    }

    void reproducibleAndResumable() {
        const SearchSpace space = unitSpace(5);
        const Json options{{"population_size", 10}};
        auto a = nsga2(4, options), b = nsga2(4, options), c = nsga2(5, options);
        const std::vector<Trial> ta = runStudy(*a, space, 60, zdt1, "f1");
        const std::vector<Trial> tb = runStudy(*b, space, 60, zdt1, "f1");
        const std::vector<Trial> tc = runStudy(*c, space, 60, zdt1, "f1");
        bool differs = false;
        for (int i = 0; i < 60; ++i) {
            QVERIFY(ta[i].params == tb[i].params);
            differs = differs || ta[i].params != tc[i].params;
        }
        QVERIFY(differs);
        // A fresh sampler (a resumed study) given the same history proposes the same trials,
        // in any order and with the trials listed in any order.
        auto resumed = nsga2(4, options);
        std::vector<Trial> history(ta.begin(), ta.begin() + 45);
        std::reverse(history.begin(), history.end());
        for (int n : {52, 45, 49})
            QVERIFY(resumed->sample(space, history, n) == ta[n].params);
    }

    void childrenInheritGenes() {
        // Without mutation every unconditional gene of a child is one of its parents' genes,
        // which also checks that values survive the round trip through the unit cube.
        const SearchSpace space = kit::SamplerConformance::mixedSpace();
        const std::vector<Trial> history = kit::SamplerConformance::history(20);
        auto ga = nsga2(3, Json{{"population_size", 10}, {"mutation_prob", 1e-12}},
                        {{"loss", Direction::Minimize}});
        for (int n = 20; n < 30; ++n) {
            const Json child = ga->sample(space, history, n);
            QCOMPARE(kit::SamplerConformance::validate(space, child), std::string());
            for (const auto& p : space.params) {
                if (!p.when.empty())
                    continue;
                bool found = false;
                for (const auto& t : history)
                    found = found || (t.params[p.name] == child[p.name]);
                QVERIFY2(found, (p.name + " = " + child[p.name].dump()).c_str());
            }
        }
    }

    void singleObjectiveGa() {
        // One objective: a plain GA, which should still beat random search on a sphere.
        const SearchSpace space = unitSpace(4);
        auto sphere = [](const Json& p) {
            double s = 0;
            for (const auto& [k, v] : p.items())
                s += (v.get<double>() - 0.3) * (v.get<double>() - 0.3);
            return std::map<std::string, double>{{"loss", s}};
        };
        int wins = 0;
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            auto ga = nsga2(seed, Json{{"population_size", 20}, {"crossover", "sbx"}},
                            {{"loss", Direction::Minimize}});
            RandomSampler random(seed);
            auto best = [](const std::vector<Trial>& trials) {
                double b = INFINITY;
                for (const auto& t : trials)
                    b = std::min(b, t.values.at("loss"));
                return b;
            };
            const double bGa = best(runStudy(*ga, space, 300, sphere, "loss"));
            const double bRandom = best(runStudy(random, space, 300, sphere, "loss"));
            qInfo("seed %d: best NSGA-II %.5f, random %.5f", static_cast<int>(seed), bGa, bRandom);
            wins += bGa < bRandom;
        }
        QVERIFY(wins >= 2);
    }

    void failuresAndPending() {
        const SearchSpace space = kit::SamplerConformance::mixedSpace();
        auto ga = nsga2(2, Json{{"population_size", 8}}, {{"loss", Direction::Minimize}});
        // Every earlier trial failed: the failures are the only parents there are.
        const auto failed = kit::SamplerConformance::history(16, {TrialState::Fail}, false);
        for (int n = 16; n < 20; ++n)
            QCOMPARE(kit::SamplerConformance::validate(space, ga->sample(space, failed, n)),
                     std::string());
        // Nothing finished before the generation: random search.
        const auto running = kit::SamplerConformance::history(16, {TrialState::Running}, false);
        RandomSampler random(2);
        QVERIFY(ga->sample(space, running, 17) == random.sample(space, running, 17));
        // Complete trials beat failed ones as parents: with 8 complete and 8 failed trials and
        // no mutation, every child's x comes from a complete trial.
        auto mix = kit::SamplerConformance::history(16, {TrialState::Complete, TrialState::Fail});
        auto strict = nsga2(2, Json{{"population_size", 8}, {"mutation_prob", 1e-12}},
                            {{"loss", Direction::Minimize}});
        std::set<double> completeX;
        for (const auto& t : mix) {
            if (t.state == TrialState::Complete)
                completeX.insert(t.params["x"].get<double>());
        }
        for (int n = 16; n < 24; ++n)
            QVERIFY(completeX.count(strict->sample(space, mix, n)["x"].get<double>()));
    }

    void conformanceWithSmallPopulations() {
        // The catalog row runs the kit with population_size 50, mostly inside the random first
        // generation; these run it with every trial of the kit's histories past it.
        kit::SamplerConformance(*findSampler("nsga2"), Json{{"population_size", 4}}).checkAll();
        kit::SamplerConformance(*findSampler("nsga2"),
                                Json{{"population_size", 6}, {"crossover", "sbx"}})
            .checkAll();
    }
};

QTEST_GUILESS_MAIN(TestNsga2Sampler)
#include "tst_nsga2_sampler.moc"
