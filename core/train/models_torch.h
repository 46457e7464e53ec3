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
};

// Builds `spec` with LibTorch's default initialization drawn from a generator seeded with
// `seed` (under a lock: LibTorch initializes from its one global generator).
std::shared_ptr<Model> buildModel(const ModelSpec& spec, std::uint64_t seed);

torch::Tensor activate(Activation activation, const torch::Tensor& x);

} // namespace ps
