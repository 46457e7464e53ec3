#pragma once
// Fashion-MNIST as the classify task uses it: the IDX files read once per process, and the
// seeded choice of which training images a trial trains and validates on. Free of LibTorch
// types so that tests and tools can use it cheaply; the task turns the bytes into tensors.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ps {

// Pixel statistics of the 60k training images, used to normalize inputs to zero mean and
// unit variance.
inline constexpr double kFashionMnistMean = 0.2860;
inline constexpr double kFashionMnistStd = 0.3530;
inline constexpr int kFashionMnistClasses = 10;

// One half of the dataset exactly as stored: 8-bit grey images, row-major, and their labels.
struct FashionMnistImages {
    std::string imagesFile, labelsFile; // the files it was read from
    std::int64_t count = 0;
    std::int64_t rows = 0, cols = 0;
    std::vector<std::uint8_t> pixels; // count * rows * cols
    std::vector<std::uint8_t> labels; // count, each in 0..9

    std::int64_t features() const { return rows * cols; }
};

enum class FashionMnistPart { Train, Test };

// Reads <dir>/train-* (60k) or <dir>/t10k-* (10k). The first call for a folder and part reads
// the files; later calls return the same object, which lives until the process ends. Any
// thread may call it. Throws std::runtime_error naming the file when one is missing,
// unreadable, truncated, or not the IDX layout Fashion-MNIST uses (28x28 images, labels 0..9).
const FashionMnistImages& loadFashionMnist(const std::string& dir, FashionMnistPart part);

// Any pair of IDX files (images idx3 of unsigned bytes, labels idx1), raw or gzipped, of any
// image size; read anew on each call. Throws std::runtime_error naming the file.
FashionMnistImages readIdxFiles(const std::string& imagesFile, const std::string& labelsFile);

// Which images of a training set a trial uses, as indices into it.
struct DataSplit {
    std::vector<std::int64_t> train;
    std::vector<std::int64_t> val;
};

// A seeded random subset of `total` images (`subset` of them; 0 = all), of which a share
// `valFraction` (rounded, at least one image each side) is held out for validation. The same
// arguments give the same split on every platform, and for one seed a smaller subset is a
// prefix of a larger one's shuffled order. Throws std::invalid_argument on impossible sizes.
DataSplit splitFashionMnist(std::int64_t total, std::int64_t subset, double valFraction,
                            std::uint64_t seed);

namespace detail {

// Fisher-Yates driven by mt19937_64. Written out rather than std::shuffle because the standard
// fixes mt19937_64's output but leaves std::shuffle's and the distributions' algorithms to the
// library, and splits and batch orders must not change between libstdc++ and libc++.
class SeededShuffle {
public:
    explicit SeededShuffle(std::uint64_t seed);
    // Shuffles `values` in place; successive calls continue the same random stream.
    void shuffle(std::vector<std::int64_t>& values);

private:
    std::uint64_t below(std::uint64_t bound); // uniform in [0, bound), bound > 0

    std::mt19937_64 m_engine;
};

} // namespace detail

} // namespace ps
