#include "core/train/fashion_mnist.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <utility>
#include <zlib.h>

namespace ps {

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803; // unsigned byte data, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801; // unsigned byte data, 1 dimension
constexpr std::int64_t kSide = 28;
// A header claiming more than this is corrupt; checked before allocating for it.
constexpr std::uint32_t kMaxCount = 10'000'000;

struct GzCloser {
    void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
    throw std::runtime_error("dataset file " + file + ": " + what);
}

// `fashion`: the hint names the Debian package that holds Fashion-MNIST.
GzFile openGz(const std::string& file, bool fashion = true) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        fail(file, fashion ? "is missing (install the Debian package dataset-fashion-mnist, or "
                             "point dataset.path at a folder with the four IDX .gz files)"
                           : "is missing");
    errno = 0;
    GzFile gz(gzopen(file.c_str(), "rb"));
    if (!gz)
        fail(file,
             std::string("cannot be opened: ") + (errno ? std::strerror(errno) : "out of memory"));
    gzbuffer(gz.get(), 1 << 18); // the default 8 KiB makes the 47 MB image file slow to inflate
    return gz;
}

// Reads up to `size` bytes; returns how many came (fewer only at the end of the data).
std::size_t readSome(gzFile_s* gz, const std::string& file, std::uint8_t* out, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        // gzread takes an unsigned and returns an int, so read in pieces below INT_MAX.
        const auto chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1u << 30));
        const int got = gzread(gz, out + done, chunk);
        if (got < 0) {
            int code = 0;
            const char* message = gzerror(gz, &code);
            fail(file, std::string("is corrupt (") + (message ? message : "read error") + ")");
        }
        if (got == 0)
            break;
        done += static_cast<std::size_t>(got);
    }
    return done;
}

void readExact(gzFile_s* gz, const std::string& file, std::uint8_t* out, std::size_t size,
               const char* what) {
    const std::size_t got = readSome(gz, file, out, size);
    if (got != size)
        fail(file, "is truncated: expected " + std::to_string(size) + " bytes of " + what +
                       ", found " + std::to_string(got));
}

std::uint32_t readBigEndian32(gzFile_s* gz, const std::string& file, const char* what) {
    std::array<std::uint8_t, 4> b{};
    readExact(gz, file, b.data(), b.size(), what);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
}

void expectEnd(gzFile_s* gz, const std::string& file) {
    std::uint8_t extra = 0;
    // Reading past the end also makes zlib check the gzip trailer (CRC and length).
    if (readSome(gz, file, &extra, 1) != 0)
        fail(file, "has data after the items its header declares");
}

std::string hex(std::uint32_t value) {
    static const char* digits = "0123456789abcdef";
    std::string out = "0x";
    for (int shift = 28; shift >= 0; shift -= 4)
        out += digits[(value >> shift) & 0xf];
    return out;
}

// fashion: Fashion-MNIST's layout (28x28, labels 0..9) is required; else any image size.
void readImages(const std::string& file, FashionMnistImages& out, bool fashion = true) {
    GzFile gz = openGz(file, fashion);
    const std::uint32_t magic = readBigEndian32(gz.get(), file, "header");
    if (magic != kImagesMagic)
        fail(file, "is not an IDX image file (magic number " + hex(magic) + ", expected " +
                       hex(kImagesMagic) + ")");
    const std::uint32_t count = readBigEndian32(gz.get(), file, "header");
    const std::uint32_t rows = readBigEndian32(gz.get(), file, "header");
    const std::uint32_t cols = readBigEndian32(gz.get(), file, "header");
    if (count == 0 || count > kMaxCount)
        fail(file, "declares " + std::to_string(count) + " images");
    if (rows == 0 || cols == 0 || std::uint64_t{rows} * cols > (1u << 24))
        fail(file, "declares " + std::to_string(rows) + "x" + std::to_string(cols) + " images");
    if (fashion && (rows != kSide || cols != kSide))
        fail(file, "holds " + std::to_string(rows) + "x" + std::to_string(cols) +
                       " images, expected 28x28");
    out.imagesFile = file;
    out.count = count;
    out.rows = rows;
    out.cols = cols;
    out.pixels.resize(static_cast<std::size_t>(out.count * out.features()));
    readExact(gz.get(), file, out.pixels.data(), out.pixels.size(), "pixel data");
    expectEnd(gz.get(), file);
}

void readLabels(const std::string& file, FashionMnistImages& out, bool fashion = true) {
    GzFile gz = openGz(file, fashion);
    const std::uint32_t magic = readBigEndian32(gz.get(), file, "header");
    if (magic != kLabelsMagic)
        fail(file, "is not an IDX label file (magic number " + hex(magic) + ", expected " +
                       hex(kLabelsMagic) + ")");
    const std::uint32_t count = readBigEndian32(gz.get(), file, "header");
    if (count != out.count)
        fail(file, "declares " + std::to_string(count) + " labels but " + out.imagesFile +
                       " holds " + std::to_string(out.count) + " images");
    out.labelsFile = file;
    out.labels.resize(count);
    readExact(gz.get(), file, out.labels.data(), out.labels.size(), "labels");
    expectEnd(gz.get(), file);
    if (!fashion)
        return;
    const auto bad = std::find_if(out.labels.begin(), out.labels.end(),
                                  [](std::uint8_t label) { return label >= kFashionMnistClasses; });
    if (bad != out.labels.end())
        fail(file, "has label " + std::to_string(*bad) + " at index " +
                       std::to_string(bad - out.labels.begin()) + ", expected 0..9");
}

} // namespace

FashionMnistImages readIdxFiles(const std::string& imagesFile, const std::string& labelsFile) {
    FashionMnistImages out;
    readImages(imagesFile, out, /*fashion=*/false);
    readLabels(labelsFile, out, /*fashion=*/false);
    return out;
}

const FashionMnistImages& loadFashionMnist(const std::string& dir, FashionMnistPart part) {
    const std::filesystem::path folder = std::filesystem::path(dir).lexically_normal();
    const std::string prefix = part == FashionMnistPart::Train ? "train" : "t10k";
    const std::string key = (folder / prefix).string();

    // A worker runs many trials on the same data: read and inflate the files once. Entries are
    // never evicted (the whole dataset is 55 MB), so references handed out stay valid. The
    // lock is held while reading so that two threads asking at once read the files once.
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<const FashionMnistImages>> cache;
    const std::lock_guard lock(mutex);
    if (const auto it = cache.find(key); it != cache.end())
        return *it->second;

    auto images = std::make_unique<FashionMnistImages>();
    readImages((folder / (prefix + "-images-idx3-ubyte.gz")).string(), *images);
    readLabels((folder / (prefix + "-labels-idx1-ubyte.gz")).string(), *images);
    const FashionMnistImages& stored = *images;
    cache.emplace(key, std::move(images));
    return stored;
}

DataSplit splitFashionMnist(std::int64_t total, std::int64_t subset, double valFraction,
                            std::uint64_t seed) {
    if (total < 2)
        throw std::invalid_argument("cannot split " + std::to_string(total) + " images");
    if (subset < 0 || subset > total)
        throw std::invalid_argument("dataset.subset " + std::to_string(subset) +
                                    " is not within 0.." + std::to_string(total));
    if (!(valFraction > 0.0 && valFraction < 1.0))
        throw std::invalid_argument("dataset.val_fraction " + std::to_string(valFraction) +
                                    " is not strictly between 0 and 1");
    const std::int64_t used = subset == 0 ? total : subset;
    if (used < 2)
        throw std::invalid_argument("dataset.subset " + std::to_string(subset) +
                                    " leaves no image for training or validation");
    const auto rounded = static_cast<std::int64_t>(std::llround(valFraction * double(used)));
    const std::int64_t valCount = std::clamp<std::int64_t>(rounded, 1, used - 1);

    // One permutation of all images: the subset is its prefix (so a smaller subset is part of
    // a larger one, useful when a scheduler grows the data), and the validation images are the
    // prefix of the subset, which is already in random order.
    std::vector<std::int64_t> order(static_cast<std::size_t>(total));
    std::iota(order.begin(), order.end(), std::int64_t{0});
    detail::SeededShuffle(seed).shuffle(order);

    DataSplit split;
    split.val.assign(order.begin(), order.begin() + valCount);
    split.train.assign(order.begin() + valCount, order.begin() + used);
    return split;
}

namespace detail {

SeededShuffle::SeededShuffle(std::uint64_t seed) : m_engine(seed) {}

void SeededShuffle::shuffle(std::vector<std::int64_t>& values) {
    for (std::size_t i = values.size(); i > 1; --i)
        std::swap(values[i - 1], values[below(i)]);
}

std::uint64_t SeededShuffle::below(std::uint64_t bound) {
    // Rejects the 2^64 mod bound lowest draws so that every residue is equally likely.
    const std::uint64_t threshold = (std::uint64_t{0} - bound) % bound;
    for (;;) {
        const std::uint64_t r = m_engine();
        if (r >= threshold)
            return r % bound;
    }
}

} // namespace detail

} // namespace ps
