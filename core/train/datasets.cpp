#include "core/train/datasets.h"

#include "core/train/fashion_mnist.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numbers>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>

namespace ps {

namespace {

// Uniform in [0, 1) from the top 53 bits, and Box-Muller normals: fixed algorithms, unlike
// std::uniform_real_distribution and std::normal_distribution.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : m_engine(seed) {}
    double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }
    double normal() {
        if (m_spare) {
            const double v = *m_spare;
            m_spare.reset();
            return v;
        }
        double u = uniform();
        while (u <= 0)
            u = uniform();
        const double r = std::sqrt(-2 * std::log(u)), t = 2 * std::numbers::pi * uniform();
        m_spare = r * std::sin(t);
        return r * std::cos(t);
    }

private:
    std::mt19937_64 m_engine;
    std::optional<double> m_spare;
};

void requirePositive(std::int64_t value, const char* what) {
    if (value < 1)
        throw std::invalid_argument(std::string(what) + " must be at least 1, not " +
                                    std::to_string(value));
}

} // namespace

std::int64_t Dataset::features() const {
    std::int64_t f = 1;
    for (auto d : shape)
        f *= d;
    return f;
}

Dataset makeSpirals(std::int64_t n, int classes, double noise, std::uint64_t seed) {
    requirePositive(n, "dataset.size");
    if (classes < 2)
        throw std::invalid_argument("dataset.classes must be at least 2 for spirals");
    Rng rng(seed);
    Dataset d;
    d.name = "spirals";
    d.source = std::to_string(classes) + " spirals, " + std::to_string(n) + " points, noise " +
               std::to_string(noise) + ", seed " + std::to_string(seed);
    d.shape = {2};
    d.classes = classes;
    const std::int64_t per = std::max<std::int64_t>(1, n / classes);
    for (int k = 0; k < classes; ++k) {
        for (std::int64_t i = 0; i < per; ++i) {
            const double r = per > 1 ? double(i) / double(per - 1) : 0.0;
            const double t = 4.0 * (k + r) + rng.normal() * noise;
            d.inputs.push_back(static_cast<float>(r * std::sin(t)));
            d.inputs.push_back(static_cast<float>(r * std::cos(t)));
            d.labels.push_back(k);
        }
    }
    d.count = static_cast<std::int64_t>(d.labels.size());
    return d;
}

Dataset makeBlobs(std::int64_t n, int centers, int dim, double spread, std::uint64_t seed) {
    requirePositive(n, "dataset.size");
    requirePositive(centers, "dataset.classes");
    requirePositive(dim, "dataset.features");
    Rng rng(seed);
    Dataset d;
    d.name = "blobs";
    d.source = std::to_string(centers) + " blobs in " + std::to_string(dim) + "-D, " +
               std::to_string(n) + " points, std " + std::to_string(spread) + ", seed " +
               std::to_string(seed);
    d.shape = {dim};
    d.classes = centers;
    std::vector<double> centre(static_cast<std::size_t>(centers * dim));
    for (auto& c : centre)
        c = -10 + 20 * rng.uniform();
    for (std::int64_t i = 0; i < n; ++i) {
        const int k = static_cast<int>(i % centers);
        for (int j = 0; j < dim; ++j)
            d.inputs.push_back(static_cast<float>(centre[static_cast<std::size_t>(k * dim + j)] +
                                                  spread * rng.normal()));
        d.labels.push_back(k);
    }
    d.count = n;
    return d;
}

Dataset makeTeacherStudent(std::int64_t n, int dim, int width, double noise, std::uint64_t seed) {
    requirePositive(n, "dataset.size");
    requirePositive(dim, "dataset.features");
    requirePositive(width, "dataset.teacher_width");
    Rng rng(seed);
    Dataset d;
    d.name = "teacher-student";
    d.source = "tanh teacher " + std::to_string(dim) + "-" + std::to_string(width) + "-1, " +
               std::to_string(n) + " points, noise " + std::to_string(noise) + ", seed " +
               std::to_string(seed);
    d.shape = {dim};
    d.target = TargetKind::Values;
    d.outputs = 1;
    // The teacher: N(0, 1/fan_in) weights, so its hidden units and output are O(1).
    std::vector<double> w1(static_cast<std::size_t>(width * dim)),
        w2(static_cast<std::size_t>(width));
    for (auto& w : w1)
        w = rng.normal() / std::sqrt(double(dim));
    for (auto& w : w2)
        w = rng.normal() / std::sqrt(double(width));
    std::vector<double> x(static_cast<std::size_t>(dim));
    for (std::int64_t i = 0; i < n; ++i) {
        for (auto& v : x) {
            v = rng.normal();
            d.inputs.push_back(static_cast<float>(v));
        }
        double y = 0;
        for (int h = 0; h < width; ++h) {
            double a = 0;
            for (int j = 0; j < dim; ++j)
                a += w1[static_cast<std::size_t>(h * dim + j)] * x[static_cast<std::size_t>(j)];
            y += w2[static_cast<std::size_t>(h)] * std::tanh(a);
        }
        d.values.push_back(static_cast<float>(y + noise * rng.normal()));
    }
    d.count = n;
    return d;
}

namespace {

std::vector<std::string> splitCsvLine(const std::string& line) {
    // Plain comma-separated fields; a field in double quotes may hold commas and "" quotes.
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(field);
            field.clear();
        } else if (c != '\r') {
            field += c;
        }
    }
    fields.push_back(field);
    for (auto& f : fields) { // trim spaces
        const auto a = f.find_first_not_of(' ');
        const auto b = f.find_last_not_of(' ');
        f = a == std::string::npos ? std::string() : f.substr(a, b - a + 1);
    }
    return fields;
}

bool parseNumber(const std::string& text, double& out) {
    if (text.empty())
        return false;
    std::size_t used = 0;
    try {
        out = std::stod(text, &used);
    } catch (const std::exception&) {
        return false;
    }
    return used == text.size();
}

} // namespace

Dataset loadCsv(const std::string& path, const std::string& target, TargetKind kind) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("dataset file " + path + " cannot be opened");
    const auto where = [&](std::int64_t line) {
        return "dataset file " + path + ":" + std::to_string(line) + ": ";
    };
    std::string line;
    std::int64_t lineNo = 0;
    std::vector<std::string> header;
    while (header.empty() && std::getline(in, line)) {
        ++lineNo;
        if (line.find_first_not_of(" \r") != std::string::npos)
            header = splitCsvLine(line);
    }
    if (header.empty())
        throw std::runtime_error("dataset file " + path + " is empty: a header row is needed");
    const auto it = std::find(header.begin(), header.end(), target);
    if (it == header.end()) {
        std::string names;
        for (const auto& h : header)
            names += (names.empty() ? "" : ", ") + h;
        throw std::runtime_error(where(lineNo) + "no column '" + target +
                                 "' to predict (columns: " + names + ")");
    }
    const auto targetColumn = static_cast<std::size_t>(it - header.begin());
    if (header.size() < 2)
        throw std::runtime_error(where(lineNo) + "needs at least one feature column besides '" +
                                 target + "'");

    Dataset d;
    d.name = "csv";
    d.source = path;
    d.target = kind;
    d.shape = {static_cast<std::int64_t>(header.size() - 1)};
    std::vector<std::string> rawTargets;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.find_first_not_of(" \r") == std::string::npos)
            continue; // blank lines, e.g. at the end
        const auto fields = splitCsvLine(line);
        if (fields.size() != header.size())
            throw std::runtime_error(where(lineNo) + "has " + std::to_string(fields.size()) +
                                     " fields, the header " + std::to_string(header.size()));
        for (std::size_t c = 0; c < fields.size(); ++c) {
            if (c == targetColumn)
                continue;
            double v = 0;
            if (!parseNumber(fields[c], v) || !std::isfinite(v))
                throw std::runtime_error(where(lineNo) + "column '" + header[c] + "' holds '" +
                                         fields[c] + "', not a finite number");
            d.inputs.push_back(static_cast<float>(v));
        }
        if (kind == TargetKind::Values) {
            double v = 0;
            if (!parseNumber(fields[targetColumn], v) || !std::isfinite(v))
                throw std::runtime_error(where(lineNo) + "target '" + target + "' holds '" +
                                         fields[targetColumn] +
                                         "', not a finite number (a regression needs numbers)");
            d.values.push_back(static_cast<float>(v));
        } else {
            if (fields[targetColumn].empty())
                throw std::runtime_error(where(lineNo) + "target '" + target + "' is empty");
            rawTargets.push_back(fields[targetColumn]);
        }
        ++d.count;
    }
    if (d.count < 2)
        throw std::runtime_error("dataset file " + path + " holds " + std::to_string(d.count) +
                                 " rows; at least 2 are needed");
    if (kind == TargetKind::Values) {
        d.outputs = 1;
        return d;
    }
    // Classes in sorted order: numerically when every label is a number, else as text.
    std::vector<std::string> names = rawTargets;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    const bool numeric = std::all_of(names.begin(), names.end(), [](const std::string& s) {
        double v = 0;
        return parseNumber(s, v);
    });
    if (numeric)
        std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
            return std::stod(a) < std::stod(b);
        });
    std::map<std::string, std::int64_t> index;
    for (std::size_t i = 0; i < names.size(); ++i)
        index[names[i]] = static_cast<std::int64_t>(i);
    for (const auto& t : rawTargets)
        d.labels.push_back(index[t]);
    d.classes = static_cast<int>(names.size());
    d.classNames = std::move(names);
    if (d.classes < 2)
        throw std::runtime_error("dataset file " + path + ": target '" + target +
                                 "' takes one value only; a classification needs two or more");
    return d;
}

Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath) {
    const FashionMnistImages raw = readIdxFiles(imagesPath, labelsPath);
    Dataset d;
    d.name = "idx";
    d.source = imagesPath + " + " + labelsPath;
    d.shape = {1, raw.rows, raw.cols};
    d.count = raw.count;
    d.inputs.resize(raw.pixels.size());
    std::transform(raw.pixels.begin(), raw.pixels.end(), d.inputs.begin(),
                   [](std::uint8_t v) { return static_cast<float>(v) / 255.0f; });
    int maxLabel = 0;
    for (std::uint8_t l : raw.labels) {
        d.labels.push_back(l);
        maxLabel = std::max<int>(maxLabel, l);
    }
    d.classes = maxLabel + 1;
    return d;
}

Standardizer fitStandardizer(const Dataset& data, const std::vector<std::int64_t>& rows,
                             bool perFeature) {
    const std::int64_t f = data.features();
    Standardizer s;
    s.mean.assign(static_cast<std::size_t>(f), 0.0f);
    s.scale.assign(static_cast<std::size_t>(f), 1.0f);
    if (rows.empty())
        return s;
    std::vector<double> sum(static_cast<std::size_t>(f), 0.0), sq(static_cast<std::size_t>(f), 0.0);
    for (auto r : rows) {
        const float* x = data.inputs.data() + r * f;
        for (std::int64_t j = 0; j < f; ++j) {
            sum[static_cast<std::size_t>(j)] += x[j];
            sq[static_cast<std::size_t>(j)] += double(x[j]) * x[j];
        }
    }
    const double n = static_cast<double>(rows.size());
    if (!perFeature) { // one mean and scale for every pixel
        double all = 0, allSq = 0;
        for (std::size_t j = 0; j < sum.size(); ++j) {
            all += sum[j];
            allSq += sq[j];
        }
        const double m = n * static_cast<double>(f);
        const double mean = all / m, var = std::max(0.0, allSq / m - mean * mean);
        std::fill(s.mean.begin(), s.mean.end(), static_cast<float>(mean));
        std::fill(s.scale.begin(), s.scale.end(),
                  var > 1e-12 ? static_cast<float>(1.0 / std::sqrt(var)) : 1.0f);
        return s;
    }
    for (std::size_t j = 0; j < sum.size(); ++j) {
        const double mean = sum[j] / n;
        const double var = std::max(0.0, sq[j] / n - mean * mean);
        s.mean[j] = static_cast<float>(mean);
        s.scale[j] = var > 1e-12 ? static_cast<float>(1.0 / std::sqrt(var)) : 1.0f;
    }
    return s;
}

} // namespace ps
