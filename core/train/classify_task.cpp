// The built-in "classify" task: an MLP trained on Fashion-MNIST with LibTorch. One of the few
// translation units that include LibTorch; nothing here leaks into a header.

#include "core/execution/builtin_tasks.h"
#include "core/train/augment_torch.h"
#include "core/train/classify_torch.h"
#include "core/train/datasets.h"
#include "core/train/fashion_mnist.h"
#include "core/train/lr_range.h"
#include "core/train/lr_schedule.h"
#include "core/train/models_torch.h"
#include "core/train/precision_torch.h"
#include "core/train/train_tasks.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>
#include <torch/utils.h>
#include <type_traits>
#include <utility>
#include <vector>

namespace ps {

namespace {

// ---- settings -------------------------------------------------------------------------------

// A setting the task cannot honour; run() turns it into a FAIL with this message as reason.
class SettingError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

const Json& settingAt(const Json& settings, std::string_view path) {
    const Json* node = &settings;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = path.find('.', start);
        const std::string key(path.substr(start, dot - start));
        if (!node->is_object() || !node->contains(key))
            throw SettingError("setting '" + std::string(path) + "' is missing");
        node = &(*node)[key];
        if (dot == std::string_view::npos)
            return *node;
        start = dot + 1;
    }
}

template <typename T> T setting(const Json& settings, std::string_view path) {
    const Json& value = settingAt(settings, path);
    const auto wrong = [&](const char* what) {
        return SettingError("setting '" + std::string(path) + "' is not " + what + ": " +
                            value.dump());
    };
    if constexpr (std::is_same_v<T, std::string>) {
        if (!value.is_string())
            throw wrong("a string");
        return value.get<std::string>();
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!value.is_boolean())
            throw wrong("true or false");
        return value.get<bool>();
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!value.is_number())
            throw wrong("a number");
        return value.get<T>();
    } else {
        static_assert(std::is_integral_v<T>);
        constexpr const char* what =
            std::is_signed_v<T> ? "an integer in range" : "a whole number >= 0 in range";
        if (value.is_number_unsigned()) {
            const auto number = value.get<std::uint64_t>();
            if (number > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
                throw wrong(what);
            return static_cast<T>(number);
        }
        if (value.is_number_integer()) {
            const auto number = value.get<std::int64_t>();
            if constexpr (std::is_signed_v<T>) {
                if (number < std::int64_t{std::numeric_limits<T>::min()} ||
                    number > std::int64_t{std::numeric_limits<T>::max()})
                    throw wrong(what);
            } else if (number < 0) {
                throw wrong(what);
            }
            return static_cast<T>(number);
        }
        // Samplers may hand integers over as doubles (256.0); fractions are a mistake. Beyond
        // 2^53 a double no longer says which integer it means.
        if (value.is_number_float()) {
            const double number = value.get<double>();
            constexpr double kExact = 9007199254740992.0; // 2^53
            const double max = std::min(kExact, double(std::numeric_limits<T>::max()));
            const double min = std::is_signed_v<T> ? -max : 0.0;
            if (number != std::floor(number) || number < min || number > max)
                throw wrong(what);
            return static_cast<T>(number);
        }
        throw wrong(what);
    }
}

// The value of a string setting among `choices`, mapped to what it stands for; throws naming
// the values this build supports.
template <typename E>
E chooseSetting(const Json& settings, std::string_view path,
                std::initializer_list<std::pair<std::string_view, E>> choices) {
    const std::string value = setting<std::string>(settings, path);
    std::string list;
    for (const auto& [name, meaning] : choices) {
        if (value == name)
            return meaning;
        list += (list.empty() ? "" : ", ") + std::string(name);
    }
    throw SettingError("setting '" + std::string(path) + "' is '" + value +
                       "'; this build supports: " + list);
}

enum class OptimizerKind { Sgd, Adam, AdamW };

struct ClassifyConfig {
    std::string datasetName = "fashion-mnist";
    std::string datasetFile, datasetTarget, datasetImages, datasetLabels;
    TargetKind datasetTargetKind = TargetKind::Classes;
    std::int64_t datasetSize = 2000;
    int datasetClasses = 3, datasetFeatures = 10, teacherWidth = 16;
    double datasetNoise = 0.2, datasetSpread = 1.0, testFraction = 0.2;
    std::string datasetPath;
    std::int64_t subset = 0;
    double valFraction = 0.1;
    std::uint64_t dataSeed = 0;
    ModelSpec model; // input shape and outputs filled in from the data
    std::string activationName;
    OptimizerKind optimizer = OptimizerKind::Adam;
    std::string optimizerName;
    double lr = 1e-3;
    double momentum = 0;
    bool nesterov = false;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    double weightDecay = 0;
    double gradClip = 0;
    ScheduleConfig schedule; // lr and step counts filled in once the data is known
    double divergenceFactor = 100;
    AugmentPolicy augment;
    bool saveWeights = false;
    std::int64_t snapshotEvery = 0;
    bool snapshotBatches = false; // snapshotEvery counts mini-batches, not epochs
    std::int64_t epochs = 1;
    std::int64_t batchSize = 128;
    std::string device;
    std::string precision;
    std::uint64_t seed = 0;
    int threads = 0;
};

void requireAtLeast(std::string_view path, double value, double min) {
    if (!(value >= min))
        throw SettingError("setting '" + std::string(path) + "' is " + std::to_string(value) +
                           ", below its minimum " + std::to_string(min));
}

ClassifyConfig readConfig(const Json& s) {
    // The kinds the spec lists for the future are refused by name rather than ignored, so a
    // study never silently trains something other than what its file says.

    ClassifyConfig c;
    try {
        const Json* augment = s.contains("augment") ? &s.at("augment") : nullptr;
        c.augment = parseAugmentPolicy(augment ? *augment : Json());
    } catch (const std::invalid_argument& error) {
        throw SettingError(std::string("setting ") + error.what());
    }
    c.datasetName = setting<std::string>(s, "dataset.name");
    chooseSetting<bool>(s, "dataset.name",
                        {{"fashion-mnist", true},
                         {"spirals", true},
                         {"blobs", true},
                         {"teacher-student", true},
                         {"csv", true},
                         {"idx", true}});
    c.datasetFile = setting<std::string>(s, "dataset.file");
    c.datasetTarget = setting<std::string>(s, "dataset.target");
    c.datasetTargetKind = chooseSetting<TargetKind>(
        s, "dataset.target_kind",
        {{"classes", TargetKind::Classes}, {"values", TargetKind::Values}});
    c.datasetImages = setting<std::string>(s, "dataset.images");
    c.datasetLabels = setting<std::string>(s, "dataset.labels");
    c.datasetSize = setting<std::int64_t>(s, "dataset.size");
    c.datasetClasses = setting<int>(s, "dataset.classes");
    c.datasetFeatures = setting<int>(s, "dataset.features");
    c.datasetNoise = setting<double>(s, "dataset.noise");
    c.datasetSpread = setting<double>(s, "dataset.spread");
    c.teacherWidth = setting<int>(s, "dataset.teacher_width");
    c.testFraction = setting<double>(s, "dataset.test_fraction");
    c.datasetPath = setting<std::string>(s, "dataset.path");
    c.subset = setting<std::int64_t>(s, "dataset.subset");
    c.valFraction = setting<double>(s, "dataset.val_fraction");
    c.dataSeed = setting<std::uint64_t>(s, "dataset.seed");
    c.model.kind = chooseSetting<ModelKind>(s, "model.kind",
                                            {{"mlp", ModelKind::Mlp},
                                             {"cnn", ModelKind::Cnn},
                                             {"resnet", ModelKind::ResNet},
                                             {"vit", ModelKind::Vit}});
    c.model.width = setting<std::int64_t>(s, "model.width");
    c.model.depth = setting<std::int64_t>(s, "model.depth");
    c.model.norm = chooseSetting<Normalization>(s, "model.norm",
                                                {{"none", Normalization::None},
                                                 {"batch", Normalization::Batch},
                                                 {"layer", Normalization::Layer}});
    c.model.residualScale = setting<double>(s, "model.residual_scale");
    c.model.patch = setting<std::int64_t>(s, "model.patch");
    c.model.heads = setting<std::int64_t>(s, "model.heads");
    c.model.parametrization = chooseSetting<Parametrization>(s, "parametrization.kind",
                                                             {{"sp", Parametrization::Sp},
                                                              {"mup", Parametrization::MuP},
                                                              {"umup", Parametrization::UMuP}});
    c.model.depthMuP = setting<bool>(s, "parametrization.depth_mup");
    c.model.baseWidth = setting<std::int64_t>(s, "parametrization.base_width");
    c.model.outputMult = setting<double>(s, "parametrization.output_mult");
    c.model.readoutZeroInit = setting<bool>(s, "parametrization.readout_zero_init");
    c.activationName = setting<std::string>(s, "model.activation");
    c.model.activation = chooseSetting<Activation>(s, "model.activation",
                                                   {{"relu", Activation::Relu},
                                                    {"tanh", Activation::Tanh},
                                                    {"gelu", Activation::Gelu},
                                                    {"silu", Activation::Silu},
                                                    {"sigmoid", Activation::Sigmoid}});
    c.optimizerName = setting<std::string>(s, "optimizer.kind");
    c.optimizer = chooseSetting<OptimizerKind>(s, "optimizer.kind",
                                               {{"sgd", OptimizerKind::Sgd},
                                                {"adam", OptimizerKind::Adam},
                                                {"adamw", OptimizerKind::AdamW}});
    c.lr = setting<double>(s, "optimizer.lr");
    c.momentum = setting<double>(s, "optimizer.momentum");
    c.nesterov = setting<bool>(s, "optimizer.nesterov");
    c.beta1 = setting<double>(s, "optimizer.beta1");
    c.beta2 = setting<double>(s, "optimizer.beta2");
    c.eps = setting<double>(s, "optimizer.eps");
    c.weightDecay = setting<double>(s, "optimizer.weight_decay");
    c.gradClip = setting<double>(s, "optimizer.grad_clip");
    if (c.nesterov && (c.optimizer != OptimizerKind::Sgd || c.momentum <= 0))
        throw SettingError("setting 'optimizer.nesterov' needs optimizer.kind sgd with "
                           "optimizer.momentum > 0");
    try {
        c.schedule = scheduleFromSettings(s); // lr and step counts are set once data is known
    } catch (const std::invalid_argument& error) {
        throw SettingError(error.what());
    }
    if (c.schedule.kind == ScheduleKind::OneCycle && c.schedule.warmupSteps > 0)
        throw SettingError("setting 'schedule.warmup_steps': onecycle warms up by itself "
                           "(pct_start); leave warmup_steps at 0");
    c.divergenceFactor = setting<double>(s, "divergence_factor");
    c.saveWeights = setting<bool>(s, "artifacts.weights");
    c.snapshotEvery = setting<std::int64_t>(s, "artifacts.snapshot_every");
    c.snapshotBatches =
        chooseSetting<bool>(s, "artifacts.snapshot_unit", {{"epoch", false}, {"batch", true}});
    c.epochs = setting<std::int64_t>(s, "epochs");
    c.batchSize = setting<std::int64_t>(s, "batch_size");
    c.device = setting<std::string>(s, "device");
    c.precision = setting<std::string>(s, "precision");
    c.seed = setting<std::uint64_t>(s, "seed");
    c.threads = setting<int>(s, "threads");

    requireAtLeast("model.width", double(c.model.width), 1);
    requireAtLeast("model.depth", double(c.model.depth), 1);
    requireAtLeast("optimizer.lr", c.lr, 0);
    requireAtLeast("optimizer.momentum", c.momentum, 0);
    requireAtLeast("optimizer.weight_decay", c.weightDecay, 0);
    requireAtLeast("epochs", double(c.epochs), 1);
    requireAtLeast("batch_size", double(c.batchSize), 1);
    requireAtLeast("threads", c.threads, 0);
    return c;
}

torch::Device resolveDevice(const std::string& name) {
    if (name == "cpu")
        return torch::kCPU;
    if (name == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::kCPU;
    int index = 0;
    if (name != "cuda") {
        const std::string_view digits =
            name.rfind("cuda:", 0) == 0 ? std::string_view(name).substr(5) : std::string_view();
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
            throw SettingError("device '" + name + "' is not one of auto, cpu, cuda, cuda:N");
    }
    if (!torch::cuda::is_available())
        throw SettingError("device '" + name +
                           "' asked for, but CUDA is not available (this LibTorch has no CUDA "
                           "support or no GPU is visible); use device 'auto' or 'cpu'");
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (index >= count)
        throw SettingError("device '" + name + "' asked for, but only " + std::to_string(count) +
                           " CUDA device(s) are visible");
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(index)};
}

// ---- model ----------------------------------------------------------------------------------

using Net = std::shared_ptr<Model>;

Net makeModel(const ClassifyConfig& c, const std::vector<std::int64_t>& inputShape,
              std::int64_t outputs) {
    ModelSpec spec = c.model;
    spec.inputShape = inputShape;
    spec.outputs = outputs;
    try {
        return buildModel(spec, c.seed, c.optimizer != OptimizerKind::Sgd);
    } catch (const std::invalid_argument& error) {
        throw SettingError(error.what());
    }
}

// The optimizer over the model's parameter groups (one under SP; per-layer groups under muP,
// u-muP and depth-muP), each group's lr and weight decay scaled by its multipliers;
// `lrMultipliers` receives them so schedules scale every group relatively.
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const ClassifyConfig& c, Net& model,
                                                       std::vector<double>& lrMultipliers) {
    const bool adamLike = c.optimizer != OptimizerKind::Sgd;
    std::vector<torch::optim::OptimizerParamGroup> groups;
    lrMultipliers.clear();
    for (const ParamGroup& g : parameterGroups(*model, adamLike)) {
        const double lr = c.lr * g.lrMult;
        double wd = c.weightDecay * g.wdMult;
        // u-muP's independent weight decay (METHODS.md 3.5): wd / lr_param, so that AdamW's
        // per-step decay lr_param * wd_param does not move when the learning rate is tuned.
        if (c.model.parametrization == Parametrization::UMuP &&
            c.optimizer == OptimizerKind::AdamW && lr > 0)
            wd = c.weightDecay / lr;
        std::unique_ptr<torch::optim::OptimizerOptions> options;
        switch (c.optimizer) {
        case OptimizerKind::Sgd:
            options = std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(lr)
                                                                     .momentum(c.momentum)
                                                                     .nesterov(c.nesterov)
                                                                     .weight_decay(wd));
            break;
        case OptimizerKind::Adam:
            options = std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(lr)
                                                                      .betas({c.beta1, c.beta2})
                                                                      .eps(c.eps)
                                                                      .weight_decay(wd));
            break;
        case OptimizerKind::AdamW:
            options = std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr)
                                                                       .betas({c.beta1, c.beta2})
                                                                       .eps(c.eps)
                                                                       .weight_decay(wd));
            break;
        }
        groups.emplace_back(g.params, std::move(options));
        lrMultipliers.push_back(g.lrMult);
    }
    switch (c.optimizer) {
    case OptimizerKind::Sgd:
        return std::make_unique<torch::optim::SGD>(std::move(groups),
                                                   torch::optim::SGDOptions(c.lr)
                                                       .momentum(c.momentum)
                                                       .nesterov(c.nesterov)
                                                       .weight_decay(c.weightDecay));
    case OptimizerKind::Adam:
        return std::make_unique<torch::optim::Adam>(std::move(groups),
                                                    torch::optim::AdamOptions(c.lr)
                                                        .betas({c.beta1, c.beta2})
                                                        .eps(c.eps)
                                                        .weight_decay(c.weightDecay));
    case OptimizerKind::AdamW:
        break;
    }
    return std::make_unique<torch::optim::AdamW>(std::move(groups),
                                                 torch::optim::AdamWOptions(c.lr)
                                                     .betas({c.beta1, c.beta2})
                                                     .eps(c.eps)
                                                     .weight_decay(c.weightDecay));
}

// Sets every parameter group's lr, and its momentum (SGD) or beta1 (Adam, AdamW) where the
// schedule drives it.
void applySchedule(torch::optim::Optimizer& optimizer, OptimizerKind kind,
                   const ScheduleValue& value, const std::vector<double>& lrMultipliers) {
    auto& groups = optimizer.param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) {
        auto& group = groups[g];
        group.options().set_lr(value.lr * (g < lrMultipliers.size() ? lrMultipliers[g] : 1.0));
        if (!value.momentum)
            continue;
        if (kind == OptimizerKind::Sgd) {
            static_cast<torch::optim::SGDOptions&>(group.options()).momentum(*value.momentum);
        } else if (kind == OptimizerKind::Adam) {
            auto& o = static_cast<torch::optim::AdamOptions&>(group.options());
            o.betas({*value.momentum, std::get<1>(o.betas())});
        } else {
            auto& o = static_cast<torch::optim::AdamWOptions&>(group.options());
            o.betas({*value.momentum, std::get<1>(o.betas())});
        }
    }
}

// ---- data -----------------------------------------------------------------------------------

struct Examples {
    torch::Tensor images; // float [n, features], standardized
    torch::Tensor labels; // int64 [n] (classes) or float [n, outputs] (values)
    bool regression = false;
    std::int64_t count() const { return labels.defined() ? labels.size(0) : 0; }
};

// The training loss: cross-entropy on class labels, mean squared error on values (averaged
// over each example's outputs); the mean over the batch, or its sum.
torch::Tensor lossOf(const torch::Tensor& output, const Examples& examples,
                     const torch::Tensor& targets, bool sum = false) {
    namespace F = torch::nn::functional;
    if (examples.regression) {
        const torch::Tensor perExample = (output - targets).pow(2).mean(1);
        return sum ? perExample.sum() : perExample.mean();
    }
    if (sum)
        return F::cross_entropy(output, targets,
                                F::CrossEntropyFuncOptions().reduction(torch::kSum));
    return F::cross_entropy(output, targets);
}

// Gathers the chosen images straight from the cached bytes into one float tensor; one pass,
// no intermediate tensor of the whole dataset per trial.
Examples gather(const FashionMnistImages& data, const std::vector<std::int64_t>& indices,
                const torch::Device& device) {
    const auto n = static_cast<std::int64_t>(indices.size());
    const std::int64_t features = data.features();
    float table[256];
    for (int v = 0; v < 256; ++v)
        table[v] = static_cast<float>((v / 255.0 - kFashionMnistMean) / kFashionMnistStd);

    Examples out;
    out.images = torch::empty({n, features}, torch::kFloat32);
    out.labels = torch::empty({n}, torch::kInt64);
    float* pixels = out.images.data_ptr<float>();
    std::int64_t* labels = out.labels.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t index = indices[static_cast<std::size_t>(i)];
        const std::uint8_t* source = data.pixels.data() + index * features;
        float* target = pixels + i * features;
        for (std::int64_t j = 0; j < features; ++j)
            target[j] = table[source[j]];
        labels[i] = data.labels[static_cast<std::size_t>(index)];
    }
    out.images = out.images.to(device);
    out.labels = out.labels.to(device);
    return out;
}

struct Evaluation {
    double loss = 0;
    double accuracy = 0; // NaN for a regression
};

// Rows `rows` of a Dataset, standardized, as tensors on the device.
Examples gather(const Dataset& data, const std::vector<std::int64_t>& rows,
                const Standardizer& standardizer, const torch::Device& device) {
    const auto n = static_cast<std::int64_t>(rows.size());
    const std::int64_t f = data.features();
    Examples out;
    out.regression = data.target == TargetKind::Values;
    out.images = torch::empty({n, f}, torch::kFloat32);
    float* x = out.images.data_ptr<float>();
    for (std::int64_t i = 0; i < n; ++i) {
        const float* source = data.inputs.data() + rows[static_cast<std::size_t>(i)] * f;
        for (std::int64_t j = 0; j < f; ++j)
            x[i * f + j] = (source[j] - standardizer.mean[static_cast<std::size_t>(j)]) *
                           standardizer.scale[static_cast<std::size_t>(j)];
    }
    if (out.regression) {
        out.labels = torch::empty({n, data.outputs}, torch::kFloat32);
        float* y = out.labels.data_ptr<float>();
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t k = 0; k < data.outputs; ++k)
                y[i * data.outputs + k] = data.values[static_cast<std::size_t>(
                    rows[static_cast<std::size_t>(i)] * data.outputs + k)];
    } else {
        out.labels = torch::empty({n}, torch::kInt64);
        std::int64_t* y = out.labels.data_ptr<std::int64_t>();
        for (std::int64_t i = 0; i < n; ++i)
            y[i] = data.labels[static_cast<std::size_t>(rows[static_cast<std::size_t>(i)])];
    }
    out.images = out.images.to(device);
    out.labels = out.labels.to(device);
    return out;
}

// The dataset a (non-Fashion-MNIST) config names, generated or read.
Dataset makeDataset(const ClassifyConfig& c) {
    if (c.datasetName == "spirals")
        return makeSpirals(c.datasetSize, c.datasetClasses, c.datasetNoise, c.dataSeed);
    if (c.datasetName == "blobs")
        return makeBlobs(c.datasetSize, c.datasetClasses, c.datasetFeatures, c.datasetSpread,
                         c.dataSeed);
    if (c.datasetName == "teacher-student")
        return makeTeacherStudent(c.datasetSize, c.datasetFeatures, c.teacherWidth, c.datasetNoise,
                                  c.dataSeed);
    if (c.datasetName == "csv")
        return loadCsv(c.datasetFile, c.datasetTarget, c.datasetTargetKind);
    return loadIdx(c.datasetImages, c.datasetLabels);
}

Evaluation evaluate(Net& model, const Examples& examples, Precision precision) {
    // Chunks bound the memory of one forward pass; their size does not change the result
    // beyond summation order. 256, not 4096: on the CPU the CNN's (32-64 channels) forward
    // pass over 4096 images allocates hundreds of MB per layer, and evaluating 10k images ran
    // at 1,190 samples/s with chunks of 4096 against 1,660-1,750 with 256 on 1 thread, and
    // 1,165 against 1,400 on 2 (AMD EPYC, shared; the MLP's evaluation is unchanged, within
    // 5 %). On a GPU, small chunks would only add kernel launches: 4096 there.
    const std::int64_t kChunk = examples.images.device().is_cuda() ? 4096 : 256;
    const torch::NoGradGuard noGrad;
    model->eval();
    const std::int64_t n = examples.count();
    torch::Tensor lossSum = torch::zeros({}, examples.images.options().dtype(torch::kFloat64));
    torch::Tensor correct = torch::zeros({}, examples.images.options().dtype(torch::kInt64));
    const AutocastScope autocast(examples.images.device(), precision);
    for (std::int64_t begin = 0; begin < n; begin += kChunk) {
        const std::int64_t end = std::min(n, begin + kChunk);
        const torch::Tensor output = model->forward(examples.images.slice(0, begin, end));
        const torch::Tensor targets = examples.labels.slice(0, begin, end);
        lossSum += lossOf(output, examples, targets, /*sum=*/true).to(torch::kFloat64);
        if (!examples.regression)
            correct += output.argmax(1).eq(targets).sum();
    }
    model->train();
    return {lossSum.item<double>() / double(n),
            examples.regression ? NAN : double(correct.item<std::int64_t>()) / double(n)};
}

std::string formatLoss(double loss) {
    if (std::isnan(loss))
        return "nan";
    if (std::isinf(loss))
        return loss > 0 ? "inf" : "-inf";
    std::ostringstream text;
    text << loss;
    return text.str();
}

// ---- the task -------------------------------------------------------------------------------

// Writes a trial's weights into its folder and records them with the trial: the initial and
// final weights and the snapshots along the way, for the analyses (loss landscapes,
// trajectories).
class WeightArtifacts {
public:
    WeightArtifacts(std::string dir, TaskFeedback& feedback)
        : m_dir(std::move(dir)), m_feedback(feedback) {}

    void save(Net& model, const std::string& name, const std::string& kind, std::int64_t step) {
        std::filesystem::create_directories(m_dir);
        const std::string path =
            (std::filesystem::path(m_dir) / ("weights-" + name + ".pt")).string();
        torch::serialize::OutputArchive archive;
        model->save(archive);
        const std::string temp = path + ".tmp";
        archive.save_to(temp);
        std::filesystem::rename(temp, path);
        m_feedback.artifactSaved(name, kind, step, path);
    }

private:
    std::string m_dir;
    TaskFeedback& m_feedback;
};

std::string zeroPadded(std::int64_t value, int width) {
    std::string text = std::to_string(value);
    return std::string(static_cast<std::size_t>(std::max(0, width - int(text.size()))), '0') + text;
}

// `settings` with every classifier setting it lacks at its default: the probe tasks
// (lr_range, coord_check) declare fewer settings but train through the same code.
Json withClassifierDefaults(Json settings) {
    for (const auto& spec : classifyTaskSpec().settings) {
        std::string pointer = "/" + spec.path;
        std::replace(pointer.begin(), pointer.end(), '.', '/');
        if (!settings.contains(Json::json_pointer(pointer)))
            settings[Json::json_pointer(pointer)] = spec.defaultValue;
    }
    return settings;
}

// What a classifier trial starts from: its settings read, its data on the device, a fresh
// model and optimizer. Shared by the classify and lr_range tasks.
struct Setup {
    ClassifyConfig config;
    torch::Device device = torch::kCPU;
    Examples train, val, test; // test: evaluated once, at the end
    std::int64_t inputs = 0, outputs = 0;
    std::vector<std::int64_t> inputShape;
    // Images: how inputs were standardized, (pixel in [0, 1] - mean) * scale, so that
    // augmentations can work on [0, 1] pixels and hand back standardized inputs.
    double pixelMean = 0, pixelScale = 1;
    Net model;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::vector<double> lrMultipliers; // per parameter group (muP)
    Precision precision = Precision::Fp32;
};

// The data s.config names, read and split as for every trial with these settings: s.train,
// s.val and s.test standardized on s.device, the input shape, the pixel standardization and
// the outputs; `source` says what was read. With trainOnly > 0, only the first trainOnly
// training examples and no validation or test examples (what the augmentation grid shows).
// "" when ready, else why not (an impossible split); a missing or corrupt dataset throws,
// naming the file.
std::string loadData(Setup& s, std::string& source, std::int64_t trainOnly = 0) {
    const ClassifyConfig& config = s.config;
    const auto keep = [trainOnly](std::vector<std::int64_t>& rows) {
        if (trainOnly > 0 && static_cast<std::int64_t>(rows.size()) > trainOnly)
            rows.resize(static_cast<std::size_t>(trainOnly));
    };
    if (config.datasetName == "fashion-mnist") {
        const FashionMnistImages& data =
            loadFashionMnist(config.datasetPath, FashionMnistPart::Train);
        DataSplit split;
        try {
            split =
                splitFashionMnist(data.count, config.subset, config.valFraction, config.dataSeed);
        } catch (const std::invalid_argument& error) {
            return error.what();
        }
        keep(split.train);
        s.train = gather(data, split.train, s.device);
        if (trainOnly <= 0) {
            s.val = gather(data, split.val, s.device);
            const FashionMnistImages& test =
                loadFashionMnist(config.datasetPath, FashionMnistPart::Test);
            std::vector<std::int64_t> all(static_cast<std::size_t>(test.count));
            std::iota(all.begin(), all.end(), std::int64_t{0});
            s.test = gather(test, all, s.device);
        }
        s.inputs = data.features();
        s.inputShape = {1, data.rows, data.cols};
        s.pixelMean = kFashionMnistMean;
        s.pixelScale = 1.0 / kFashionMnistStd;
        s.outputs = kFashionMnistClasses;
        source = "fashion-mnist " + config.datasetPath;
    } else {
        Dataset data;
        try {
            data = makeDataset(config);
        } catch (const std::invalid_argument& error) {
            return error.what();
        }
        // The test rows first (seeded), then train and validation from the rest, as for
        // Fashion-MNIST; standardized with the training rows' statistics.
        std::vector<std::int64_t> order(static_cast<std::size_t>(data.count));
        std::iota(order.begin(), order.end(), std::int64_t{0});
        detail::SeededShuffle(config.dataSeed ^ 0x7465737453ULL).shuffle(order);
        const auto testCount = std::clamp<std::int64_t>(
            std::llround(config.testFraction * double(data.count)), 1, data.count - 2);
        const std::vector<std::int64_t> testRows(order.begin(), order.begin() + testCount);
        const std::vector<std::int64_t> rest(order.begin() + testCount, order.end());
        DataSplit split;
        try {
            split = splitFashionMnist(static_cast<std::int64_t>(rest.size()), config.subset,
                                      config.valFraction, config.dataSeed);
        } catch (const std::invalid_argument& error) {
            return error.what();
        }
        for (auto& i : split.train)
            i = rest[static_cast<std::size_t>(i)];
        for (auto& i : split.val)
            i = rest[static_cast<std::size_t>(i)];
        const Standardizer standardizer =
            fitStandardizer(data, split.train, /*perFeature=*/data.shape.size() == 1);
        keep(split.train);
        s.train = gather(data, split.train, standardizer, s.device);
        if (trainOnly <= 0) {
            s.val = gather(data, split.val, standardizer, s.device);
            s.test = gather(data, testRows, standardizer, s.device);
        }
        s.inputs = data.features();
        s.inputShape = data.shape;
        if (data.shape.size() == 3) {
            s.pixelMean = standardizer.mean.front();
            s.pixelScale = standardizer.scale.front();
        }
        s.outputs = data.target == TargetKind::Values ? data.outputs : data.classes;
        source = data.source;
    }
    return {};
}

// "" when ready, else why the trial fails (a setting, an impossible split). A missing or
// corrupt dataset throws, naming the file; the worker turns that into a FAIL.
std::string prepare(const Json& settings, Setup& s, TaskFeedback& feedback,
                    const std::string& who) {
    try {
        s.config = readConfig(settings);
        s.device = resolveDevice(s.config.device);
        s.precision = resolvePrecision(s.config.precision, s.device);
    } catch (const SettingError& error) {
        return error.what();
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    const ClassifyConfig& config = s.config;
    if (config.threads > 0)
        torch::set_num_threads(config.threads);
    std::string source;
    if (std::string why = loadData(s, source); !why.empty())
        return why;
    if ((config.augment.anyImageAugment() || config.augment.mixup.enabled) &&
        s.inputShape.size() != 3)
        return "setting 'augment': augmentations work on images, and dataset " +
               config.datasetName + " gives " + std::to_string(s.inputs) + " features per example";
    if (config.augment.mixup.enabled && s.train.regression)
        return "setting 'augment.mixup': mixup needs class labels; this dataset is a regression";
    try {
        s.model = makeModel(config, s.inputShape, s.outputs);
    } catch (const SettingError& error) {
        return error.what();
    }
    ModelSpec built = config.model;
    built.inputShape = s.inputShape;
    built.outputs = s.outputs;
    s.model->to(s.device);
    s.model->train();
    s.optimizer = makeOptimizer(config, s.model, s.lrMultipliers);
    feedback.log(who + ": " + source + ": " + std::to_string(s.train.count()) + " training / " +
                 std::to_string(s.val.count()) + " validation / " + std::to_string(s.test.count()) +
                 " test examples, " + describe(built) + ", " + config.activationName + ", " +
                 config.optimizerName + " lr " + formatLoss(config.lr) + ", device " +
                 s.device.str() + " (" + toText(s.precision) + "), " +
                 std::to_string(torch::get_num_threads()) + " thread(s)");
    if (s.lrMultipliers.size() > 1) {
        std::string groups;
        for (const auto& g : s.optimizer->param_groups())
            groups += (groups.empty() ? "" : ", ") + std::to_string(g.params().size()) +
                      " tensor(s) at lr " + formatLoss(g.options().get_lr());
        feedback.log(who + ": " + std::to_string(s.lrMultipliers.size()) +
                     " parameter groups: " + groups);
    }
    return {};
}

class ClassifyTask final : public Task {
public:
    TaskResult run(const TaskInput& input, TaskFeedback& feedback) override {
        TaskResult result;
        Setup setup;
        result.reason = prepare(input.settings, setup, feedback, "classify");
        if (!result.reason.empty()) {
            result.end = TaskEnd::Fail;
            return result;
        }
        const ClassifyConfig& config = setup.config;
        const torch::Device& device = setup.device;
        Net& model = setup.model;
        const auto& optimizer = setup.optimizer;
        const Examples& train = setup.train;
        const Examples& val = setup.val;

        if (input.resumeStep > 0) {
            if (input.resumeStep > config.epochs)
                throw std::runtime_error("classify: cannot resume after epoch " +
                                         std::to_string(input.resumeStep) + " of a run of " +
                                         std::to_string(config.epochs) + " epochs");
            loadCheckpoint(input.checkpointPath, input.resumeStep, model, *optimizer);
            model->to(device);
            feedback.log("classify: resumed from " + input.checkpointPath + " after epoch " +
                         std::to_string(input.resumeStep));
        }
        std::optional<WeightArtifacts> artifacts;
        if (config.saveWeights || config.snapshotEvery > 0) {
            if (input.trialDir.empty()) {
                result.end = TaskEnd::Fail;
                result.reason = "artifacts need the trial's folder, and none was given";
                return result;
            }
            artifacts.emplace(input.trialDir, feedback);
            if (config.saveWeights && input.resumeStep == 0)
                artifacts->save(model, "initial", "initial", 0);
        }
        result = fit(config, device, model, *optimizer, setup.lrMultipliers, train, val, setup.test,
                     input.resumeStep, artifacts ? &*artifacts : nullptr, setup, feedback);
        if (result.end == TaskEnd::Complete && artifacts && config.saveWeights)
            artifacts->save(model, "final", "final", config.epochs);
        if (result.end == TaskEnd::Complete && !input.checkpointPath.empty()) {
            saveCheckpoint(input.checkpointPath, config.epochs, model, *optimizer);
            feedback.checkpointSaved(config.epochs);
        }
        return result;
    }

private:
    // Weights, optimizer state (momentum, Adam's moments and step counts) and the epoch, in
    // one LibTorch archive. Written beside the target and renamed over it, so a crash leaves
    // the previous checkpoint whole.
    static void saveCheckpoint(const std::string& path, std::int64_t epoch, Net& model,
                               torch::optim::Optimizer& optimizer) {
        torch::serialize::OutputArchive archive;
        archive.write("epoch", torch::tensor(epoch, torch::kInt64));
        torch::serialize::OutputArchive modelArchive, optimizerArchive;
        model->save(modelArchive);
        optimizer.save(optimizerArchive);
        archive.write("model", modelArchive);
        archive.write("optimizer", optimizerArchive);
        const std::string temp = path + ".tmp";
        archive.save_to(temp);
        if (std::rename(temp.c_str(), path.c_str()) != 0)
            throw std::runtime_error("classify: cannot write checkpoint " + path);
    }

    static void loadCheckpoint(const std::string& path, std::int64_t epoch, Net& model,
                               torch::optim::Optimizer& optimizer) {
        torch::serialize::InputArchive archive;
        try {
            archive.load_from(path);
        } catch (const c10::Error& error) {
            throw std::runtime_error("classify: cannot read checkpoint " + path + ": " +
                                     error.what_without_backtrace());
        }
        torch::Tensor saved;
        archive.read("epoch", saved);
        if (saved.item<std::int64_t>() != epoch)
            throw std::runtime_error("classify: " + path + " holds epoch " +
                                     std::to_string(saved.item<std::int64_t>()) + ", not " +
                                     std::to_string(epoch));
        torch::serialize::InputArchive modelArchive, optimizerArchive;
        archive.read("model", modelArchive);
        archive.read("optimizer", optimizerArchive);
        model->load(modelArchive);
        optimizer.load(optimizerArchive);
    }

    static TaskResult fit(const ClassifyConfig& config, const torch::Device& device, Net& model,
                          torch::optim::Optimizer& optimizer,
                          const std::vector<double>& lrMultipliers, const Examples& train,
                          const Examples& val, const Examples& test, std::int64_t resumeAfter,
                          WeightArtifacts* artifacts, const Setup& setup, TaskFeedback& feedback) {
        TaskResult result;
        const AugmentPolicy& policy = config.augment;
        const bool augmenting = policy.anyImageAugment() || policy.mixup.enabled;
        const auto& shape = setup.inputShape;
        const std::int64_t n = train.count();
        // The batch order has its own stream, independent of LibTorch's generator, so that it
        // is the same on every device and LibTorch version.
        detail::SeededShuffle shuffle(config.seed);
        std::vector<std::int64_t> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), std::int64_t{0});
        // A resumed run replays the shuffles of the epochs it skips, so that it sees the same
        // batches an uninterrupted run would.
        for (std::int64_t epoch = 1; epoch <= resumeAfter; ++epoch)
            shuffle.shuffle(order);
        // The schedule is stepped every mini-batch, over the whole run.
        const std::int64_t batchesPerEpoch = (n + config.batchSize - 1) / config.batchSize;
        ScheduleConfig schedule = config.schedule;
        schedule.lr = config.lr;
        schedule.stepsPerEpoch = batchesPerEpoch;
        schedule.totalSteps = std::max<std::int64_t>(1, batchesPerEpoch * config.epochs);
        std::optional<double> firstLoss;  // what an exploding loss is measured against
        std::optional<LossScaler> scaler; // fp16 only: bf16 has fp32's range
        if (setup.precision == Precision::Fp16)
            scaler.emplace();

        // Where the time goes: the model's own work (forward, loss, backward, optimizer step)
        // against the whole training loop (also batching, schedule, reporting, snapshots).
        using Clock = std::chrono::steady_clock;
        double modelSeconds = 0, loopSeconds = 0, evalSeconds = 0;
        std::int64_t trained = 0, evaluated = 0;
        // The last 50 mini-batch losses: METHODS 3.7's "final training loss" for transfer
        // plots, steadier than the last epoch's mean.
        std::deque<double> recent;
        for (std::int64_t epoch = resumeAfter + 1; epoch <= config.epochs; ++epoch) {
            const auto loopStart = Clock::now();
            shuffle.shuffle(order);
            // Augmentations draw from a stream of their own, seeded per epoch, so a resumed run
            // augments exactly as an uninterrupted one.
            auto generator = at::make_generator<at::CPUGeneratorImpl>(
                (config.seed ^ 0x6175676d656e74ULL) * 0x9E3779B97F4A7C15ULL +
                static_cast<std::uint64_t>(epoch));
            const torch::Tensor permutation =
                torch::tensor(order, torch::kInt64).to(device, /*non_blocking=*/false);
            double lossSum = 0;
            std::int64_t step = 0;
            for (std::int64_t begin = 0; begin < n; begin += config.batchSize) {
                ++step;
                if (feedback.isCanceled()) {
                    result.end = TaskEnd::Canceled;
                    result.reason = "canceled at epoch " + std::to_string(epoch) + ", step " +
                                    std::to_string(step);
                    return result;
                }
                const torch::Tensor batch =
                    permutation.slice(0, begin, std::min(n, begin + config.batchSize));
                torch::Tensor images = train.images.index_select(0, batch);
                const torch::Tensor labels = train.labels.index_select(0, batch);
                std::optional<Mixed> mixed;
                if (augmenting) {
                    // back to [0, 1] pixels, augment, and standardize again
                    torch::Tensor pixels =
                        images.view({-1, shape[0], shape[1], shape[2]}) / setup.pixelScale +
                        setup.pixelMean;
                    pixels = applyAugmentations(pixels, policy, generator);
                    if (policy.mixup.enabled) {
                        mixed = applyMixup(pixels, labels, policy, generator);
                        pixels = mixed->images;
                    }
                    images = ((pixels - setup.pixelMean) * setup.pixelScale).flatten(1);
                }
                applySchedule(optimizer, config.optimizer,
                              scheduleAt(schedule, (epoch - 1) * batchesPerEpoch + step - 1),
                              lrMultipliers);
                const auto modelStart = Clock::now();
                optimizer.zero_grad();
                torch::Tensor loss;
                {
                    // forward and loss in the trial's precision; backward follows the casts
                    const AutocastScope autocast(device, setup.precision);
                    const torch::Tensor output = model->forward(images);
                    loss =
                        mixed ? mixupCrossEntropy(output, *mixed) : lossOf(output, train, labels);
                }
                const double value = loss.item<double>();
                if (!firstLoss)
                    firstLoss = value;
                const bool exploded = config.divergenceFactor > 0 && std::isfinite(*firstLoss) &&
                                      value > config.divergenceFactor * *firstLoss;
                if (!std::isfinite(value) || exploded) {
                    // A diverged model has no final value; the epochs before it were reported.
                    result.metrics.clear();
                    result.end = TaskEnd::Fail;
                    result.reason =
                        "training diverged: loss is " + formatLoss(value) +
                        (exploded ? ", over " + formatLoss(config.divergenceFactor) +
                                        " times the first batch's " + formatLoss(*firstLoss)
                                  : std::string()) +
                        " at epoch " + std::to_string(epoch) + ", step " + std::to_string(step);
                    return result;
                }
                bool finite = true;
                if (scaler) {
                    scaler->scale(loss).backward();
                    finite = scaler->unscale(model->parameters());
                } else {
                    loss.backward();
                }
                // an fp16 step whose gradients overflowed is skipped and the scale lowered
                if (finite) {
                    if (config.gradClip > 0)
                        torch::nn::utils::clip_grad_norm_(model->parameters(), config.gradClip);
                    optimizer.step();
                }
                if (scaler)
                    scaler->update(finite);
                modelSeconds += std::chrono::duration<double>(Clock::now() - modelStart).count();
                trained += batch.size(0);
                lossSum += value * double(batch.size(0));
                recent.push_back(value);
                if (recent.size() > 50)
                    recent.pop_front();
                const std::int64_t globalBatch = (epoch - 1) * batchesPerEpoch + step;
                if (artifacts && config.snapshotBatches && config.snapshotEvery > 0 &&
                    globalBatch % config.snapshotEvery == 0)
                    artifacts->save(model, "batch-" + zeroPadded(globalBatch, 7), "snapshot-batch",
                                    globalBatch);
            }
            if (feedback.isCanceled()) {
                result.end = TaskEnd::Canceled;
                result.reason = "canceled after epoch " + std::to_string(epoch);
                return result;
            }
            loopSeconds += std::chrono::duration<double>(Clock::now() - loopStart).count();
            const auto evalStart = Clock::now();
            const Evaluation evaluation = evaluate(model, val, setup.precision);
            evalSeconds += std::chrono::duration<double>(Clock::now() - evalStart).count();
            evaluated += val.count();
            result.metrics = {
                {"train_loss", lossSum / double(n)},
                {"val_loss", evaluation.loss},
            };
            if (!val.regression)
                result.metrics["val_acc"] = evaluation.accuracy;
            feedback.report(epoch, result.metrics);
            if (artifacts && !config.snapshotBatches && config.snapshotEvery > 0 &&
                epoch % config.snapshotEvery == 0)
                artifacts->save(model, "epoch-" + zeroPadded(epoch, 4), "snapshot-epoch", epoch);
        }
        if (loopSeconds > 0 && trained > 0) {
            result.metrics["train_samples_per_s"] = double(trained) / loopSeconds;
            result.metrics["step_overhead"] = std::max(0.0, 1.0 - modelSeconds / loopSeconds);
        }
        if (!recent.empty())
            result.metrics["train_loss_last50"] =
                std::accumulate(recent.begin(), recent.end(), 0.0) / double(recent.size());
        if (evalSeconds > 0)
            result.metrics["eval_samples_per_s"] = double(evaluated) / evalSeconds;
        // the model's size, for scaling-law fits over a study that varies it
        std::int64_t parameters = 0;
        for (const auto& p : model->parameters())
            parameters += p.numel();
        result.metrics["parameters"] = double(parameters);
        // what the schedule was stepped over, so analyses can redraw it (the curves analysis)
        result.metrics["batches_per_epoch"] = double(batchesPerEpoch);
        // The test split is looked at once, after training, and only reported as final values.
        if (test.count() > 0) {
            const Evaluation onTest = evaluate(model, test, setup.precision);
            result.metrics["test_loss"] = onTest.loss;
            if (!test.regression)
                result.metrics["test_acc"] = onTest.accuracy;
        }
        result.end = TaskEnd::Complete;
        return result;
    }
};

} // namespace

// The LR range test: one short run whose lr rises exponentially every mini-batch until the
// smoothed loss diverges (or end_lr is reached); reports lr, loss and smoothed loss per
// mini-batch and the suggested learning rates as its final metrics.
class LrRangeTask final : public Task {
public:
    TaskResult run(const TaskInput& input, TaskFeedback& feedback) override {
        namespace F = torch::nn::functional;
        TaskResult result;
        // The classifier's settings it does not declare take their defaults (epochs, a
        // constant schedule); optimizer.lr is the range's start.
        Json settings = withClassifierDefaults(input.settings);
        LrRangeConfig range;
        try {
            range.startLr = setting<double>(settings, "range.start_lr");
            range.endLr = setting<double>(settings, "range.end_lr");
            range.numIt = setting<std::int64_t>(settings, "range.num_it");
            range.beta = setting<double>(settings, "range.beta");
            range.stopFactor = setting<double>(settings, "range.stop_factor");
            if (!(range.endLr > range.startLr))
                throw SettingError("setting 'range.end_lr' (" + formatLoss(range.endLr) +
                                   ") must be above range.start_lr (" + formatLoss(range.startLr) +
                                   ")");
            settings["optimizer"]["lr"] = range.startLr;
        } catch (const SettingError& error) {
            result.end = TaskEnd::Fail;
            result.reason = error.what();
            return result;
        }
        const std::string rule = settings["range"].value("suggestion", std::string("valley"));

        Setup setup;
        result.reason = prepare(settings, setup, feedback, "lr_range");
        if (!result.reason.empty()) {
            result.end = TaskEnd::Fail;
            return result;
        }
        const Examples& train = setup.train;
        const std::int64_t n = train.count();
        const std::int64_t batch = setup.config.batchSize;
        detail::SeededShuffle shuffle(setup.config.seed);
        std::vector<std::int64_t> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), std::int64_t{0});
        torch::Tensor permutation;
        std::int64_t position = 0;
        LrRangeRecorder recorder(range);
        for (std::int64_t i = 0; i < range.numIt; ++i) {
            if (feedback.isCanceled()) {
                result.end = TaskEnd::Canceled;
                return result;
            }
            if (position >= n || i == 0) { // a new pass over the data
                shuffle.shuffle(order);
                permutation = torch::tensor(order, torch::kInt64).to(setup.device);
                position = 0;
            }
            const torch::Tensor rows =
                permutation.slice(0, position, std::min(n, position + batch));
            position += batch;
            const double lr = lrRangeAt(range, i);
            applySchedule(*setup.optimizer, setup.config.optimizer, {lr, std::nullopt},
                          setup.lrMultipliers);
            setup.optimizer->zero_grad();
            const torch::Tensor loss =
                lossOf(setup.model->forward(train.images.index_select(0, rows)), train,
                       train.labels.index_select(0, rows));
            const double value = loss.item<double>();
            const double smooth = recorder.add(value);
            feedback.report(i + 1, {{"lr", lr}, {"loss", value}, {"smoothed_loss", smooth}});
            if (recorder.diverged())
                break;
            loss.backward();
            setup.optimizer->step();
        }
        const std::string where =
            recorder.diverged()
                ? "diverged at lr " + formatLoss(recorder.lrs().back()) + " after " +
                      std::to_string(recorder.size()) + " mini-batches"
                : "reached lr " + formatLoss(recorder.lrs().back()) + " without diverging";
        LrSuggestions s;
        try {
            s = suggestLearningRates(recorder.lrs(), recorder.smoothed());
        } catch (const std::invalid_argument& error) {
            result.end = TaskEnd::Fail;
            result.reason = "the loss " + where + ": too soon for a suggestion (" + error.what() +
                            "); lower range.start_lr or the batch size";
            return result;
        }
        const double suggested = rule == "minimum" ? s.minimum
                                 : rule == "steep" ? s.steep
                                                   : s.valley;
        result.metrics = {{"lr_suggested", suggested}, {"lr_valley", s.valley},
                          {"lr_minimum", s.minimum},   {"lr_steep", s.steep},
                          {"lr_lowest", s.lowest},     {"lr_start", s.start}};
        feedback.log("lr_range: the loss " + where + "; suggested lr " + formatLoss(suggested) +
                     " (" + rule + "), range " + formatLoss(s.start) + " to " +
                     formatLoss(s.lowest));
        result.end = TaskEnd::Complete;
        return result;
    }
};

// muP's coordinate check (METHODS.md 3.3): `coord.steps` optimizer steps on one fixed batch
// (the first batch_size training examples); at each step t (t = 1 before any update) every
// layer's output is recorded as l1 = mean |x| and reported as metric "l1.<layer>".
class CoordCheckTask final : public Task {
public:
    TaskResult run(const TaskInput& input, TaskFeedback& feedback) override {
        TaskResult result;
        Json settings = withClassifierDefaults(input.settings);
        std::int64_t steps = 3;
        try {
            steps = setting<std::int64_t>(settings, "coord.steps");
        } catch (const SettingError& error) {
            result.end = TaskEnd::Fail;
            result.reason = error.what();
            return result;
        }
        Setup setup;
        result.reason = prepare(settings, setup, feedback, "coord_check");
        if (!result.reason.empty()) {
            result.end = TaskEnd::Fail;
            return result;
        }
        const std::int64_t n = std::min(setup.config.batchSize, setup.train.count());
        const torch::Tensor images = setup.train.images.slice(0, 0, n);
        const torch::Tensor labels = setup.train.labels.slice(0, 0, n);
        for (std::int64_t t = 1; t <= steps; ++t) {
            if (feedback.isCanceled()) {
                result.end = TaskEnd::Canceled;
                return result;
            }
            std::vector<std::pair<std::string, torch::Tensor>> layers;
            setup.optimizer->zero_grad();
            const torch::Tensor loss =
                lossOf(setup.model->forwardRecording(images, layers), setup.train, labels);
            std::map<std::string, double> l1;
            for (const auto& [name, x] : layers)
                l1["l1." + name] = x.detach().abs().mean().item<double>();
            feedback.report(t, l1);
            result.metrics = l1;
            if (t == steps)
                break;
            loss.backward();
            setup.optimizer->step();
        }
        result.end = TaskEnd::Complete;
        return result;
    }
};

ClassifyTrainingImages classifyTrainingImages(const Json& settings, std::int64_t count) {
    if (count < 1)
        throw std::invalid_argument("classifyTrainingImages: count must be >= 1");
    Setup s;
    s.config = readConfig(withClassifierDefaults(settings)); // SettingError is invalid_argument
    s.device = torch::kCPU;
    ClassifyTrainingImages out;
    if (std::string why = loadData(s, out.source, count); !why.empty())
        throw std::invalid_argument(why);
    out.dataset = s.config.datasetName;
    out.shape = s.inputShape;
    out.augment = s.config.augment;
    if (s.inputShape.size() == 3) {
        const auto& shape = s.inputShape;
        // back to [0, 1] pixels, as the training loop does before augmenting
        out.pixels =
            s.train.images.view({-1, shape[0], shape[1], shape[2]}) / s.pixelScale + s.pixelMean;
    }
    return out;
}

ClassifyProbe classifyProbe(const Json& settings, const std::string& split, std::int64_t samples) {
    Setup s;
    s.config = readConfig(withClassifierDefaults(settings)); // SettingError is invalid_argument
    s.device = torch::kCPU;
    std::string source;
    if (std::string why = loadData(s, source); !why.empty())
        throw std::invalid_argument(why);
    const Examples* examples =
        split == "train" ? &s.train
        : split == "val" ? &s.val
        : split == "test"
            ? &s.test
            : throw std::invalid_argument("split '" + split + "' is not train, val or test");
    if (examples->count() == 0)
        throw std::invalid_argument("the " + split + " split of " + source + " is empty");
    const std::int64_t n = samples > 0 ? std::min(samples, examples->count()) : examples->count();
    ClassifyProbe probe;
    probe.inputs = examples->images.slice(0, 0, n);
    probe.targets = examples->labels.slice(0, 0, n);
    probe.regression = examples->regression;
    probe.model = makeModel(s.config, s.inputShape, s.outputs);
    ModelSpec built = s.config.model;
    built.inputShape = s.inputShape;
    built.outputs = s.outputs;
    probe.description =
        std::to_string(n) + " " + split + " examples of " + source + ", " + describe(built);
    return probe;
}

torch::Tensor ClassifyProbe::lossSum(const torch::Tensor& outputs,
                                     const torch::Tensor& batchTargets) const {
    Examples kind;
    kind.regression = regression;
    return lossOf(outputs, kind, batchTargets, /*sum=*/true);
}

torch::Tensor ClassifyProbe::correct(const torch::Tensor& outputs,
                                     const torch::Tensor& batchTargets) const {
    if (regression)
        return torch::zeros({}, torch::kInt64);
    return outputs.argmax(1).eq(batchTargets).sum();
}

void loadModelWeights(Model& model, const std::string& path) {
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        model.load(archive);
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw std::runtime_error("cannot load weights " + path + ": " +
                                 what.substr(0, what.find('\n')));
    }
}

void registerTrainTasks(TaskCatalog& catalog) {
    // A catalog built without the built-in specs still gets runnable train tasks.
    const auto add = [&catalog](TaskSpec spec, TaskCatalog::Factory factory) {
        if (catalog.spec(spec.kind))
            catalog.setFactory(spec.kind, std::move(factory));
        else
            catalog.add(std::move(spec), std::move(factory));
    };
    add(classifyTaskSpec(), [] { return std::make_unique<ClassifyTask>(); });
    add(lrRangeTaskSpec(), [] { return std::make_unique<LrRangeTask>(); });
    add(coordCheckTaskSpec(), [] { return std::make_unique<CoordCheckTask>(); });
}

} // namespace ps
