// Loss-landscape throughput (issue 5): the demo MLP (784-512-512-10) on 10,000 Fashion-MNIST
// training images, a 51 x 51 grid along two filter-normalized random directions, evaluated the
// fast way (the first layer's output combined per direction, the rest per point) and the
// straightforward way (all weights set and a full forward pass per point, in the reference's
// evaluation batches of 128 and in batches of 4096), in the same run, with the largest
// difference between the grids.
//
//   bench_landscape [--threads N] [--points P] [--samples S] [--naive-batch B] [--naive-rows R]
//
// --naive-rows R evaluates the straightforward loops on the grid's first R rows only (every
// point costs the same there), compares them with the fast grid on those rows, and projects
// their time to the whole grid; the output says so.

#include "bench/bench_machine.h"
#include "core/execution/builtin_tasks.h"
#include "core/train/classify_torch.h"
#include "core/train/landscape_torch.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    int threads = 2, points = 51, naiveBatch = 128, naiveRows = 0;
    long samples = 10000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--points"))
            points = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--samples"))
            samples = std::atol(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--naive-batch"))
            naiveBatch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--naive-rows"))
            naiveRows = std::atoi(argv[i + 1]);
    }
    torch::set_num_threads(threads);
    ps::Json settings = {{"dataset", {{"name", "fashion-mnist"}}},
                         {"model", {{"kind", "mlp"}, {"width", 512}, {"depth", 2}}},
                         {"device", "cpu"}};
    ps::ClassifyProbe probe = ps::classifyProbe(settings, "train", samples);
    ps::Model& model = *probe.model;
    std::printf("machine: %s; %d thread(s)\n%s; %d x %d grid, 2 filter-normalized random "
                "directions (biasbn), weights at initialization\n\n",
                ps::bench::cpuModel().c_str(), threads, probe.description.c_str(), points, points);
    const ps::WeightList w = ps::copyWeights(model);
    const ps::WeightList dx = ps::randomDirection(w, 123, ps::DirectionNorm::Filter, true);
    const ps::WeightList dy = ps::randomDirection(w, 124, ps::DirectionNorm::Filter, true);
    const auto xs = ps::linspace(-1, 1, points);
    ps::GridEvaluation how;
    how.inputs = &probe.inputs;
    how.targets = &probe.targets;
    how.lossSum = [&](const torch::Tensor& o, const torch::Tensor& t) {
        return probe.lossSum(o, t);
    };
    how.correct = [&](const torch::Tensor& o, const torch::Tensor& t) {
        return probe.correct(o, t);
    };
    const int rows = naiveRows > 0 && naiveRows < points ? naiveRows : points;
    const std::vector<double> naiveYs(xs.begin(), xs.begin() + rows);
    const auto timed = [&](bool fast, std::int64_t chunk) {
        how.fast = fast;
        how.chunk = chunk;
        const auto start = std::chrono::steady_clock::now();
        ps::LandscapeGrid g = ps::evaluateGrid(model, w, dx, &dy, xs, fast ? xs : naiveYs, how);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return std::make_pair(g, s);
    };
    const double n = double(points) * points;
    const auto [fast, fastSeconds] = timed(true, 4096);
    std::printf("%-44s %9.2f s %9.1f points/s\n", "fast (first layer per direction)", fastSeconds,
                n / fastSeconds);
    // the reference's evaluation batch, then one as large as the fast path's
    struct Naive {
        std::int64_t batch;
        ps::LandscapeGrid grid;
        double seconds;
    };
    std::vector<Naive> naive;
    for (std::int64_t batch : {std::int64_t(naiveBatch), std::int64_t(4096)}) {
        auto [grid, measured] = timed(false, batch);
        const double seconds = measured * double(points) / double(rows); // the whole grid
        std::printf("%-44s %9.2f s %9.1f points/s%s\n",
                    ("straightforward loop, batches of " + std::to_string(batch)).c_str(), seconds,
                    n / seconds,
                    rows < points ? ("  (" + std::to_string(rows) + " of " +
                                     std::to_string(points) + " rows measured, projected)")
                                        .c_str()
                                  : "");
        naive.push_back({batch, std::move(grid), seconds});
    }
    std::printf("\n");
    for (const Naive& v : naive) {
        double worst = 0, worstAcc = 0;
        for (std::size_t r = 0; r < v.grid.loss.size(); ++r)
            for (std::size_t c = 0; c < fast.loss[r].size(); ++c) {
                worst = std::max(worst, std::abs(fast.loss[r][c] - v.grid.loss[r][c]) /
                                            std::max(1.0, std::abs(v.grid.loss[r][c])));
                worstAcc =
                    std::max(worstAcc, std::abs(fast.accuracy[r][c] - v.grid.accuracy[r][c]));
            }
        std::printf("against batches of %-5lld speed-up %.2fx (target 3x); largest relative loss "
                    "difference %.2g, accuracy difference %.2g\n",
                    static_cast<long long>(v.batch), v.seconds / fastSeconds, worst, worstAcc);
    }
    return 0;
}
