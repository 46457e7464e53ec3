#pragma once
// LIME tabular explanations (Ribeiro, Singh, Guestrin 2016) of one configuration of a study:
// marcotcr/lime's LimeTabularExplainer in regression mode over a ParamTable, with the same
// defaults, sampling and surrogate (METHODS.md 4.1-4.3). The outcome model is a parameter (a
// random forest or GP fitted to the trials, or any function), so that what is explained is a
// smooth stand-in for the study rather than the few trials themselves (METHODS.md 4.5).
//
// Inactive parameters (NaN cells) are a value of their own: with a discretizer, and for
// categorical columns, "inactive" is one more bin or category, sampled with its frequency in
// the table and explained as "<name> is inactive"; samples in that bin reach the predictor as
// NaN. Without a discretizer a continuous column keeps the instance's activity: active in the
// instance, every sample draws a value (from the active cells' statistics); inactive, every
// sample is NaN there, so the column is constant and gets no weight.
//
// Categorical and ordinal columns are lime's categorical features (each choice a value); int
// and float columns are continuous. The draws are our own (mt19937_64, inversion), so a seed
// gives the same explanation everywhere, and lime's numbers are matched in distribution, not
// digit for digit.
//
// A LimeExplainer is immutable once built; explain() may run on any thread, concurrently (the
// predictor then must allow that too).

#include "core/analysis/param_table.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ps {

// The model LIME explains: one prediction for each of `rows` rows of a row-major matrix with
// the table's columns, in the table's encoding (log columns in log space, choices as indices,
// NaN for an inactive parameter). Called once per explanation, with all samples at once.
using Predictor =
    std::function<std::vector<double>(const std::vector<double>& rowMajorX, std::size_t rows)>;

enum class LimeDiscretizer {
    Quartile, // bins at the 25/50/75th percentiles of each continuous column (lime's default)
    Decile,   // bins at the 10th..90th percentiles
    None,     // continuous columns sampled from a normal, weights per standard deviation
};

enum class LimeFeatureSelection {
    Auto,             // ForwardSelection when numFeatures <= 6, else HighestWeights
    None,             // every column, numFeatures ignored
    ForwardSelection, // greedy, by the weighted R^2 of least squares on the chosen columns
    HighestWeights,   // the largest |coefficient x instance value| of Ridge(0.01) on all columns
};

struct LimeOptions {
    LimeDiscretizer discretizer = LimeDiscretizer::Quartile;
    LimeFeatureSelection featureSelection = LimeFeatureSelection::Auto;
    std::size_t numFeatures = 10;
    std::size_t numSamples = 5000; // including the instance itself (sample 0)
    double kernelWidth = 0;        // <= 0: 0.75 * sqrt(number of columns)
    // Without a discretizer: centre the normal on the instance instead of the column's mean.
    bool sampleAroundInstance = false;
    double ridgeAlpha = 1.0; // the surrogate's penalty
    std::uint64_t seed = 0;
};

struct LimeFeature {
    std::size_t column = 0;
    std::string name;      // the column's name
    std::string condition; // "0.001 < optimizer.lr <= 0.01", "optimizer.kind = adam"
    double weight = 0;     // the surrogate's coefficient on the feature
    Json value;            // the instance's value (decoded), null when inactive
};

struct LimeExplanation {
    std::size_t row = 0;  // the table row explained (0 for explainInstance)
    int trialNumber = -1; // its trial, -1 when unknown
    double intercept = 0;
    std::vector<LimeFeature> features; // the selected features, by decreasing |weight|
    double score = 0;                  // weighted R^2 of the surrogate on the samples
    double localPrediction = 0;        // the surrogate at the instance
    double predictedValue = 0;         // the predictor at the instance (sample 0)
    double minValue = 0, maxValue = 0; // the predictor's range over the samples
    double kernelWidth = 0;
    std::size_t numSamples = 0;
};

// The JSON form of an explanation, for storage, export and the views.
Json toJson(const LimeExplanation& explanation);

class LimeExplainer {
public:
    // Learns the training statistics (bins, frequencies, means and scales) from `table`.
    // Throws std::invalid_argument when the table has fewer than 2 rows or no columns, or the
    // options are unusable (no samples, no features).
    explicit LimeExplainer(const ParamTable& table, LimeOptions options = {});
    ~LimeExplainer();
    LimeExplainer(LimeExplainer&&) noexcept;
    LimeExplainer& operator=(LimeExplainer&&) noexcept;

    // Explains `predict` around a row of the table. Throws std::invalid_argument for a row out
    // of range or a predictor that does not return one finite value per sample.
    LimeExplanation explain(std::size_t row, const Predictor& predict) const;
    // The same around any configuration in the table's encoding (dims() values).
    LimeExplanation explainInstance(const std::vector<double>& instance,
                                    const Predictor& predict) const;

    double kernelWidth() const;
    // The bin edges of a discretized column (encoded, so log space for log columns); empty for
    // categorical columns and without a discretizer.
    const std::vector<double>& binEdges(std::size_t column) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// One-shot form: LimeExplainer(table, options).explain(row, predict).
LimeExplanation explainRow(const ParamTable& table, std::size_t row, const Predictor& predict,
                           const LimeOptions& options = {});

} // namespace ps
