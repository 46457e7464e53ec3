#pragma once
// Proposes the parameters of new trials. One instance per study run, used from the
// orchestrator's thread. Samplers are registered by name in samplerCatalog(); each declares
// its options as data, so the study file's `sampler:` section is checked against them.

#include "core/space/setting_spec.h"
#include "core/space/study_config.h"

#include <functional>
#include <memory>
#include <vector>

namespace ps {

class Sampler {
public:
    virtual ~Sampler() = default;
    // The parameters of trial `number`, given every trial of the study so far: finished ones
    // (COMPLETE, PRUNED, FAIL) and pending ones (WAITING, RUNNING), so that parallel workers
    // are not all sent to the same place. Must respect the space (bounds, steps, log scales,
    // conditions) and never return NaN. May throw; the orchestrator then falls back to random
    // sampling for that trial and logs a warning.
    virtual Json sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) = 0;
};

struct SamplerInfo {
    std::string kind;
    std::string description;
    std::vector<SettingSpec> options; // keys of the `sampler:` section besides kind and seed
    std::function<std::unique_ptr<Sampler>(const SamplerConfig&)> make;
};

// Every built-in sampler, in a stable order.
const std::vector<SamplerInfo>& samplerCatalog();
const SamplerInfo* findSampler(const std::string& kind);
std::vector<std::string> samplerKinds();
// The sampler the config names, its options filled with defaults where missing; throws
// std::invalid_argument for an unknown kind.
std::unique_ptr<Sampler> makeSampler(const SamplerConfig& config);

} // namespace ps
