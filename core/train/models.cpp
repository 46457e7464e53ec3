// The four architectures. Small on purpose (CPU-trainable in seconds on Fashion-MNIST); their
// sizes are settings.
#include "core/train/models_torch.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/linear.h>
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
        output = register_module("output", torch::nn::Linear(s.width, s.outputs));
    }

    torch::Tensor forward(const torch::Tensor& input) override {
        if (m_hidden.empty())
            return readout(input.flatten(1));
        return forwardAfterFirst(m_hidden[0]->forward(input.flatten(1)));
    }

    std::pair<std::string, std::string> firstLayerNames() const override {
        if (m_hidden.empty())
            return {};
        return {"hidden.0.weight", "hidden.0.bias"};
    }
    torch::Tensor firstLayer(const torch::Tensor& x, const torch::Tensor& weight,
                             const torch::Tensor& bias) override {
        return torch::nn::functional::linear(x.flatten(1), weight, bias);
    }
    // z: the first hidden layer's pre-activation
    torch::Tensor forwardAfterFirst(const torch::Tensor& z) override {
        torch::Tensor x = z;
        for (std::size_t i = 0; i < m_hidden.size(); ++i) {
            if (i > 0)
                x = m_hidden[i]->forward(x);
            note("hidden." + std::to_string(i), x);
            if (!m_norms.empty())
                x = m_norms[i](x);
            x = activate(m_spec.activation, x);
        }
        return readout(x);
    }

private:
    ModelSpec m_spec;
    std::vector<torch::nn::Linear> m_hidden; // the modules of "hidden", typed for forward()
    std::vector<std::function<torch::Tensor(const torch::Tensor&)>> m_norms;
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
        output = register_module("output", torch::nn::Linear(channels * rows * cols, s.outputs));
    }

    torch::Tensor forward(const torch::Tensor& input) override {
        const auto& shape = m_spec.inputShape;
        torch::Tensor x = input.view({-1, shape[0], shape[1], shape[2]});
        if (m_convs.empty())
            return readout(x.flatten(1));
        return forwardAfterFirst(m_convs[0]->forward(x));
    }

    std::pair<std::string, std::string> firstLayerNames() const override {
        if (m_convs.empty())
            return {};
        return {"conv.0.weight", ""};
    }
    torch::Tensor firstLayer(const torch::Tensor& x, const torch::Tensor& weight,
                             const torch::Tensor&) override {
        const auto& shape = m_spec.inputShape;
        return torch::conv2d(x.view({-1, shape[0], shape[1], shape[2]}), weight, {}, 1, 1);
    }
    // z: the first convolution's output
    torch::Tensor forwardAfterFirst(const torch::Tensor& z) override {
        torch::Tensor x = z;
        for (std::size_t i = 0; i < m_convs.size(); ++i) {
            if (i > 0)
                x = m_convs[i]->forward(x);
            note("conv." + std::to_string(i), x);
            x = torch::max_pool2d(activate(m_spec.activation, m_norms[i]->forward(x)), 2);
        }
        return readout(x.flatten(1));
    }

private:
    ModelSpec m_spec;
    std::vector<torch::nn::Conv2d> m_convs;
    std::vector<torch::nn::BatchNorm2d> m_norms;
};

// The scale of residual branches: the spec's, divided by sqrt(L) under depth-muP.
double branchScale(const ModelSpec& s) {
    return s.depthMuP ? s.residualScale / std::sqrt(double(residualBlocks(s))) : s.residualScale;
}

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
                                                          s.activation, branchScale(s));
                blocks->push_back(block);
                m_blocks.push_back(block);
                in = out;
            }
        }
        output = register_module("output", torch::nn::Linear(in, s.outputs));
    }

    torch::Tensor forward(const torch::Tensor& input) override {
        const auto& shape = m_spec.inputShape;
        torch::Tensor x = input.view({-1, shape[0], shape[1], shape[2]});
        x = m_stem->forward(x);
        note("stem", x);
        x = activate(m_spec.activation, m_stemBn->forward(x));
        for (std::size_t i = 0; i < m_blocks.size(); ++i) {
            x = m_blocks[i]->forward(x);
            note("blocks." + std::to_string(i), x);
        }
        return readout(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
    }

private:
    ModelSpec m_spec;
    torch::nn::Conv2d m_stem{nullptr};
    torch::nn::BatchNorm2d m_stemBn{nullptr};
    std::vector<std::shared_ptr<BasicBlock>> m_blocks;
};

// ---- ViT ------------------------------------------------------------------------------------

// Multi-head self-attention written out, so that its logit scale is a parameter: SP's
// 1 / sqrt(d_head), muP's 1 / d_head (METHODS.md 3.1; here sqrt(base d_head) / d_head, which
// equals SP's at the base width).
class SelfAttention final : public torch::nn::Module {
public:
    SelfAttention(std::int64_t width, std::int64_t heads, double logitScale)
        : m_heads(heads), m_scale(logitScale) {
        m_qkv = register_module("qkv", torch::nn::Linear(width, 3 * width));
        m_proj = register_module("proj", torch::nn::Linear(width, width));
    }

    // x: [batch, tokens, width]
    torch::Tensor forward(const torch::Tensor& x) {
        const std::int64_t batch = x.size(0), tokens = x.size(1), width = x.size(2);
        // [batch, tokens, 3, heads, d] -> 3 x [batch, heads, tokens, d]
        const auto qkv = m_qkv->forward(x)
                             .view({batch, tokens, 3, m_heads, width / m_heads})
                             .permute({2, 0, 3, 1, 4});
        const torch::Tensor attention =
            torch::softmax(torch::matmul(qkv[0], qkv[1].transpose(-2, -1)) * m_scale, -1);
        const torch::Tensor mixed =
            torch::matmul(attention, qkv[2]).transpose(1, 2).reshape({batch, tokens, width});
        return m_proj->forward(mixed);
    }

private:
    std::int64_t m_heads;
    double m_scale;
    torch::nn::Linear m_qkv{nullptr}, m_proj{nullptr};
};

// A pre-LN Transformer block: h + s * attn(ln(h)), then h + s * mlp(ln(h)) with a 4x MLP.
class TransformerBlock final : public torch::nn::Module {
public:
    TransformerBlock(std::int64_t width, std::int64_t heads, Activation activation, double scale,
                     double logitScale)
        : m_activation(activation), m_scale(scale) {
        m_ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
        m_attention =
            register_module("attention", std::make_shared<SelfAttention>(width, heads, logitScale));
        m_ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
        m_fc1 = register_module("fc1", torch::nn::Linear(width, 4 * width));
        m_fc2 = register_module("fc2", torch::nn::Linear(4 * width, width));
    }

    torch::Tensor forward(torch::Tensor x) {
        x = x + m_scale * m_attention->forward(m_ln1->forward(x));
        x = x + m_scale * m_fc2->forward(activate(m_activation, m_fc1->forward(m_ln2->forward(x))));
        return x;
    }

private:
    Activation m_activation;
    double m_scale;
    torch::nn::LayerNorm m_ln1{nullptr}, m_ln2{nullptr};
    std::shared_ptr<SelfAttention> m_attention;
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
        m_position = register_parameter("position", torch::randn({1, tokens, s.width}) * 0.02);
        auto blocks = register_module("blocks", torch::nn::ModuleList());
        const double dHead = double(s.width / s.heads);
        const double logitScale = s.parametrization == Parametrization::Sp
                                      ? 1.0 / std::sqrt(dHead)
                                      : std::sqrt(double(s.baseWidth / s.heads)) / dHead;
        for (std::int64_t i = 0; i < s.depth; ++i) {
            auto block = std::make_shared<TransformerBlock>(s.width, s.heads, s.activation,
                                                            branchScale(s), logitScale);
            blocks->push_back(block);
            m_blocks.push_back(block);
        }
        m_ln = register_module("ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({s.width})));
        output = register_module("output", torch::nn::Linear(s.width, s.outputs));
    }

    torch::Tensor forward(const torch::Tensor& input) override {
        const auto& shape = m_spec.inputShape;
        const torch::Tensor images = input.view({-1, shape[0], shape[1], shape[2]});
        const std::int64_t batch = images.size(0);
        // [batch, width, h, w] -> [batch, h*w, width]
        torch::Tensor x = m_embed->forward(images).flatten(2).transpose(1, 2);
        note("patch_embed", x);
        x = torch::cat({m_cls.expand({batch, 1, m_spec.width}), x}, 1) + m_position;
        for (std::size_t i = 0; i < m_blocks.size(); ++i) {
            x = m_blocks[i]->forward(x);
            note("blocks." + std::to_string(i), x);
        }
        return readout(m_ln->forward(x.select(1, 0)));
    }

private:
    ModelSpec m_spec;
    torch::nn::Conv2d m_embed{nullptr};
    torch::Tensor m_cls, m_position;
    std::vector<std::shared_ptr<TransformerBlock>> m_blocks;
    torch::nn::LayerNorm m_ln{nullptr};
};

std::shared_ptr<Model> construct(const ModelSpec& spec) {
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

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Each parameter's role, fan-in and (muP) which of its dimensions grow with width: mup's
// set_base_shapes, by building the model at the base width and at twice it and comparing
// shapes dimension by dimension.
std::vector<TensorScaling> measureScaling(const ModelSpec& spec, Model& model) {
    std::vector<torch::Tensor> base, delta;
    if (spec.parametrization == Parametrization::MuP) {
        ModelSpec b = spec;
        b.parametrization = Parametrization::Sp;
        b.width = spec.baseWidth;
        base = construct(b)->parameters();
        b.width = 2 * spec.baseWidth;
        delta = construct(b)->parameters();
    }
    std::vector<TensorScaling> out;
    std::size_t i = 0;
    for (const auto& item : model.named_parameters()) {
        TensorScaling t;
        ParameterRule& r = t.rule;
        const torch::Tensor& p = item.value();
        r.name = item.key();
        r.shape = p.sizes().vec();
        // Position embeddings and the class token are added to activations, like biases.
        const bool weight =
            p.dim() >= 2 && !endsWith(r.name, "position") && !endsWith(r.name, "cls_token");
        if (weight)
            r.fanIn = double(p.numel() / p.size(0));
        if (!base.empty()) {
            const auto b = base[i].sizes(), d = delta[i].sizes();
            double lastMult = 1;
            for (std::int64_t k = 0; k < p.dim(); ++k) {
                if (b[k] == d[k])
                    continue;
                ++t.infiniteDims;
                lastMult = double(p.size(k)) / double(b[k]);
                if (weight && k == 0)
                    t.fanOutMult = lastMult;
                if (weight && k == 1)
                    t.fanInMult = lastMult;
            }
            r.widthMult = lastMult;
        }
        t.inResidualBranch =
            r.name.rfind("blocks.", 0) == 0 && r.name.find(".project") == std::string::npos;
        if (r.name == "output.weight")
            r.role = "readout";
        else if (r.name == "output.bias")
            r.role = "finite";
        else if (!weight)
            r.role = "vector";
        else if (!base.empty() ? t.fanInMult == 1.0 : i == 0)
            r.role = "input";
        else
            r.role = "hidden";
        out.push_back(std::move(t));
        ++i;
    }
    return out;
}

// The learning-rate and weight-decay multipliers of METHODS.md 3.2 (mup), 3.5 (u-muP in
// effective form) and 3.6 (depth-muP).
void chooseMultipliers(const ModelSpec& spec, bool adamLike, TensorScaling& t) {
    ParameterRule& r = t.rule;
    const bool isWeight = r.role == "input" || r.role == "hidden" || r.role == "readout";
    switch (spec.parametrization) {
    case Parametrization::Sp:
        break;
    case Parametrization::MuP:
        if (adamLike) {
            if (t.infiniteDims == 2)
                r.lrMult = 1 / t.fanInMult, r.wdMult = t.fanInMult;
        } else if (t.infiniteDims == 1) {
            r.lrMult = r.widthMult, r.wdMult = 1 / r.widthMult;
        } else if (t.infiniteDims == 2) {
            const double ratio = t.fanInMult / t.fanOutMult;
            r.lrMult = 1 / ratio, r.wdMult = ratio;
        }
        break;
    case Parametrization::UMuP: {
        // A unit-init weight W behind a forward multiplier a, trained with lr eta_W, is the
        // same network as a weight aW with Adam lr a eta_W, or SGD lr a^2 eta_W.
        const double a = r.role == "readout" ? 1 / r.fanIn : isWeight ? 1 / std::sqrt(r.fanIn) : 1;
        double unitLr = 1; // u-muP's lr for the unit-scale tensor, relative to eta
        if (adamLike)
            unitLr = r.role == "input" || r.role == "hidden" ? 1 / std::sqrt(r.fanIn) : 1;
        else
            unitLr = r.role == "readout" ? 1
                     : isWeight          ? std::sqrt(r.fanIn)
                                         : double(r.shape.empty() ? 1 : r.shape[0]);
        r.lrMult = adamLike ? a * unitLr : a * a * unitLr;
        break;
    }
    }
    const std::int64_t blocks = residualBlocks(spec);
    if (spec.depthMuP && t.inResidualBranch && blocks > 0 &&
        (adamLike || spec.parametrization == Parametrization::UMuP))
        r.lrMult /= std::sqrt(double(blocks));
}

// Re-initializes `model` for its parametrization (SP keeps LibTorch's defaults): under muP and
// u-muP every weight N(0, 1 / fan_in) and biases zero; muP's readout zero (or N(0, 1 / base
// fan_in)) behind its 1 / m multiplier, u-muP's readout N(0, 1 / fan_in^2); the attention
// queries zero (mup's recommendation).
void initialize(const ModelSpec& spec, Model& model) {
    if (spec.parametrization == Parametrization::Sp)
        return;
    const torch::NoGradGuard noGrad;
    std::size_t i = 0;
    for (const auto& item : model.named_parameters()) {
        torch::Tensor p = item.value();
        const ParameterRule& r = model.scaling[i++].rule;
        if (r.role == "readout") {
            if (spec.parametrization == Parametrization::UMuP)
                p.normal_(0.0, 1.0 / r.fanIn);
            else if (spec.readoutZeroInit)
                p.zero_();
            else
                p.normal_(0.0, 1.0 / std::sqrt(r.fanIn / r.widthMult));
        } else if (r.role == "input" || r.role == "hidden") {
            p.normal_(0.0, 1.0 / std::sqrt(r.fanIn));
            if (endsWith(r.name, "attention.qkv.weight"))
                p.slice(0, 0, p.size(0) / 3).zero_();
        } else if (endsWith(r.name, ".bias")) {
            p.zero_();
        }
    }
    if (spec.parametrization == Parametrization::MuP)
        for (TensorScaling& t : model.scaling)
            if (t.rule.role == "readout") {
                model.readoutMult = spec.outputMult / t.rule.widthMult;
                t.rule.forwardMult = model.readoutMult;
            }
}

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

std::vector<ParamGroup> parameterGroups(Model& model, bool adamLike) {
    (void)adamLike; // the rules were chosen for it when the model was built
    std::vector<ParamGroup> groups;
    const auto params = model.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
        const ParameterRule& r = model.scaling.at(i).rule;
        auto same = [&](const ParamGroup& g) {
            return g.lrMult == r.lrMult && g.wdMult == r.wdMult;
        };
        auto it = std::find_if(groups.begin(), groups.end(), same);
        if (it == groups.end()) {
            groups.push_back({r.role, {}, r.lrMult, r.wdMult});
            it = groups.end() - 1;
        } else if (it->name.find(r.role) == std::string::npos) {
            it->name += "+" + r.role;
        }
        it->params.push_back(params[i]);
    }
    return groups;
}

std::int64_t residualBlocks(const ModelSpec& spec) {
    switch (spec.kind) {
    case ModelKind::ResNet:
        return 3 * spec.depth;
    case ModelKind::Vit:
        return spec.depth;
    case ModelKind::Mlp:
    case ModelKind::Cnn:
        break;
    }
    return 0;
}

std::vector<ParameterRule> parameterRules(const ModelSpec& spec, bool adamLike,
                                          std::uint64_t seed) {
    const auto model = buildModel(spec, seed, adamLike);
    std::vector<ParameterRule> rules;
    const auto params = model->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
        ParameterRule r = model->scaling[i].rule;
        r.initStd = params[i].numel() > 1 ? params[i].std().item<double>() : 0.0;
        rules.push_back(std::move(r));
    }
    return rules;
}

void checkModelSpec(const ModelSpec& s) {
    const auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    if (s.width < 1 || s.depth < 0 || s.outputs < 1)
        fail("model.width and model.depth must be positive");
    if (s.parametrization == Parametrization::MuP && s.baseWidth < 1)
        fail("parametrization.base_width must be positive");
    if (s.parametrization == Parametrization::MuP && s.kind == ModelKind::Vit &&
        s.baseWidth % s.heads)
        fail("parametrization.base_width " + std::to_string(s.baseWidth) +
             " must be a multiple of model.heads " + std::to_string(s.heads) +
             " (muP scales attention logits by the base head size)");
    if (s.depthMuP && residualBlocks(s) == 0)
        fail("parametrization.depth_mup needs residual blocks: model.kind resnet or vit");
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
    if (s.parametrization == Parametrization::UMuP)
        out << ", u-muP";
    if (s.depthMuP)
        out << ", depth-muP (1/sqrt(" << residualBlocks(s) << ") branches)";
    return out.str();
}

std::shared_ptr<Model> buildModel(const ModelSpec& spec, std::uint64_t seed, bool adamLike) {
    checkModelSpec(spec);
    static std::mutex seedMutex;
    const std::lock_guard lock(seedMutex);
    torch::manual_seed(seed);
    std::shared_ptr<Model> model = construct(spec);
    // measured after the model's own draws, so SP models stay what LibTorch's defaults give
    model->scaling = measureScaling(spec, *model);
    for (TensorScaling& t : model->scaling)
        chooseMultipliers(spec, adamLike, t);
    torch::manual_seed(seed ^ 0x9e3779b97f4a7c15ull);
    initialize(spec, *model);
    return model;
}

} // namespace ps
