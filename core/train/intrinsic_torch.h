#pragma once
// Intrinsic dimension (METHODS.md 2; Li, Farkhoor, Liu, Yosinski 2018): random projections P
// from a d-dimensional subspace into a model's D parameters (dense, sparse, Fastfood), training
// in the subspace θ = θ0 + P θ_d with only θ_d trained, and the direct baseline. Included by
// ps_train's .cpp files and tests only. Any thread; nothing here is shared between threads.

#include "core/analysis/analysis.h"
#include "core/train/models_torch.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <torch/types.h>
#include <vector>

namespace ps {

// A fixed random linear map R^d -> R^D whose columns (P e_i) have unit norm, exactly (dense,
// sparse) or approximately (Fastfood). apply() is differentiable in θ_d (autograd; the
// backward pass is the transpose P^T).
class Projection {
public:
    virtual ~Projection() = default;
    virtual torch::Tensor apply(const torch::Tensor& thetaD) const = 0; // [d] -> [D], float
    virtual std::string name() const = 0;
    std::int64_t d() const { return m_d; }
    std::int64_t bigD() const { return m_bigD; }

protected:
    Projection(std::int64_t d, std::int64_t bigD) : m_d(d), m_bigD(bigD) {}
    std::int64_t m_d, m_bigD;
};

// "dense", "sparse" or "fastfood"; the random parts drawn from a generator seeded with `seed`.
// Throws std::invalid_argument for an unknown kind, d < 1, D < 1, d > D (every kind: a
// subspace larger than the space is meaningless) or a dense matrix over kMaxDenseEntries.
std::unique_ptr<Projection> makeProjection(const std::string& kind, std::int64_t d,
                                           std::int64_t bigD, std::uint64_t seed);
constexpr std::int64_t kMaxDenseEntries = 400'000'000; // 1.6 GB of floats

// The unnormalized Walsh–Hadamard transform of the last dimension (a power of 2), by an
// iterative butterfly of differentiable tensor ops, O(L log L).
torch::Tensor walshHadamard(const torch::Tensor& x);

// Subspace training of a classifier (METHODS 2.1, 2.3): minibatches of `batch` in a seeded
// order, Adam (β1 0.9, β2 0.99, eps 1e-8) on θ_d alone, initialized to 0. Every parameter
// (biases and norm scales too) is θ0 + its slice of P θ_d; buffers (batch-norm running
// statistics) are updated directly by the forward passes in train mode.
struct SubspaceTraining {
    std::int64_t epochs = 3;
    std::int64_t batch = 128;
    double lr = 1e-3;
    std::uint64_t seed = 0; // the minibatch order
    // per-chunk summed loss and correct count (as ClassifyProbe computes them)
    std::function<torch::Tensor(const torch::Tensor& out, const torch::Tensor& t)> lossSum;
    std::function<torch::Tensor(const torch::Tensor& out, const torch::Tensor& t)> correct;
    std::function<bool()> canceled; // checked per minibatch; may be empty
};

// The model's parameters flattened into one vector, in parameters() order (D entries).
torch::Tensor flatParameters(Model& model);
// Writes a flat vector back into the parameters (no autograd).
void setFlatParameters(Model& model, const torch::Tensor& flat);

// Trains θ_d (projection.d() entries) from 0 with the model's current parameters as θ0, then
// leaves the model at θ0 + P θ_d and returns the accuracy on (valX, valY) in eval mode.
// projection.bigD() must equal the model's parameter count. Throws std::runtime_error when
// canceled, std::invalid_argument when D does not fit.
double trainInSubspace(Model& model, const Projection& projection, const torch::Tensor& x,
                       const torch::Tensor& y, const torch::Tensor& valX, const torch::Tensor& valY,
                       const SubspaceTraining& how);

// The direct baseline: every parameter trained, same loop and optimizer.
double trainDirect(Model& model, const torch::Tensor& x, const torch::Tensor& y,
                   const torch::Tensor& valX, const torch::Tensor& valY,
                   const SubspaceTraining& how);

// METHODS 2.4: the first d (ascending) whose mean accuracy is > fraction * baseline; -1: none.
std::int64_t intrinsicDimension(const std::vector<std::int64_t>& dims,
                                const std::vector<double>& meanAccuracy, double baseline,
                                double fraction = 0.9);

// "10, 50,100" -> {10, 50, 100}, sorted and unique; throws std::invalid_argument naming the
// bad entry.
std::vector<std::int64_t> parseDims(const std::string& text);

// The "intrinsic_dimension" analysis (its spec is in ps_core's catalog); registerTrainAnalyses
// gives it this factory.
std::unique_ptr<Analysis> makeIntrinsicDimensionAnalysis();

} // namespace ps
