#pragma once
// `paramscope-worker augment-grid`: renders a configuration's augmentation grid to a file
// (core/train/augment_grid.h). No Qt.

namespace ps {

// argv[0] is "augment-grid". Returns the exit code: 0 done, 1 data or output failed,
// 2 a usage error or a bad setting.
int augmentGridCommand(int argc, char** argv);

} // namespace ps
