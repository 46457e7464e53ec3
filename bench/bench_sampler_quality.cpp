// Optimization quality of every sampler in samplerCatalog() on three synthetic problems:
// Branin (2-D), Hartmann-6 (6-D) and a noisy 10-D quadratic. Each sampler is driven directly in
// a sequential loop (sample, evaluate, append a COMPLETE trial) for a fixed budget, once per
// seed; the figure of merit is the simple regret of the best trial found (for the noisy problem:
// the noise-free value of the trial with the best observed value, minus the optimum).
// A sampler with a boolean option "multivariate" that defaults to false is also run with it set.
// The grid sampler runs shuffled and truncated, with points_per_float = ceil(budget^(1/d)) so
// the grid has at least `budget` points.
// Usage: bench_sampler_quality [--seeds N (20)] [--budget-scale S (1.0)] [--only k1,k2,...]

#include "bench/bench_machine.h"
#include "core/sampling/sampler.h"
#include "core/space/search_space.h"
#include "core/study/trial.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ps;

namespace {

struct Problem {
    std::string name;
    int dims = 0;
    std::vector<double> low, high; // the box, per dimension
    double optimum = 0;
    double noiseSd = 0;
    int baseBudget = 0;
    std::function<double(const std::vector<double>&)> f; // noise-free
};

constexpr double kPi = 3.14159265358979323846;

double branin(const std::vector<double>& x) {
    const double x1 = x[0], x2 = x[1]; // x1 in [-5, 10], x2 in [0, 15]
    const double b = 5.1 / (4 * kPi * kPi), c = 5 / kPi, t = 1 / (8 * kPi);
    const double u = x2 - b * x1 * x1 + c * x1 - 6;
    return u * u + 10 * (1 - t) * std::cos(x1) + 10;
}

double hartmann6(const std::vector<double>& x) {
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double sum = 0;
    for (int i = 0; i < 4; ++i) {
        double inner = 0;
        for (int j = 0; j < 6; ++j)
            inner += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        sum += alpha[i] * std::exp(-inner);
    }
    return -sum;
}

const double kQuadCenter[10] = {1.3, -2.1, 3.4, -0.7, 2.6, -3.8, 0.4, -1.6, 4.1, -2.9};

double quadratic10(const std::vector<double>& x) {
    double v = 0;
    for (int i = 0; i < 10; ++i)
        v += (x[i] - kQuadCenter[i]) * (x[i] - kQuadCenter[i]);
    return v;
}

std::vector<Problem> problems() {
    return {
        {"Branin (2-D)", 2, {-5.0, 0.0}, {10.0, 15.0}, 0.397887357729738, 0.0, 100, branin},
        {"Hartmann-6 (6-D)", 6, std::vector<double>(6, 0.0), std::vector<double>(6, 1.0),
         -3.32236801141551, 0.0, 100, hartmann6},
        {"Noisy quadratic (10-D, noise sd 0.1)", 10, std::vector<double>(10, -5.0),
         std::vector<double>(10, 5.0), 0.0, 0.1, 150, quadratic10},
    };
}

SearchSpace spaceOf(const Problem& p) {
    SearchSpace s;
    for (int i = 0; i < p.dims; ++i) {
        ParamSpec spec;
        spec.name = "x" + std::to_string(i);
        spec.type = ParamType::Float;
        spec.low = p.low[static_cast<std::size_t>(i)];
        spec.high = p.high[static_cast<std::size_t>(i)];
        s.params.push_back(spec);
    }
    return s;
}

// One configuration of one catalog sampler.
struct Contender {
    std::string label; // what the tables print
    std::string kind;
    Json options = Json::object();
};

std::vector<Contender> contenders(const std::vector<std::string>& only) {
    std::vector<Contender> out;
    for (const auto& info : samplerCatalog()) {
        if (!only.empty() && std::find(only.begin(), only.end(), info.kind) == only.end())
            continue;
        out.push_back({info.kind, info.kind, Json::object()});
        for (const auto& opt : info.options) {
            if (opt.path == "multivariate" && opt.defaultValue.is_boolean() &&
                !opt.defaultValue.get<bool>())
                out.push_back({info.kind + "(multivariate)", info.kind, {{"multivariate", true}}});
        }
    }
    return out;
}

struct RunResult {
    double regret = 0;
    double sampleSeconds = 0; // total over the run
    int suggestions = 0;
    int fallbacks = 0; // sample() threw; a random point was used instead, as the orchestrator
};

RunResult runOne(const Problem& problem, const SearchSpace& space, const Contender& who, int budget,
                 std::uint64_t seed) {
    SamplerConfig config;
    config.kind = who.kind;
    config.seed = seed;
    config.options = who.options;
    config.objectives = {Objective{"value", Direction::Minimize}};
    if (who.kind == "grid") {
        const int ppf = static_cast<int>(
            std::ceil(std::pow(static_cast<double>(budget), 1.0 / problem.dims) - 1e-9));
        config.options["points_per_float"] = std::max(2, ppf);
        config.options["truncate"] = true;
        config.options["shuffle"] = true;
    }
    auto sampler = makeSampler(config);
    SamplerConfig randomConfig;
    randomConfig.seed = seed ^ 0x5eedf00dULL;
    auto fallback = makeSampler(randomConfig);

    std::mt19937_64 noise(seed * 7919 + 17);
    std::normal_distribution<double> gauss(0.0, problem.noiseSd > 0 ? problem.noiseSd : 1.0);

    std::vector<Trial> trials;
    trials.reserve(static_cast<std::size_t>(budget));
    RunResult r;
    double bestObserved = INFINITY, bestTrue = INFINITY;
    std::vector<double> x(static_cast<std::size_t>(problem.dims));
    for (int n = 0; n < budget; ++n) {
        Json params;
        const auto t0 = std::chrono::steady_clock::now();
        try {
            params = sampler->sample(space, trials, n);
        } catch (const std::exception&) {
            ++r.fallbacks;
            params = fallback->sample(space, trials, n);
        }
        r.sampleSeconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        ++r.suggestions;
        for (int i = 0; i < problem.dims; ++i)
            x[static_cast<std::size_t>(i)] = params.at("x" + std::to_string(i)).get<double>();
        const double clean = problem.f(x);
        const double observed = problem.noiseSd > 0 ? clean + gauss(noise) : clean;
        if (observed < bestObserved) {
            bestObserved = observed;
            bestTrue = clean;
        }
        Trial t;
        t.number = n;
        t.state = TrialState::Complete;
        t.params = std::move(params);
        t.value = observed;
        t.values["value"] = observed;
        trials.push_back(std::move(t));
    }
    r.regret = bestTrue - problem.optimum;
    return r;
}

double quantile(std::vector<double> v, double q) {
    if (v.empty())
        return NAN;
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::vector<std::string> splitComma(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "bench_sampler_quality: %s\nusage: bench_sampler_quality [--seeds N] "
                 "[--budget-scale S] [--only kind1,kind2,...]\n",
                 why);
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
    int seeds = 20;
    double budgetScale = 1.0;
    std::vector<std::string> only;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(("missing value after " + arg).c_str());
            return argv[++i];
        };
        if (arg == "--seeds")
            seeds = std::atoi(next().c_str());
        else if (arg == "--budget-scale")
            budgetScale = std::atof(next().c_str());
        else if (arg == "--only")
            only = splitComma(next());
        else
            usage(("unknown argument " + arg).c_str());
    }
    if (seeds < 1 || !(budgetScale > 0))
        usage("--seeds must be >= 1 and --budget-scale > 0");
    if (!only.empty() && std::find(only.begin(), only.end(), "random") == only.end())
        only.push_back("random"); // the verdicts compare against random

    const auto all = contenders(only);
    std::printf("machine: %s\n", ps::bench::cpuModel().c_str());
    std::printf("seeds: %d, budget scale: %g, samplers:", seeds, budgetScale);
    for (const auto& c : all)
        std::printf(" %s", c.label.c_str());
    std::printf("\n");
    // A clear win: median regret at most half of random's and better than random (strictly) in
    // at least 75 %% of the seeds (15 of 20).
    const int winsNeeded = static_cast<int>(std::ceil(0.75 * seeds));

    for (const auto& problem : problems()) {
        const SearchSpace space = spaceOf(problem);
        const int budget =
            std::max(1, static_cast<int>(std::lround(problem.baseBudget * budgetScale)));
        std::printf("\n== %s: optimum %.6f, %d trials per run, %d seeds ==\n", problem.name.c_str(),
                    problem.optimum, budget, seeds);
        std::printf("%-22s %14s %14s %14s %10s\n", "sampler", "median regret", "IQR",
                    "s/suggestion", "fallbacks");
        std::vector<std::vector<double>> regrets(all.size());
        for (std::size_t k = 0; k < all.size(); ++k) {
            double seconds = 0;
            int suggestions = 0, fallbacks = 0;
            for (int s = 0; s < seeds; ++s) {
                const RunResult r =
                    runOne(problem, space, all[k], budget, static_cast<std::uint64_t>(s + 1));
                regrets[k].push_back(r.regret);
                seconds += r.sampleSeconds;
                suggestions += r.suggestions;
                fallbacks += r.fallbacks;
            }
            const double iqr = quantile(regrets[k], 0.75) - quantile(regrets[k], 0.25);
            std::printf("%-22s %14.4g %14.4g %14.3g %10d\n", all[k].label.c_str(),
                        quantile(regrets[k], 0.5), iqr, seconds / std::max(1, suggestions),
                        fallbacks);
            std::fflush(stdout);
        }
        std::size_t randomIndex = all.size();
        for (std::size_t k = 0; k < all.size(); ++k)
            if (all[k].label == "random")
                randomIndex = k;
        if (randomIndex == all.size())
            continue;
        const double randomMedian = quantile(regrets[randomIndex], 0.5);
        for (std::size_t k = 0; k < all.size(); ++k) {
            if (all[k].kind != "tpe" && all[k].kind != "gp")
                continue;
            int wins = 0;
            for (int s = 0; s < seeds; ++s)
                wins += regrets[k][static_cast<std::size_t>(s)] <
                        regrets[randomIndex][static_cast<std::size_t>(s)];
            const double median = quantile(regrets[k], 0.5);
            const bool clear = median <= 0.5 * randomMedian && wins >= winsNeeded;
            std::printf("%s vs random: median %.4g vs %.4g (ratio %.3f), better in %d of %d "
                        "seeds (need %d) -> %s\n",
                        all[k].label.c_str(), median, randomMedian,
                        randomMedian > 0 ? median / randomMedian : NAN, wins, seeds, winsNeeded,
                        clear ? "CLEARLY BEATS random" : "does not clearly beat random");
        }
    }
    return 0;
}
