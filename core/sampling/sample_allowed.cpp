#include "core/sampling/sample_allowed.h"

#include "core/sampling/random_sampler.h"
#include "core/sampling/unit_mapping.h"

#include <limits>
#include <set>
#include <stdexcept>

namespace ps {

Json sampleAllowed(Sampler& sampler, const SearchSpace& space, const std::vector<Trial>& trials,
                   int number, std::uint64_t seed, std::string* note) {
    if (note)
        note->clear();
    Json params = sampler.sample(space, trials, number);
    auto clause = space.forbiddenClause(params);
    if (!clause)
        return params;
    std::set<std::size_t> matched = {*clause};
    // The sampler again, for other trial numbers: samplers seed their draws with the number,
    // so a perturbed number is a fresh proposal from the same model. Far above any real trial
    // number, so a design sampler (Sobol) does not hand out a point a later trial will get.
    for (int k = 1; k <= kSamplerRetries; ++k) {
        const long long perturbed = static_cast<long long>(number) + 1'000'003LL * k;
        if (perturbed > std::numeric_limits<int>::max())
            break;
        try {
            params = sampler.sample(space, trials, static_cast<int>(perturbed));
        } catch (const std::exception&) {
            break; // a finite design (a grid) has no such trial: go on at random
        }
        clause = space.forbiddenClause(params);
        if (!clause) {
            if (note)
                *note = "its proposal was forbidden; retry " + std::to_string(k) + " was allowed";
            return params;
        }
        matched.insert(*clause);
    }
    // Rejection sampling, uniform over the allowed part of the space.
    for (int k = 0; k < kRandomTries; ++k) {
        params = paramsFromUnitPoint(
            space,
            RandomSampler::unitPoint(mixSeed(seed ^ 0x666f7262ULL ^ static_cast<std::uint64_t>(k)),
                                     number, space.params.size()));
        clause = space.forbiddenClause(params);
        if (!clause) {
            if (note)
                *note = "its proposals were forbidden; drawn at random instead";
            return params;
        }
        matched.insert(*clause);
    }
    std::string names;
    for (std::size_t c : matched)
        names += (names.empty() ? "" : ", ") + std::string("forbidden[") + std::to_string(c) +
                 "] " + space.forbidden[c].dump();
    throw std::runtime_error("no allowed configuration found for trial " + std::to_string(number) +
                             " after " + std::to_string(kSamplerRetries + 1) +
                             " sampler proposals and " + std::to_string(kRandomTries) +
                             " random draws; every one matched " + names);
}

} // namespace ps
