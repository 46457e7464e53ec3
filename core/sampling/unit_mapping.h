#pragma once
// How every sampler turns numbers in [0, 1) into parameter values, so that random, Sobol and
// Latin-hypercube designs agree on what a coordinate means.

#include "core/space/search_space.h"

#include <optional>
#include <vector>

namespace ps {

// Maps a point of the unit cube to parameters: coordinate j goes to space.params[j]
// (log-uniform on log scales, ints rounded after widening the bounds by half a unit, steps
// snapped, categoricals and ordinals by floor(u*K)). An inactive parameter's coordinate is skipped,
// so each parameter keeps its own dimension whatever the conditions. Parameters are declared
// ordered parents first (the parser sorts them), so conditions are evaluated in order.
Json paramsFromUnitPoint(const SearchSpace& space, const std::vector<double>& u);

// The inverse of paramsFromUnitPoint for a float, int or ordinal parameter: the unit-cube
// coordinate of its value in `params` (an int's or ordinal's coordinate is the centre of its
// cell); nothing when the value is absent or not one of the parameter's (a trial from before
// the space was edited), and for categoricals.
std::optional<double> unitCoordinate(const ParamSpec& p, const Json& params);

// splitmix64: turns (seed, index) pairs into well-mixed stream seeds.
std::uint64_t mixSeed(std::uint64_t x);

} // namespace ps
