#pragma once
// Applying an AugmentPolicy to a batch with LibTorch: batched ops on the images' device, every
// random draw from the generator passed in. Includes <torch/torch.h>, so only ps_train's .cpp
// files and its tests include this header.
//
// Determinism: the same policy, input and generator state give bitwise the same output on the
// same device. Random draws are made on the generator's device (a CPU generator for CPU
// training, a CUDA one for CUDA training, where noise is drawn on the GPU) and moved to the
// images' device if they differ.

#include "core/train/augment.h"

#include <cstdint>
#include <torch/torch.h>

namespace ps {

// Every augmentation of the policy except mixup, in the order augment.h gives, on images
// [N, C, H, W] float in [0, 1]; returns a tensor of the same shape and device, values in
// [0, 1] (the input itself when nothing is on; the input is never written). Throws
// std::invalid_argument for another rank or a non-float dtype.
torch::Tensor applyAugmentations(const torch::Tensor& images, const AugmentPolicy& policy,
                                 torch::Generator& generator);

// A mixup batch: images[i] = lambda[i] * x[i] + (1 - lambda[i]) * x[perm[i]], with
// targetsA = targets, targetsB = targets[perm]. The training loss is, per sample,
// lambda * loss(out, targetsA) + (1 - lambda) * loss(out, targetsB), which works for class
// indices and for regression targets alike and needs no class count (see mixupCrossEntropy).
struct Mixed {
    torch::Tensor images;   // [N, C, H, W]
    torch::Tensor targetsA; // the targets as given
    torch::Tensor targetsB; // the partners' targets
    torch::Tensor lambda;   // [N] float, in [0, 1], the weight of targetsA
};

// mixup as policy.mixup says; with mixup off, images and targets pass through with lambda 1
// and targetsB = targetsA. The partners come from one random permutation of the batch.
Mixed applyMixup(const torch::Tensor& images, const torch::Tensor& targets,
                 const AugmentPolicy& policy, torch::Generator& generator);

// Mean over the batch of lambda * CE(logits, targetsA) + (1 - lambda) * CE(logits, targetsB);
// logits [N, classes], targets class indices.
torch::Tensor mixupCrossEntropy(const torch::Tensor& logits, const Mixed& mixed);

// lambda ~ Beta(alpha, alpha), n draws (as Gamma(alpha) / (Gamma(alpha) + Gamma(alpha))), on
// the generator's device. Exposed for tests.
torch::Tensor sampleBetaSymmetric(std::int64_t n, double alpha, torch::Generator& generator);

// A mosaic of what the policy does: one row per image, the original first, then columns - 1
// augmented variants (one generator seeded with seed, one applyAugmentations call per column,
// then mixup if it is on), separated by 2-pixel white lines. Returns uint8 [H', W'] for
// one-channel images and [C, H', W'] otherwise, on the CPU.
torch::Tensor renderAugmentationGrid(const torch::Tensor& images, const AugmentPolicy& policy,
                                     std::uint64_t seed, int columns);

} // namespace ps
