#pragma once
// Where a trial's mark sits inside its category's band, shared by every explorer view so that
// one trial sits at the same place in all of them. Without it every trial of a category meets
// in one point and how many there are does not show. Plain C++; any thread.

#include <cstddef>
#include <cstdint>

namespace ps {

// A fixed offset in [-0.25, 0.25), in category widths (a category's band is 1 wide), that
// depends only on the row and the dimension. The dimension decorrelates the two offsets of a
// categorical-against-categorical scatter plot, which otherwise put every point of a cell on
// one diagonal; the parallel coordinates pass 0 so a line keeps its offset across axes.
inline double categoryJitter(std::size_t row, std::size_t dimension = 0) {
    // splitmix64's finalizer: every bit of the key reaches the top bits taken below. (A bare
    // multiplication read modulo 1024 is linear in the row, which lays the points of a
    // categorical-against-categorical cell along a diagonal.)
    std::uint64_t z = std::uint64_t(row) + 0x9e3779b97f4a7c15ull * (std::uint64_t(dimension) + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return 0.5 * (double(z >> 53) / 2048.0 - 0.5);
}

} // namespace ps
