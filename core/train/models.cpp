// The four architectures. Small on purpose (CPU-trainable in seconds on Fashion-MNIST); their
// sizes are settings.
#include "core/train/models_torch.h"

#include <cmath>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/utils.h>

namespace ps {

namespace {

bool isImage(const ModelSpec& s) {
    return s.inputShape.size() == 3;
}

std::int64_t featuresOf(const ModelSpec& s) {
    std::int64_t f = 1;
    for (auto d : s.inputShape)
        f *= d;
    return f;
}

// ---- MLP ------------------------------------------------------------------------------------

class MlpModel final : public Model {
public:
    explicit MlpModel(const ModelSpec& s) : m_spec(s) {
        auto hidden = register_module("hidden", torch::nn::ModuleList());
        auto norms = torch::nn::ModuleList();
        for (std::int64_t i = 0; i < s.depth; ++i) {
            torch::nn::Linear layer(i == 0 ? featuresOf(s) : s.width, s.width);
            hidden->push_back(layer);
            m_hidden.push_back(layer);
            if (s.norm == Normalization::Batch) {
                torch::nn::BatchNorm1d bn(s.width);
                norms->push_back(bn);
                m_norms.push_back([bn](const torch::Tensor& x) mutable { return bn->forward(x); });
            } else if (s.norm == Normalization::Layer) {
                torch::nn::LayerNorm ln(torch::nn::LayerNormOptions({s.width}));
                norms->push_back(ln);
                m_norms.push_back([ln](const torch::Tensor& x) mutable { return ln->forward(x); });
            }
        }
        if (s.norm != Normalization::None)
            register_module("norm", norms);
        m_output = register_module("output", torch::nn::Linear(s.width, s.outputs));
        if (s.parametrization == Parametrization::MuP)
            initMuP();
    }

    torch::Tensor forward(const torch::Tensor& input) override { return run(input, nullptr); }

    torch::Tensor
    forwardRecording(const torch::Tensor& input,
                     std::vector<std::pair<std::string, torch::Tensor>>& out) override {
        return run(input, &out);
    }

private:
    // METHODS.md 3.7: weights N(0, 1 / fan_in) (the input layer's fan_in is the data's), biases
    // zero, the readout zero (or N(0, 1 / base width)); the 1 / m readout multiplier is in run().
    void initMuP() {
        const torch::NoGradGuard noGrad;
        for (auto& layer : m_hidden) {
            const double fanIn = double(layer->weight.size(1));
            layer->weight.normal_(0.0, 1.0 / std::sqrt(fanIn));
            layer->bias.zero_();
        }
        if (m_spec.readoutZeroInit)
            m_output->weight.zero_();
        else
            m_output->weight.normal_(0.0, 1.0 / std::sqrt(double(m_spec.baseWidth)));
        m_output->bias.zero_();
    }

    torch::Tensor run(const torch::Tensor& input,
                      std::vector<std::pair<std::string, torch::Tensor>>* out) {
        torch::Tensor x = input.flatten(1);
        for (std::size_t i = 0; i < m_hidden.size(); ++i) {
            x = m_hidden[i]->forward(x);
            if (out)
                out->emplace_back("hidden." + std::to_string(i), x);
            if (!m_norms.empty())
                x = m_norms[i](x);
            x = activate(m_spec.activation, x);
        }
        if (m_spec.parametrization == Parametrization::MuP)
            x = x * (m_spec.outputMult * double(m_spec.baseWidth) / double(m_spec.width));
        torch::Tensor y = m_output->forward(x);
        if (out)
            out->emplace_back("output", y);
        return y;
    }

public:
private:
    ModelSpec m_spec;
    std::vector<torch::nn::Linear> m_hidden; // the modules of "hidden", typed for forward()
    std::vector<std::function<torch::Tensor(const torch::Tensor&)>> m_norms;
    torch::nn::Linear m_output{nullptr};
};

// ---- CNN ------------------------------------------------------------------------------------

// depth blocks of conv3x3 - batch norm - activation - 2x2 max pool, channels width * 2^i, then
// a linear readout from the flattened maps.
class CnnModel final : public Model {
public:
    explicit CnnModel(const ModelSpec& s) : m_spec(s) {
        auto convs = register_module("conv", torch::nn::ModuleList());
        auto norms = register_module("bn", torch::nn::ModuleList());
        std::int64_t channels = s.inputShape[0], rows = s.inputShape[1], cols = s.inputShape[2];
        for (std::int64_t i = 0; i < s.depth; ++i) {
            const std::int64_t out = s.width << i;
            torch::nn::Conv2d conv(
                torch::nn::Conv2dOptions(channels, out, 3).padding(1).bias(false));
            torch::nn::BatchNorm2d bn(out);
            convs->push_back(conv);
            norms->push_back(bn);
            m_convs.push_back(conv);
            m_norms.push_back(bn);
            channels = out;
            rows /= 2;
            cols /= 2;
        }
        m_output = register_module("output", torch::nn::Linear(channels * rows * cols, s.outputs));
    }

    torch::Tensor forward(const torch::Tensor& input) override {
        const auto& shape = m_spec.inputShape;
        torch::Tensor x = input.view({-1, shape[0], shape[1], shape[2]});
        for (std::size_t i = 0; i < m_convs.size(); ++i)
            x = torch::max_pool2d(
                activate(m_spec.activation, m_norms[i]->forward(m_convs[i]->forward(x))), 2);
        return m_output->forward(x.flatten(1));
    }

private:
    ModelSpec m_spec;
    std::vector<torch::nn::Conv2d> m_convs;
    std::vector<torch::nn::BatchNorm2d> m_norms;
    torch::nn::Linear m_output{nullptr};
};

// ---- ResNet ---------------------------------------------------------------------------------

// He et al.'s basic block: h + scale * bn(conv(act(bn(conv(h))))), with a 1x1 projection on
// the shortcut where the block changes width or stride.
class BasicBlock final : public torch::nn::Module {
public:
    BasicBlock(std::int64_t in, std::int64_t out, std::int64_t stride, Activation activation,
               double scale)
        : m_activation(activation), m_scale(scale) {
        m_conv1 = register_module(
            "conv1",
            torch::nn::Conv2d(
                torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
        m_bn1 = register_module("bn1", torch::nn::BatchNorm2d(out));
        m_conv2 = register_module(
            "conv2",
            torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1).bias(false)));
        m_bn2 = register_module("bn2", torch::nn::BatchNorm2d(out));
        if (stride != 1 || in != out) {
            m_project = register_module(
                "project",
                torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
            m_projectBn = register_module("project_bn", torch::nn::BatchNorm2d(out));
        }
    }

    torch::Tensor forward(const torch::Tensor& x) {
        torch::Tensor branch = activate(m_activation, m_bn1->forward(m_conv1->forward(x)));
        branch = m_bn2->forward(m_conv2->forward(branch));
        const torch::Tensor shortcut = m_project ? m_projectBn->forward(m_project->forward(x)) : x;
        return activate(m_activation, shortcut + m_scale * branch);
    }

private:
    Activation m_activation;
    double m_scale;
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_project{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr}, m_projectBn{nullptr};
};

// A CIFAR-style ResNet: a 3x3 stem, three stages of `depth` basic blocks with widths w, 2w, 4w
// (stride 2 at the start of stages 2 and 3), global average pooling, a linear readout.
class ResNetModel final : public Model {
public:
    explicit ResNetModel(const ModelSpec& s) : m_spec(s) {
        m_stem = register_module(
            "stem",
            torch::nn::Conv2d(
                torch::nn::Conv2dOptions(s.inputShape[0], s.width, 3).padding(1).bias(false)));
        m_stemBn = register_module("stem_bn", torch::nn::BatchNorm2d(s.width));
        auto blocks = register_module("blocks", torch::nn::ModuleList());
        std::int64_t in = s.width;
        for (int stage = 0; stage < 3; ++stage) {
            const std::int64_t out = s.width << stage;
            for (std::int64_t b = 0; b < s.depth; ++b) {
                auto block = std::make_shared<BasicBlock>(in, out, stage > 0 && b == 0 ? 2 : 1,
                                                          s.activation, s.residualScale);
                blocks->push_back(block);
                m_blocks.push_back(block);
                in = out;
            }
        }
        m_output = register_module("output", torch::nn::Linear(in, s.outputs));
    }

    torch::Tensor forward(const torch::Tensor& input) override {
        const auto& shape = m_spec.inputShape;
        torch::Tensor x = input.view({-1, shape[0], shape[1], shape[2]});
        x = activate(m_spec.activation, m_stemBn->forward(m_stem->forward(x)));
        for (auto& block : m_blocks)
            x = block->forward(x);
        return m_output->forward(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
    }

private:
    ModelSpec m_spec;
    torch::nn::Conv2d m_stem{nullptr};
    torch::nn::BatchNorm2d m_stemBn{nullptr};
    std::vector<std::shared_ptr<BasicBlock>> m_blocks;
    torch::nn::Linear m_output{nullptr};
};

// ---- ViT ------------------------------------------------------------------------------------

// A pre-LN Transformer block: h + s * attn(ln(h)), then h + s * mlp(ln(h)) with a 4x MLP.
class TransformerBlock final : public torch::nn::Module {
public:
    TransformerBlock(std::int64_t width, std::int64_t heads, Activation activation, double scale)
        : m_activation(activation), m_scale(scale) {
        m_ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
        m_attention = register_module(
            "attention",
            torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(width, heads)));
        m_ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
        m_fc1 = register_module("fc1", torch::nn::Linear(width, 4 * width));
        m_fc2 = register_module("fc2", torch::nn::Linear(4 * width, width));
    }

    // x: [tokens, batch, width] (LibTorch's MultiheadAttention layout)
    torch::Tensor forward(torch::Tensor x) {
        const torch::Tensor h = m_ln1->forward(x);
        x = x + m_scale * std::get<0>(m_attention->forward(h, h, h));
        x = x + m_scale * m_fc2->forward(activate(m_activation, m_fc1->forward(m_ln2->forward(x))));
        return x;
    }

private:
    Activation m_activation;
    double m_scale;
    torch::nn::LayerNorm m_ln1{nullptr}, m_ln2{nullptr};
    torch::nn::MultiheadAttention m_attention{nullptr};
    torch::nn::Linear m_fc1{nullptr}, m_fc2{nullptr};
};

// Dosovitskiy et al.'s ViT, small: non-overlapping patches embedded by a strided conv, a class
// token, learned position embeddings, `depth` pre-LN blocks, a final LayerNorm, a linear head
// on the class token.
class VitModel final : public Model {
public:
    explicit VitModel(const ModelSpec& s) : m_spec(s) {
        const std::int64_t tokens = (s.inputShape[1] / s.patch) * (s.inputShape[2] / s.patch) + 1;
        m_embed = register_module(
            "patch_embed",
            torch::nn::Conv2d(
                torch::nn::Conv2dOptions(s.inputShape[0], s.width, s.patch).stride(s.patch)));
        m_cls = register_parameter("cls_token", torch::zeros({1, 1, s.width}));
        m_position = register_parameter("position", torch::randn({tokens, 1, s.width}) * 0.02);
        auto blocks = register_module("blocks", torch::nn::ModuleList());
        for (std::int64_t i = 0; i < s.depth; ++i) {
            auto block =
                std::make_shared<TransformerBlock>(s.width, s.heads, s.activation, s.residualScale);
            blocks->push_back(block);
            m_blocks.push_back(block);
        }
        m_ln = register_module("ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({s.width})));
        m_output = register_module("output", torch::nn::Linear(s.width, s.outputs));
    }

    torch::Tensor forward(const torch::Tensor& input) override {
        const auto& shape = m_spec.inputShape;
        const torch::Tensor images = input.view({-1, shape[0], shape[1], shape[2]});
        const std::int64_t batch = images.size(0);
        // [batch, width, h, w] -> [h*w, batch, width]
        torch::Tensor x = m_embed->forward(images).flatten(2).permute({2, 0, 1});
        x = torch::cat({m_cls.expand({1, batch, m_spec.width}), x}, 0) + m_position;
        for (auto& block : m_blocks)
            x = block->forward(x);
        return m_output->forward(m_ln->forward(x[0]));
    }

private:
    ModelSpec m_spec;
    torch::nn::Conv2d m_embed{nullptr};
    torch::Tensor m_cls, m_position;
    std::vector<std::shared_ptr<TransformerBlock>> m_blocks;
    torch::nn::LayerNorm m_ln{nullptr};
    torch::nn::Linear m_output{nullptr};
};

} // namespace

torch::Tensor activate(Activation activation, const torch::Tensor& x) {
    switch (activation) {
    case Activation::Relu:
        return torch::relu(x);
    case Activation::Tanh:
        return torch::tanh(x);
    case Activation::Gelu:
        return torch::gelu(x);
    case Activation::Silu:
        return torch::silu(x);
    case Activation::Sigmoid:
        return torch::sigmoid(x);
    }
    return x;
}

std::vector<ParamGroup> parameterGroups(Model& model, const ModelSpec& spec, bool adamLike) {
    if (spec.parametrization == Parametrization::Sp) {
        ParamGroup all{"all", model.parameters(), 1, 1};
        return {all};
    }
    // How many of a tensor's dimensions grow with width, by name (shapes would be ambiguous
    // where the width happens to equal the input size): hidden.0.weight has a finite fan-in
    // (1), later hidden weights are width x width (2), biases and norms are width-long (1),
    // the readout weight has a finite fan-out (1), the readout bias is finite (0).
    const double m = double(spec.width) / double(spec.baseWidth);
    ParamGroup matrices{"hidden matrices", {}, adamLike ? 1 / m : 1, adamLike ? m : 1};
    ParamGroup vectors{"vector-like", {}, adamLike ? 1 : m, adamLike ? 1 : 1 / m};
    ParamGroup finite{"finite", {}, 1, 1};
    for (const auto& item : model.named_parameters()) {
        const std::string& name = item.key();
        if (name == "output.bias")
            finite.params.push_back(item.value());
        else if (name.rfind("hidden.", 0) == 0 && name.rfind("hidden.0.", 0) != 0 &&
                 name.size() > 7 && name.substr(name.size() - 7) == ".weight")
            matrices.params.push_back(item.value());
        else
            vectors.params.push_back(item.value());
    }
    std::vector<ParamGroup> groups;
    for (auto* g : {&vectors, &matrices, &finite})
        if (!g->params.empty())
            groups.push_back(std::move(*g));
    return groups;
}

void checkModelSpec(const ModelSpec& s) {
    const auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    if (s.width < 1 || s.depth < 0 || s.outputs < 1)
        fail("model.width and model.depth must be positive");
    if (s.parametrization == Parametrization::MuP) {
        if (s.kind != ModelKind::Mlp)
            fail("parametrization.kind mup is implemented for model.kind mlp only");
        if (s.baseWidth < 1)
            fail("parametrization.base_width must be positive");
    }
    if (s.kind == ModelKind::Mlp)
        return;
    const char* kind = s.kind == ModelKind::Cnn      ? "cnn"
                       : s.kind == ModelKind::ResNet ? "resnet"
                                                     : "vit";
    if (!isImage(s))
        fail(std::string("model.kind ") + kind + " needs images; this dataset gives " +
             std::to_string(featuresOf(s)) + " features per example (use mlp)");
    if (s.kind == ModelKind::Cnn && (s.inputShape[1] >> s.depth) < 1)
        fail("model.depth " + std::to_string(s.depth) + ": a cnn halves the image per block, and " +
             std::to_string(s.inputShape[1]) + " rows allow at most " +
             std::to_string(static_cast<int>(std::log2(double(s.inputShape[1])))));
    if (s.kind == ModelKind::ResNet && s.depth < 1)
        fail("model.depth: a resnet needs at least one block per stage");
    if (s.kind == ModelKind::Vit) {
        if (s.patch < 1 || s.inputShape[1] % s.patch || s.inputShape[2] % s.patch)
            fail("model.patch " + std::to_string(s.patch) + " does not divide the " +
                 std::to_string(s.inputShape[1]) + "x" + std::to_string(s.inputShape[2]) +
                 " images");
        if (s.heads < 1 || s.width % s.heads)
            fail("model.heads " + std::to_string(s.heads) + " does not divide model.width " +
                 std::to_string(s.width));
    }
}

std::string describe(const ModelSpec& s) {
    std::ostringstream out;
    const char* kinds[] = {"mlp", "cnn", "resnet", "vit"};
    out << kinds[static_cast<int>(s.kind)] << " ";
    for (std::size_t i = 0; i < s.inputShape.size(); ++i)
        out << (i ? "x" : "") << s.inputShape[i];
    out << " -> width " << s.width << ", depth " << s.depth << " -> " << s.outputs;
    if (s.kind == ModelKind::Vit)
        out << " (patch " << s.patch << ", " << s.heads << " heads)";
    if ((s.kind == ModelKind::ResNet || s.kind == ModelKind::Vit) && s.residualScale != 1.0)
        out << ", residual scale " << s.residualScale;
    if (s.parametrization == Parametrization::MuP)
        out << ", muP (base width " << s.baseWidth << ")";
    return out.str();
}

std::shared_ptr<Model> buildModel(const ModelSpec& spec, std::uint64_t seed) {
    checkModelSpec(spec);
    static std::mutex seedMutex;
    const std::lock_guard lock(seedMutex);
    torch::manual_seed(seed);
    switch (spec.kind) {
    case ModelKind::Mlp:
        return std::make_shared<MlpModel>(spec);
    case ModelKind::Cnn:
        return std::make_shared<CnnModel>(spec);
    case ModelKind::ResNet:
        return std::make_shared<ResNetModel>(spec);
    case ModelKind::Vit:
        break;
    }
    return std::make_shared<VitModel>(spec);
}

} // namespace ps
