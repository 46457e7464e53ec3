#pragma once
// The classify task's data as other parts of ps_train see it (the augmentation grid): the
// same settings, dataset, split and scaling a trial uses. Includes LibTorch headers, so only
// ps_train's .cpp files include it.

#include "core/study/trial.h"
#include "core/train/augment.h"
#include "core/train/models_torch.h"

#include <cstdint>
#include <string>
#include <torch/types.h>
#include <vector>

namespace ps {

struct ClassifyTrainingImages {
    std::string dataset;             // dataset.name
    std::string source;              // what the data was read or made from
    std::vector<std::int64_t> shape; // one example: {channels, rows, cols} for images
    // Images only (shape has 3 entries), else undefined: float [N, C, H, W] on the CPU, pixels in
    // [0, 1] exactly as the training loop hands them to the augmentations.
    torch::Tensor pixels;
    AugmentPolicy augment; // the settings' augmentations
};

// The first `count` (> 0) examples of the training split that a classify trial with these
// settings trains on, in the split's order (at most as many as there are). Settings the object
// lacks take their defaults, as the study-file parser fills them in, so an augmentation block
// is on only with `enabled: true`. Ignores `device`: the examples are on the CPU. Throws
// std::invalid_argument naming the setting for a bad setting or an impossible split, and
// std::runtime_error naming the file when data cannot be read. Any thread.
ClassifyTrainingImages classifyTrainingImages(const Json& settings, std::int64_t count);

// A classify trial's model, untrained, and examples of one of its splits, on the CPU: what the
// loss-landscape analysis evaluates trained weights on.
struct ClassifyProbe {
    std::shared_ptr<Model> model;  // built as the trial built it (its parametrization too)
    torch::Tensor inputs, targets; // the first `samples` examples of the split, standardized
    bool regression = false;       // targets are values (mean squared error), not classes
    std::string description;       // data and model, for logs
    // The summed loss of `outputs` against `targets` (cross-entropy or squared error), and the
    // number of correct predictions (classes only), as the training task computes them.
    torch::Tensor lossSum(const torch::Tensor& outputs, const torch::Tensor& targets) const;
    torch::Tensor correct(const torch::Tensor& outputs, const torch::Tensor& targets) const;
};

// `split`: "train", "val" or "test"; `samples` 0 = all of it. Throws std::invalid_argument
// naming the setting or split, std::runtime_error naming a data file that cannot be read.
ClassifyProbe classifyProbe(const Json& settings, const std::string& split, std::int64_t samples);

// Loads weights saved by the classify task (artifacts.weights) into `model`; throws
// std::runtime_error naming the file when it cannot be read or does not fit the model.
void loadModelWeights(Model& model, const std::string& path);

} // namespace ps
