#pragma once
// Proposes the parameters of new trials. One instance per study run, used from the
// orchestrator's thread.

#include "core/space/study_config.h"

#include <memory>
#include <vector>

namespace ps {

class Sampler {
public:
    virtual ~Sampler() = default;
    // The parameters of trial `number`, given every trial so far (finished and pending).
    virtual Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) = 0;
};

// The sampler the study file names; throws std::invalid_argument for an unknown kind.
std::unique_ptr<Sampler> makeSampler(const SamplerConfig& config);
std::vector<std::string> samplerKinds();

} // namespace ps
