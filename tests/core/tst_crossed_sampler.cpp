// The crossed design (METHODS 4.4's study type): settings on a grid, each trained with random
// on/off augmentation policies. Every setting gets its share of trials, replicates are paired
// across settings, the policies are fair coin flips, forbidden clauses are kept, and the study
// file refuses what cannot work with a message naming it.

#include "core/execution/task.h"
#include "core/sampling/crossed_sampler.h"
#include "core/sampling/sample_allowed.h"
#include "core/space/study_file.h"
#include "core/study/trial.h"

#include <QTest>
#include <map>
#include <set>

using namespace ps;

namespace {

// Two settings parameters (2 x 2 = 4 settings) and four on/off switches.
const char* kStudy = "name: c\ntask: {kind: noop}\nobjective: {metric: loss}\n"
                     "space:\n"
                     "  lr: {type: categorical, values: [0.001, 0.01]}\n"
                     "  width: {type: categorical, values: [64, 256]}\n"
                     "  flip: {type: categorical, values: [false, true]}\n"
                     "  noise: {type: categorical, values: [false, true]}\n"
                     "  erasing: {type: categorical, values: [false, true]}\n"
                     "  invert: {type: categorical, values: [false, true]}\n";

StudyConfig study(const std::string& extra) {
    const auto catalog = TaskCatalog::withBuiltins();
    return parseStudyText(std::string(kStudy) + extra, "c.yaml", "/tmp", catalog, false);
}

const char* kSampler = "sampler: {kind: crossed, grid: [lr, width], seed: 7}\n"
                       "budget: {trials: 400}\n";

std::string policy(const Json& params) {
    std::string bits;
    for (const char* name : {"flip", "noise", "erasing", "invert"})
        bits += params[name].get<bool>() ? '1' : '0';
    return bits;
}

std::string settingOf(const Json& params) {
    return params["lr"].dump() + "/" + params["width"].dump();
}

// The refusal message of a study file, or "" when it parses.
QString refusal(const std::string& extra) {
    try {
        study(extra);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestCrossedSampler : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void settingsAreVisitedInTurn() {
        const StudyConfig c = study(kSampler);
        QCOMPARE(CrossedSampler::settingCount(c.space, c.sampler.options), std::size_t(4));
        auto sampler = makeSampler(c.sampler);
        std::map<std::string, int> perSetting;
        std::set<std::string> firstFour;
        for (int n = 0; n < 400; ++n) {
            const Json p = sampler->sample(c.space, {}, n);
            ++perSetting[settingOf(p)];
            if (n < 4)
                firstFour.insert(settingOf(p));
        }
        QCOMPARE(firstFour.size(), std::size_t(4)); // a stopped study has seen every setting
        QCOMPARE(perSetting.size(), std::size_t(4));
        for (const auto& [setting, count] : perSetting)
            QCOMPARE(count, 100);
    }

    void policiesArePairedFairCoins() {
        const StudyConfig c = study(kSampler);
        auto sampler = makeSampler(c.sampler);
        std::map<std::string, int> on;
        std::set<std::string> policies;
        for (int replicate = 0; replicate < 100; ++replicate) {
            const Json first = sampler->sample(c.space, {}, 4 * replicate);
            policies.insert(policy(first));
            for (int s = 1; s < 4; ++s) // the same policy in every setting of a replicate
                QCOMPARE(policy(sampler->sample(c.space, {}, 4 * replicate + s)), policy(first));
            for (const char* name : {"flip", "noise", "erasing", "invert"})
                on[name] += first[name].get<bool>() ? 1 : 0;
        }
        QCOMPARE(policies.size(), std::size_t(16)); // 100 draws cover all 2^4 policies
        for (const auto& [name, count] : on)        // binomial(100, 0.5): within 4 sd
            QVERIFY2(count >= 30 && count <= 70, (name + ": " + std::to_string(count)).c_str());
    }

    void unpairedSettingsDrawTheirOwn() {
        const StudyConfig c = study("sampler: {kind: crossed, grid: [lr, width], paired: false}\n"
                                    "budget: {trials: 40}\n");
        auto sampler = makeSampler(c.sampler);
        int differing = 0;
        for (int replicate = 0; replicate < 10; ++replicate)
            differing += policy(sampler->sample(c.space, {}, 4 * replicate)) !=
                         policy(sampler->sample(c.space, {}, 4 * replicate + 1));
        QVERIFY(differing >= 5);
    }

    void forbiddenClausesAreKept() {
        // a grid-only clause removes a setting; a mixed one is redrawn within its setting
        const StudyConfig c = study("forbidden:\n"
                                    "  - {lr: 0.01, width: 256}\n"
                                    "  - {lr: 0.001, flip: true}\n"
                                    "sampler: {kind: crossed, grid: [lr, width]}\n"
                                    "budget: {trials: 60}\n");
        QCOMPARE(CrossedSampler::settingCount(c.space, c.sampler.options), std::size_t(3));
        auto sampler = makeSampler(c.sampler);
        std::map<std::string, int> perSetting;
        for (int n = 0; n < 60; ++n) {
            const Json p = sampleAllowed(*sampler, c.space, {}, n, 1);
            QVERIFY(!c.space.isForbidden(p));
            QVERIFY(sampler->sample(c.space, {}, n) == p); // the sampler's own first proposal
            ++perSetting[settingOf(p)];
        }
        QCOMPARE(perSetting.size(), std::size_t(3));
        for (const auto& [setting, count] : perSetting)
            QCOMPARE(count, 20);
    }

    void conditionsFollowTheSetting() {
        const auto catalog = TaskCatalog::withBuiltins();
        const StudyConfig c =
            parseStudyText("name: c\ntask: {kind: noop}\nobjective: {metric: loss}\n"
                           "space:\n"
                           "  opt: {type: categorical, values: [sgd, adam]}\n"
                           "  momentum: {type: float, low: 0, high: 0.9, when: {opt: sgd}}\n"
                           "  flip: {type: categorical, values: [false, true]}\n"
                           "sampler: {kind: crossed, grid: [opt]}\nbudget: {trials: 20}\n",
                           "c.yaml", "/tmp", catalog, false);
        auto sampler = makeSampler(c.sampler);
        for (int n = 0; n < 20; ++n) {
            const Json p = sampler->sample(c.space, {}, n);
            QCOMPARE(p.contains("momentum"), p["opt"] == "sgd");
        }
    }

    void badFilesAreRefusedByName() {
        QVERIFY(refusal("sampler: {kind: crossed}\n").contains("option 'grid' must name"));
        QVERIFY(refusal("sampler: {kind: crossed, grid: [lr, depth]}\n")
                    .contains("grid parameter 'depth' is not in the space"));
        QVERIFY(refusal("sampler: {kind: crossed, grid: [lr, width, flip, noise, erasing, "
                        "invert]}\n")
                    .contains("use the grid sampler"));
        QVERIFY(refusal("sampler: {kind: crossed, grid: [lr, width]}\nbudget: {trials: 3}\n")
                    .contains("the crossed grid has 4 settings but budget.trials is 3"));
        QVERIFY(refusal("sampler: {kind: crossed, grid: [lr, width]}\nbudget: {trials: 8}\n")
                    .isEmpty());
        const auto catalog = TaskCatalog::withBuiltins();
        QString conditional;
        try {
            parseStudyText("name: c\ntask: {kind: noop}\nobjective: {metric: loss}\n"
                           "space:\n"
                           "  opt: {type: categorical, values: [sgd, adam]}\n"
                           "  momentum: {type: float, low: 0, high: 0.9, when: {opt: sgd}}\n"
                           "sampler: {kind: crossed, grid: [momentum]}\n",
                           "c.yaml", "/tmp", catalog, false);
        } catch (const std::exception& e) {
            conditional = e.what();
        }
        QVERIFY2(conditional.contains("'momentum' depends on 'opt'"), qPrintable(conditional));
    }
};

QTEST_APPLESS_MAIN(TestCrossedSampler)
#include "tst_crossed_sampler.moc"
