// The augmentation grid of a classify configuration (augment_grid.h): the task's own training
// examples (classify_torch.h) through augment.cpp's grid renderer, which draws every column
// with applyAugmentations / applyMixup on a batch of all rows, as training does.

#include "core/train/augment_grid.h"

#include "core/train/augment_torch.h"
#include "core/train/classify_torch.h"

#include <fstream>
#include <stdexcept>
#include <string>

namespace ps {

namespace {

constexpr int kMaxRows = 256;
constexpr int kMaxDraws = 256;

// The augmentations a policy turns on, by their block names, in the order they are applied.
std::vector<std::string> augmentationsOn(const AugmentPolicy& p) {
    std::vector<std::string> on;
    const auto add = [&on](bool enabled, const char* name) {
        if (enabled)
            on.emplace_back(name);
    };
    add(p.flip.enabled, "flip");
    add(p.rot90.enabled, "rot90");
    add(p.rotation.enabled, "rotation");
    add(p.translateScale.enabled, "translate_scale");
    add(p.brightnessContrast.enabled, "brightness_contrast");
    add(p.invert.enabled, "invert");
    add(p.blur.enabled, "blur");
    add(p.noise.enabled, "noise");
    add(p.erasing.enabled, "erasing");
    add(p.mixup.enabled, "mixup");
    return on;
}

} // namespace

AugmentGrid renderAugmentGrid(const Json& settings, const AugmentGridOptions& options) {
    if (options.rows < 1 || options.rows > kMaxRows)
        throw std::invalid_argument("augmentation grid: rows must be in 1.." +
                                    std::to_string(kMaxRows) + ", not " +
                                    std::to_string(options.rows));
    if (options.draws < 0 || options.draws > kMaxDraws)
        throw std::invalid_argument("augmentation grid: draws must be in 0.." +
                                    std::to_string(kMaxDraws) + ", not " +
                                    std::to_string(options.draws));
    const ClassifyTrainingImages data = classifyTrainingImages(settings, options.rows);
    if (!data.pixels.defined()) {
        const std::int64_t features = data.shape.empty() ? 0 : data.shape.front();
        throw std::invalid_argument("setting 'dataset.name': dataset " + data.dataset +
                                    " is a table of " + std::to_string(features) +
                                    " features per example, not images; an augmentation grid "
                                    "needs an image dataset (fashion-mnist or idx)");
    }
    const torch::Tensor bytes =
        renderAugmentationGrid(data.pixels, data.augment, options.seed, 1 + options.draws);
    // [H', W'] for grey images, [C, H', W'] otherwise: interleave the channels.
    const torch::Tensor hwc = bytes.dim() == 2 ? bytes.unsqueeze(2) : bytes.permute({1, 2, 0});
    const torch::Tensor image = hwc.contiguous();

    AugmentGrid grid;
    grid.height = static_cast<int>(image.size(0));
    grid.width = static_cast<int>(image.size(1));
    grid.channels = static_cast<int>(image.size(2));
    grid.rows = static_cast<int>(data.pixels.size(0));
    grid.draws = options.draws;
    grid.tileHeight = static_cast<int>(data.pixels.size(2));
    grid.tileWidth = static_cast<int>(data.pixels.size(3));
    grid.dataset = data.dataset;
    grid.source = data.source;
    grid.augmenting = augmentationsOn(data.augment);
    if (grid.width != (grid.draws + 1) * (grid.tileWidth + kAugmentGridGap) - kAugmentGridGap ||
        grid.height != grid.rows * (grid.tileHeight + kAugmentGridGap) - kAugmentGridGap)
        throw std::logic_error("augmentation grid: the renderer's layout is not the one "
                               "augment_grid.h describes");
    const auto* first = image.data_ptr<std::uint8_t>();
    grid.pixels.assign(first, first + image.numel());
    return grid;
}

void writePnm(const AugmentGrid& grid, const std::string& path) {
    if (grid.channels != 1 && grid.channels != 3)
        throw std::invalid_argument("writePnm: a PGM/PPM holds 1 or 3 channels, not " +
                                    std::to_string(grid.channels));
    if (grid.pixels.size() != static_cast<std::size_t>(grid.width) *
                                  static_cast<std::size_t>(grid.height) *
                                  static_cast<std::size_t>(grid.channels))
        throw std::invalid_argument("writePnm: the pixels do not fill width x height");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << (grid.channels == 1 ? "P5" : "P6") << '\n'
        << grid.width << ' ' << grid.height << "\n255\n";
    out.write(reinterpret_cast<const char*>(grid.pixels.data()),
              static_cast<std::streamsize>(grid.pixels.size()));
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

} // namespace ps
