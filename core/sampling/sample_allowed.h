#pragma once
// The one place where forbidden combinations (`forbidden:` in the study file) are enforced at
// suggestion time, for every sampler: the orchestrator and ask/tell both go through it.

#include "core/sampling/sampler.h"

#include <string>
#include <vector>

namespace ps {

// Parameters for trial `number` that no forbidden clause of `space` matches. Asks `sampler`
// first; when its proposal is forbidden, asks it again (up to kSamplerRetries times) for
// perturbed trial numbers, then draws random points (up to kRandomTries, seeded by `seed` and
// `number`). Throws std::runtime_error naming the clauses that matched when nothing allowed
// was found. Exceptions from `sampler` itself propagate only from the first call. `note`,
// when given, says what happened when it was not the sampler's first proposal ("" otherwise).
Json sampleAllowed(Sampler& sampler, const SearchSpace& space, const std::vector<Trial>& trials,
                   int number, std::uint64_t seed, std::string* note = nullptr);

inline constexpr int kSamplerRetries = 4;
inline constexpr int kRandomTries = 1000;

} // namespace ps
