#pragma once
// The architectures a training task can build, described as data (no LibTorch here): an MLP,
// a small CNN, a ResNet and a small vision Transformer. core/train/models_torch.h builds them.

#include <cstdint>
#include <string>
#include <vector>

namespace ps {

enum class Activation { Relu, Tanh, Gelu, Silu, Sigmoid };
enum class ModelKind { Mlp, Cnn, ResNet, Vit };
enum class Normalization { None, Batch, Layer };
// SP: PyTorch's defaults, one learning rate. MuP: Yang et al.'s muP in the mup package's
// readout-multiplier form (METHODS.md 3.1, 3.2), relative to baseWidth; MLP only for now.
enum class Parametrization { Sp, MuP };

struct ModelSpec {
    ModelKind kind = ModelKind::Mlp;
    std::vector<std::int64_t> inputShape; // one example: {features} or {channels, rows, cols}
    std::int64_t outputs = 10;
    // mlp: units per hidden layer; cnn, resnet: channels of the first stage (doubling per
    // stage); vit: embedding size.
    std::int64_t width = 256;
    // mlp: hidden layers; cnn: conv blocks (each halves the image); resnet: residual blocks
    // per stage (3 stages); vit: Transformer blocks.
    std::int64_t depth = 2;
    Activation activation = Activation::Relu;
    Normalization norm = Normalization::None; // mlp only (cnn, resnet: batch; vit: layer)
    double residualScale = 1.0; // resnet, vit: h + scale * branch(h) (depth-muP: 1/sqrt(L))
    std::int64_t patch = 4;     // vit: square patches of this side
    std::int64_t heads = 4;     // vit: attention heads (must divide width)
    Parametrization parametrization = Parametrization::Sp;
    std::int64_t baseWidth = 64; // muP: the width whose learning rate the others inherit
    double outputMult = 1.0;     // muP: readout computes W (outputMult / m) x, m = width / base
    bool readoutZeroInit = true; // muP: the readout starts at zero (else variance 1 / base)
};

// Throws std::invalid_argument naming the setting when the spec cannot be built (a CNN on
// tabular data, a patch that does not divide the image, heads that do not divide the width).
void checkModelSpec(const ModelSpec& spec);

std::string describe(const ModelSpec& spec); // "cnn 1x28x28 -> 32,64 -> 10", for logs

} // namespace ps
