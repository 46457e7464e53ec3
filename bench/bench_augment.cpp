// Augmentation throughput on the CPU: images per second for each augmentation alone and for
// all of them together, on batches of 256 one-channel 28x28 images (Fashion-MNIST's shape),
// with one intra-op thread (what a CPU worker gets).
// Usage: bench_augment [min seconds per figure, default 1] [threads, default 1]

#include "bench/bench_machine.h"
#include "core/train/augment_torch.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

using namespace ps;

int main(int argc, char** argv) {
    const double minSeconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
    torch::set_num_threads(threads);
    std::printf("machine: %s, %d intra-op thread(s)\n", ps::bench::cpuModel().c_str(), threads);
    std::printf("batch 256 x 1 x 28 x 28 float, CPU\n\n");

    auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
    const torch::Tensor images = torch::rand({256, 1, 28, 28}, gen, torch::kFloat);
    const torch::Tensor targets = torch::randint(0, 10, {256}, gen, torch::kLong);

    const std::vector<std::pair<std::string, Json>> cases = {
        {"flip", {{"flip", {{"p", 0.5}, {"vertical", true}}}}},
        {"rotation", {{"rotation", {{"degrees", 15}}}}},
        {"rot90", {{"rot90", {{"p", 0.5}}}}},
        {"translate_scale", {{"translate_scale", Json::object()}}},
        {"noise", {{"noise", {{"std", 0.1}}}}},
        {"blur (sigma_max 1)", {{"blur", {{"p", 0.5}, {"sigma_max", 1.0}}}}},
        {"blur (sigma_max 2)", {{"blur", {{"p", 0.5}, {"sigma_max", 2.0}}}}},
        {"erasing", {{"erasing", {{"p", 0.5}}}}},
        {"brightness_contrast", {{"brightness_contrast", Json::object()}}},
        {"invert", {{"invert", {{"p", 0.5}}}}},
        {"mixup", {{"mixup", {{"alpha", 0.2}}}}},
        {"all together", Json::parse(R"({"flip": {"p": 0.5}, "rotation": {"degrees": 15},
            "rot90": {"p": 0.5}, "translate_scale": {}, "noise": {"std": 0.1},
            "blur": {"sigma_max": 1.0, "p": 0.5}, "erasing": {"p": 0.5, "scale_max": 0.2},
            "brightness_contrast": {}, "invert": {"p": 0.1}, "mixup": {"alpha": 0.2}})")},
    };

    std::printf("%-22s %14s %12s\n", "augmentation", "images/s", "ms/batch");
    for (const auto& [name, json] : cases) {
        const AugmentPolicy policy = parseAugmentPolicy(json);
        const auto once = [&] {
            torch::Tensor x = applyAugmentations(images, policy, gen);
            if (policy.mixup.enabled)
                x = applyMixup(x, targets, policy, gen).images;
            return x;
        };
        once(); // warm-up
        using Clock = std::chrono::steady_clock;
        const auto start = Clock::now();
        std::int64_t batches = 0;
        double elapsed = 0;
        do {
            once();
            ++batches;
            elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        } while (elapsed < minSeconds);
        std::printf("%-22s %14.0f %12.3f\n", name.c_str(), 256.0 * batches / elapsed,
                    1e3 * elapsed / batches);
    }
    return 0;
}
