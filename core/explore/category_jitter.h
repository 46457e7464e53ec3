#pragma once
// Where a trial's mark sits inside its category's band, shared by every explorer view so that
// one trial sits at the same place in all of them. Without it every trial of a category meets
// in one point and how many there are does not show. Plain C++; any thread.

#include <cstddef>

namespace ps {

// A fixed offset in [-0.25, 0.25), in category widths (a category's band is 1 wide), that
// depends only on the row and the dimension. The dimension decorrelates the two offsets of a
// categorical-against-categorical scatter plot, which otherwise put every point of a cell on
// one diagonal; the parallel coordinates pass 0 so a line keeps its offset across axes.
inline double categoryJitter(std::size_t row, std::size_t dimension = 0) {
    const std::size_t key = row + dimension * 7919u;
    return 0.5 * (double((key * 2654435761u) % 1024u) / 1024.0 - 0.5);
}

} // namespace ps
