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
// readout-multiplier form (METHODS.md 3.1, 3.2), relative to baseWidth. UMuP: Blake et al.'s
// u-muP (METHODS.md 3.5) in its effective form: each weight's unit-scale init times its op
// multiplier is folded into the init, and the learning rate is adjusted to match (exact for
// Adam; for SGD with the readout's "to_output_scale" constraint), so fp32 training follows the
// same trajectory; the low-precision benefit of unit-scaled tensors is not reproduced.
enum class Parametrization { Sp, MuP, UMuP };

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
    double residualScale = 1.0;               // resnet, vit: h + scale * branch(h)
    // resnet, vit: depth-muP (METHODS.md 3.6): branches scaled by residualScale / sqrt(L), L
    // residual blocks, and Adam's lr for parameters inside the blocks divided by sqrt(L).
    bool depthMuP = false;
    std::int64_t patch = 4; // vit: square patches of this side
    std::int64_t heads = 4; // vit: attention heads (must divide width)
    Parametrization parametrization = Parametrization::Sp;
    std::int64_t baseWidth = 64; // muP: the width whose learning rate the others inherit
    double outputMult = 1.0;     // muP: readout computes W (outputMult / m) x, m = width / base
    bool readoutZeroInit = true; // muP: the readout starts at zero (else variance 1 / base)
};

// Throws std::invalid_argument naming the setting when the spec cannot be built (a CNN on
// tabular data, a patch that does not divide the image, heads that do not divide the width).
void checkModelSpec(const ModelSpec& spec);

std::string describe(const ModelSpec& spec); // "cnn 1x28x28 -> 32,64 -> 10", for logs

// The residual blocks L that depth-muP divides by (resnet: 3 stages x depth; vit: depth); 0
// for models without residual branches.
std::int64_t residualBlocks(const ModelSpec& spec);

// One parameter tensor of a built model under its parametrization: what the rules made of it.
// For logs, the desktop app and tests; computed by building the model (see models_torch.h).
struct ParameterRule {
    std::string name; // "hidden.1.weight", in the model's stable order
    std::vector<std::int64_t> shape;
    // "input" (weight with a finite fan-in), "hidden" (fan-in and fan-out grow with width),
    // "readout" (the output layer's weight), "vector" (biases, norms, embeddings), "finite"
    // (nothing grows with width: the readout's bias)
    std::string role;
    double fanIn = 1;       // weights: inputs per output unit (x kernel size)
    double widthMult = 1;   // muP: this tensor's width / its width at the base width
    double initStd = 0;     // measured on the built tensor
    double lrMult = 1;      // times the global learning rate
    double wdMult = 1;      // times the global weight decay
    double forwardMult = 1; // multiplies the layer's input in the forward pass (muP readout)
};
std::vector<ParameterRule> parameterRules(const ModelSpec& spec, bool adamLike,
                                          std::uint64_t seed = 0);

} // namespace ps
