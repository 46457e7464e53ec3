// Time per TPE suggestion at 100, 1,000 and 10,000 finished trials in 10 dimensions, univariate
// and multivariate, for an all-float space and a mixed one (int, stepped, categorical: their
// discrete kernels cost an erfc per component instead of a square).
// Usage: bench_tpe [min seconds per figure, default 0.5]

#include "bench/bench_machine.h"
#include "core/sampling/random_sampler.h"
#include "core/sampling/tpe_sampler.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace ps;

namespace {

SearchSpace floatSpace() {
    SearchSpace s;
    for (int i = 0; i < 10; ++i) {
        ParamSpec p;
        p.name = "x" + std::to_string(i);
        p.low = i < 2 ? 1e-4 : -5.0;
        p.high = i < 2 ? 1.0 : 5.0;
        p.log = i < 2;
        s.params.push_back(p);
    }
    return s;
}

SearchSpace mixedSpace() {
    SearchSpace s = floatSpace();
    s.params[6].type = ParamType::Int;
    s.params[6].low = 1;
    s.params[6].high = 64;
    s.params[7].type = ParamType::Int;
    s.params[7].low = 8;
    s.params[7].high = 1024;
    s.params[7].log = true;
    s.params[8].step = 0.5;
    s.params[9].type = ParamType::Categorical;
    s.params[9].choices = {"a", "b", "c", "d"};
    return s;
}

double objective(const Json& p) {
    double v = 0;
    for (const auto& [k, x] : p.items())
        v += x.is_number() ? std::pow(x.get<double>() - 0.3, 2) : (x == Json("a") ? 0.0 : 1.0);
    return v;
}

// Mean seconds per suggestion with `n` finished trials.
double timeSuggestion(const SearchSpace& space, int n, bool multivariate, double minSeconds) {
    RandomSampler random(1);
    std::vector<Trial> trials;
    trials.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        Trial t;
        t.number = i;
        t.state = TrialState::Complete;
        t.params = random.sample(space, {}, i);
        t.value = objective(t.params);
        trials.push_back(std::move(t));
    }
    TpeSampler::Options o;
    o.multivariate = multivariate;
    TpeSampler tpe(7, o);
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    int reps = 0;
    double elapsed = 0;
    std::size_t sink = 0;
    while (reps < 3 || elapsed < minSeconds) {
        sink += tpe.sample(space, trials, n + reps).size();
        ++reps;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    if (sink == 0)
        std::printf("(no parameters?)\n");
    return elapsed / reps;
}

} // namespace

int main(int argc, char** argv) {
    const double minSeconds = argc > 1 ? std::atof(argv[1]) : 0.5;
    std::printf("bench_tpe: ms per suggestion, 10 dimensions, n_ei_candidates 24\n");
    std::printf("machine: %s\n\n", ps::bench::cpuModel().c_str());
    std::printf("%-7s %-13s %10s %10s %10s\n", "space", "mode", "n=100", "n=1000", "n=10000");
    for (int s = 0; s < 2; ++s) {
        const SearchSpace space = s == 0 ? floatSpace() : mixedSpace();
        for (bool mv : {false, true}) {
            std::printf("%-7s %-13s", s == 0 ? "float" : "mixed",
                        mv ? "multivariate" : "univariate");
            for (int n : {100, 1000, 10000})
                std::printf(" %10.3f", 1e3 * timeSuggestion(space, n, mv, minSeconds));
            std::printf("\n");
            std::fflush(stdout);
        }
    }
    return 0;
}
