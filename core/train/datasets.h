#pragma once
// Datasets besides Fashion-MNIST, held in memory as plain floats (no LibTorch here; the tasks
// turn them into tensors on the training device): synthetic sets generated from a seed (two
// or more spirals, Gaussian blobs, a teacher-student regression), a user's CSV table, and a
// user's IDX image files. Generation uses its own normal sampler over mt19937_64, so a seed
// gives the same data with every standard library.

#include <cstdint>
#include <string>
#include <vector>

namespace ps {

enum class TargetKind { Classes, Values };

struct Dataset {
    std::string name;                // "spirals", "csv", ...
    std::string source;              // what it was made or read from, for the trial's log
    std::vector<std::int64_t> shape; // one example: {features} or {channels, rows, cols}
    std::int64_t count = 0;
    std::vector<float> inputs; // count * features(), row-major
    TargetKind target = TargetKind::Classes;
    int classes = 0;                     // Classes: labels are 0 .. classes-1
    std::vector<std::int64_t> labels;    // Classes: count
    std::int64_t outputs = 0;            // Values: numbers to predict per example
    std::vector<float> values;           // Values: count * outputs
    std::vector<std::string> classNames; // Classes, where the source names them (CSV)

    std::int64_t features() const;
};

// CS231n's spirals: `classes` arms of n / classes points each in 2-D, angle noise `noise`.
Dataset makeSpirals(std::int64_t n, int classes, double noise, std::uint64_t seed);
// sklearn's make_blobs: `centers` Gaussian clusters (std `spread`) in `dim` dimensions, centres
// uniform in [-10, 10]^dim, n split evenly.
Dataset makeBlobs(std::int64_t n, int centers, int dim, double spread, std::uint64_t seed);
// A regression whose answer is known: x ~ N(0, I_dim), y = teacher(x) + noise * N(0, 1),
// the teacher a fixed random tanh network with one hidden layer of `width` units.
Dataset makeTeacherStudent(std::int64_t n, int dim, int width, double noise, std::uint64_t seed);

// A CSV table with a header row: `target` names the column to predict; every other column is
// a numeric feature. Classes: the target's distinct values (sorted) become the classes;
// Values: the target must be numeric. Throws std::runtime_error naming the file, line and
// column of anything it cannot read.
Dataset loadCsv(const std::string& path, const std::string& target, TargetKind kind);

// IDX files (optionally gzipped): images of any size (idx3, unsigned bytes) and their labels
// (idx1), scaled to [0, 1]. Throws std::runtime_error naming the file on a bad layout.
Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath);

// Mean and standard deviation over the rows `rows` (a training split), so every split is
// standardized with statistics of the training data only: per feature for tables, one for
// all pixels of images (perFeature false).
struct Standardizer {
    std::vector<float> mean, scale; // per feature; scale = 1 / std (1 where it is constant)
};
Standardizer fitStandardizer(const Dataset& data, const std::vector<std::int64_t>& rows,
                             bool perFeature = true);

} // namespace ps
