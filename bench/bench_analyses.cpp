// What `paramscope-cli analyze` costs on large studies, through the whole path a user takes
// (trials read from SQLite, options checked, the analysis computed and stored, then the stored
// result reused): LIME on a 1,000-trial study (a 64-tree random forest fitted as the surrogate,
// 5,000 samples) and importance (fANOVA, PED-ANOVA, correlations) on 1,000 and 10,000 trials.
// 10 parameters: two log floats, four floats, an int, a categorical, an ordinal-like int and a
// conditional float; the objective a known function plus noise.
//
//   bench_analyses

#include "bench/bench_machine.h"
#include "core/analysis/analysis.h"
#include "core/execution/builtin_tasks.h"
#include "core/sampling/random_sampler.h"
#include "core/space/study_file.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

const char* kStudy = R"(name: big
task: {kind: noop}
space:
  lr: {type: float, low: 1.0e-5, high: 1.0, log: true}
  wd: {type: float, low: 1.0e-6, high: 1.0e-1, log: true}
  a: {type: float, low: -1, high: 1}
  b: {type: float, low: -1, high: 1}
  c: {type: float, low: -1, high: 1}
  d: {type: float, low: -1, high: 1}
  width: {type: int, low: 16, high: 1024}
  kind: {type: categorical, values: [sgd, adam, adamw, rmsprop]}
  depth: {type: int, low: 1, high: 8}
  momentum: {type: float, low: 0, high: 0.99, when: {kind: sgd}}
objective: {metric: loss}
)";

double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

} // namespace

int main() {
    std::printf("machine: %s; one process, LibTorch not involved\n\n",
                ps::bench::cpuModel().c_str());
    const ps::TaskCatalog tasks = ps::TaskCatalog::withBuiltins();
    const ps::AnalysisCatalog analyses = ps::AnalysisCatalog::withBuiltins();
    const std::string dir = "/tmp/bench_analyses." + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    for (int n : {1000, 10000}) {
        const ps::StudyConfig config = ps::parseStudyText(kStudy, "big.yaml", dir, tasks);
        std::filesystem::remove(dir + "/big.db");
        auto storage = ps::openStorage(config.storageUrl);
        ps::StudyRecord record;
        record.name = "big";
        record.configText = kStudy;
        const std::int64_t id = storage->createStudy(record);
        ps::RandomSampler sampler(7);
        std::mt19937_64 rng(3);
        std::normal_distribution<double> noise(0, 0.05);
        const auto fill = Clock::now();
        for (int i = 0; i < n; ++i) {
            const ps::Json p = sampler.sample(config.space, {}, i);
            const double loss = std::pow(std::log10(p["lr"].get<double>()) + 3, 2) +
                                2 * p["a"].get<double>() +
                                p["b"].get<double>() * p["c"].get<double>() +
                                (p["kind"] == "sgd" ? 0.5 : 0.0) + noise(rng);
            const ps::Trial t = storage->createTrial(id, p, "bench");
            storage->finishTrial(t.id, "bench", ps::TrialState::Complete, {{"loss", loss}}, loss,
                                 "");
        }
        std::printf("%d trials written in %.1f s\n", n, seconds(fill));
        for (const char* kind : {"importance", "lime"}) {
            if (std::string(kind) == "lime" && n > 1000)
                continue;
            const auto start = Clock::now();
            const ps::AnalysisOutcome first =
                ps::requestAnalysis(*storage, id, config, analyses, kind, {});
            const double computed = seconds(start);
            const auto again = Clock::now();
            const ps::AnalysisOutcome second =
                ps::requestAnalysis(*storage, id, config, analyses, kind, {});
            const double reused = seconds(again);
            std::printf("  %-11s %s in %7.3f s; asked again: %s in %.4f s\n", kind,
                        first.record.state == ps::AnalysisState::Done ? "computed" : "FAILED",
                        computed, second.reused ? "reused" : "recomputed", reused);
            if (first.record.state != ps::AnalysisState::Done)
                std::printf("    %s\n", first.record.error.c_str());
        }
    }
    std::filesystem::remove_all(dir);
    return 0;
}
