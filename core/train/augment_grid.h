#pragma once
// What a configuration's augmentations do to its own training images, as one 8-bit picture
// (issue 4): the worker renders it (`paramscope-worker augment-grid`), and the desktop app,
// which never links LibTorch, reads the file with QImage. LibTorch-free; the rendering is
// augment.h's grid on the classify task's data (classify_torch.h).
//
// Any thread may call these; they share no state.

#include "core/study/trial.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ps {

struct AugmentGridOptions {
    int rows = 8;           // source images: the first `rows` of the task's training split
    int draws = 8;          // augmented draws of each, right of the original
    std::uint64_t seed = 0; // seeds the augmentations only; the images depend on dataset.*
};

// An 8-bit picture, row-major, channels interleaved; 0 is black.
struct AugmentGrid {
    int width = 0, height = 0, channels = 1; // channels: 1 (grey) or 3 (RGB)
    std::vector<std::uint8_t> pixels;        // height * width * channels
    // The layout: `rows` tiles down, 1 + `draws` across, each tileWidth x tileHeight, with
    // kAugmentGridGap white pixels between them.
    int rows = 0, draws = 0, tileWidth = 0, tileHeight = 0;
    std::string dataset;                 // dataset.name
    std::string source;                  // what the images were read from
    std::vector<std::string> augmenting; // the augmentations on, in the order they run
};

inline constexpr int kAugmentGridGap = 2;

// One row per source example of the classify task's training data (Fashion-MNIST or an IDX
// image set, chosen and split by dataset.* exactly as a trial with these settings trains on
// them; fewer rows if the split has fewer), column 0 the example itself, columns 1..draws
// independent draws of the configured augmentations (augment.*), made by the same batched
// functions training uses, one batch of all rows per column. Pixels are the [0, 1] values
// the augmentations see (before standardization) times 255, so every column shares one scale.
// mixup, when on, blends each draw with another row of the same column, as training blends
// with another example of the batch (with one row it blends the image with itself: no change).
// `settings` is the task's settings object; what it lacks takes its default, as in a study
// file (so an augmentation is on only with `enabled: true`); `device` is ignored (CPU).
// The same settings and options give the same bytes. Throws std::invalid_argument naming the
// setting or option (a dataset of feature vectors included: a grid needs images), and
// std::runtime_error naming the file when the data cannot be read.
AugmentGrid renderAugmentGrid(const Json& settings, const AugmentGridOptions& options);

// Writes the grid as binary PGM (P5, grey) or PPM (P6, RGB), maxval 255, which QImage reads.
// Throws std::runtime_error naming the file when it cannot be written.
void writePnm(const AugmentGrid& grid, const std::string& path);

} // namespace ps
