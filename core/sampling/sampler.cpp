#include "core/sampling/sampler.h"

#include "core/sampling/random_sampler.h"

#include <stdexcept>

namespace ps {

std::vector<std::string> samplerKinds() {
    return {"random"};
}

std::unique_ptr<Sampler> makeSampler(const SamplerConfig& config) {
    if (config.kind == "random")
        return std::make_unique<RandomSampler>(config.seed);
    throw std::invalid_argument("unknown sampler kind '" + config.kind + "'");
}

} // namespace ps
