// The catalog of built-in analyses: ps_core's, runnable anywhere, and the specs of the LibTorch
// ones, which paramscope-worker makes runnable (registerTrainAnalyses).
#include "core/analysis/analysis.h"
#include "core/space/constraints.h"

namespace ps {

namespace {

using T = SettingType;

// The trial an option names (-1: the best), as data: its number, revision and artifacts, so
// that a retrained or newly best trial gives a new result.
Json trialIdentity(const AnalysisContext& context, std::int64_t number) {
    const Trial* chosen = nullptr;
    if (number < 0)
        chosen = bestTrial(context.trials, context.config.objective().direction,
                           context.config.constraints);
    for (const Trial& t : context.trials)
        if (t.number == number)
            chosen = &t;
    if (!chosen)
        return {{"trial", number}};
    return {{"trial", chosen->number},
            {"rev", chosen->rev},
            {"artifacts", chosen->system.value("artifacts", Json::object())}};
}

AnalysisSpec landscapeSpec() {
    AnalysisSpec spec;
    spec.kind = "landscape";
    spec.description = "loss landscape of a trained classify trial (Li et al. 2018)";
    spec.needsWorker = true;
    spec.options = {
        makeSetting("trial", T::Int, -1, -1, std::nullopt, "the trial; -1: the best one"),
        makeSetting("mode", T::String, "random", std::nullopt, std::nullopt,
                    "random directions, interpolate between weight sets, or pca of the "
                    "trajectory",
                    {"random", "interpolate", "pca"}),
        makeSetting("dims", T::Int, 2, 1, 2, "random: a curve (1) or a surface (2)"),
        makeSetting("other_trial", T::Int, -1, -1, std::nullopt,
                    "interpolate: start from this trial's final weights; -1: the trial's own "
                    "initial weights"),
        makeSetting("points_x", T::Int, 51, 2, 4001, "grid points along x"),
        makeSetting("points_y", T::Int, 51, 2, 4001, "grid points along y (surfaces)"),
        makeSetting("x_min", T::Float, 0.0, std::nullopt, std::nullopt,
                    "x range; x_min = x_max (default): the mode's own (random -1..1, "
                    "interpolate -0.5..1.5, pca the path's extent)"),
        makeSetting("x_max", T::Float, 0.0, std::nullopt, std::nullopt, "x range"),
        makeSetting("y_min", T::Float, 0.0, std::nullopt, std::nullopt, "y range, as x"),
        makeSetting("y_max", T::Float, 0.0, std::nullopt, std::nullopt, "y range"),
        makeSetting("norm", T::String, "filter", std::nullopt, std::nullopt,
                    "random directions' normalization", {"filter", "layer", "weight", "none"}),
        makeSetting("ignore", T::String, "biasbn", std::nullopt, std::nullopt,
                    "biasbn: biases and norm parameters are not moved; none: they move with "
                    "the weights",
                    {"biasbn", "none"}),
        makeSetting("split", T::String, "train", std::nullopt, std::nullopt,
                    "the data the loss is measured on", {"train", "val", "test"}),
        makeSetting("samples", T::Int, 10000, 0, std::nullopt,
                    "examples of the split (its first ones); 0: all"),
        makeSetting("seed", T::Int, 123, 0, std::nullopt, "random directions' seed"),
        makeSetting("fast", T::Bool, true, std::nullopt, std::nullopt,
                    "combine the first layer's output per direction (false: the reference's "
                    "full forward pass per point)"),
        makeSetting("threads", T::Int, 0, 0, 1024, "CPU threads; 0: all cores"),
    };
    spec.dataIdentity = [](const AnalysisContext& context, const Json& options) {
        Json data = {{"of", trialIdentity(context, options["trial"].get<std::int64_t>())}};
        if (options["mode"] == "interpolate" && options["other_trial"].get<std::int64_t>() >= 0)
            data["other"] = trialIdentity(context, options["other_trial"].get<std::int64_t>());
        return data;
    };
    return spec;
}

} // namespace

AnalysisCatalog AnalysisCatalog::withBuiltins() {
    AnalysisCatalog catalog;
    catalog.add(landscapeSpec());
    return catalog;
}

} // namespace ps
