#pragma once
// A conformance kit for samplers: the properties every sampler in samplerCatalog() (built-in or
// plugin) must have, checked on a mixed search space. Header-only, Qt Test based: call the
// checks from a test slot; each records its failures with QVERIFY and returns early.
//
//   ps::kit::SamplerConformance kit(*ps::findSampler("mine"));
//   kit.checkAll(); // or the single checks below
//
// A sampler may refuse a trial number past the end of a finite design (a grid) by throwing
// std::invalid_argument; the kit accepts that only after the first kMustServe trial numbers.
// Any other exception is a failure.

#include "core/sampling/random_sampler.h"
#include "core/sampling/sampler.h"

#include <QTest>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ps::kit {

class SamplerConformance {
public:
    // Every sampler must serve at least this many trials of the mixed space.
    static constexpr int kMustServe = 32;

    explicit SamplerConformance(SamplerInfo info, Json options = Json::object())
        : m_info(std::move(info)), m_options(std::move(options)) {}

    // The mixed space: float, log float, stepped float, int, log int, stepped int, a
    // categorical of strings and numbers, conditional parameters depending on it, ordinals of
    // numbers and of strings, and fixed values (one of them conditional).
    static SearchSpace mixedSpace() {
        SearchSpace s;
        auto add = [&s](std::string name, ParamType type, double low, double high, bool log,
                        std::optional<double> step) -> ParamSpec& {
            ParamSpec p;
            p.name = std::move(name);
            p.type = type;
            p.low = low;
            p.high = high;
            p.log = log;
            p.step = step;
            s.params.push_back(p);
            return s.params.back();
        };
        add("x", ParamType::Float, -2.0, 3.0, false, std::nullopt);
        add("lr", ParamType::Float, 1e-5, 1e-1, true, std::nullopt);
        add("drop", ParamType::Float, 0.0, 0.5, false, 0.1);
        add("layers", ParamType::Int, 1, 6, false, std::nullopt);
        add("width", ParamType::Int, 8, 512, true, std::nullopt);
        add("batch", ParamType::Int, 16, 128, false, 16.0);
        ParamSpec& opt = add("optimizer.kind", ParamType::Categorical, 0, 0, false, std::nullopt);
        opt.choices = {"sgd", "adam", 2, 0.5};
        ParamSpec& mom = add("optimizer.momentum", ParamType::Float, 0.0, 0.99, false, {});
        mom.when = Json{{"optimizer.kind", "sgd"}};
        ParamSpec& beta = add("optimizer.beta", ParamType::Float, 0.8, 0.999, true, {});
        beta.when = Json{{"optimizer.kind", Json::array({"adam", 2})}};
        ParamSpec& nest = add("optimizer.nesterov", ParamType::Categorical, 0, 0, false, {});
        nest.choices = {true, false};
        nest.when = Json{{"optimizer.kind", "sgd"}};
        // an ordinal of numbers and one of strings (stored values are the values themselves)
        ParamSpec& bits = add("bits", ParamType::Ordinal, 0, 3, false, {});
        bits.choices = {4, 8, 16, 32};
        ParamSpec& size = add("model.size", ParamType::Ordinal, 0, 2, false, {});
        size.choices = {"small", "medium", "large"};
        // fixed values: one always set, one only while its parent has a given value
        ParamSpec& seed = add("data.seed", ParamType::Categorical, 0, 0, false, {});
        seed.choices = {17};
        seed.fixed = true;
        ParamSpec& sched = add("optimizer.schedule", ParamType::Categorical, 0, 0, false, {});
        sched.choices = {"cosine"};
        sched.fixed = true;
        sched.when = Json{{"optimizer.kind", "adam"}};
        return s;
    }

    // A chain of conditions three levels deep, declared parents first (as the parser orders
    // them): a -> b -> c -> d, each active only when its parent is active and has the value.
    static SearchSpace nestedSpace() {
        SearchSpace s;
        ParamSpec a;
        a.name = "a";
        a.type = ParamType::Categorical;
        a.choices = {"x", "y"};
        ParamSpec b;
        b.name = "b";
        b.type = ParamType::Ordinal;
        b.choices = {1, 2, 3};
        b.low = 0;
        b.high = 2;
        b.when = Json{{"a", "x"}};
        ParamSpec c;
        c.name = "c";
        c.type = ParamType::Int;
        c.low = 0;
        c.high = 3;
        c.when = Json{{"b", Json::array({2, 3})}};
        ParamSpec d;
        d.name = "d";
        d.type = ParamType::Float;
        d.low = -1;
        d.high = 1;
        d.when = Json{{"c", Json::array({0, 1})}};
        ParamSpec e; // unconditional, so model-based samplers have something to model
        e.name = "e";
        e.type = ParamType::Float;
        e.low = 0;
        e.high = 1;
        s.params = {a, b, c, d, e};
        return s;
    }

    std::unique_ptr<Sampler> make(std::uint64_t seed) const {
        SamplerConfig config;
        config.kind = m_info.kind;
        config.seed = seed;
        config.options = m_options;
        for (const auto& option : m_info.options) {
            if (!config.options.contains(option.path))
                config.options[option.path] = option.defaultValue;
        }
        config.objectives = {Objective{"loss", Direction::Minimize}};
        return m_info.make(config);
    }

    // A history of `count` trials with valid parameters (drawn by RandomSampler), numbered
    // 0..count-1, finished COMPLETE with a loss unless `states` says otherwise (cycled).
    static std::vector<Trial> history(int count, const std::vector<TrialState>& states = {},
                                      bool withValues = true) {
        const SearchSpace space = mixedSpace();
        RandomSampler random(12345);
        std::vector<Trial> trials;
        for (int n = 0; n < count; ++n) {
            Trial t;
            t.id = n + 1;
            t.studyId = 1;
            t.number = n;
            t.state = states.empty() ? TrialState::Complete : states[n % states.size()];
            t.params = random.sample(space, {}, n);
            const bool finished =
                t.state == TrialState::Complete ||
                ((t.state == TrialState::Pruned || t.state == TrialState::Fail) && withValues);
            if (finished) {
                const double x = t.params["x"].get<double>();
                const double loss =
                    (x - 0.5) * (x - 0.5) + std::log10(t.params["lr"].get<double>()) / 10;
                t.value = loss;
                t.values["loss"] = loss;
            }
            if (t.state == TrialState::Fail)
                t.failReason = "synthetic failure";
            t.attempts = t.state == TrialState::Waiting ? 0 : 1;
            t.createdAt = 1000.0 + n;
            trials.push_back(std::move(t));
        }
        return trials;
    }

    // Asks for trial `number`; false (and no failure) when the sampler refuses it past kMustServe.
    bool suggest(Sampler& sampler, const SearchSpace& space, const std::vector<Trial>& trials,
                 int number, Json& out) const {
        try {
            out = sampler.sample(space, trials, number);
            return true;
        } catch (const std::invalid_argument& e) {
            if (number < kMustServe) {
                QTest::qFail(qPrintable(QString("%1 refused trial %2: %3")
                                            .arg(QString::fromStdString(m_info.kind))
                                            .arg(number)
                                            .arg(e.what())),
                             __FILE__, __LINE__);
            }
            return false;
        } catch (const std::exception& e) {
            QTest::qFail(qPrintable(QString("%1 threw on trial %2: %3")
                                        .arg(QString::fromStdString(m_info.kind))
                                        .arg(number)
                                        .arg(e.what())),
                         __FILE__, __LINE__);
            return false;
        }
    }

    // Empty string when `params` is a valid point of `space`, else what is wrong.
    static std::string validate(const SearchSpace& space, const Json& params) {
        if (!params.is_object())
            return "parameters are not an object: " + params.dump();
        Json seen = Json::object();
        for (const auto& p : space.params) {
            const bool active = SearchSpace::isActive(p, seen);
            const auto it = params.find(p.name);
            if (!active) {
                if (it != params.end())
                    return p.name + " is present while inactive: " + params.dump();
                continue;
            }
            if (it == params.end())
                return p.name + " is missing while active: " + params.dump();
            const Json& v = *it;
            seen[p.name] = v;
            const std::string where = p.name + " = " + v.dump() + ": ";
            switch (p.type) {
            case ParamType::Categorical:
            case ParamType::Ordinal: {
                bool found = false;
                for (const auto& c : p.choices)
                    found = found || (v == c && v.type() == c.type()) ||
                            (v == c && v.is_number_integer() && c.is_number_integer());
                if (!found)
                    return where + "not one of the choices";
                break;
            }
            case ParamType::Int: {
                if (!v.is_number_integer())
                    return where + "an int parameter must be a JSON integer";
                const auto x = v.get<std::int64_t>();
                if (static_cast<double>(x) < p.low || static_cast<double>(x) > p.high)
                    return where + "out of bounds";
                if (p.step) {
                    const double k = (static_cast<double>(x) - p.low) / *p.step;
                    if (std::abs(k - std::round(k)) > 1e-9)
                        return where + "off its step";
                }
                break;
            }
            case ParamType::Float: {
                if (!v.is_number())
                    return where + "not a number";
                const double x = v.get<double>();
                if (!std::isfinite(x))
                    return where + "not finite";
                const double tol = 1e-12 * std::max(1.0, std::abs(p.high) + std::abs(p.low));
                if (x < p.low - tol || x > p.high + tol)
                    return where + "out of bounds";
                if (p.step) {
                    const double k = (x - p.low) / *p.step;
                    if (std::abs(k - std::round(k)) > 1e-6)
                        return where + "off its step";
                }
                break;
            }
            }
        }
        for (const auto& [name, value] : params.items()) {
            if (!space.find(name))
                return "unknown parameter " + name;
        }
        return {};
    }

    // Suggestions for trials first..first+count-1, each checked, with `trials` as history.
    std::vector<Json> run(Sampler& sampler, const std::vector<Trial>& trials, int first,
                          int count) const {
        return runOn(sampler, mixedSpace(), trials, first, count);
    }

    std::vector<Json> runOn(Sampler& sampler, const SearchSpace& space,
                            const std::vector<Trial>& trials, int first, int count) const {
        std::vector<Json> out;
        for (int n = first; n < first + count; ++n) {
            Json params;
            if (!suggest(sampler, space, trials, n, params)) {
                if (QTest::currentTestFailed())
                    return out;
                continue;
            }
            const std::string problem = validate(space, params);
            if (!problem.empty()) {
                QTest::qFail(qPrintable(QString("%1, trial %2: %3")
                                            .arg(QString::fromStdString(m_info.kind))
                                            .arg(n)
                                            .arg(QString::fromStdString(problem))),
                             __FILE__, __LINE__);
                return out;
            }
            out.push_back(params);
        }
        return out;
    }

    void checkEmptyHistory() const {
        auto sampler = make(7);
        QVERIFY(sampler);
        // Without history trials may still be asked for in any order (parallel workers).
        const std::vector<Json> first = run(*sampler, {}, 0, 64);
        if (QTest::currentTestFailed())
            return;
        // Ordinals are searched over all their values (stored as the values, not indices).
        for (const Json& value : {Json(4), Json(8), Json(16), Json(32)}) {
            bool seen = false;
            for (const Json& p : first)
                seen = seen || p.value("bits", Json()) == value;
            QVERIFY2(seen, qPrintable(QString("%1 never proposed bits = %2 in 64 trials")
                                          .arg(QString::fromStdString(m_info.kind))
                                          .arg(QString::fromStdString(value.dump()))));
        }
        run(*sampler, {}, 5, 1);
    }

    void checkLongHistory() const {
        auto sampler = make(7);
        const std::vector<Trial> trials = history(200);
        run(*sampler, trials, 200, 3);
    }

    void checkSeeds() const {
        const std::vector<Trial> trials = history(20);
        auto a = make(42), b = make(42), c = make(43);
        const std::vector<Json> first = run(*a, trials, 20, 8);
        const std::vector<Json> same = run(*b, trials, 20, 8);
        const std::vector<Json> other = run(*c, trials, 20, 8);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(first == same, "the same seed must give the same suggestions");
        QVERIFY2(first != other, "another seed must give other suggestions");
        // Reproducible from a fresh instance without history too.
        auto d = make(42), e = make(42);
        QVERIFY(run(*d, {}, 0, 4) == run(*e, {}, 0, 4));
    }

    void checkPending() const {
        auto sampler = make(3);
        std::vector<Trial> trials = history(30);
        std::vector<Trial> pending = history(12, {TrialState::Running, TrialState::Waiting}, false);
        for (auto& t : pending) {
            t.number += 30;
            t.id += 30;
            trials.push_back(t);
        }
        run(*sampler, trials, 42, 4);
        // Only pending trials, nothing finished yet.
        run(*sampler, history(4, {TrialState::Running}, false), 4, 2);
    }

    void checkFailedAndPruned() const {
        auto sampler = make(5);
        const std::vector<TrialState> mix = {TrialState::Complete, TrialState::Fail,
                                             TrialState::Pruned};
        run(*sampler, history(40, mix, true), 40, 3);
        if (QTest::currentTestFailed())
            return;
        run(*sampler, history(40, mix, false), 40, 3);
        if (QTest::currentTestFailed())
            return;
        // Nothing completed at all.
        run(*sampler, history(20, {TrialState::Fail, TrialState::Pruned}, false), 20, 3);
    }

    // Nested conditions: a parameter is present iff its whole chain of conditions holds, with
    // and without history, and the deepest one is reachable.
    void checkNested() const {
        const SearchSpace space = nestedSpace();
        auto sampler = make(11);
        std::vector<Json> all = runOn(*sampler, space, {}, 0, 40);
        if (QTest::currentTestFailed())
            return;
        RandomSampler random(99);
        std::vector<Trial> trials;
        for (int n = 0; n < 40; ++n) {
            Trial t;
            t.id = n + 1;
            t.studyId = 1;
            t.number = n;
            t.state = TrialState::Complete;
            t.params = random.sample(space, {}, n);
            const double e = t.params["e"].get<double>();
            const double loss = (e - 0.3) * (e - 0.3) + (t.params.contains("d") ? -0.5 : 0.0);
            t.value = loss;
            t.values["loss"] = loss;
            trials.push_back(std::move(t));
        }
        const std::vector<Json> more = runOn(*sampler, space, trials, 40, 24);
        if (QTest::currentTestFailed())
            return;
        all.insert(all.end(), more.begin(), more.end());
        bool deepest = false;
        for (const Json& p : all)
            deepest = deepest || p.contains("d");
        QVERIFY2(deepest, qPrintable(QString("%1 never activated the deepest parameter")
                                         .arg(QString::fromStdString(m_info.kind))));
    }

    void checkAll() const {
        checkEmptyHistory();
        if (QTest::currentTestFailed())
            return;
        checkLongHistory();
        if (QTest::currentTestFailed())
            return;
        checkSeeds();
        if (QTest::currentTestFailed())
            return;
        checkPending();
        if (QTest::currentTestFailed())
            return;
        checkFailedAndPruned();
        if (QTest::currentTestFailed())
            return;
        checkNested();
    }

private:
    SamplerInfo m_info;
    Json m_options;
};

} // namespace ps::kit
