#pragma once
// A crossed design: a grid over some parameters (the "settings") times independent random
// draws of all the others. It is the study type of "What augmentations are sensitive to
// hyper-parameters and why?" (METHODS 4.4): every hyperparameter setting is trained with
// random on/off augmentation policies, and the augment_sensitivity analysis fits each
// augmentation's effect within each setting.
//
// Trial n runs setting n mod S (S = the grid's size) with replicate r = n div S, so a study
// stopped early has visited the settings evenly. With `paired` (the default) replicate r draws
// the same random part in every setting: the per-setting regressions then share one design,
// and a difference between settings' weights comes from the setting, not from the draws.
// Forbidden clauses naming only grid parameters remove settings; the others are enforced by
// redrawing the random part (a setting's random part never moves to another setting).

#include "core/sampling/sampler.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ps {

class CrossedSampler final : public Sampler {
public:
    CrossedSampler(std::uint64_t seed, const Json& options);
    static SamplerInfo info();
    Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) override;

    // The space of the settings: the parameters the options' `grid` names (in the space's
    // order) and the forbidden clauses that name only them. Throws std::invalid_argument
    // naming what is wrong: an empty grid, an unknown name, a grid parameter whose condition
    // names a parameter outside the grid, or a grid naming every parameter. Not `strict`
    // (sampling), names the space lacks are skipped instead: the study file refused them
    // already, and a space that grows trial by trial (ask/tell) may not hold them yet.
    static SearchSpace settingsSpace(const SearchSpace& space, const Json& options,
                                     bool strict = true);
    // How many settings the grid has (GridSampler's count of settingsSpace).
    static std::size_t settingCount(const SearchSpace& space, const Json& options);

private:
    std::uint64_t m_seed;
    Json m_options;
};

} // namespace ps
