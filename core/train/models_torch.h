#pragma once
// LibTorch modules for the ModelSpecs of models.h. Included by ps_train's .cpp files only.
// Every model takes flat inputs [N, features] (reshaping to images itself) and returns
// [N, outputs]; parameter names are stable and registered in a fixed order, because
// checkpoints and the loss-landscape analyses address parameters by name.

#include "core/train/models.h"

#include <memory>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

namespace ps {

// How one parameter tensor relates to the model's width and depth, fixed when the model is
// built; the parametrization's init and learning-rate rules read it.
struct TensorScaling {
    ParameterRule rule;            // role, fan-in, width multiplier and the multipliers chosen
    int infiniteDims = 0;          // muP: how many dimensions grow with width (mup's ninf)
    double fanInMult = 1;          // muP: fan-in / base fan-in (1 where the fan-in is finite)
    double fanOutMult = 1;         // muP: fan-out / base fan-out
    bool inResidualBranch = false; // inside a residual block's branch (depth-muP)
};

class Model : public torch::nn::Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
    // The same forward pass, also returning what each layer computed (before its activation),
    // by layer name, in order: for the coordinate check.
    torch::Tensor forwardRecording(const torch::Tensor& x,
                                   std::vector<std::pair<std::string, torch::Tensor>>& out) {
        m_recording = &out;
        torch::Tensor y;
        try {
            y = forward(x);
        } catch (...) {
            m_recording = nullptr;
            throw;
        }
        m_recording = nullptr;
        return y;
    }

    // The loss-landscape fast path: a model whose first layer is a Linear or a convolution
    // applied straight to the input names that layer's weight (and bias, "" when none), computes
    // it with given weights (firstLayer), and runs everything after it (forwardAfterFirst), so
    // that forward(x) == forwardAfterFirst(firstLayer(x, w, b)). Its output is linear in (w, b),
    // which the landscape exploits. Models without one return an empty weight name.
    virtual std::pair<std::string, std::string> firstLayerNames() const { return {}; }
    virtual torch::Tensor firstLayer(const torch::Tensor& x, const torch::Tensor& weight,
                                     const torch::Tensor& bias) {
        (void)weight, (void)bias;
        return x;
    }
    virtual torch::Tensor forwardAfterFirst(const torch::Tensor& z) { return z; }

    // Per parameter, in named_parameters() order; set by buildModel.
    std::vector<TensorScaling> scaling;
    // muP: the readout computes W (readoutMult x); 1 otherwise.
    double readoutMult = 1.0;

protected:
    void note(const std::string& layer, const torch::Tensor& x) {
        if (m_recording)
            m_recording->emplace_back(layer, x);
    }
    // Every model's last layer is the Linear registered as "output".
    torch::Tensor readout(const torch::Tensor& x) {
        torch::Tensor y = output->forward(readoutMult == 1.0 ? x : x * readoutMult);
        note("output", y);
        return y;
    }
    torch::nn::Linear output{nullptr};

private:
    std::vector<std::pair<std::string, torch::Tensor>>* m_recording = nullptr;
};

// Parameters that share a learning-rate and weight-decay multiplier (model.scaling's rules):
// one group under SP without depth-muP, several under muP and u-muP.
struct ParamGroup {
    std::string name;
    std::vector<torch::Tensor> params;
    double lrMult = 1, wdMult = 1;
};
std::vector<ParamGroup> parameterGroups(Model& model, bool adamLike);

// Builds `spec` with LibTorch's default initialization drawn from a generator seeded with
// `seed` (under a lock: LibTorch initializes from its one global generator), then applies the
// parametrization's init and fills model.scaling with its rules for `adamLike` optimizers.
std::shared_ptr<Model> buildModel(const ModelSpec& spec, std::uint64_t seed, bool adamLike = true);

torch::Tensor activate(Activation activation, const torch::Tensor& x);

} // namespace ps
