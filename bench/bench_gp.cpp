// Time per GP suggestion at 100 and 500 finished trials in 10 dimensions (all float, two of
// them log-scale): the MAP fit (O(n^3) per L-BFGS step) dominates as n grows.
// Usage: bench_gp [min seconds per figure, default 1]

#include "bench/bench_machine.h"
#include "core/sampling/gp_sampler.h"
#include "core/sampling/random_sampler.h"

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

// A smooth objective with some noise-free structure: a shifted sphere plus a ripple.
double objective(const Json& p) {
    double v = 0;
    int i = 0;
    for (const auto& [name, x] : p.items()) {
        const double t = i < 2 ? std::log10(x.get<double>()) + 2 : x.get<double>() - 1;
        v += t * t + 0.3 * std::sin(3 * t);
        ++i;
    }
    return v;
}

double timeSuggestion(const SearchSpace& space, int n, double minSeconds) {
    RandomSampler random(1);
    std::vector<Trial> trials;
    for (int i = 0; i < n; ++i) {
        Trial t;
        t.id = i + 1;
        t.number = i;
        t.state = TrialState::Complete;
        t.params = random.sample(space, {}, i);
        t.value = objective(t.params);
        trials.push_back(std::move(t));
    }
    GpSampler gp(1, GpSampler::Options{});
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    int reps = 0;
    double elapsed = 0;
    std::size_t sink = 0;
    while (reps < 2 || elapsed < minSeconds) {
        sink += gp.sample(space, trials, n + reps).size();
        ++reps;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    if (sink == 0)
        std::printf("(no parameters?)\n");
    return elapsed / reps;
}

} // namespace

int main(int argc, char** argv) {
    const double minSeconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    std::printf("bench_gp: ms per suggestion, 10 float dimensions, 2048 candidates\n");
    std::printf("machine: %s\n\n", ps::bench::cpuModel().c_str());
    std::printf("%10s %10s\n", "n=100", "n=500");
    for (int n : {100, 500}) {
        std::printf(" %10.1f", 1e3 * timeSuggestion(floatSpace(), n, minSeconds));
        std::fflush(stdout);
    }
    std::printf("\n");
    return 0;
}
