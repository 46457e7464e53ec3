#pragma once
// Which data augmentations are sensitive to the other hyperparameters: the method of Awais,
// Bekkouch and Khan, "What augmentations are sensitive to hyper-parameters and why?" (arXiv
// 2111.03861), as METHODS.md 4.4 reads it. Within each hyperparameter setting (one value of
// every non-augmentation parameter), a linear model of the objective on the augmentations'
// on/off flags gives each augmentation a weight; across settings, each augmentation gets
//   influence   = mean_k |w_k|,
//   consistency = the fraction of settings whose sign of w_k is the majority's,
//   reliability = consistency x influence,
//   sensitivity = mean_k |w_k - mean_k w_k|,
// and the settings x augmentations weights make the heatmap. Weights are in the objective's
// units and direction: for a loss, a helpful augmentation has a negative weight.
// Pure functions; any thread.

#include "core/analysis/param_table.h"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace ps {

struct AugmentObservation {
    std::string setting;  // which hyperparameter setting the trial ran with
    std::vector<bool> on; // one flag per augmentation
    double objective = 0;
    int trialNumber = -1;
};

struct AugmentData {
    std::vector<std::string> augmentations;
    std::vector<AugmentObservation> observations;
    std::map<std::string, Json> settingValues; // optional: each setting's parameter values
    std::string metric;
};

enum class AugmentFit {
    LeastSquares, // ordinary least squares with an intercept (the paper's linear regression)
    // LIME's surrogate: Ridge(ridgeAlpha) weighted by lime's exponential kernel on the Hamming
    // distance to the all-off policy, width 0.75 * sqrt(number of augmentations)
    Lime,
};

struct AugmentSensitivityOptions {
    AugmentFit fit = AugmentFit::LeastSquares;
    double ridgeAlpha = 1.0; // Lime
    double kernelWidth = 0;  // Lime; <= 0: 0.75 * sqrt(number of augmentations)
    // Settings with fewer trials are skipped; 0: the number of augmentations + 1, the fewest
    // that can determine the linear model.
    std::size_t minTrialsPerSetting = 0;
};

struct AugmentSettingFit {
    std::string setting;
    Json values; // AugmentData::settingValues' entry, null when absent
    std::size_t trials = 0;
    double intercept = 0;
    // One per augmentation; NaN where every trial of the setting had it equally on or off, so
    // its effect is not identified there.
    std::vector<double> weights;
    double score = 0; // the fit's (weighted) R^2
};

struct AugmentScore {
    std::string augmentation;
    std::size_t settings = 0; // the settings where its weight is identified
    double meanWeight = 0;
    double influence = 0;
    double consistency = 0;
    int majoritySign = 0; // +1, -1; 0 when positive and negative weights tie
    double reliability = 0;
    double sensitivity = 0;
};

struct AugmentSensitivity {
    std::string metric;
    std::vector<std::string> augmentations;
    std::vector<AugmentSettingFit> settings;  // in order of first appearance
    std::vector<AugmentScore> scores;         // in augmentations' order
    std::vector<std::string> skippedSettings; // too few trials
};

// Throws std::invalid_argument naming the problem: no augmentations, fewer than 2
// observations, flags that do not match the augmentations, a non-finite objective, or no
// setting with enough trials.
AugmentSensitivity augmentSensitivity(const AugmentData& data,
                                      const AugmentSensitivityOptions& options = {});

// Which columns of a ParamTable are augmentation switches and which define the setting.
struct AugmentColumns {
    // Empty: every column named augment.<name>.enabled (the augmentation is then <name>).
    std::vector<std::string> switches;
    // Empty: every other column, except the switches' own augment.<name>.* settings (a
    // magnitude that exists only while its augmentation is on is not a hyperparameter setting).
    std::vector<std::string> setting;
};

// The observations of a ParamTable: switch cells read as booleans (true/false, "true"/"false",
// numbers != 0; an inactive switch is off), trials grouped into settings by equal values of
// the setting columns (inactive equal to inactive), each setting named "name=value, ...".
// Throws std::invalid_argument for fewer than 2 rows, no switch columns, a named column the
// table lacks, or a switch value that is not a boolean.
AugmentData augmentData(const ParamTable& table, const AugmentColumns& columns = {});

Json toJson(const AugmentSensitivity& result);

} // namespace ps
