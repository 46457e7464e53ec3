#include "core/execution/builtin_tasks.h"

#include "core/train/augment.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
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
    spec.resumable = true;
    spec.budgetSetting = "steps";
    return spec;
}

TaskSpec classifyTaskSpec() {
    using T = SettingType;
    TaskSpec spec;
    spec.kind = "classify";
    spec.description = "Supervised training with LibTorch: an MLP on Fashion-MNIST, a seeded "
                       "synthetic set, a CSV table or IDX images; classification or regression.";
    spec.resumable = true;
    spec.budgetSetting = "epochs";
    spec.settings = {
        str("dataset.name", "fashion-mnist",
            {"fashion-mnist", "spirals", "blobs", "teacher-student", "csv", "idx"}, "dataset"),
        str("dataset.path", "/usr/share/datasets/fashion-mnist", {},
            "fashion-mnist: folder holding the IDX files (Debian package "
            "dataset-fashion-mnist)"),
        str("dataset.file", "", {}, "csv: the table (a header row, numeric features)"),
        str("dataset.target", "label", {}, "csv: the column to predict"),
        str("dataset.target_kind", "classes", {"classes", "values"},
            "csv: classification (classes) or regression (values)"),
        str("dataset.images", "", {}, "idx: the image file (idx3, may be gzipped)"),
        str("dataset.labels", "", {}, "idx: the label file (idx1, may be gzipped)"),
        num("dataset.size", T::Int, 2000, 10, 1e7, "synthetic sets: number of examples"),
        num("dataset.classes", T::Int, 3, 2, 1000, "spirals: arms; blobs: clusters"),
        num("dataset.features", T::Int, 10, 1, 1e5, "blobs, teacher-student: input dimensions"),
        num("dataset.noise", T::Float, 0.2, 0, 100,
            "spirals: angle noise; teacher-student: target noise std"),
        num("dataset.spread", T::Float, 1.0, 0, 1e3, "blobs: cluster standard deviation"),
        num("dataset.teacher_width", T::Int, 16, 1, 1e5, "teacher-student: teacher hidden units"),
        num("dataset.test_fraction", T::Float, 0.2, 0.01, 0.9,
            "all but fashion-mnist (whose test set is its own file): share held out for test"),
        num("dataset.subset", T::Int, 0, 0, 1e9,
            "training examples used (a fixed, seeded subset); 0 = all"),
        num("dataset.val_fraction", T::Float, 0.1, 0.01, 0.9,
            "share of the training images held out for validation"),
        num("dataset.seed", T::Int, 0, 0, std::nullopt, "seed of the subset and split"),
        str("model.kind", "mlp", {"mlp", "cnn", "resnet", "vit"},
            "architecture (cnn, resnet and vit need images)"),
        num("model.width", T::Int, 256, 1, 65536,
            "mlp: units per hidden layer; cnn, resnet: first-stage channels; vit: embedding"),
        num("model.depth", T::Int, 2, 1, 64,
            "mlp: hidden layers; cnn: conv blocks; resnet: blocks per stage; vit: blocks"),
        str("model.norm", "none", {"none", "batch", "layer"},
            "mlp: normalization after each hidden layer"),
        num("model.residual_scale", T::Float, 1.0, 0, 100,
            "resnet, vit: residual branches scaled by this (times 1/sqrt(L) under depth-muP)"),
        num("model.patch", T::Int, 4, 1, 1024, "vit: patch side in pixels"),
        num("model.heads", T::Int, 4, 1, 1024, "vit: attention heads (dividing width)"),
        str("model.activation", "relu", {"relu", "tanh", "gelu", "silu", "sigmoid"},
            "activation function"),
        str("parametrization.kind", "sp", {"sp", "mup", "umup"},
            "sp (PyTorch's defaults), mup (per-layer init and lr relative to base_width) or "
            "umup (unit-scaled muP); METHODS 3"),
        num("parametrization.base_width", T::Int, 64, 1, 65536,
            "mup: the width whose hyperparameters transfer to the others"),
        num("parametrization.output_mult", T::Float, 1.0, 0, 1e6, "mup: readout multiplier"),
        makeSetting("parametrization.readout_zero_init", T::Bool, true, std::nullopt, std::nullopt,
                    "mup: start the readout at zero"),
        makeSetting("parametrization.depth_mup", T::Bool, false, std::nullopt, std::nullopt,
                    "resnet, vit: residual branches x 1/sqrt(L) and Adam lr / sqrt(L) inside "
                    "them (depth-muP)"),
        str("optimizer.kind", "adam", {"sgd", "adam", "adamw"}, "optimizer"),
        num("optimizer.lr", T::Float, 1e-3, 0, 1e3, "learning rate (onecycle: its peak)"),
        num("optimizer.momentum", T::Float, 0.0, 0, 0.9999, "SGD momentum"),
        makeSetting("optimizer.nesterov", T::Bool, false, std::nullopt, std::nullopt,
                    "SGD: Nesterov momentum (needs momentum > 0)"),
        num("optimizer.beta1", T::Float, 0.9, 0, 0.9999, "Adam, AdamW: beta1"),
        num("optimizer.beta2", T::Float, 0.999, 0, 0.999999, "Adam, AdamW: beta2"),
        num("optimizer.eps", T::Float, 1e-8, 0, 1, "Adam, AdamW: epsilon"),
        num("optimizer.weight_decay", T::Float, 0.0, 0, 10,
            "weight decay (L2 for SGD and Adam, decoupled for AdamW)"),
        num("optimizer.grad_clip", T::Float, 0.0, 0, 1e9,
            "clip the gradients' global L2 norm to this (0: no clipping)"),
        str("schedule.kind", "constant", {"constant", "step", "cosine", "linear", "onecycle"},
            "learning-rate schedule, stepped every mini-batch"),
        num("schedule.warmup_steps", T::Int, 0, 0, 1e9,
            "linear warm-up over this many mini-batches (not with onecycle)"),
        num("schedule.step_epochs", T::Int, 30, 1, 1e6, "step: epochs between decays"),
        num("schedule.gamma", T::Float, 0.1, 0, 1, "step: decay factor"),
        num("schedule.min_lr_factor", T::Float, 0.0, 0, 1,
            "cosine, linear: the final lr as a fraction of lr"),
        num("schedule.pct_start", T::Float, 0.3, 0.01, 0.99,
            "onecycle: share of the run spent raising the lr"),
        num("schedule.div_factor", T::Float, 25, 1, 1e6, "onecycle: initial lr = lr / this"),
        num("schedule.final_div_factor", T::Float, 1e4, 1, 1e12,
            "onecycle: final lr = initial lr / this"),
        makeSetting("schedule.three_phase", T::Bool, false, std::nullopt, std::nullopt,
                    "onecycle: down to the initial lr symmetrically, then annihilate"),
        makeSetting("schedule.cycle_momentum", T::Bool, true, std::nullopt, std::nullopt,
                    "onecycle: cycle SGD momentum / Adam beta1 inversely to the lr"),
        num("schedule.base_momentum", T::Float, 0.85, 0, 0.9999, "onecycle: lowest momentum"),
        num("schedule.max_momentum", T::Float, 0.95, 0, 0.9999, "onecycle: highest momentum"),
        makeSetting("artifacts.weights", T::Bool, false, std::nullopt, std::nullopt,
                    "save the initial and the final weights in the trial's folder"),
        num("artifacts.snapshot_every", T::Int, 0, 0, 1e9,
            "also save the weights every this many steps (0: none)"),
        str("artifacts.snapshot_unit", "epoch", {"epoch", "batch"},
            "what snapshot_every counts: epochs or mini-batches"),
        num("divergence_factor", T::Float, 100, 0, 1e12,
            "fail at once when a batch loss exceeds this times the first one (0: only NaN)"),
        num("epochs", T::Int, 5, 1, 100000, "training epochs"),
        num("batch_size", T::Int, 128, 1, 1 << 20, "mini-batch size"),
        str("device", "auto", {}, "auto | cpu | cuda | cuda:N"),
        str("precision", "auto", {"auto", "fp32", "bf16", "fp16"},
            "mixed precision: auto = bf16 on a GPU that has it (else fp16 with loss scaling), "
            "fp32 on the CPU"),
        num("seed", T::Int, 0, 0, std::nullopt, "seed of initialization and batch order"),
        num("threads", T::Int, 0, 0, 1024, "intra-op threads per worker; 0 = cores / workers"),
    };
    // Each augmentation is a block of settings with an on/off switch (augment.<name>.enabled),
    // so augmentations and their hyperparameters are searchable like any other setting.
    for (auto& s : augmentSettings())
        spec.settings.push_back(std::move(s));
    spec.metrics = {"train_loss",         "val_loss",         "val_acc",
                    "test_loss",          "test_acc",         "train_samples_per_s",
                    "eval_samples_per_s", "step_overhead",    "parameters",
                    "train_loss_last50",  "batches_per_epoch"};
    spec.pathSettings = {"dataset.path", "dataset.file", "dataset.images", "dataset.labels"};
    spec.checkData = [](const Json& settings, std::string& key) -> std::string {
        const std::string device = settings["device"].get<std::string>();
        if (!(device == "auto" || device == "cpu" || device == "cuda" ||
              (device.rfind("cuda:", 0) == 0 && device.size() > 5 &&
               device.find_first_not_of("0123456789", 5) == std::string::npos))) {
            key = "device";
            return "device '" + device + "' is not one of auto, cpu, cuda, cuda:N";
        }
        namespace fs = std::filesystem;
        const std::string name = settings["dataset"]["name"].get<std::string>();
        const auto needFile = [&](const char* setting) -> std::string {
            const std::string file = settings["dataset"][setting].get<std::string>();
            std::error_code ec;
            if (!file.empty() && fs::is_regular_file(file, ec))
                return {};
            key = std::string("dataset.") + setting;
            return file.empty() ? "dataset " + name + " needs dataset." + setting
                                : "dataset file " + file + " is missing";
        };
        if (name == "csv")
            return needFile("file");
        if (name == "idx") {
            const std::string images = needFile("images");
            return images.empty() ? needFile("labels") : images;
        }
        if (name != "fashion-mnist")
            return {};
        const fs::path dir = settings["dataset"]["path"].get<std::string>();
        for (const char* file : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            std::error_code ec;
            if (!fs::is_regular_file(dir / file, ec)) {
                key = "dataset.path";
                return "dataset file " + (dir / file).string() +
                       " is missing (install the Debian package dataset-fashion-mnist, or "
                       "point dataset.path at a folder with the four IDX .gz files)";
            }
        }
        return {};
    };
    return spec;
}

namespace {

// A task that runs on the classifier's data and model but drives training itself: the
// classifier's settings less the ones about a whole training run (epochs, schedule,
// artifacts, augmentations, divergence), and less `alsoDropped`.
TaskSpec classifierProbeSpec(const std::string& kind, const std::string& alsoDropped) {
    const TaskSpec classify = classifyTaskSpec();
    TaskSpec spec;
    spec.kind = kind;
    for (const auto& s : classify.settings) {
        if (s.path == "epochs" || s.path.rfind("schedule.", 0) == 0 ||
            s.path.rfind("artifacts.", 0) == 0 || s.path.rfind("augment.", 0) == 0 ||
            s.path == "divergence_factor" || s.path == alsoDropped)
            continue;
        spec.settings.push_back(s);
    }
    return spec;
}

} // namespace

TaskSpec coordCheckTaskSpec() {
    TaskSpec spec = classifierProbeSpec("coord_check", "");
    spec.description = "muP's coordinate check: a few optimizer steps on one fixed batch, "
                       "reporting each layer's mean |activation| per step; sweep model.width "
                       "to see whether activations stay the same size as the model widens.";
    spec.settings.push_back(
        num("coord.steps", SettingType::Int, 3, 1, 1000, "optimizer steps (t = 1 is at init)"));
    spec.metrics = {"l1.output", "l1.hidden.0", "l1.hidden.1"};
    return spec;
}

TaskSpec lrRangeTaskSpec() {
    // the range sets the lr itself
    TaskSpec spec = classifierProbeSpec("lr_range", "optimizer.lr");
    spec.description = "Learning-rate range test (Smith; fastai's lr_find) on the classify "
                       "task's data and model: raises the lr exponentially each mini-batch "
                       "until the smoothed loss diverges, then suggests a learning rate.";
    using T = SettingType;
    spec.settings.push_back(num("range.start_lr", T::Float, 1e-7, 1e-12, 1e3, "first lr"));
    spec.settings.push_back(num("range.end_lr", T::Float, 10, 1e-9, 1e6, "last lr"));
    spec.settings.push_back(
        num("range.num_it", T::Int, 100, 20, 1e6, "mini-batches from start_lr to end_lr"));
    spec.settings.push_back(
        num("range.beta", T::Float, 0.98, 0, 0.9999, "smoothing of the loss (bias-corrected EMA)"));
    spec.settings.push_back(num("range.stop_factor", T::Float, 4, 1, 1e6,
                                "stop when the smoothed loss exceeds this times its best"));
    spec.settings.push_back(str("range.suggestion", "valley", {"valley", "minimum", "steep"},
                                "the rule lr_suggested follows"));
    spec.metrics = {"lr_suggested", "lr_valley", "lr_minimum",    "lr_steep", "lr_lowest",
                    "lr_start",     "loss",      "smoothed_loss", "lr"};
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
        // Its whole state is the step reached, so its checkpoint is that step, as JSON.
        int first = 1;
        if (input.resumeStep > 0) {
            std::ifstream in(input.checkpointPath);
            const Json saved = Json::parse(in, nullptr, /*allow_exceptions=*/false);
            if (!saved.is_object() || saved.value("step", std::int64_t{-1}) != input.resumeStep)
                throw std::runtime_error("noop: " + input.checkpointPath +
                                         " is not a checkpoint of step " +
                                         std::to_string(input.resumeStep));
            first = static_cast<int>(input.resumeStep) + 1;
        }
        for (int step = first; step <= steps; ++step) {
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
        if (!input.checkpointPath.empty()) {
            const std::string temp = input.checkpointPath + ".tmp";
            std::ofstream(temp) << Json{{"step", steps}}.dump();
            std::filesystem::rename(temp, input.checkpointPath);
            feedback.checkpointSaved(steps);
        }
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
