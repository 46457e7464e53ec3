// Time of the importance analyses on 1,000 and 10,000 random trials of a 10-parameter mixed
// space (log floats, floats, an int, a log int, an ordinal, a categorical and a conditional
// float): the forest fit alone (64 trees, Optuna's settings), fANOVA (fit + decomposition),
// fANOVA with pairs, PED-ANOVA and correlations. One thread throughout.
// Usage: bench_importance [min seconds per figure, default 0.5]

#include "bench/bench_machine.h"
#include "core/analysis/correlation.h"
#include "core/analysis/fanova.h"
#include "core/analysis/param_table.h"
#include "core/analysis/ped_anova.h"
#include "core/analysis/random_forest.h"
#include "core/sampling/random_sampler.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>

using namespace ps;

namespace {

ParamSpec param(const std::string& name, ParamType type, double low, double high,
                bool log = false) {
    ParamSpec p;
    p.name = name;
    p.type = type;
    p.low = low;
    p.high = high;
    p.log = log;
    return p;
}

SearchSpace mixedSpace() {
    SearchSpace s;
    s.params.push_back(param("lr", ParamType::Float, 1e-5, 1e-1, true));
    s.params.push_back(param("wd", ParamType::Float, 1e-6, 1e-2, true));
    s.params.push_back(param("dropout", ParamType::Float, 0, 0.5));
    s.params.push_back(param("warmup", ParamType::Float, 0, 1));
    s.params.push_back(param("label_smoothing", ParamType::Float, 0, 0.2));
    s.params.push_back(param("depth", ParamType::Int, 1, 12));
    s.params.push_back(param("width", ParamType::Int, 16, 1024, true));
    ParamSpec batch = param("batch", ParamType::Ordinal, 0, 4);
    batch.choices = {32, 64, 128, 256, 512};
    s.params.push_back(batch);
    ParamSpec opt = param("optimizer", ParamType::Categorical, 0, 0);
    opt.choices = {"sgd", "adam", "adamw", "lion"};
    s.params.push_back(opt);
    ParamSpec momentum = param("momentum", ParamType::Float, 0, 0.99);
    momentum.when = {{"optimizer", "sgd"}};
    s.params.push_back(momentum);
    return s;
}

double objective(const Json& p) {
    const double lr = std::log10(p["lr"].get<double>());
    double v = (lr + 2.5) * (lr + 2.5) + 0.3 * p["dropout"].get<double>() +
               0.05 * std::abs(p["depth"].get<double>() - 6) +
               0.2 * std::log(p["width"].get<double>()) / std::log(1024.0);
    if (p["optimizer"] == "sgd")
        v += 0.5 * (1 - p["momentum"].get<double>());
    else if (p["optimizer"] == "lion")
        v += 0.3;
    return v;
}

ParamTable table(int n) {
    const SearchSpace space = mixedSpace();
    RandomSampler random(1);
    std::vector<Trial> trials;
    for (int i = 0; i < n; ++i) {
        Trial t;
        t.number = i;
        t.state = TrialState::Complete;
        t.params = random.sample(space, {}, i);
        t.value = objective(t.params);
        t.values = {{"loss", *t.value}};
        trials.push_back(std::move(t));
    }
    return paramTable(space, trials, "loss");
}

double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Timing {
    double wall = 0, cpu = 0; // mean seconds per call
};

// At least 2 calls of `f` and `minSeconds`. CPU time is this thread's: on a shared machine the
// wall time also counts the other processes' turns.
Timing timeIt(const std::function<void()>& f, double minSeconds) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const double cpu0 = cpuSeconds();
    int reps = 0;
    double elapsed = 0;
    while (reps < 2 || elapsed < minSeconds) {
        f();
        ++reps;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    return {elapsed / reps, (cpuSeconds() - cpu0) / reps};
}

void print(const Timing& t) {
    std::printf(" %9.4f (%7.4f)", t.wall, t.cpu);
}

} // namespace

int main(int argc, char** argv) {
    const double minSeconds = argc > 1 ? std::atof(argv[1]) : 0.5;
    std::printf("bench_importance: seconds per analysis, 10 parameters (mixed kinds), one "
                "thread\n");
    std::printf("machine: %s\n\n", ps::bench::cpuModel().c_str());
    std::printf("wall seconds (CPU seconds of the thread)\n");
    std::printf("%-34s %19s %19s\n", "analysis", "n=1000", "n=10000");
    const ParamTable t1 = table(1000), t10 = table(10000);
    const auto row = [&](const char* name, const std::function<void(const ParamTable&)>& f) {
        std::printf("%-34s", name);
        print(timeIt([&] { f(t1); }, minSeconds));
        print(timeIt([&] { f(t10); }, minSeconds));
        std::printf("\n");
        std::fflush(stdout);
    };
    row("forest fit (64 trees)", [](const ParamTable& t) {
        RandomForest forest;
        forest.fit(t);
    });
    row("fANOVA (fit + decomposition)", [](const ParamTable& t) { fanova(t); });
    {
        std::printf("%-34s", "fANOVA decomposition only");
        for (const ParamTable* t : {&t1, &t10}) {
            RandomForest forest;
            forest.fit(*t);
            std::vector<std::string> names;
            for (const ParamColumn& c : t->columns)
                names.push_back(c.name);
            print(timeIt([&] { fanova(forest, names, {}, inferActivity(*t)); }, minSeconds));
        }
        std::printf("\n");
    }
    FanovaOptions pairs;
    pairs.pairs = true;
    row("fANOVA with pairs (45 pairs)", [&](const ParamTable& t) { fanova(t, pairs); });
    row("PED-ANOVA", [](const ParamTable& t) { pedAnova(t); });
    row("correlations", [](const ParamTable& t) { correlations(t); });

    std::printf("\nfANOVA importances, n=10000:\n");
    for (const FanovaParam& p : fanova(t10).params)
        std::printf("  %-16s %.4f\n", p.name.c_str(), p.importance);
    std::printf("PED-ANOVA importances, n=10000:\n");
    for (const PedAnovaParam& p : pedAnova(t10).params)
        std::printf("  %-16s %.4f\n", p.name.c_str(), p.importance);
    return 0;
}
