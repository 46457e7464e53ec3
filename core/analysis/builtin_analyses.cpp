// The catalog of built-in analyses: ps_core's, runnable anywhere, and the specs of the LibTorch
// ones, which paramscope-worker makes runnable (registerTrainAnalyses).
#include "core/analysis/analysis.h"
#include "core/analysis/analysis_options.h"
#include "core/analysis/augment_sensitivity.h"
#include "core/analysis/coord_check.h"
#include "core/analysis/correlation.h"
#include "core/analysis/curves_analysis.h"
#include "core/analysis/fanova.h"
#include "core/analysis/lime.h"
#include "core/analysis/param_table.h"
#include "core/analysis/ped_anova.h"
#include "core/analysis/random_forest.h"
#include "core/analysis/scaling_law.h"
#include "core/analysis/transfer_curves.h"
#include "core/space/constraints.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ps {

namespace {

using T = SettingType;

// The trial an option names (-1: the best), as data: its number, revision and artifacts, so
// that a retrained or newly best trial gives a new result.
Json trialIdentity(const AnalysisContext& context, std::int64_t number) {
    try {
        const Trial& chosen = analysisTrial(context, number);
        return {{"trial", chosen.number},
                {"rev", chosen.rev},
                {"artifacts", chosen.system.value("artifacts", Json::object())}};
    } catch (const AnalysisError&) {
        return {{"trial", number}}; // the run itself says what is missing
    }
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

AnalysisSpec intrinsicDimensionSpec() {
    AnalysisSpec spec;
    spec.kind = "intrinsic_dimension";
    spec.description = "intrinsic dimension of a classify trial's model and data: validation "
                       "accuracy trained in random d-dimensional subspaces, d_int90 (Li et al. "
                       "2018)";
    spec.needsWorker = true;
    spec.options = {
        makeSetting("trial", T::Int, -1, -1, std::nullopt,
                    "the trial whose model, initialization and data are used; -1: the best one"),
        makeSetting("dims", T::String, "10,50,100,200,500,1000", std::nullopt, std::nullopt,
                    "subspace dimensions d, comma-separated"),
        makeSetting("projection", T::String, "fastfood", std::nullopt, std::nullopt,
                    "the random projection P from d into the D parameters",
                    {"fastfood", "dense", "sparse"}),
        makeSetting("epochs", T::Int, 3, 1, std::nullopt, "training epochs per d and seed"),
        makeSetting("samples", T::Int, 10000, 0, std::nullopt,
                    "training examples (the training split's first ones); 0: all"),
        makeSetting("batch", T::Int, 128, 1, std::nullopt, "minibatch size"),
        makeSetting("lr", T::Float, 1e-3, 0.0, std::nullopt, "Adam's learning rate (beta2 0.99)"),
        makeSetting("seeds", T::Int, 1, 1, 100,
                    "runs per d (projections and orders); their "
                    "mean accuracy decides d_int90"),
        makeSetting("baseline", T::String, "direct", std::nullopt, std::nullopt,
                    "direct: the same training of all parameters; absolute: 1.0 (the "
                    "reference's MNIST plots: threshold 90 % accuracy)",
                    {"direct", "absolute"}),
        makeSetting("seed", T::Int, 0, 0, std::nullopt, "projections' and minibatch orders' seed"),
        makeSetting("threads", T::Int, 0, 0, 1024, "CPU threads; 0: all cores"),
    };
    spec.dataIdentity = [](const AnalysisContext& context, const Json& options) {
        return Json{{"of", trialIdentity(context, options["trial"].get<std::int64_t>())}};
    };
    return spec;
}

std::string format(const char* pattern, double a, double b = 0, double c = 0, double d = 0) {
    char text[200];
    std::snprintf(text, sizeof text, pattern, a, b, c, d);
    return text;
}

// METHODS 3.4/3.7: per width, the loss against log2(lr) and its fitted optimum; across widths,
// how the optimum moves per doubling, and whether wider is never worse near it.
class TransferAnalysisRun final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        TransferColumns columns;
        columns.lr = o["lr"].get<std::string>();
        columns.width = o["width"].get<std::string>();
        columns.loss = o["loss"].get<std::string>();
        columns.where = whereClause(o["where"].get<std::string>());
        TransferOptions options;
        options.window = o["window"].get<int>();
        options.bootstrap = o["bootstrap"].get<int>();
        options.seed = o["seed"].get<std::uint64_t>();
        const TransferAnalysis a = transferCurves(context.trials, columns, options);
        Json out = toJson(a);
        Json summary = Json::array();
        summary.push_back("learning-rate transfer of " + columns.loss + " over " + columns.width +
                          " (" + std::to_string(a.trialsUsed) + " trials)");
        const std::string widthName = columns.width.substr(columns.width.rfind('.') + 1);
        for (const TransferCurve& c : a.curves) {
            const std::string error =
                std::isfinite(c.optimumStdErr) ? format(" +- %.2f", c.optimumStdErr) : "";
            char line[240];
            std::snprintf(line, sizeof line,
                          "  %s %-6g optimum lr %.4g (log2 %.2f%s), %s, loss %.4g",
                          widthName.c_str(), c.width, std::exp2(c.optimumLog2Lr), c.optimumLog2Lr,
                          error.c_str(), std::string(toText(c.kind)).c_str(), c.optimumLoss);
            summary.push_back(line);
        }
        summary.push_back(format("optimum shift per width doubling: %+.3f log2 units", a.slope) +
                          (std::isfinite(a.slopeStdErr) ? format(" +- %.3f", a.slopeStdErr) : "") +
                          " over " + std::to_string(a.widthsInSlope) + " widths");
        summary.push_back(std::string("wider is never worse near the optimum: ") +
                          (a.widerNeverWorse ? "yes" : "no"));
        for (const std::string& note : a.notes)
            summary.push_back("note: " + note);
        out["summary"] = summary;
        return out;
    }
};

AnalysisSpec transferSpec() {
    AnalysisSpec spec;
    spec.kind = "transfer";
    spec.description = "learning-rate transfer across widths or depths (muP, METHODS 3.4)";
    spec.options = {
        makeSetting("lr", T::String, "optimizer.lr", std::nullopt, std::nullopt,
                    "the learning-rate parameter"),
        makeSetting("width", T::String, "model.width", std::nullopt, std::nullopt,
                    "the width (or depth) parameter"),
        makeSetting("loss", T::String, "train_loss", std::nullopt, std::nullopt, "the loss metric"),
        whereOption(),
        makeSetting("window", T::Int, 3, 3, 5, "points of the parabola around the best lr (3, 5)"),
        makeSetting("bootstrap", T::Int, 200, 0, 100000, "seed resamples for the optima's errors"),
        makeSetting("seed", T::Int, 0, 0, std::nullopt, "bootstrap seed"),
    };
    return spec;
}

// METHODS 9: Chinchilla's approach 3 over the study's trials.
class ScalingLawRun final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        ScalingColumns columns;
        columns.n = o["n"].get<std::string>();
        columns.d = o["d"].get<std::string>();
        columns.loss = o["loss"].get<std::string>();
        ScalingLawOptions options;
        options.bootstrap = o["bootstrap"].get<int>();
        options.seed = o["seed"].get<std::uint64_t>();
        const ScalingLawFit fit = fitScalingLaw(scalingPoints(context.trials, columns), options);
        Json out = toJson(fit);
        out.erase("starts"); // thousands of grid starts: kept out of the stored result
        const ScalingLawParams& p = fit.params;
        Json summary = Json::array();
        summary.push_back("scaling law of " + columns.loss + " over " + columns.n +
                          (columns.d.empty() ? "" : " and " + columns.d) + " (" +
                          std::to_string(fit.points.size()) + " trials)");
        summary.push_back(p.joint ? format("L = %.4g + %.4g / N^%.4f + ", p.E, p.A, p.alpha) +
                                        format("%.4g / D^%.4f", p.B, p.beta)
                                  : format("L = %.4g + %.4g / N^%.4f", p.E, p.A, p.alpha));
        summary.push_back(format("rms log residual %.3g; %d of %d starts reached the best fit",
                                 fit.rmsLogResidual, fit.startsAtBest, double(fit.starts.size())));
        if (p.joint && std::isfinite(fit.allocation.a))
            summary.push_back(format("compute-optimal: N ~ C^%.3f, D ~ C^%.3f", fit.allocation.a,
                                     fit.allocation.b));
        out["summary"] = summary;
        return out;
    }
};

AnalysisSpec scalingLawSpec() {
    AnalysisSpec spec;
    spec.kind = "scaling_law";
    spec.description = "scaling-law fit L = E + A/N^alpha (+ B/D^beta), Chinchilla approach 3";
    spec.options = {
        makeSetting("n", T::String, "", std::nullopt, std::nullopt,
                    "model size: a metric or parameter (e.g. a parameter count)"),
        makeSetting("d", T::String, "", std::nullopt, std::nullopt,
                    "data seen: a metric or parameter; empty for L(N)"),
        makeSetting("loss", T::String, "val_loss", std::nullopt, std::nullopt, "the loss metric"),
        makeSetting("bootstrap", T::Int, 0, 0, 10000, "resamples for confidence intervals"),
        makeSetting("seed", T::Int, 0, 0, std::nullopt, "bootstrap seed"),
    };
    return spec;
}

// METHODS 8.1: an lr_range trial's curve and suggestions.
class LrRangeRun final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        const std::int64_t number = o["trial"].get<std::int64_t>();
        const Trial* chosen = nullptr;
        for (const Trial& t : context.trials)
            if (number < 0 ? t.state != TrialState::Waiting && t.state != TrialState::Running
                           : t.number == number)
                chosen = &t; // -1: the latest finished one
        if (!chosen)
            throw AnalysisError(number < 0 ? "the study has no finished trial"
                                           : "option 'trial': the study has no trial " +
                                                 std::to_string(number));
        const LrRangeAnalysis a =
            lrRangeCurves(context.storage.trialMetrics(chosen->id), o["rule"].get<std::string>());
        Json out = toJson(a);
        out["trial"] = chosen->number;
        out["summary"] = {
            "LR range test of trial " + std::to_string(chosen->number) + ": " +
                std::to_string(a.curve.points.size()) + " steps",
            format("suggested lr: valley %.3g, minimum/10 %.3g, steepest %.3g",
                   a.suggestions.valley, a.suggestions.minimum, a.suggestions.steep),
            format("range: from %.3g (start of the descent) to %.3g (lowest loss)",
                   a.suggestions.start, a.suggestions.lowest),
        };
        return out;
    }
};

AnalysisSpec lrRangeSpec() {
    AnalysisSpec spec;
    spec.kind = "lr_range";
    spec.description = "an LR range test trial's loss curve and suggested learning rates";
    spec.options = {
        makeSetting("trial", T::Int, -1, -1, std::nullopt, "the trial; -1: the latest finished"),
        makeSetting("rule", T::String, "valley", std::nullopt, std::nullopt,
                    "which suggestion is the curve's optimum", {"valley", "minimum", "steep"}),
    };
    return spec;
}

// The study's objective (or `metric`) over its COMPLETE trials, as a table.
ParamTable studyTable(const AnalysisContext& context, const std::string& metric) {
    const std::string name = metric.empty() ? context.config.objective().metric : metric;
    ParamTable table = paramTable(context.config.space, context.trials, name);
    if (table.rows() < 2)
        throw AnalysisError("metric '" + name + "': the study has " + std::to_string(table.rows()) +
                            " complete trial(s) that reported it; at least 2 are needed");
    return table;
}

// METHODS 4.4 (Awais et al.): per hyperparameter setting, each augmentation's linear weight on
// the objective; per augmentation, its consistency, influence and sensitivity across settings.
class AugmentSensitivityRun final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        const ParamTable table = studyTable(context, o["metric"].get<std::string>());
        AugmentColumns columns;
        columns.switches = nameList(o["switches"].get<std::string>());
        columns.setting = nameList(o["setting"].get<std::string>());
        AugmentSensitivityOptions options;
        options.fit = o["fit"] == "lime" ? AugmentFit::Lime : AugmentFit::LeastSquares;
        options.minTrialsPerSetting = o["min_trials"].get<std::size_t>();
        const AugmentSensitivity a = augmentSensitivity(augmentData(table, columns), options);
        Json out = toJson(a);
        Json summary = Json::array();
        summary.push_back(
            "augmentation sensitivity of " + a.metric + " over " +
            std::to_string(a.settings.size()) + " hyperparameter settings" +
            (a.skippedSettings.empty()
                 ? std::string()
                 : " (" + std::to_string(a.skippedSettings.size()) + " skipped: too few trials)"));
        summary.push_back("augmentation               mean weight  influence  consistency  "
                          "sensitivity");
        for (const AugmentScore& sc : a.scores) {
            char line[200];
            std::snprintf(line, sizeof line, "%-26s %+11.4g %10.4g %12.2f %12.4g",
                          sc.augmentation.c_str(), sc.meanWeight, sc.influence, sc.consistency,
                          sc.sensitivity);
            summary.push_back(line);
        }
        // The heatmap as text: one row per setting, one column per augmentation.
        summary.push_back("weights per setting (rows) and augmentation (columns):");
        char cell[64];
        std::string header(36, ' ');
        for (const std::string& name : a.augmentations) {
            std::snprintf(cell, sizeof cell, " %9.9s", name.c_str());
            header += cell;
        }
        summary.push_back(header + "      R^2");
        for (const AugmentSettingFit& fit : a.settings) {
            std::snprintf(cell, sizeof cell, "%-36.36s", fit.setting.c_str());
            std::string row = cell;
            for (double w : fit.weights) {
                if (std::isfinite(w))
                    std::snprintf(cell, sizeof cell, " %+9.4f", w);
                else
                    std::snprintf(cell, sizeof cell, " %9s", "-"); // not identified here
                row += cell;
            }
            std::snprintf(cell, sizeof cell, " %8.3f", fit.score);
            summary.push_back(row + cell);
        }
        out["summary"] = summary;
        return out;
    }
};

AnalysisSpec augmentSensitivitySpec() {
    AnalysisSpec spec;
    spec.kind = "augment_sensitivity";
    spec.description =
        "which augmentations help, and how much that depends on the hyperparameters (METHODS 4.4)";
    spec.version = 2; // 2: the summary prints the setting x augmentation weights
    spec.options = {
        metricOption(),
        makeSetting("switches", T::String, "", std::nullopt, std::nullopt,
                    "comma-separated on/off parameters; empty: every augment.<name>.enabled"),
        makeSetting("setting", T::String, "", std::nullopt, std::nullopt,
                    "comma-separated parameters that define a setting; empty: all others"),
        makeSetting("fit", T::String, "least_squares", std::nullopt, std::nullopt,
                    "per-setting fit: least squares, or LIME's kernel-weighted ridge",
                    {"least_squares", "lime"}),
        makeSetting("min_trials", T::Int, 0, 0, std::nullopt,
                    "fewest trials per setting; 0: augmentations + 1"),
    };
    return spec;
}

// METHODS 6: which parameters the objective depends on: fANOVA (random forest main effects,
// optionally pairs), PED-ANOVA (top trials against the rest) and plain correlations.
class ImportanceRun final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        const ParamTable table = studyTable(context, o["metric"].get<std::string>());
        const Direction direction =
            o["metric"].get<std::string>().empty() ||
                    o["metric"].get<std::string>() == context.config.objective().metric
                ? context.config.objective().direction
                : Direction::Minimize;
        FanovaOptions fo;
        fo.forest.trees = o["trees"].get<int>();
        fo.forest.seed = o["seed"].get<std::uint64_t>();
        fo.pairs = o["pairs"].get<bool>();
        const FanovaResult f = fanova(table, fo);
        PedAnovaOptions po;
        po.targetQuantile = o["top_quantile"].get<double>();
        po.direction = direction;
        const PedAnovaResult p = pedAnova(table, po);
        const CorrelationResult c = correlations(table);
        Json out = {{"metric", table.metric},
                    {"trials", table.rows()},
                    {"fanova", toJson(f)},
                    {"ped_anova", toJson(p)},
                    {"correlations", toJson(c)}};
        Json summary = Json::array();
        summary.push_back("importance of the parameters for " + table.metric + " over " +
                          std::to_string(table.rows()) + " complete trials");
        summary.push_back("parameter                      fANOVA  PED-ANOVA   Spearman");
        for (const FanovaParam& fp : f.params) {
            double ped = NAN, rho = NAN;
            for (const auto& q : p.params)
                if (q.name == fp.name)
                    ped = q.importance;
            for (const auto& q : c.params)
                if (q.name == fp.name)
                    rho = std::isfinite(q.spearman) ? q.spearman : q.eta;
            char line[200];
            std::snprintf(line, sizeof line, "%-28s %8.3f %10.3f %+10.3f", fp.name.c_str(),
                          fp.importance, ped, rho);
            summary.push_back(line);
        }
        for (const FanovaPair& pair : f.pairs) {
            char line[200];
            std::snprintf(line, sizeof line, "  pair %s x %s: %.3f", pair.first.c_str(),
                          pair.second.c_str(), pair.fraction);
            summary.push_back(line);
        }
        out["summary"] = summary;
        return out;
    }
};

AnalysisSpec importanceSpec() {
    AnalysisSpec spec;
    spec.kind = "importance";
    spec.description = "parameter importance: fANOVA, PED-ANOVA and correlations (METHODS 6)";
    spec.options = {
        metricOption(),
        makeSetting("trees", T::Int, 64, 1, 4096, "fANOVA's forest size"),
        makeSetting("pairs", T::Bool, false, std::nullopt, std::nullopt,
                    "also pairwise fANOVA effects"),
        makeSetting("top_quantile", T::Float, 0.1, 0.01, 1.0, "PED-ANOVA's top trials"),
        makeSetting("seed", T::Int, 0, 0, std::nullopt, "forest seed"),
    };
    return spec;
}

// METHODS 4.1-4.3, 4.5: LIME around one trial, the outcome predicted by a random forest
// fitted on the study's trials (the surrogate), so perturbed configurations nobody ran still
// get a value.
class LimeRun final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        const ParamTable table = studyTable(context, o["metric"].get<std::string>());
        const std::int64_t number = analysisTrial(context, o["trial"].get<std::int64_t>()).number;
        const auto at = std::find(table.trialNumbers.begin(), table.trialNumbers.end(), number);
        if (at == table.trialNumbers.end())
            throw AnalysisError("option 'trial': trial " + std::to_string(number) +
                                " is not a complete trial with " + table.metric);
        RandomForestOptions fo;
        fo.seed = o["seed"].get<std::uint64_t>();
        RandomForest forest;
        forest.fit(table, fo);
        LimeOptions lo;
        lo.numSamples = o["samples"].get<std::size_t>();
        lo.numFeatures = o["features"].get<std::size_t>();
        lo.seed = o["seed"].get<std::uint64_t>();
        const std::string discretizer = o["discretizer"].get<std::string>();
        lo.discretizer = discretizer == "decile" ? LimeDiscretizer::Decile
                         : discretizer == "none" ? LimeDiscretizer::None
                                                 : LimeDiscretizer::Quartile;
        const LimeExplanation e = explainRow(
            table, static_cast<std::size_t>(at - table.trialNumbers.begin()),
            [&forest](const std::vector<double>& rows, std::size_t) {
                return forest.predict(rows);
            },
            lo);
        Json out = toJson(e);
        out["metric"] = table.metric;
        out["surrogate"] = "random forest, " + std::to_string(fo.trees) + " trees, on " +
                           std::to_string(table.rows()) + " trials";
        Json summary = Json::array();
        summary.push_back("LIME around trial " + std::to_string(number) + " (" + table.metric +
                          format(" %.5g by the surrogate, %.5g by the local fit; R^2 %.3f)",
                                 e.predictedValue, e.localPrediction, e.score));
        for (const LimeFeature& f : e.features) {
            char line[240];
            std::snprintf(line, sizeof line, "  %+10.4g  %s", f.weight, f.condition.c_str());
            summary.push_back(line);
        }
        out["summary"] = summary;
        return out;
    }
};

AnalysisSpec limeSpec() {
    AnalysisSpec spec;
    spec.kind = "lime";
    spec.description = "LIME: which parameters move the objective around one trial (METHODS 4)";
    spec.options = {
        makeSetting("trial", T::Int, -1, -1, std::nullopt, "the trial; -1: the best one"),
        metricOption(),
        makeSetting("samples", T::Int, 5000, 10, 1000000, "perturbed samples"),
        makeSetting("features", T::Int, 10, 1, 1000, "features in the explanation"),
        makeSetting("discretizer", T::String, "quartile", std::nullopt, std::nullopt,
                    "how numerical parameters are binned", {"quartile", "decile", "none"}),
        makeSetting("seed", T::Int, 0, 0, std::nullopt, "sampling and forest seed"),
    };
    return spec;
}

// METHODS 3.3 across coord_check trials of several widths.
class CoordCheckRun final : public Analysis {
public:
    Json run(const AnalysisContext& context, const Json& o) override {
        const CoordCheckResult r = coordCheck(
            context.trials, context.storage.metrics(context.studyId), o["width"].get<std::string>(),
            whereClause(o["where"].get<std::string>()), o["tolerance"].get<double>());
        Json out = toJson(r);
        Json summary = Json::array();
        summary.push_back("coordinate check over " + std::to_string(r.trialsUsed) +
                          " trials: slope of log2 mean|activation| against log2 " +
                          o["width"].get<std::string>() + " at step " + std::to_string(r.lastStep));
        bool flat = true;
        for (const CoordCheckLayer& l : r.layers) {
            if (l.step != r.lastStep)
                continue;
            const bool ok = std::abs(l.slope) < r.flatTolerance;
            flat = flat && ok;
            char line[200];
            std::snprintf(line, sizeof line, "  %-16s %+.3f %s", l.layer.c_str(), l.slope,
                          ok ? "flat" : "grows/shrinks with width");
            summary.push_back(line);
        }
        summary.push_back(flat
                              ? format("every layer flat (|slope| < %g): muP-like", r.flatTolerance)
                              : "some layers change with width: SP-like");
        out["summary"] = summary;
        return out;
    }
};

AnalysisSpec coordCheckSpec() {
    AnalysisSpec spec;
    spec.kind = "coord_check";
    spec.description = "muP coordinate check across widths, from coord_check trials (METHODS 3.3)";
    spec.options = {
        makeSetting("width", T::String, "model.width", std::nullopt, std::nullopt,
                    "the width parameter"),
        whereOption(),
        makeSetting("tolerance", T::Float, 0.1, 0.0, 10.0, "|slope| below this counts as flat"),
    };
    // its data are the trials' intermediate metrics: the default identity (finished trials'
    // revisions) changes when they do
    return spec;
}

} // namespace

AnalysisCatalog AnalysisCatalog::withBuiltins() {
    AnalysisCatalog catalog;
    catalog.add(landscapeSpec());
    catalog.add(intrinsicDimensionSpec());
    catalog.add(transferSpec(), [] { return std::make_unique<TransferAnalysisRun>(); });
    catalog.add(scalingLawSpec(), [] { return std::make_unique<ScalingLawRun>(); });
    catalog.add(lrRangeSpec(), [] { return std::make_unique<LrRangeRun>(); });
    catalog.add(augmentSensitivitySpec(), [] { return std::make_unique<AugmentSensitivityRun>(); });
    catalog.add(importanceSpec(), [] { return std::make_unique<ImportanceRun>(); });
    catalog.add(limeSpec(), [] { return std::make_unique<LimeRun>(); });
    catalog.add(coordCheckSpec(), [] { return std::make_unique<CoordCheckRun>(); });
    catalog.add(curvesSpec(), makeCurvesAnalysis);
    return catalog;
}

} // namespace ps
