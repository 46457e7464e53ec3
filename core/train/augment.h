#pragma once
// Image augmentations as a named part of the search space (issue 4). This header is
// LibTorch-free: the policy (plain structs), its parser, its declared settings, and a grid
// renderer on plain vectors that a Qt view can wrap in a QImage. The LibTorch functions that
// apply a policy to a batch are in augment_torch.h.
//
// A policy is the task section's `augment:` object, one block per augmentation:
//   augment: {rotation: {degrees: 15}, noise: {enabled: true, std: 0.05}, mixup: {alpha: 0.2}}
// A block that is absent is off; a block that is present is on unless it says `enabled: false`.
// Every key has a default (torchvision's where it has one) and bounds; augmentSettings()
// declares them all as `augment.<block>.<key>`, so a search space can sample any of them.
// Beware when wiring this into a task: the study-file parser writes every declared default into
// the settings before the file's values, which makes every block present with enabled: false,
// so there a block is on only with an explicit `enabled: true` (or a sampled one). Leaving
// `augment.*` out of that default filling keeps "present means on" (parseAugmentPolicy
// supplies the defaults itself).
//
// Value contract: images are float [N, C, H, W] with values in [0, 1] (before normalization).
// Every augmentation keeps the shape and keeps values in [0, 1]: the ones that could leave the
// range (noise, brightness and contrast) clamp to it. The order is fixed: flip, rot90, affine
// (rotation with translate_scale, one resampling), brightness_contrast, invert, blur, noise,
// erasing; mixup comes last and separately, because it needs the targets.
//
// All functions may be called from any thread; they share no state.

#include "core/space/setting_spec.h"
#include "core/study/trial.h"

#include <cstdint>
#include <vector>

namespace ps {

// Each image flipped left-right with probability p (if horizontal), and independently
// upside-down with probability p (if vertical).
struct FlipAugment {
    bool enabled = false;
    double p = 0.5;
    bool horizontal = true;
    bool vertical = false;
};

// Rotation by an angle drawn uniformly from [-degrees, degrees] (RandomRotation), bilinear,
// filled with 0 outside the image.
struct RotationAugment {
    bool enabled = false;
    double degrees = 15;
};

// With probability p, k counter-clockwise quarter turns (k = 0: drawn from {1, 2, 3}).
// Images that are not square only ever get half turns (k = 2), which keep their shape.
struct Rot90Augment {
    bool enabled = false;
    double p = 0.5;
    int k = 0;
};

// RandomAffine's translate and scale: shifts drawn uniformly from [-translate, translate]
// times the width (and height), a zoom factor from [scale_min, scale_max]; bilinear, fill 0.
struct TranslateScaleAugment {
    bool enabled = false;
    double translate = 0.1;
    double scaleMin = 0.9;
    double scaleMax = 1.1;
};

// Additive Gaussian noise with standard deviation std, then clamped to [0, 1].
struct NoiseAugment {
    bool enabled = false;
    double std = 0.1;
};

// With probability p, a Gaussian blur with sigma drawn from [sigma_min, sigma_max]
// (GaussianBlur's defaults 0.1 and 2.0); the kernel spans 3 sigma_max each side (at most the
// image size less one), with reflected borders.
struct BlurAugment {
    bool enabled = false;
    double p = 0.5;
    double sigmaMin = 0.1;
    double sigmaMax = 2.0;
};

// RandomErasing: with probability p, a rectangle covering a share of the image drawn from
// [scale_min, scale_max], aspect ratio h/w log-uniform in [ratio_min, ratio_max], set to value.
// Where a rectangle of that ratio does not fit, its long side is cut to the image and the other
// side grown, so the share stays as drawn.
struct ErasingAugment {
    bool enabled = false;
    double p = 0.5;
    double scaleMin = 0.02;
    double scaleMax = 0.33;
    double ratioMin = 0.3;
    double ratioMax = 3.3;
    double value = 0;
};

// ColorJitter's brightness and contrast: factors drawn from [max(0, 1 - b), 1 + b]; brightness
// scales the image, contrast blends it with its mean grey level; each clamps to [0, 1].
struct BrightnessContrastAugment {
    bool enabled = false;
    double brightness = 0.2;
    double contrast = 0.2;
};

// With probability p, x -> 1 - x (RandomInvert).
struct InvertAugment {
    bool enabled = false;
    double p = 0.5;
};

// mixup (Zhang et al. 2018): each image blended with a partner from a random permutation of
// the batch, with its own weight lambda ~ Beta(alpha, alpha).
struct MixupAugment {
    bool enabled = false;
    double alpha = 0.2;
};

struct AugmentPolicy {
    FlipAugment flip;
    RotationAugment rotation;
    Rot90Augment rot90;
    TranslateScaleAugment translateScale;
    NoiseAugment noise;
    BlurAugment blur;
    ErasingAugment erasing;
    BrightnessContrastAugment brightnessContrast;
    InvertAugment invert;
    MixupAugment mixup;

    // True if any augmentation other than mixup is on.
    bool anyImageAugment() const;
};

// Reads the `augment:` object (null or absent: everything off). Throws std::invalid_argument
// naming the key path ("augment.rotation.degrees: must be >= 0, not -3") for unknown blocks,
// unknown keys, wrong types and values out of range.
AugmentPolicy parseAugmentPolicy(const Json& augment);

// Every key parseAugmentPolicy accepts, as `augment.<block>.<key>`, with type, default,
// bounds and help.
std::vector<SettingSpec> augmentSettings();

// A mosaic showing what a policy does, for a view: n grey images of h x w (row-major, values in
// [0, 1]) in, one row per image: the original, then columns - 1 augmented variants (seeded by
// seed), separated by 2-pixel white lines. Returns outH x outW bytes, row-major (0 black, 255
// white). Mixup, if on, mixes each variant with other images of the same call. Throws
// std::invalid_argument for a bad policy or sizes.
std::vector<std::uint8_t> augmentationGridGray(const std::vector<float>& images, int n, int h,
                                               int w, const Json& policy, std::uint64_t seed,
                                               int columns, int& outH, int& outW);

} // namespace ps
