#pragma once
// LibTorch modules for the ModelSpecs of models.h. Included by ps_train's .cpp files only.
// Every model takes flat inputs [N, features] (reshaping to images itself) and returns
// [N, outputs]; parameter names are stable and registered in a fixed order, because
// checkpoints and the loss-landscape analyses address parameters by name.

#include "core/train/models.h"

#include <memory>
#include <torch/nn/module.h>
#include <torch/types.h>

namespace ps {

class Model : public torch::nn::Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
    // The same forward pass, also returning what each layer computed (before its activation),
    // by layer name, in order: for the coordinate check. Models that do not record return
    // only the output, as "output".
    virtual torch::Tensor
    forwardRecording(const torch::Tensor& x,
                     std::vector<std::pair<std::string, torch::Tensor>>& out) {
        torch::Tensor y = forward(x);
        out.emplace_back("output", y);
        return y;
    }
};

// Parameters that share a learning-rate and weight-decay multiplier: one group under SP;
// under muP the mup package's rule by how many of a tensor's dimensions grow with width
// (Adam: hidden matrices lr / m, wd * m; SGD: vector-like tensors lr * m, wd / m).
struct ParamGroup {
    std::string name;
    std::vector<torch::Tensor> params;
    double lrMult = 1, wdMult = 1;
};
std::vector<ParamGroup> parameterGroups(Model& model, const ModelSpec& spec, bool adamLike);

// Builds `spec` with LibTorch's default initialization drawn from a generator seeded with
// `seed` (under a lock: LibTorch initializes from its one global generator).
std::shared_ptr<Model> buildModel(const ModelSpec& spec, std::uint64_t seed);

torch::Tensor activate(Activation activation, const torch::Tensor& x);

} // namespace ps
