#include "core/execution/builtin_tasks.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

namespace ps {

namespace {

SettingSpec num(std::string path, SettingType type, double def, std::optional<double> min,
                std::optional<double> max, std::string help) {
    SettingSpec s;
    s.path = std::move(path);
    s.type = type;
    s.defaultValue = type == SettingType::Int ? Json(static_cast<std::int64_t>(def)) : Json(def);
    s.min = min;
    s.max = max;
    s.help = std::move(help);
    return s;
}

SettingSpec str(std::string path, std::string def, std::vector<std::string> choices,
                std::string help) {
    SettingSpec s;
    s.path = std::move(path);
    s.type = SettingType::String;
    s.defaultValue = def;
    s.choices = std::move(choices);
    s.help = std::move(help);
    return s;
}

SettingSpec map(std::string path, std::string help) {
    SettingSpec s;
    s.path = std::move(path);
    s.type = SettingType::Map;
    s.defaultValue = Json::object();
    s.help = std::move(help);
    return s;
}

} // namespace

TaskSpec noopTaskSpec() {
    TaskSpec spec;
    spec.kind = "noop";
    spec.description = "Does no training; reports a loss computed from the parameters, and their "
                       "L1 norm as `norm` (to constrain). For exercising samplers, schedulers "
                       "and the orchestration.";
    spec.settings = {
        num("steps", SettingType::Int, 3, 1, 1e6, "intermediate reports per trial"),
        num("sleep_ms", SettingType::Float, 0, 0, 3.6e6, "time spent per step"),
        num("fail_above", SettingType::Float, INFINITY, std::nullopt, std::nullopt,
            "trials whose final loss is above this fail"),
    };
    spec.settings[2].defaultValue = nullptr; // unset: never fail
    spec.metrics = {"loss", "norm"};
    spec.freeParameters = true;
    return spec;
}

TaskSpec classifyTaskSpec() {
    using T = SettingType;
    TaskSpec spec;
    spec.kind = "classify";
    spec.description = "Image classification with LibTorch: an MLP trained on Fashion-MNIST.";
    spec.settings = {
        str("dataset.name", "fashion-mnist", {"fashion-mnist"}, "dataset"),
        str("dataset.path", "/usr/share/datasets/fashion-mnist", {},
            "folder holding the IDX files (Debian package dataset-fashion-mnist)"),
        num("dataset.subset", T::Int, 0, 0, 60000,
            "training images used (a fixed, seeded subset); 0 = all"),
        num("dataset.val_fraction", T::Float, 0.1, 0.01, 0.9,
            "share of the training images held out for validation"),
        num("dataset.seed", T::Int, 0, 0, std::nullopt, "seed of the subset and split"),
        str("model.kind", "mlp", {"mlp"}, "architecture"),
        num("model.width", T::Int, 256, 1, 65536, "units per hidden layer"),
        num("model.depth", T::Int, 2, 1, 64, "hidden layers"),
        str("model.activation", "relu", {"relu", "tanh", "gelu", "silu", "sigmoid"},
            "activation function"),
        str("parametrization.kind", "sp", {"sp"}, "parametrization (muP family: later)"),
        str("optimizer.kind", "adam", {"sgd", "adam"}, "optimizer"),
        num("optimizer.lr", T::Float, 1e-3, 0, 1e3, "learning rate"),
        num("optimizer.momentum", T::Float, 0.0, 0, 0.9999, "SGD momentum"),
        num("optimizer.weight_decay", T::Float, 0.0, 0, 10, "L2 weight decay"),
        str("schedule.kind", "constant", {"constant"}, "learning-rate schedule"),
        map("augment", "augmentations (none available yet)"),
        num("epochs", T::Int, 5, 1, 100000, "training epochs"),
        num("batch_size", T::Int, 128, 1, 1 << 20, "mini-batch size"),
        str("device", "auto", {}, "auto | cpu | cuda | cuda:N"),
        num("seed", T::Int, 0, 0, std::nullopt, "seed of initialization and batch order"),
        num("threads", T::Int, 0, 0, 1024, "intra-op threads per worker; 0 = cores / workers"),
    };
    spec.metrics = {"train_loss", "val_loss", "val_acc"};
    spec.checkData = [](const Json& settings, std::string& key) -> std::string {
        const std::string device = settings["device"].get<std::string>();
        if (!(device == "auto" || device == "cpu" || device == "cuda" ||
              (device.rfind("cuda:", 0) == 0 && device.size() > 5 &&
               device.find_first_not_of("0123456789", 5) == std::string::npos))) {
            key = "device";
            return "device '" + device + "' is not one of auto, cpu, cuda, cuda:N";
        }
        namespace fs = std::filesystem;
        const fs::path dir = settings["dataset"]["path"].get<std::string>();
        for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            std::error_code ec;
            if (!fs::is_regular_file(dir / name, ec)) {
                key = "dataset.path";
                return "dataset file " + (dir / name).string() +
                       " is missing (install the Debian package dataset-fashion-mnist, or "
                       "point dataset.path at a folder with the four IDX .gz files)";
            }
        }
        return {};
    };
    return spec;
}

double noopLoss(const Json& params) {
    // A bowl with its minimum where every numeric parameter is 0.3 of its value; categorical
    // values add a fixed offset by position so they matter too.
    double loss = 0;
    for (const auto& [name, v] : params.items()) {
        if (v.is_number()) {
            const double x = v.get<double>();
            loss += (x - 0.3) * (x - 0.3);
        } else if (v.is_string()) {
            loss += static_cast<double>(std::hash<std::string>{}(v.get<std::string>()) % 7) / 10;
        } else if (v.is_boolean()) {
            loss += v.get<bool>() ? 0.1 : 0.0;
        }
    }
    return loss;
}

namespace {

class NoopTask final : public Task {
public:
    TaskResult run(const TaskInput& input, TaskFeedback& feedback) override {
        const int steps = input.settings.value("steps", 3);
        const double sleepMs = input.settings.value("sleep_ms", 0.0);
        const double finalLoss = noopLoss(input.params);
        TaskResult result;
        for (int step = 1; step <= steps; ++step) {
            if (feedback.isCanceled()) {
                result.end = TaskEnd::Canceled;
                return result;
            }
            if (sleepMs > 0)
                std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(sleepMs));
            const double loss = finalLoss + 1.0 / step - 1.0 / steps;
            feedback.report(step, {{"loss", loss}});
        }
        result.metrics["loss"] = finalLoss;
        double norm = 0; // the sum of the numeric parameters' magnitudes
        for (const auto& [name, v] : input.params.items()) {
            if (v.is_number())
                norm += std::abs(v.get<double>());
        }
        result.metrics["norm"] = norm;
        const Json& failAbove = input.settings["fail_above"];
        if (failAbove.is_number() && finalLoss > failAbove.get<double>()) {
            result.end = TaskEnd::Fail;
            result.reason = "loss " + std::to_string(finalLoss) + " is above fail_above " +
                            std::to_string(failAbove.get<double>());
        }
        return result;
    }
};

} // namespace

std::unique_ptr<Task> makeNoopTask() {
    return std::make_unique<NoopTask>();
}

} // namespace ps
