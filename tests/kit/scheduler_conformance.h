#pragma once
// A conformance kit for schedulers: the properties every scheduler in schedulerCatalog()
// (built-in or plugin) must have. Header-only, Qt Test based: call the checks from a test slot;
// each records its failures with QVERIFY and returns early.
//
//   ps::kit::SchedulerConformance kit(*ps::findScheduler("mine"));
//   kit.checkAll();
//
// The kit drives the scheduler the way workers do: simulated learning curves
// loss_c(t) = a_c + b_c / sqrt(t) reported step by step, judged at the steps the scheduler
// asks for against the values of the trials that reached that step before.

#include "core/scheduling/scheduler.h"

#include <QTest>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace ps::kit {

class SchedulerConformance {
public:
    static constexpr std::int64_t kMax = 27;

    explicit SchedulerConformance(SchedulerInfo info) : m_info(std::move(info)) {}

    // The scheduler with its declared defaults, and min 1 / max 27 / eta 3 where it declares
    // those options.
    std::unique_ptr<Scheduler> make(Direction direction = Direction::Minimize) const {
        Json options = Json::object();
        for (const auto& o : m_info.options) {
            options[o.path] = o.defaultValue;
            if (o.path == "min")
                options[o.path] = 1;
            if (o.path == "max")
                options[o.path] = kMax;
            if (o.path == "eta")
                options[o.path] = 3;
            if (o.path == "n_startup_trials")
                options[o.path] = 2;
        }
        return makeScheduler({m_info.kind, options, direction, "kit-study"});
    }

    static Trial trialNumbered(int number, const Scheduler& scheduler) {
        Trial t;
        t.number = number;
        t.system = scheduler.assign(number);
        return t;
    }

    struct Run {
        int pruned = 0, complete = 0;
        std::vector<std::string> verdicts; // "number:step:reason" for every prune, in order
    };

    // 60 simulated trials, one after another; `flip` mirrors values for maximization.
    Run simulate(Scheduler& scheduler, Direction direction, std::uint32_t seed) const {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> ua(0.1, 1.0), ub(0.0, 2.0);
        std::map<std::int64_t, std::vector<PeerValue>> atStep;
        Run run;
        for (int c = 0; c < 60; ++c) {
            const double a = ua(rng), b = ub(rng);
            const Trial trial = trialNumbered(c, scheduler);
            const int group = scheduler.groupOf(trial).value_or(-1);
            bool stopped = false;
            for (std::int64_t t = 1; t <= kMax && !stopped; ++t) {
                double v = a + b / std::sqrt(static_cast<double>(t));
                if (direction == Direction::Maximize)
                    v = -v;
                auto& peers = atStep[t];
                if (scheduler.judgesAt(trial, t)) {
                    const auto why = scheduler.judge(trial, t, v, peers);
                    if (why) {
                        ++run.pruned;
                        run.verdicts.push_back(std::to_string(c) + ":" + std::to_string(t) + ":" +
                                               *why);
                        stopped = true;
                    }
                }
                peers.push_back({c, TrialState::Running, v, group});
            }
            if (!stopped)
                ++run.complete;
            // As storage answers: a finished trial's values carry its final state.
            for (auto& [step, values] : atStep)
                for (auto& p : values)
                    if (p.number == c)
                        p.state = stopped ? TrialState::Pruned : TrialState::Complete;
        }
        return run;
    }

    void checkNeverJudgesAtOrPastMax() const {
        const auto s = make();
        QVERIFY(s);
        for (int n = 0; n < 50; ++n) {
            const Trial t = trialNumbered(n, *s);
            for (std::int64_t step : {kMax, kMax + 1, 10 * kMax})
                QVERIFY2(s->maxResource() == 0 || !s->judgesAt(t, step),
                         qPrintable(QString("trial %1 judged at step %2").arg(n).arg(step)));
        }
    }

    void checkLoneTrialGoesOn() const {
        const auto s = make();
        for (int n = 0; n < 20; ++n) {
            const Trial t = trialNumbered(n, *s);
            for (std::int64_t step = 1; step < kMax; ++step)
                if (s->judgesAt(t, step))
                    QVERIFY2(!s->judge(t, step, 1.0, {}), "a trial with no peers was pruned");
        }
    }

    void checkBestIsNeverPruned() const {
        for (Direction d : {Direction::Minimize, Direction::Maximize}) {
            const auto s = make(d);
            for (int n = 10; n < 40; ++n) {
                const Trial t = trialNumbered(n, *s);
                const int group = s->groupOf(t).value_or(-1);
                for (std::int64_t step = 1; step < kMax; ++step) {
                    if (!s->judgesAt(t, step))
                        continue;
                    std::vector<PeerValue> peers;
                    for (int p = 0; p < 10; ++p) // all worse, all finished, same group
                        peers.push_back({p, TrialState::Complete,
                                         d == Direction::Minimize ? 2.0 + p : -2.0 - p, group});
                    const double best = d == Direction::Minimize ? 1.0 : -1.0;
                    QVERIFY2(!s->judge(t, step, best, peers), "the best value was pruned");
                }
            }
        }
    }

    void checkPrunesSomethingAndSaysWhy() const {
        for (Direction d : {Direction::Minimize, Direction::Maximize}) {
            const auto s = make(d);
            const Run run = simulate(*s, d, 11);
            QVERIFY2(run.pruned > 0, "nothing was pruned in 60 trials");
            QVERIFY2(run.complete > 0, "every trial was pruned");
            for (const auto& v : run.verdicts)
                QVERIFY2(v.size() > 6, v.c_str()); // a reason, not an empty string
        }
    }

    void checkDeterministic() const {
        const auto a = make(), b = make();
        const Run ra = simulate(*a, Direction::Minimize, 5);
        const Run rb = simulate(*b, Direction::Minimize, 5);
        QCOMPARE(ra.verdicts, rb.verdicts);
        // groups come from what assign() stored, so a fresh instance agrees on old trials
        for (int n = 0; n < 100; ++n)
            QCOMPARE(b->groupOf(trialNumbered(n, *a)), a->groupOf(trialNumbered(n, *a)));
    }

    void checkToleratesBadPeers() const {
        const auto s = make();
        for (int n = 0; n < 20; ++n) {
            const Trial t = trialNumbered(n, *s);
            const int group = s->groupOf(t).value_or(-1);
            for (std::int64_t step = 1; step < kMax; ++step) {
                if (!s->judgesAt(t, step))
                    continue;
                const std::vector<PeerValue> peers = {
                    {100, TrialState::Fail, NAN, group},
                    {101, TrialState::Pruned, INFINITY, group},
                    {102, TrialState::Complete, 0.5, group},
                    {103, TrialState::Complete, 0.7, group},
                    {104, TrialState::Running, -INFINITY, 99},
                };
                (void)s->judge(t, step, 0.6, peers); // must not throw or crash
                // a non-finite value of its own is never kept as if it were good
                if (s->maxResource() > 0)
                    QVERIFY2(s->judge(t, step, NAN, peers).has_value(), "a NaN value went on");
            }
        }
    }

    void checkAll() const {
        checkNeverJudgesAtOrPastMax();
        checkLoneTrialGoesOn();
        checkBestIsNeverPruned();
        checkPrunesSomethingAndSaysWhy();
        checkDeterministic();
        checkToleratesBadPeers();
    }

private:
    SchedulerInfo m_info;
};

} // namespace ps::kit
