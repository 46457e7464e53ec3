// Batched, seeded augmentations (augment.h, augment_torch.h). Every augmentation works on the
// whole batch at once with per-sample parameters: flips and quarter turns select with `where`
// on per-sample masks, rotation / translation / zoom resample once through affine_grid and
// grid_sample with one theta per sample, blur is a separable depthwise convolution with one
// kernel per sample (groups = N * C), erasing builds a mask from per-sample boxes.

#include "core/train/augment_torch.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace ps {

namespace {

namespace F = torch::nn::functional;
using torch::Tensor;

// Draws per-sample parameters on the generator's device, as float [N] (or the shape asked),
// and hands them over on the images' device.
class Draws {
public:
    Draws(torch::Generator& generator, torch::Device target)
        : m_generator(generator), m_target(target),
          m_options(torch::TensorOptions().dtype(torch::kFloat).device(generator.device())) {}

    Tensor uniform(std::int64_t n, double low, double high) {
        return (torch::rand({n}, m_generator, m_options) * (high - low) + low).to(m_target);
    }
    // [N, 1, 1, 1] bool: true with probability p.
    Tensor chance(std::int64_t n, double p) {
        return (torch::rand({n}, m_generator, m_options) < p).view({n, 1, 1, 1}).to(m_target);
    }
    Tensor normal(torch::IntArrayRef sizes, torch::ScalarType type) {
        return torch::randn(sizes, m_generator, m_options.dtype(type)).to(m_target);
    }
    Tensor permutation(std::int64_t n) {
        return torch::randperm(n, m_generator, m_options.dtype(torch::kLong)).to(m_target);
    }

private:
    torch::Generator& m_generator;
    torch::Device m_target;
    torch::TensorOptions m_options;
};

Tensor perSample(const Tensor& v) {
    return v.view({-1, 1, 1, 1});
}

Tensor flip(const Tensor& x, const FlipAugment& a, Draws& draw) {
    const auto n = x.size(0);
    Tensor out = x;
    if (a.horizontal)
        out = torch::where(draw.chance(n, a.p), out.flip({3}), out);
    if (a.vertical)
        out = torch::where(draw.chance(n, a.p), out.flip({2}), out);
    return out;
}

Tensor rot90(const Tensor& x, const Rot90Augment& a, Draws& draw) {
    const auto n = x.size(0);
    const Tensor apply = draw.chance(n, a.p);
    // Quarter turns drawn for every sample, used or not, so the draws do not depend on k.
    const Tensor turns = perSample((draw.uniform(n, 0, 3).floor() + 1).clamp(1, 3));
    if (x.size(2) != x.size(3))
        return torch::where(apply, torch::rot90(x, 2, {2, 3}), x);
    if (a.k != 0)
        return torch::where(apply, torch::rot90(x, a.k, {2, 3}), x);
    Tensor out = x;
    for (int k = 1; k <= 3; ++k)
        out = torch::where(apply & (turns == k), torch::rot90(x, k, {2, 3}), out);
    return out;
}

// One resampling for rotation and translate_scale together. theta maps each output position to
// where it is read in the input, in normalized coordinates ([-1, 1] across width and height):
// in = M (out - t), M = D^-1 R(-angle) D / scale with D = diag(W/2, H/2), so the rotation is a
// true rotation in pixels on non-square images too.
Tensor affine(const Tensor& x, const RotationAugment& rot, const TranslateScaleAugment& ts,
              Draws& draw) {
    const auto n = x.size(0);
    const double h = static_cast<double>(x.size(2));
    const double w = static_cast<double>(x.size(3));
    const auto floats = x.options().dtype(torch::kFloat);
    Tensor angle = torch::zeros({n}, floats);
    Tensor tx = torch::zeros({n}, floats);
    Tensor ty = torch::zeros({n}, floats);
    Tensor scale = torch::ones({n}, floats);
    if (rot.enabled)
        angle = draw.uniform(n, -rot.degrees, rot.degrees) * (std::numbers::pi / 180.0);
    if (ts.enabled) {
        tx = draw.uniform(n, -ts.translate, ts.translate) * 2; // share of width -> [-1, 1]
        ty = draw.uniform(n, -ts.translate, ts.translate) * 2;
        scale = draw.uniform(n, ts.scaleMin, ts.scaleMax);
    }
    const Tensor c = torch::cos(angle) / scale;
    const Tensor s = torch::sin(angle) / scale;
    const Tensor m00 = c, m01 = s * (h / w), m10 = -s * (w / h), m11 = c;
    const Tensor theta = torch::stack({torch::stack({m00, m01, -(m00 * tx + m01 * ty)}, 1),
                                       torch::stack({m10, m11, -(m10 * tx + m11 * ty)}, 1)},
                                      1)
                             .to(x.scalar_type());
    const Tensor grid = F::affine_grid(theta, x.sizes(), /*align_corners=*/false);
    return F::grid_sample(x, grid,
                          F::GridSampleFuncOptions()
                              .mode(torch::kBilinear)
                              .padding_mode(torch::kZeros)
                              .align_corners(false))
        .clamp(0, 1);
}

Tensor brightnessContrast(const Tensor& x, const BrightnessContrastAugment& a, Draws& draw) {
    const auto n = x.size(0);
    const Tensor b = perSample(draw.uniform(n, std::max(0.0, 1 - a.brightness), 1 + a.brightness));
    const Tensor c = perSample(draw.uniform(n, std::max(0.0, 1 - a.contrast), 1 + a.contrast));
    const Tensor bright = (x * b).clamp(0, 1);
    // ColorJitter's contrast blends with the mean of the grey image.
    Tensor grey;
    if (x.size(1) == 3)
        grey = 0.2989 * bright.select(1, 0) + 0.587 * bright.select(1, 1) +
               0.114 * bright.select(1, 2);
    else
        grey = bright.mean(1);
    const Tensor mean = perSample(grey.mean({1, 2}));
    return (c * bright + (1 - c) * mean).clamp(0, 1);
}

Tensor invert(const Tensor& x, const InvertAugment& a, Draws& draw) {
    return torch::where(draw.chance(x.size(0), a.p), 1 - x, x);
}

// Separable Gaussian blur, one kernel per sample: the batch is folded into channels and
// convolved depthwise (groups = N * C), rows then columns, with reflected borders.
Tensor blur(const Tensor& x, const BlurAugment& a, Draws& draw) {
    const auto n = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3);
    const Tensor apply = draw.chance(n, a.p);
    const Tensor sigma = draw.uniform(n, a.sigmaMin, a.sigmaMax).clamp_min(1e-3);
    const std::int64_t radius = std::min<std::int64_t>(
        static_cast<std::int64_t>(std::ceil(3 * a.sigmaMax)), std::min(h, w) - 1);
    if (radius <= 0)
        return x;
    const Tensor offsets = torch::arange(-radius, radius + 1, x.options()).view({1, -1});
    const Tensor s = sigma.to(x.scalar_type()).view({-1, 1});
    Tensor kernel = torch::exp(-offsets * offsets / (2 * s * s)); // [N, K]
    kernel = (kernel / kernel.sum(1, true)).repeat_interleave(ch, 0);
    const auto k = 2 * radius + 1;
    const std::vector<std::int64_t> one{1, 1}, zero{0, 0};
    Tensor y = x.reshape({1, n * ch, h, w});
    y = F::pad(y, F::PadFuncOptions({radius, radius, 0, 0}).mode(torch::kReflect));
    y = torch::conv2d(y, kernel.view({n * ch, 1, 1, k}), torch::Tensor(), one, zero, one, n * ch);
    y = F::pad(y, F::PadFuncOptions({0, 0, radius, radius}).mode(torch::kReflect));
    y = torch::conv2d(y, kernel.view({n * ch, 1, k, 1}), torch::Tensor(), one, zero, one, n * ch);
    return torch::where(apply, y.view({n, ch, h, w}).clamp(0, 1), x);
}

Tensor noise(const Tensor& x, const NoiseAugment& a, Draws& draw) {
    return (x + draw.normal(x.sizes(), x.scalar_type()) * a.std).clamp(0, 1);
}

// RandomErasing with per-sample boxes: share and log-ratio drawn per sample, a box that does
// not fit cut to the image on its long side and widened on the other (the share kept), then
// rounded to pixels like torchvision.
Tensor erasing(const Tensor& x, const ErasingAugment& a, Draws& draw) {
    const auto n = x.size(0);
    const double h = static_cast<double>(x.size(2));
    const double w = static_cast<double>(x.size(3));
    const Tensor apply = draw.chance(n, a.p);
    const Tensor area = draw.uniform(n, a.scaleMin, a.scaleMax) * (h * w);
    const Tensor ratio = torch::exp(draw.uniform(n, std::log(a.ratioMin), std::log(a.ratioMax)));
    Tensor bh = torch::sqrt(area * ratio);
    Tensor bw = torch::sqrt(area / ratio);
    const Tensor tall = bh > h;
    bh = torch::where(tall, torch::full_like(bh, h), bh);
    bw = torch::where(tall, area / h, bw);
    const Tensor wide = bw > w;
    bw = torch::where(wide, torch::full_like(bw, w), bw);
    bh = torch::where(wide, area / w, bh);
    bh = bh.round().clamp(0, h);
    bw = bw.round().clamp(0, w);
    const Tensor top = torch::minimum((draw.uniform(n, 0, 1) * (h - bh + 1)).floor(), h - bh);
    const Tensor left = torch::minimum((draw.uniform(n, 0, 1) * (w - bw + 1)).floor(), w - bw);
    const auto floats = top.options();
    const Tensor rows = torch::arange(x.size(2), floats).view({1, 1, -1, 1});
    const Tensor cols = torch::arange(x.size(3), floats).view({1, 1, 1, -1});
    const Tensor inside = (rows >= perSample(top)) & (rows < perSample(top + bh)) &
                          (cols >= perSample(left)) & (cols < perSample(left + bw));
    return x.masked_fill(inside & apply, a.value);
}

void checkImages(const Tensor& images, const char* what) {
    if (images.dim() != 4 || !images.is_floating_point())
        throw std::invalid_argument(std::string(what) +
                                    ": images must be a float tensor [N, C, H, W]");
}

} // namespace

torch::Tensor applyAugmentations(const torch::Tensor& images, const AugmentPolicy& policy,
                                 torch::Generator& generator) {
    checkImages(images, "applyAugmentations");
    if (images.size(0) == 0 || !policy.anyImageAugment())
        return images;
    torch::NoGradGuard noGrad;
    Draws draw(generator, images.device());
    Tensor x = images;
    if (policy.flip.enabled)
        x = flip(x, policy.flip, draw);
    if (policy.rot90.enabled)
        x = rot90(x, policy.rot90, draw);
    if (policy.rotation.enabled || policy.translateScale.enabled)
        x = affine(x, policy.rotation, policy.translateScale, draw);
    if (policy.brightnessContrast.enabled)
        x = brightnessContrast(x, policy.brightnessContrast, draw);
    if (policy.invert.enabled)
        x = invert(x, policy.invert, draw);
    if (policy.blur.enabled)
        x = blur(x, policy.blur, draw);
    if (policy.noise.enabled)
        x = noise(x, policy.noise, draw);
    if (policy.erasing.enabled)
        x = erasing(x, policy.erasing, draw);
    return x;
}

torch::Tensor sampleBetaSymmetric(std::int64_t n, double alpha, torch::Generator& generator) {
    torch::NoGradGuard noGrad;
    const Tensor alphas = torch::full(
        {2, n}, alpha, torch::TensorOptions().dtype(torch::kDouble).device(generator.device()));
    const Tensor g = at::_standard_gamma(alphas, generator);
    const Tensor sum = g[0] + g[1];
    // Both draws can underflow to 0 for tiny alpha, where Beta(alpha, alpha) is nearly a coin.
    return torch::where(sum > 0, g[0] / sum, (g[0] >= g[1]).to(torch::kDouble)).to(torch::kFloat);
}

Mixed applyMixup(const torch::Tensor& images, const torch::Tensor& targets,
                 const AugmentPolicy& policy, torch::Generator& generator) {
    checkImages(images, "applyMixup");
    const auto n = images.size(0);
    if (!policy.mixup.enabled || n == 0)
        return {images, targets, targets, torch::ones({n}, images.options().dtype(torch::kFloat))};
    torch::NoGradGuard noGrad;
    Draws draw(generator, images.device());
    const Tensor perm = draw.permutation(n);
    const Tensor lambda = sampleBetaSymmetric(n, policy.mixup.alpha, generator)
                              .to(images.device(), images.scalar_type());
    const Tensor l = perSample(lambda);
    Mixed mixed;
    mixed.images = (l * images + (1 - l) * images.index_select(0, perm)).clamp(0, 1);
    mixed.targetsA = targets;
    mixed.targetsB = targets.index_select(0, perm.to(targets.device()));
    mixed.lambda = lambda.to(torch::kFloat);
    return mixed;
}

torch::Tensor mixupCrossEntropy(const torch::Tensor& logits, const Mixed& mixed) {
    const auto none = F::CrossEntropyFuncOptions().reduction(torch::kNone);
    const Tensor a = F::cross_entropy(logits, mixed.targetsA, none);
    const Tensor b = F::cross_entropy(logits, mixed.targetsB, none);
    const Tensor l = mixed.lambda.to(logits.device(), logits.scalar_type());
    return (l * a + (1 - l) * b).mean();
}

torch::Tensor renderAugmentationGrid(const torch::Tensor& images, const AugmentPolicy& policy,
                                     std::uint64_t seed, int columns) {
    checkImages(images, "renderAugmentationGrid");
    if (columns < 1)
        throw std::invalid_argument("renderAugmentationGrid: columns must be >= 1");
    torch::NoGradGuard noGrad;
    const Tensor x = images.to(torch::kCPU, torch::kFloat).contiguous();
    const auto n = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3);
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const Tensor labels = torch::arange(n, torch::kLong);
    std::vector<Tensor> variants{x};
    for (int j = 1; j < columns; ++j) {
        Tensor v = applyAugmentations(x, policy, generator);
        if (policy.mixup.enabled)
            v = applyMixup(v, labels, policy, generator).images;
        variants.push_back(v);
    }
    constexpr std::int64_t kGap = 2;
    // [columns, N, C, H, W], a white gap right of and below every tile, then tiles laid out
    // as rows (images) by columns (variants); the last gap of each direction is cut off.
    Tensor tiles = F::pad(torch::stack(variants), F::PadFuncOptions({0, kGap, 0, kGap}).value(1));
    tiles = tiles.permute({2, 1, 3, 0, 4}).reshape({ch, n * (h + kGap), columns * (w + kGap)});
    tiles = tiles.slice(1, 0, n * (h + kGap) - kGap).slice(2, 0, columns * (w + kGap) - kGap);
    Tensor bytes = (tiles.clamp(0, 1) * 255).round().to(torch::kUInt8).contiguous();
    return ch == 1 ? bytes.squeeze(0) : bytes;
}

std::vector<std::uint8_t> augmentationGridGray(const std::vector<float>& images, int n, int h,
                                               int w, const Json& policy, std::uint64_t seed,
                                               int columns, int& outH, int& outW) {
    if (n < 1 || h < 1 || w < 1 ||
        images.size() !=
            static_cast<std::size_t>(n) * static_cast<std::size_t>(h) * static_cast<std::size_t>(w))
        throw std::invalid_argument("augmentationGridGray: images must hold n * h * w values");
    const AugmentPolicy parsed = parseAugmentPolicy(policy);
    const Tensor x =
        torch::from_blob(const_cast<float*>(images.data()), {n, 1, h, w}, torch::kFloat).clone();
    const Tensor grid = renderAugmentationGrid(x, parsed, seed, columns);
    outH = static_cast<int>(grid.size(0));
    outW = static_cast<int>(grid.size(1));
    const auto* data = grid.data_ptr<std::uint8_t>();
    return {data, data + grid.numel()};
}

} // namespace ps
