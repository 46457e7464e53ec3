// Loss landscapes: directions, grid evaluation (straightforward and fast), and the "landscape"
// analysis a worker runs on a trained classify trial.
#include "core/analysis/analysis.h"
#include "core/space/constraints.h"
#include "core/train/classify_torch.h"
#include "core/train/intrinsic_torch.h"
#include "core/train/landscape_torch.h"
#include "core/train/train_tasks.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <torch/linalg.h>
#include <torch/utils.h>

namespace ps {

WeightList copyWeights(Model& model) {
    WeightList out;
    for (const auto& p : model.parameters())
        out.push_back(p.detach().clone());
    return out;
}

DirectionNorm directionNorm(const std::string& name) {
    if (name == "filter")
        return DirectionNorm::Filter;
    if (name == "layer")
        return DirectionNorm::Layer;
    if (name == "weight")
        return DirectionNorm::Weight;
    if (name == "none")
        return DirectionNorm::None;
    throw std::invalid_argument("norm '" + name + "' is not filter, layer, weight or none");
}

WeightList randomDirection(const WeightList& weights, std::uint64_t seed, DirectionNorm norm,
                           bool ignoreBiasBn) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    WeightList out;
    for (const torch::Tensor& w : weights) {
        torch::Tensor d = at::normal(0.0, 1.0, w.sizes(), generator, w.options());
        if (w.dim() <= 1) {
            out.push_back(ignoreBiasBn ? torch::zeros_like(w) : w.clone());
            continue;
        }
        switch (norm) {
        case DirectionNorm::Filter: {
            // norms of each slice along dim 0
            const torch::Tensor wn = w.flatten(1).norm(2, 1);
            const torch::Tensor dn = d.flatten(1).norm(2, 1);
            std::vector<std::int64_t> shape(static_cast<std::size_t>(w.dim()), 1);
            shape[0] = w.size(0);
            d = d * (wn / (dn + 1e-10)).view(shape);
            break;
        }
        case DirectionNorm::Layer:
            d = d * (w.norm() / (d.norm() + 1e-10));
            break;
        case DirectionNorm::Weight:
            d = d * w;
            break;
        case DirectionNorm::None:
            break;
        }
        out.push_back(d);
    }
    return out;
}

WeightList differenceDirection(const WeightList& from, const WeightList& to) {
    if (from.size() != to.size())
        throw std::invalid_argument("the two weight sets have different numbers of tensors");
    WeightList out;
    for (std::size_t i = 0; i < from.size(); ++i) {
        if (!from[i].sizes().equals(to[i].sizes()))
            throw std::invalid_argument("the two weight sets differ in the shape of tensor " +
                                        std::to_string(i));
        out.push_back(to[i] - from[i]);
    }
    return out;
}

PcaDirections pcaDirections(const std::vector<WeightList>& trajectory, bool ignoreBiasBn) {
    if (trajectory.size() < 3)
        throw std::invalid_argument("a PCA of the trajectory needs at least 3 weight sets (the "
                                    "initial and final weights and a snapshot); this trial has " +
                                    std::to_string(trajectory.size()));
    const WeightList& last = trajectory.back();
    const auto flat = [&](const WeightList& w) {
        std::vector<torch::Tensor> parts;
        for (std::size_t i = 0; i < w.size(); ++i)
            if (!(ignoreBiasBn && w[i].dim() <= 1))
                parts.push_back((w[i] - last[i]).flatten().to(torch::kFloat64));
        return torch::cat(parts);
    };
    std::vector<torch::Tensor> rows;
    for (const WeightList& w : trajectory)
        rows.push_back(flat(w));
    const torch::Tensor m = torch::stack(rows);        // [n, P]: θ_i - θ_n
    const torch::Tensor centred = m - m.mean(0, true); // sklearn's PCA centres the rows
    const torch::Tensor gram = torch::matmul(centred, centred.t()); // [n, n]
    const auto [values, vectors] = torch::linalg::eigh(gram, "L");  // ascending
    const double total = values.clamp_min(0).sum().item<double>();
    if (!(total > 0))
        throw std::invalid_argument("the trajectory does not move: all weight sets are equal");
    PcaDirections out;
    const auto n = values.size(0);
    std::vector<torch::Tensor> components;
    for (int k = 0; k < 2; ++k) {
        torch::Tensor u = vectors.select(1, n - 1 - k);
        // sklearn's svd_flip: the largest |entry| of each sample-space vector positive
        if (u[u.abs().argmax()].item<double>() < 0)
            u = -u;
        torch::Tensor pc = torch::matmul(centred.t(), u);
        pc = pc / pc.norm();
        components.push_back(pc);
        const double ratio = std::max(0.0, values[n - 1 - k].item<double>()) / total;
        (k == 0 ? out.explainedFirst : out.explainedSecond) = ratio;
    }
    const torch::Tensor xy = torch::matmul(m, torch::stack(components).t()); // [n, 2]
    for (std::int64_t i = 0; i < xy.size(0); ++i)
        out.path.emplace_back(xy[i][0].item<double>(), xy[i][1].item<double>());
    // back to the weights' shapes
    for (int k = 0; k < 2; ++k) {
        WeightList d;
        std::int64_t offset = 0;
        for (const torch::Tensor& w : last) {
            if (ignoreBiasBn && w.dim() <= 1) {
                d.push_back(torch::zeros_like(w));
                continue;
            }
            d.push_back(components[static_cast<std::size_t>(k)]
                            .slice(0, offset, offset + w.numel())
                            .view(w.sizes())
                            .to(w.scalar_type()));
            offset += w.numel();
        }
        (k == 0 ? out.first : out.second) = std::move(d);
    }
    return out;
}

std::vector<double> linspace(double low, double high, std::int64_t count) {
    std::vector<double> out;
    if (count == 1)
        return {low};
    for (std::int64_t i = 0; i < count; ++i)
        out.push_back(low + (high - low) * double(i) / double(count - 1));
    return out;
}

namespace {

// origin + x dx + y dy into the model's parameters, fresh from origin (no drift).
void setWeights(const std::vector<torch::Tensor>& params, const WeightList& origin,
                const WeightList& dx, const WeightList* dy, double x, double y,
                const std::vector<bool>& skip) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (skip[i])
            continue;
        torch::Tensor p = params[i];
        p.copy_(origin[i]);
        if (x != 0)
            p.add_(dx[i], x);
        if (dy && y != 0)
            p.add_((*dy)[i], y);
    }
}

} // namespace

LandscapeGrid evaluateGrid(Model& model, const WeightList& origin, const WeightList& dx,
                           const WeightList* dy, const std::vector<double>& xs,
                           const std::vector<double>& ys, const GridEvaluation& how) {
    const torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();
    std::vector<torch::Tensor> params = model.parameters();
    const WeightList saved = copyWeights(model);
    if (origin.size() != params.size() || dx.size() != params.size() ||
        (dy && dy->size() != params.size()))
        throw std::invalid_argument("directions do not match the model's parameters");
    const torch::Tensor& inputs = *how.inputs;
    const torch::Tensor& targets = *how.targets;
    const std::int64_t n = inputs.size(0);
    LandscapeGrid grid;
    grid.xs = xs;
    grid.ys = dy ? ys : std::vector<double>{0.0};
    const std::size_t nx = grid.xs.size(), ny = grid.ys.size();
    std::vector<std::vector<double>> lossSum(ny, std::vector<double>(nx, 0.0));
    std::vector<std::vector<double>> correct(ny, std::vector<double>(nx, 0.0));

    // the first layer's parameters, where the fast path can use them
    std::int64_t weightIndex = -1, biasIndex = -1;
    if (how.fast) {
        const auto [weightName, biasName] = model.firstLayerNames();
        std::int64_t i = 0;
        for (const auto& item : model.named_parameters()) {
            if (!weightName.empty() && item.key() == weightName)
                weightIndex = i;
            if (!biasName.empty() && item.key() == biasName)
                biasIndex = i;
            ++i;
        }
    }
    grid.fastPath = weightIndex >= 0;
    const auto restore = [&] {
        for (std::size_t i = 0; i < params.size(); ++i)
            params[i].copy_(saved[i]);
        model.train(wasTraining);
    };
    const auto checkCanceled = [&] {
        if (how.canceled && how.canceled()) {
            restore();
            throw std::runtime_error("canceled");
        }
    };
    const auto at = [](const WeightList& w, std::int64_t i) {
        return i < 0 ? torch::Tensor() : w[static_cast<std::size_t>(i)];
    };
    const auto accumulate = [&](std::size_t row, std::size_t col, const torch::Tensor& out,
                                const torch::Tensor& t) {
        lossSum[row][col] += how.lossSum(out, t).item<double>();
        correct[row][col] += how.correct(out, t).item<double>();
    };

    if (grid.fastPath) {
        // The first layer's output at origin + x dx + y dy is z0 + x zx + y zy, each computed
        // once per chunk; every grid point then runs only the rest of the network. Chunks are
        // as large as 3 outputs of 256 MB allow, so that MLPs take the whole split at once.
        std::vector<bool> skip(params.size(), false);
        skip[static_cast<std::size_t>(weightIndex)] = true;
        if (biasIndex >= 0)
            skip[static_cast<std::size_t>(biasIndex)] = true;
        const torch::Tensor probe =
            model.firstLayer(inputs.slice(0, 0, 1), at(origin, weightIndex), at(origin, biasIndex));
        const std::int64_t perExample = std::max<std::int64_t>(1, probe.numel()) * 4;
        const std::int64_t chunk =
            std::clamp<std::int64_t>((std::int64_t(256) << 20) / perExample, 1, n);
        for (std::int64_t begin = 0; begin < n; begin += chunk) {
            const std::int64_t end = std::min(n, begin + chunk);
            const torch::Tensor xc = inputs.slice(0, begin, end);
            const torch::Tensor tc = targets.slice(0, begin, end);
            const torch::Tensor z0 =
                model.firstLayer(xc, at(origin, weightIndex), at(origin, biasIndex));
            const torch::Tensor zx = model.firstLayer(xc, at(dx, weightIndex), at(dx, biasIndex));
            const torch::Tensor zy =
                dy ? model.firstLayer(xc, at(*dy, weightIndex), at(*dy, biasIndex))
                   : torch::Tensor();
            for (std::size_t row = 0; row < ny; ++row) {
                checkCanceled();
                const double y = grid.ys[row];
                const torch::Tensor zrow = dy && y != 0 ? z0 + y * zy : z0;
                for (std::size_t col = 0; col < nx; ++col) {
                    const double x = grid.xs[col];
                    setWeights(params, origin, dx, dy, x, y, skip);
                    accumulate(row, col, model.forwardAfterFirst(zrow + x * zx), tc);
                }
                if (how.progress && end == n)
                    how.progress(row + 1);
            }
        }
    } else {
        // The reference's loop: every weight set, then a full pass over the data in chunks.
        const std::vector<bool> none(params.size(), false);
        for (std::size_t row = 0; row < ny; ++row) {
            checkCanceled();
            for (std::size_t col = 0; col < nx; ++col) {
                setWeights(params, origin, dx, dy, grid.xs[col], grid.ys[row], none);
                for (std::int64_t begin = 0; begin < n; begin += how.chunk) {
                    const std::int64_t end = std::min(n, begin + how.chunk);
                    accumulate(row, col, model.forward(inputs.slice(0, begin, end)),
                               targets.slice(0, begin, end));
                }
            }
            if (how.progress)
                how.progress(row + 1);
        }
    }
    restore();
    grid.loss.assign(ny, std::vector<double>(nx, NAN));
    grid.accuracy.assign(ny, std::vector<double>(nx, NAN));
    for (std::size_t r = 0; r < ny; ++r)
        for (std::size_t c = 0; c < nx; ++c) {
            const double mean = lossSum[r][c] / double(n);
            grid.loss[r][c] = std::isfinite(mean) ? mean : NAN;
            grid.accuracy[r][c] = correct[r][c] / double(n);
        }
    return grid;
}

// ---- the "landscape" analysis ------------------------------------------------------------

namespace {

// The path of a trial's weight artifact `name` ("initial", "final").
std::string artifactPath(const Trial& t, const std::string& name) {
    const Json artifacts = t.system.value("artifacts", Json::object());
    if (!artifacts.contains(name))
        throw AnalysisError("trial " + std::to_string(t.number) + " has no " + name +
                            " weights: train it with the task setting artifacts: {weights: "
                            "true} (and snapshot_every for a trajectory)");
    return artifacts[name].value("path", std::string());
}

Json rows(const std::vector<std::vector<double>>& grid) {
    Json out = Json::array();
    for (const auto& row : grid) {
        Json r = Json::array();
        for (double v : row)
            r.push_back(std::isfinite(v) ? Json(v) : Json(nullptr));
        out.push_back(std::move(r));
    }
    return out;
}

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
    char text[160];
    std::snprintf(text, sizeof text, pattern, a, b, c);
    return text;
}

class LandscapeAnalysis final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        const Trial& trial = analysisTrial(context, o["trial"].get<std::int64_t>());
        if (context.config.taskKind != "classify")
            throw AnalysisError("loss landscapes need a classify task; this study runs '" +
                                context.config.taskKind + "'");
        const std::string mode = o["mode"].get<std::string>();
        const int threads = o["threads"].get<int>();
        torch::set_num_threads(threads > 0 ? threads
                                           : std::max(1, int(std::thread::hardware_concurrency())));
        const Json settings = taskSettingsFor(context.config, trial.params);
        ClassifyProbe probe = classifyProbe(settings, o["split"].get<std::string>(),
                                            o["samples"].get<std::int64_t>());
        Model& model = *probe.model;
        loadModelWeights(model, artifactPath(trial, "final"));
        const WeightList final = copyWeights(model);
        const bool ignore = o["ignore"].get<std::string>() == "biasbn";
        const DirectionNorm norm = directionNorm(o["norm"].get<std::string>());
        const auto seed = o["seed"].get<std::uint64_t>();

        WeightList origin = final, dx, dy;
        bool twoD = false;
        double xMin = o["x_min"].get<double>(), xMax = o["x_max"].get<double>();
        double yMin = o["y_min"].get<double>(), yMax = o["y_max"].get<double>();
        Json extra = Json::object();
        std::string along;
        if (mode == "random") {
            twoD = o["dims"].get<int>() == 2;
            dx = randomDirection(final, seed, norm, ignore);
            if (twoD)
                dy = randomDirection(final, seed + 1, norm, ignore);
            if (xMin == xMax)
                xMin = -1, xMax = 1;
            if (yMin == yMax)
                yMin = -1, yMax = 1;
            along = std::string(twoD ? "2 random directions" : "a random direction") + " (" +
                    o["norm"].get<std::string>() + "-normalized" + (ignore ? ", biasbn" : "") +
                    ", seed " + std::to_string(seed) + ")";
        } else if (mode == "interpolate") {
            // origin: the other end (x = 0); x = 1 is this trial's final weights
            const std::int64_t other = o["other_trial"].get<std::int64_t>();
            std::string fromName = "its initial weights";
            if (other >= 0) {
                const Trial& t = analysisTrial(context, other, "other_trial");
                loadModelWeights(model, artifactPath(t, "final"));
                fromName = "trial " + std::to_string(t.number) + "'s final weights";
            } else {
                loadModelWeights(model, artifactPath(trial, "initial"));
            }
            origin = copyWeights(model);
            dx = differenceDirection(origin, final);
            if (xMin == xMax)
                xMin = -0.5, xMax = 1.5;
            along = "the line from " + fromName + " (x = 0) to its final weights (x = 1)";
        } else { // pca
            std::vector<std::pair<std::int64_t, std::string>> snapshots;
            const Json artifacts = trial.system.value("artifacts", Json::object());
            for (const auto& [name, a] : artifacts.items())
                if (a.value("kind", std::string()).rfind("snapshot", 0) == 0)
                    snapshots.emplace_back(a.value("step", std::int64_t{0}),
                                           a.value("path", std::string()));
            std::sort(snapshots.begin(), snapshots.end());
            std::vector<WeightList> trajectory;
            std::vector<std::int64_t> steps;
            loadModelWeights(model, artifactPath(trial, "initial"));
            trajectory.push_back(copyWeights(model));
            steps.push_back(0);
            for (const auto& [step, path] : snapshots) {
                loadModelWeights(model, path);
                trajectory.push_back(copyWeights(model));
                steps.push_back(step);
            }
            trajectory.push_back(final);
            steps.push_back(-1);
            const PcaDirections pca = pcaDirections(trajectory, ignore);
            dx = pca.first;
            dy = pca.second;
            twoD = true;
            double lo[2] = {0, 0}, hi[2] = {0, 0};
            Json path = Json::array();
            for (std::size_t i = 0; i < pca.path.size(); ++i) {
                const auto [px, py] = pca.path[i];
                lo[0] = std::min(lo[0], px), hi[0] = std::max(hi[0], px);
                lo[1] = std::min(lo[1], py), hi[1] = std::max(hi[1], py);
                path.push_back({px, py, steps[i]});
            }
            // the path's extent and a fifth more on each side
            if (xMin == xMax) {
                const double pad = 0.2 * std::max(hi[0] - lo[0], 1e-6);
                xMin = lo[0] - pad, xMax = hi[0] + pad;
            }
            if (yMin == yMax) {
                const double pad = 0.2 * std::max(hi[1] - lo[1], 1e-6);
                yMin = lo[1] - pad, yMax = hi[1] + pad;
            }
            extra["path"] = path;
            extra["explained_variance"] = {pca.explainedFirst, pca.explainedSecond};
            along = "the first two principal directions of its trajectory (" +
                    std::to_string(trajectory.size()) + " weight sets; " +
                    format("%.1f %% and %.1f %% of the variance", 100 * pca.explainedFirst,
                           100 * pca.explainedSecond) +
                    ")";
        }
        const std::int64_t nx = o["points_x"].get<std::int64_t>();
        const std::int64_t nyWanted = twoD ? o["points_y"].get<std::int64_t>() : 1;
        GridEvaluation how;
        how.inputs = &probe.inputs;
        how.targets = &probe.targets;
        how.lossSum = [&probe](const torch::Tensor& out, const torch::Tensor& t) {
            return probe.lossSum(out, t);
        };
        how.correct = [&probe](const torch::Tensor& out, const torch::Tensor& t) {
            return probe.correct(out, t);
        };
        how.fast = o["fast"].get<bool>();
        how.progress = [&context](std::size_t) {
            if (context.progress)
                context.progress(0);
        };
        how.canceled = context.canceled;
        const auto start = std::chrono::steady_clock::now();
        const LandscapeGrid grid =
            evaluateGrid(model, origin, dx, twoD ? &dy : nullptr, linspace(xMin, xMax, nx),
                         linspace(yMin, yMax, nyWanted), how);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        Json out = extra;
        out["mode"] = mode;
        out["trial"] = trial.number;
        out["x"] = grid.xs;
        out["y"] = grid.ys;
        out["loss"] = rows(grid.loss);
        if (!probe.regression)
            out["accuracy"] = rows(grid.accuracy);
        out["along"] = along;
        out["data"] = probe.description;
        out["fast_path"] = grid.fastPath;
        out["seconds"] = seconds;
        const double points = double(grid.xs.size() * grid.ys.size());
        out["points_per_second"] = points / std::max(seconds, 1e-9);
        double lo = INFINITY, hi = -INFINITY, lx = 0, ly = 0;
        for (std::size_t r = 0; r < grid.ys.size(); ++r)
            for (std::size_t c = 0; c < grid.xs.size(); ++c) {
                const double v = grid.loss[r][c];
                if (!std::isfinite(v))
                    continue;
                if (v < lo)
                    lo = v, lx = grid.xs[c], ly = grid.ys[r];
                hi = std::max(hi, v);
            }
        out["summary"] = {
            "loss landscape of trial " + std::to_string(trial.number) + " along " + along,
            std::to_string(grid.xs.size()) + (twoD ? " x " + std::to_string(grid.ys.size()) : "") +
                " points over " + probe.description,
            format("lowest loss %.5g at (%.3g, ", lo, lx) + format("%.3g), highest %.5g", ly, hi),
            format("%.2f s, %.1f points/s", seconds, points / std::max(seconds, 1e-9)) +
                (grid.fastPath ? " (first layer combined per direction)" : ""),
        };
        return out;
    }
};

} // namespace

void registerTrainAnalyses(AnalysisCatalog& catalog) {
    catalog.setFactory("landscape", [] { return std::make_unique<LandscapeAnalysis>(); });
    catalog.setFactory("intrinsic_dimension", makeIntrinsicDimensionAnalysis);
}

} // namespace ps
