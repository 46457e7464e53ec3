#include "core/sampling/sampler.h"

#include "core/sampling/cmaes_sampler.h"
#include "core/sampling/crossed_sampler.h"
#include "core/sampling/gp_sampler.h"
#include "core/sampling/grid_sampler.h"
#include "core/sampling/lhs_sampler.h"
#include "core/sampling/nsga2_sampler.h"
#include "core/sampling/random_sampler.h"
#include "core/sampling/sobol_sampler.h"
#include "core/sampling/tpe_sampler.h"

#include <stdexcept>

namespace ps {

const std::vector<SamplerInfo>& samplerCatalog() {
    // One entry per built-in sampler; each sampler's file provides its info() function.
    static const std::vector<SamplerInfo> catalog = {
        RandomSampler::info(), TpeSampler::info(), GridSampler::info(),
        SobolSampler::info(),  LhsSampler::info(), CmaEsSampler::info(),
        Nsga2Sampler::info(),  GpSampler::info(),  CrossedSampler::info(),
    };
    return catalog;
}

const SamplerInfo* findSampler(const std::string& kind) {
    for (const auto& info : samplerCatalog()) {
        if (info.kind == kind)
            return &info;
    }
    return nullptr;
}

std::vector<std::string> samplerKinds() {
    std::vector<std::string> kinds;
    for (const auto& info : samplerCatalog())
        kinds.push_back(info.kind);
    return kinds;
}

std::unique_ptr<Sampler> makeSampler(const SamplerConfig& config) {
    const SamplerInfo* info = findSampler(config.kind);
    if (!info)
        throw std::invalid_argument("unknown sampler kind '" + config.kind + "'");
    SamplerConfig filled = config;
    for (const auto& option : info->options) {
        if (!filled.options.contains(option.path))
            filled.options[option.path] = option.defaultValue;
    }
    return info->make(filled);
}

} // namespace ps
