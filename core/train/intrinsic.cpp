// Intrinsic dimension: projections (dense, sparse, Fastfood), subspace and direct training, and
// the "intrinsic_dimension" analysis a worker runs on a classify trial's model and data.
#include "core/analysis/analysis.h"
#include "core/space/constraints.h"
#include "core/train/classify_torch.h"
#include "core/train/intrinsic_torch.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <torch/autograd.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>

namespace ps {

namespace {

// N(0, 1) entries; every column (a basis vector P e_i in R^D) scaled to unit norm. The
// reference normalizes over all layers at once; here D is one vector, so that is the column.
class DenseProjection final : public Projection {
public:
    DenseProjection(std::int64_t d, std::int64_t bigD, std::uint64_t seed) : Projection(d, bigD) {
        auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
        m_matrix = at::normal(0.0, 1.0, {bigD, d}, generator, torch::kFloat);
        m_matrix /= m_matrix.norm(2, {0}, /*keepdim=*/true);
    }
    torch::Tensor apply(const torch::Tensor& thetaD) const override { return m_matrix.mv(thetaD); }
    std::string name() const override { return "dense"; }

private:
    torch::Tensor m_matrix; // [D, d]
};

// sklearn's SparseRandomProjection matrix (density 1/sqrt(D), nonzeros ±sqrt(1/density)/sqrt(d),
// each entry independently nonzero with that probability), then every column divided by its
// norm, as the reference divides θ_d by the norms before its sparse product. Index lists and
// index_add keep it differentiable with dense ops.
class SparseProjection final : public Projection {
public:
    SparseProjection(std::int64_t d, std::int64_t bigD, std::uint64_t seed) : Projection(d, bigD) {
        const double density = 1.0 / std::sqrt(double(bigD));
        const double value = std::sqrt(1.0 / density) / std::sqrt(double(d));
        std::mt19937_64 random(seed);
        std::bernoulli_distribution sign(0.5);
        std::vector<std::int64_t> rows, cols;
        std::vector<float> values;
        for (std::int64_t c = 0; c < d; ++c) {
            // positions with independent probability `density`: geometric gaps, O(nonzeros)
            std::geometric_distribution<std::int64_t> gap(density);
            const std::size_t first = rows.size();
            for (std::int64_t r = gap(random); r < bigD; r += 1 + gap(random)) {
                rows.push_back(r);
                cols.push_back(c);
                values.push_back(float(sign(random) ? value : -value));
            }
            const std::size_t count = rows.size() - first;
            if (count == 0)
                continue; // an empty column stays 0 (the reference would divide by 0)
            const double norm = value * std::sqrt(double(count));
            for (std::size_t k = first; k < rows.size(); ++k)
                values[k] = float(values[k] / norm);
        }
        const auto n = std::int64_t(rows.size());
        m_rows = torch::from_blob(rows.data(), {n}, torch::kLong).clone();
        m_cols = torch::from_blob(cols.data(), {n}, torch::kLong).clone();
        m_values = torch::from_blob(values.data(), {n}, torch::kFloat).clone();
    }
    torch::Tensor apply(const torch::Tensor& thetaD) const override {
        return torch::zeros({m_bigD}, thetaD.options())
            .index_add(0, m_rows, m_values * thetaD.index_select(0, m_cols));
    }
    std::string name() const override { return "sparse"; }

private:
    torch::Tensor m_rows, m_cols, m_values;
};

// The reference's tf_fastfood_transform: first D entries of H G Π H B pad(θ_d, L), divided by
// sqrt(D ΣG²), L = 2^ceil(log2 D).
class FastfoodProjection final : public Projection {
public:
    FastfoodProjection(std::int64_t d, std::int64_t bigD, std::uint64_t seed)
        : Projection(d, bigD) {
        m_length = 1;
        while (m_length < bigD)
            m_length *= 2;
        auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
        m_b = at::randint(0, 2, {m_length}, generator, torch::kFloat) * 2 - 1;
        m_permutation = at::randperm(m_length, generator, torch::kLong);
        m_g = at::normal(0.0, 1.0, {m_length}, generator, torch::kFloat);
        m_scale = 1.0 / std::sqrt(double(bigD) * m_g.square().sum().item<double>());
    }
    torch::Tensor apply(const torch::Tensor& thetaD) const override {
        torch::Tensor x = torch::constant_pad_nd(thetaD, {0, m_length - m_d});
        x = walshHadamard(x * m_b);
        x = walshHadamard(x.index_select(0, m_permutation) * m_g);
        return x.slice(0, 0, m_bigD) * m_scale;
    }
    std::string name() const override { return "fastfood"; }

private:
    std::int64_t m_length = 1;
    torch::Tensor m_b, m_permutation, m_g;
    double m_scale = 1;
};

} // namespace

namespace {

// The transform of each row of `rows` x `length` contiguous values, in place. Levels h below
// kBlock run block by block (a block stays in the L1 cache for all its levels); the wider ones
// sweep the whole row, one level at a time. Rows are independent, so they are split over threads.
template <typename Scalar>
void walshHadamardInPlace(Scalar* data, std::int64_t rows, std::int64_t length) {
    constexpr std::int64_t kBlock = 2048;
    const std::int64_t block = std::min(kBlock, length);
    at::parallel_for(0, rows, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) {
            Scalar* v = data + r * length;
            for (std::int64_t start = 0; start < length; start += block)
                for (std::int64_t h = 1; h < block; h *= 2)
                    for (std::int64_t i = start; i < start + block; i += 2 * h)
                        for (std::int64_t j = i; j < i + h; ++j) {
                            const Scalar a = v[j], b = v[j + h];
                            v[j] = a + b;
                            v[j + h] = a - b;
                        }
            for (std::int64_t h = block; h < length; h *= 2)
                for (std::int64_t i = 0; i < length; i += 2 * h)
                    for (std::int64_t j = i; j < i + h; ++j) {
                        const Scalar a = v[j], b = v[j + h];
                        v[j] = a + b;
                        v[j + h] = a - b;
                    }
        }
    });
}

torch::Tensor walshHadamardValues(const torch::Tensor& x) {
    torch::Tensor y = x.detach().to(torch::kCPU).contiguous().clone();
    const std::int64_t length = y.size(-1), rows = length == 0 ? 0 : y.numel() / length;
    if (y.scalar_type() == torch::kDouble)
        walshHadamardInPlace(y.data_ptr<double>(), rows, length);
    else if (y.scalar_type() == torch::kFloat)
        walshHadamardInPlace(y.data_ptr<float>(), rows, length);
    else
        return walshHadamardValues(x.to(torch::kFloat)).to(x.scalar_type());
    return y.to(x.device());
}

// H is symmetric, so the backward pass is the transform of the incoming gradient.
struct WalshHadamardFunction : public torch::autograd::Function<WalshHadamardFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext*, const torch::Tensor& x) {
        return walshHadamardValues(x);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext*,
                                                   torch::autograd::variable_list grad) {
        return {walshHadamardValues(grad[0])};
    }
};

} // namespace

torch::Tensor walshHadamard(const torch::Tensor& x) {
    const std::int64_t length = x.dim() == 0 ? 0 : x.size(-1);
    if (length < 1 || (length & (length - 1)) != 0)
        throw std::invalid_argument("Walsh-Hadamard transform of length " + std::to_string(length) +
                                    ", not a power of 2");
    return WalshHadamardFunction::apply(x);
}

std::unique_ptr<Projection> makeProjection(const std::string& kind, std::int64_t d,
                                           std::int64_t bigD, std::uint64_t seed) {
    if (d < 1 || bigD < 1)
        throw std::invalid_argument("projection from d = " + std::to_string(d) + " to D = " +
                                    std::to_string(bigD) + ": both must be at least 1");
    if (d > bigD)
        throw std::invalid_argument(
            "d = " + std::to_string(d) +
            " is larger than the number of parameters D = " + std::to_string(bigD));
    if (kind == "dense") {
        if (d * bigD > kMaxDenseEntries)
            throw std::invalid_argument("a dense projection of d = " + std::to_string(d) +
                                        " into D = " + std::to_string(bigD) + " needs " +
                                        std::to_string(d * bigD / 250'000) +
                                        " MB; use projection=fastfood or sparse");
        return std::make_unique<DenseProjection>(d, bigD, seed);
    }
    if (kind == "sparse")
        return std::make_unique<SparseProjection>(d, bigD, seed);
    if (kind == "fastfood")
        return std::make_unique<FastfoodProjection>(d, bigD, seed);
    throw std::invalid_argument("projection '" + kind + "' is not fastfood, dense or sparse");
}

torch::Tensor flatParameters(Model& model) {
    std::vector<torch::Tensor> parts;
    for (const auto& p : model.parameters())
        parts.push_back(p.detach().reshape({-1}).to(torch::kFloat));
    return torch::cat(parts);
}

void setFlatParameters(Model& model, const torch::Tensor& flat) {
    torch::NoGradGuard noGrad;
    std::int64_t at = 0;
    for (auto& p : model.parameters()) {
        const std::int64_t n = p.numel();
        p.copy_(flat.slice(0, at, at + n).view(p.sizes()));
        at += n;
    }
}

namespace {

double accuracy(Model& model, const torch::Tensor& x, const torch::Tensor& y,
                const SubspaceTraining& how) {
    torch::NoGradGuard noGrad;
    model.eval();
    const std::int64_t n = x.size(0), chunk = 4096;
    double correct = 0;
    for (std::int64_t at = 0; at < n; at += chunk) {
        const torch::Tensor out = model.forward(x.slice(0, at, at + chunk));
        correct += how.correct(out, y.slice(0, at, at + chunk)).item<double>();
    }
    return n > 0 ? correct / double(n) : 0.0;
}

// The shared loop: `step(xb, yb)` does one minibatch's update.
void trainLoop(const torch::Tensor& x, const SubspaceTraining& how,
               const std::function<void(const torch::Tensor& index)>& step) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(how.seed);
    const std::int64_t n = x.size(0);
    for (std::int64_t epoch = 0; epoch < how.epochs; ++epoch) {
        const torch::Tensor order = at::randperm(n, generator, torch::kLong);
        for (std::int64_t at = 0; at < n; at += how.batch) {
            if (how.canceled && how.canceled())
                throw std::runtime_error("canceled");
            step(order.slice(0, at, std::min(n, at + how.batch)));
        }
    }
}

torch::optim::AdamOptions adamOptions(double lr) {
    return torch::optim::AdamOptions(lr).betas(std::make_tuple(0.9, 0.99)).eps(1e-8);
}

} // namespace

double trainInSubspace(Model& model, const Projection& projection, const torch::Tensor& x,
                       const torch::Tensor& y, const torch::Tensor& valX, const torch::Tensor& valY,
                       const SubspaceTraining& how) {
    const torch::Tensor theta0 = flatParameters(model).clone();
    if (theta0.numel() != projection.bigD())
        throw std::invalid_argument(
            "the projection maps into D = " + std::to_string(projection.bigD()) +
            ", the model has " + std::to_string(theta0.numel()) + " parameters");
    torch::Tensor thetaD = torch::zeros({projection.d()}, torch::kFloat).requires_grad_(true);
    torch::optim::Adam optimizer({thetaD}, adamOptions(how.lr));
    std::vector<torch::Tensor> params = model.parameters();
    trainLoop(x, how, [&](const torch::Tensor& index) {
        // the model's gradient with respect to θ, then chained through P: dL/dθ_d = P^T dL/dθ
        const torch::Tensor offset = projection.apply(thetaD);
        setFlatParameters(model, theta0 + offset.detach());
        model.zero_grad();
        model.train();
        const torch::Tensor xb = x.index_select(0, index), yb = y.index_select(0, index);
        const torch::Tensor loss = how.lossSum(model.forward(xb), yb) / double(index.numel());
        loss.backward();
        std::vector<torch::Tensor> grads;
        for (const auto& p : params)
            grads.push_back(p.grad().defined() ? p.grad().reshape({-1}).to(torch::kFloat)
                                               : torch::zeros({p.numel()}, torch::kFloat));
        optimizer.zero_grad();
        offset.backward(torch::cat(grads));
        optimizer.step();
    });
    {
        torch::NoGradGuard noGrad;
        setFlatParameters(model, theta0 + projection.apply(thetaD));
    }
    return accuracy(model, valX, valY, how);
}

double trainDirect(Model& model, const torch::Tensor& x, const torch::Tensor& y,
                   const torch::Tensor& valX, const torch::Tensor& valY,
                   const SubspaceTraining& how) {
    torch::optim::Adam optimizer(model.parameters(), adamOptions(how.lr));
    trainLoop(x, how, [&](const torch::Tensor& index) {
        model.train();
        optimizer.zero_grad();
        const torch::Tensor xb = x.index_select(0, index), yb = y.index_select(0, index);
        const torch::Tensor loss = how.lossSum(model.forward(xb), yb) / double(index.numel());
        loss.backward();
        optimizer.step();
    });
    return accuracy(model, valX, valY, how);
}

std::int64_t intrinsicDimension(const std::vector<std::int64_t>& dims,
                                const std::vector<double>& meanAccuracy, double baseline,
                                double fraction) {
    std::vector<std::pair<std::int64_t, double>> sorted;
    for (std::size_t i = 0; i < dims.size() && i < meanAccuracy.size(); ++i)
        sorted.emplace_back(dims[i], meanAccuracy[i]);
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [d, acc] : sorted)
        if (acc > fraction * baseline)
            return d;
    return -1;
}

std::vector<std::int64_t> parseDims(const std::string& text) {
    std::vector<std::int64_t> dims;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto begin = item.find_first_not_of(" \t");
        const auto end = item.find_last_not_of(" \t");
        const std::string trimmed =
            begin == std::string::npos ? std::string() : item.substr(begin, end - begin + 1);
        std::size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(trimmed, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (trimmed.empty() || used != trimmed.size() || value < 1)
            throw std::invalid_argument("dims: '" + trimmed + "' is not a positive integer");
        dims.push_back(value);
    }
    if (dims.empty())
        throw std::invalid_argument("dims: no dimension given");
    std::sort(dims.begin(), dims.end());
    dims.erase(std::unique(dims.begin(), dims.end()), dims.end());
    return dims;
}

namespace {

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
    char text[200];
    std::snprintf(text, sizeof text, pattern, a, b, c);
    return text;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// θ0 as the trial's model was built (its seed and parametrization), and the training split's
// first `samples` examples; validation accuracy on the whole val split (test when it has none).
class IntrinsicDimensionAnalysis final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        const Trial& trial = analysisTrial(context, o["trial"].get<std::int64_t>());
        if (context.config.taskKind != "classify")
            throw AnalysisError("intrinsic dimension needs a classify task; this study runs '" +
                                context.config.taskKind + "'");
        std::vector<std::int64_t> dims;
        try {
            dims = parseDims(o["dims"].get<std::string>());
        } catch (const std::invalid_argument& e) {
            throw AnalysisError(std::string("option ") + e.what());
        }
        const std::string kind = o["projection"].get<std::string>();
        const int threads = o["threads"].get<int>();
        torch::set_num_threads(threads > 0 ? threads
                                           : std::max(1, int(std::thread::hardware_concurrency())));
        const Json settings = taskSettingsFor(context.config, trial.params);
        ClassifyProbe train = classifyProbe(settings, "train", o["samples"].get<std::int64_t>());
        ClassifyProbe val;
        std::string valSplit = "val";
        try {
            val = classifyProbe(settings, "val", 0);
        } catch (const std::invalid_argument&) {
            valSplit = "test";
            val = classifyProbe(settings, "test", 0);
        }
        if (train.regression)
            throw AnalysisError("intrinsic dimension compares accuracies; trial " +
                                std::to_string(trial.number) + " fits values (regression)");
        Model& model = *train.model;
        const torch::Tensor theta0 = flatParameters(model).clone();
        std::vector<torch::Tensor> buffers0;
        for (const auto& b : model.buffers())
            buffers0.push_back(b.detach().clone());
        const std::int64_t bigD = theta0.numel();
        for (std::int64_t d : dims)
            if (d > bigD)
                throw AnalysisError("option 'dims': d = " + std::to_string(d) +
                                    " is larger than the model's D = " + std::to_string(bigD) +
                                    " parameters");
        const auto reset = [&] {
            setFlatParameters(model, theta0);
            torch::NoGradGuard noGrad;
            auto buffers = model.buffers();
            for (std::size_t i = 0; i < buffers.size(); ++i)
                buffers[i].copy_(buffers0[i]);
        };

        SubspaceTraining how;
        how.epochs = o["epochs"].get<std::int64_t>();
        how.batch = o["batch"].get<std::int64_t>();
        how.lr = o["lr"].get<double>();
        how.lossSum = [&train](const torch::Tensor& out, const torch::Tensor& t) {
            return train.lossSum(out, t);
        };
        how.correct = [&train](const torch::Tensor& out, const torch::Tensor& t) {
            return train.correct(out, t);
        };
        how.canceled = context.canceled;
        const auto seed = o["seed"].get<std::uint64_t>();
        const std::int64_t seeds = o["seeds"].get<std::int64_t>();
        const bool direct = o["baseline"].get<std::string>() == "direct";
        const double units = double(dims.size() * std::size_t(seeds) + (direct ? 1 : 0));
        double done = 0;
        const auto heartbeat = [&] {
            done += 1;
            if (context.progress)
                context.progress(done / units);
        };
        const auto start = std::chrono::steady_clock::now();

        double baseline = 1.0, baselineSeconds = 0;
        if (direct) {
            const auto t = std::chrono::steady_clock::now();
            reset();
            how.seed = seed;
            baseline =
                trainDirect(model, train.inputs, train.targets, val.inputs, val.targets, how);
            baselineSeconds = secondsSince(t);
            heartbeat();
        }
        Json rows = Json::array();
        std::vector<double> means;
        for (std::int64_t d : dims) {
            const auto t = std::chrono::steady_clock::now();
            Json accuracies = Json::array();
            double sum = 0;
            for (std::int64_t s = 0; s < seeds; ++s) {
                reset();
                const auto runSeed = seed + std::uint64_t(s);
                const auto projection =
                    makeProjection(kind, d, bigD, runSeed * 1'000'003 + std::uint64_t(d));
                how.seed = runSeed;
                const double a = trainInSubspace(model, *projection, train.inputs, train.targets,
                                                 val.inputs, val.targets, how);
                accuracies.push_back(a);
                sum += a;
                heartbeat();
            }
            means.push_back(sum / double(seeds));
            rows.push_back({{"d", d},
                            {"accuracy", means.back()},
                            {"accuracies", accuracies},
                            {"seconds", secondsSince(t)}});
        }
        const std::int64_t dint = intrinsicDimension(dims, means, baseline);
        const double threshold = 0.9 * baseline;

        Json out;
        out["trial"] = trial.number;
        out["projection"] = kind;
        out["D"] = bigD;
        out["dims"] = rows;
        out["baseline"] = {{"kind", direct ? "direct" : "absolute"},
                           {"accuracy", baseline},
                           {"seconds", baselineSeconds}};
        out["threshold"] = threshold;
        out["d_int90"] = dint >= 0 ? Json(dint) : Json(nullptr);
        out["epochs"] = how.epochs;
        out["seeds"] = seeds;
        out["data"] = train.description + "; accuracy on " + std::to_string(val.inputs.size(0)) +
                      " " + valSplit + " examples";
        out["seconds"] = secondsSince(start);
        Json summary = Json::array();
        summary.push_back("intrinsic dimension of trial " + std::to_string(trial.number) +
                          ": D = " + std::to_string(bigD) + " parameters, " + kind +
                          " projection, " + std::to_string(how.epochs) + " epochs of Adam (lr " +
                          format("%g", how.lr) + "), " + std::to_string(seeds) + " seed(s)");
        summary.push_back(out["data"].get<std::string>());
        summary.push_back(
            (direct ? format("direct baseline %.4f", baseline) : std::string("baseline 1.0")) +
            format(", threshold %.4f", threshold));
        for (std::size_t i = 0; i < dims.size(); ++i)
            summary.push_back(format("d = %-8.0f accuracy %.4f", double(dims[i]), means[i]) +
                              (means[i] > threshold ? "  above" : ""));
        summary.push_back(dint >= 0 ? "d_int90 = " + std::to_string(dint)
                                    : std::string("d_int90 not reached: no d above the "
                                                  "threshold (try larger dims)"));
        summary.push_back(format("%.1f s", out["seconds"].get<double>()));
        out["summary"] = summary;
        return out;
    }
};

} // namespace

std::unique_ptr<Analysis> makeIntrinsicDimensionAnalysis() {
    return std::make_unique<IntrinsicDimensionAnalysis>();
}

} // namespace ps
