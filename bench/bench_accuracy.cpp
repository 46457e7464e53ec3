// Accuracy sanity check (issue 4): the classify task trains the demo's MLP and the CNN on the
// full Fashion-MNIST training split (54k training / 6k validation images, the task's own
// split) and is scored on the 10k test images. Targets: test accuracy >= 0.88 for the MLP,
// >= 0.91 for the CNN. A benchmark, not a test: it takes minutes and always exits 0.
//
//   bench_accuracy [--threads N] [--only mlp|cnn] [--epochs-mlp E] [--epochs-cnn E]

#include "bench/bench_machine.h"
#include "core/execution/builtin_tasks.h"
#include "core/train/train_tasks.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

class QuietFeedback final : public ps::TaskFeedback {
public:
    bool isCanceled() const override { return false; }
    void report(std::int64_t epoch, const std::map<std::string, double>& metrics) override {
        const auto acc = metrics.find("val_acc");
        std::printf("  epoch %3lld  train_loss %.4f  val_loss %.4f  val_acc %.4f\n",
                    static_cast<long long>(epoch), metrics.at("train_loss"), metrics.at("val_loss"),
                    acc == metrics.end() ? 0.0 : acc->second);
        std::fflush(stdout);
    }
    void log(const std::string&) override {}
    void checkpointSaved(std::int64_t) override {}
};

struct Model {
    const char* id;          // what --only names
    const char* description; // the fixed configuration, as printed
    const char* kind;
    const char* activation;
    int width, depth, epochs;
    double lr, target;
};

// Trains one model with its fixed configuration and prints the figures.
void runModel(const ps::TaskCatalog& catalog, const Model& m, int threads) {
    ps::Json s = ps::defaultSettings(ps::classifyTaskSpec());
    s["dataset"]["subset"] = 0; // all 60k training images: 54k training, 6k validation
    s["model"]["kind"] = m.kind;
    s["model"]["width"] = m.width;
    s["model"]["depth"] = m.depth;
    s["model"]["activation"] = m.activation;
    s["optimizer"]["kind"] = "adam";
    s["optimizer"]["lr"] = m.lr;
    s["schedule"]["kind"] = "cosine";
    s["batch_size"] = 128;
    s["epochs"] = m.epochs;
    s["device"] = "cpu";
    s["threads"] = threads;
    s["seed"] = 0;

    std::printf("%s: %s, Adam lr %g, cosine schedule to 0, batch 128, %d epoch(s), seed 0\n", m.id,
                m.description, m.lr, m.epochs);
    std::fflush(stdout);
    ps::TaskInput input;
    input.settings = s;
    QuietFeedback feedback;
    const auto start = std::chrono::steady_clock::now();
    const ps::TaskResult r = catalog.make("classify")->run(input, feedback);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r.end != ps::TaskEnd::Complete) {
        std::printf("%s: failed: %s\n\n", m.id, r.reason.c_str());
        return;
    }
    const double testAcc = r.metrics.at("test_acc");
    std::printf("%s: %d epoch(s), wall %.1f s, final val acc %.4f, test acc %.4f  ", m.id, m.epochs,
                wall, r.metrics.at("val_acc"), testAcc);
    if (testAcc >= m.target)
        std::printf("PASS (>= %.2f)\n\n", m.target);
    else
        std::printf("MISSED (target %.2f)\n\n", m.target);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    int threads = 1, epochsMlp = 30, epochsCnn = 8;
    std::string only;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--only"))
            only = argv[i + 1];
        else if (!std::strcmp(argv[i], "--epochs-mlp"))
            epochsMlp = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--epochs-cnn"))
            epochsCnn = std::atoi(argv[i + 1]);
    }
    if (!only.empty() && only != "mlp" && only != "cnn") {
        std::fprintf(stderr, "bench_accuracy: --only takes mlp or cnn, not '%s'\n", only.c_str());
        return 2;
    }
    std::printf("machine: %s; %d intra-op thread(s); Fashion-MNIST, 54k train / 6k val / 10k "
                "test\n\n",
                ps::bench::cpuModel().c_str(), threads);
    ps::TaskCatalog catalog = ps::TaskCatalog::withBuiltins();
    ps::registerTrainTasks(catalog);

    // The MLP lies inside the demo study's space (width 256, depth 2, relu, adam); the CNN is
    // the task's cnn at its default width and depth (channels 32-64).
    const Model models[] = {
        {"mlp", "mlp 784-256-256-10 relu", "mlp", "relu", 256, 2, epochsMlp, 1e-3, 0.88},
        {"cnn", "cnn 32-64 channels relu", "cnn", "relu", 32, 2, epochsCnn, 1e-3, 0.91},
    };
    for (const Model& m : models)
        if (only.empty() || only == m.id)
            runModel(catalog, m, threads);
    return 0;
}
