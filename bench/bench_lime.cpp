// Time of one LIME explanation (5,000 samples) of a row of a 1,000-trial, 10-parameter table
// (two log floats, five floats, an int, a categorical and a float active for one of its
// choices), with a cheap analytic predictor. The predictor's own time is measured apart and
// left out of the "LIME" column: with a real surrogate (a random forest over 5,000 rows) its
// cost adds to these figures. The explainer's set-up (training statistics) is timed apart too.
// Usage: bench_lime [min seconds per figure, default 1]

#include "bench/bench_machine.h"
#include "core/analysis/lime.h"
#include "core/sampling/random_sampler.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace ps;

namespace {

using Clock = std::chrono::steady_clock;

SearchSpace mixedSpace() {
    SearchSpace s;
    for (int i = 0; i < 10; ++i) {
        ParamSpec p;
        p.name = "x" + std::to_string(i);
        p.low = i < 2 ? 1e-4 : -5.0;
        p.high = i < 2 ? 1.0 : 5.0;
        p.log = i < 2;
        s.params.push_back(p);
    }
    s.params[7].type = ParamType::Int;
    s.params[7].low = 1;
    s.params[7].high = 64;
    s.params[8].type = ParamType::Categorical;
    s.params[8].choices = {"a", "b", "c", "d"};
    s.params[9].when = {{"x8", "a"}};
    return s;
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
        t.value = 0.0;
        trials.push_back(std::move(t));
    }
    return paramTable(space, trials, "value");
}

struct Figure {
    double total = 0, predictor = 0; // seconds per explanation
};

Figure timeExplain(const ParamTable& t, const LimeOptions& options, double minSeconds) {
    const LimeExplainer explainer(t, options);
    double inPredictor = 0;
    const Predictor predict = [&](const std::vector<double>& x, std::size_t rows) {
        const auto start = Clock::now();
        const std::size_t d = x.size() / rows;
        std::vector<double> y(rows);
        for (std::size_t i = 0; i < rows; ++i) {
            double v = 0;
            for (std::size_t j = 0; j < d; ++j) {
                const double c = x[i * d + j];
                v += std::isnan(c) ? 0.0 : (j % 2 ? c * c : std::sin(c));
            }
            y[i] = v;
        }
        inPredictor += std::chrono::duration<double>(Clock::now() - start).count();
        return y;
    };
    const auto start = Clock::now();
    int reps = 0;
    double elapsed = 0, sink = 0;
    while (reps < 3 || elapsed < minSeconds) {
        sink += explainer.explain(static_cast<std::size_t>(reps % 1000), predict).score;
        ++reps;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    if (!std::isfinite(sink))
        std::printf("(non-finite score?)\n");
    return {elapsed / reps, inPredictor / reps};
}

double timeSetup(const ParamTable& t, const LimeOptions& options, double minSeconds) {
    const auto start = Clock::now();
    int reps = 0;
    double elapsed = 0, sink = 0;
    while (reps < 3 || elapsed < minSeconds) {
        sink += LimeExplainer(t, options).kernelWidth();
        ++reps;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    if (sink <= 0)
        std::printf("(no kernel width?)\n");
    return elapsed / reps;
}

} // namespace

int main(int argc, char** argv) {
    const double minSeconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    std::printf("bench_lime: ms per LIME explanation, 1,000 trials x 10 parameters, "
                "5,000 samples\n");
    std::printf("machine: %s\n\n", ps::bench::cpuModel().c_str());
    const ParamTable t = table(1000);
    std::printf("%-44s %9s %11s %9s %9s\n", "configuration", "total", "predictor", "LIME",
                "set-up");
    struct Row {
        const char* name;
        LimeOptions options;
    };
    std::vector<Row> rows;
    rows.push_back({"quartile, auto (10 -> highest_weights)", {}});
    LimeOptions forward;
    forward.numFeatures = 5;
    rows.push_back({"quartile, auto (5 -> forward_selection)", forward});
    LimeOptions decile;
    decile.discretizer = LimeDiscretizer::Decile;
    rows.push_back({"decile, auto (10 -> highest_weights)", decile});
    LimeOptions continuous;
    continuous.discretizer = LimeDiscretizer::None;
    continuous.sampleAroundInstance = true;
    rows.push_back({"no discretizer, around instance, auto (10)", continuous});
    for (const Row& r : rows) {
        const Figure f = timeExplain(t, r.options, minSeconds);
        const double setup = timeSetup(t, r.options, minSeconds / 4);
        std::printf("%-44s %9.3f %11.3f %9.3f %9.3f\n", r.name, 1e3 * f.total, 1e3 * f.predictor,
                    1e3 * (f.total - f.predictor), 1e3 * setup);
        std::fflush(stdout);
    }
    std::printf("\nLIME = total - predictor: sampling, kernel, feature selection, Ridge fit. The\n"
                "predictor here is analytic; a real surrogate's cost comes on top.\n");
    return 0;
}
