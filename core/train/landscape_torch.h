#pragma once
// Loss landscapes (METHODS.md 1; Li et al. 2018): directions in weight space (random with
// filter-wise normalization, the difference of two weight sets, the PCA of a trajectory) and
// the loss evaluated on a grid of points origin + x dx + y dy. Included by ps_train's .cpp
// files and tests only.

#include "core/train/models_torch.h"

#include <cstdint>
#include <functional>
#include <string>
#include <torch/types.h>
#include <vector>

namespace ps {

// A model's parameters (or a direction in their space), in named_parameters() order.
using WeightList = std::vector<torch::Tensor>;

WeightList copyWeights(Model& model); // detached clones

enum class DirectionNorm { Filter, Layer, Weight, None };
DirectionNorm directionNorm(const std::string& name); // throws std::invalid_argument

// N(0, 1) entries drawn from a generator seeded with `seed`, then normalized against `weights`
// per tensor of more than one dimension: Filter scales each slice along dim 0 (a neuron's
// incoming weights, a conv filter) to that slice's norm in `weights` (+1e-10 in the
// denominator, as the reference); Layer the whole tensor; Weight multiplies elementwise.
// Tensors of one dimension or less (biases, norm scales) get 0 with ignoreBiasBn (the
// reference's "biasbn"), else the weights themselves.
WeightList randomDirection(const WeightList& weights, std::uint64_t seed, DirectionNorm norm,
                           bool ignoreBiasBn);

// to - from, tensor by tensor (linear interpolation: origin `from`, x = 1 at `to`).
WeightList differenceDirection(const WeightList& from, const WeightList& to);

// The first two principal directions of a trajectory θ_0 .. θ_n around its end θ_n (the
// reference's setup_PCA_directions: rows θ_i - θ_n, mean-centred PCA, unit-norm components),
// their explained variance ratios, and every θ_i projected on them (θ_n lands at (0, 0)).
// With ignoreBiasBn, tensors of one dimension or less are left out (zero in the components).
struct PcaDirections {
    WeightList first, second;
    double explainedFirst = 0, explainedSecond = 0;
    std::vector<std::pair<double, double>> path;
};
PcaDirections pcaDirections(const std::vector<WeightList>& trajectory, bool ignoreBiasBn);

struct LandscapeGrid {
    std::vector<double> xs, ys;            // coordinates; one y (0) for a 1-D curve
    std::vector<std::vector<double>> loss; // [y][x], mean loss; NaN where not finite
    std::vector<std::vector<double>> accuracy;
    bool fastPath = false; // the first layer was computed once per direction
};

struct GridEvaluation {
    const torch::Tensor* inputs = nullptr;
    const torch::Tensor* targets = nullptr;
    // per-chunk loss sum and correct count, as the training task computes them
    std::function<torch::Tensor(const torch::Tensor& out, const torch::Tensor& t)> lossSum;
    std::function<torch::Tensor(const torch::Tensor& out, const torch::Tensor& t)> correct;
    std::int64_t chunk = 4096; // examples per forward pass
    // false: the straightforward loop (all weights set, full forward per point, as the
    // reference); true: the first layer's output combined from per-direction products where
    // the model has one (Model::firstLayerNames), the rest per point.
    bool fast = true;
    std::function<void(std::size_t rowsDone)> progress; // after each row; may be empty
    std::function<bool()> canceled;                     // checked per row; may be empty
};

// The loss at origin + x dx + y dy for every (x, y) of the grid (dy null: a 1-D curve with
// ys = {0}), in eval mode (batch norm uses the running statistics the origin was saved with,
// which the directions do not move: the reference's "weights" mode). Weights are set fresh
// from `origin` at each point, never accumulated; the model's own weights are restored at
// the end. Throws std::runtime_error when canceled.
LandscapeGrid evaluateGrid(Model& model, const WeightList& origin, const WeightList& dx,
                           const WeightList* dy, const std::vector<double>& xs,
                           const std::vector<double>& ys, const GridEvaluation& how);

// numpy's linspace(low, high, count), both ends included.
std::vector<double> linspace(double low, double high, std::int64_t count);

} // namespace ps
