#pragma once
// Headless export of a study (DESIGN.md, data flow 6): the same view classes the app shows,
// rendered offscreen to files, plus the data behind them as CSV. Called by
// `paramscope-cli export`; runs on the thread that owns the QApplication, which the caller
// creates (the offscreen platform is fine).

#include <string>
#include <vector>

namespace ps {

// The size of the exported images, in pixels.
inline constexpr int kExportWidth = 1200;
inline constexpr int kExportHeight = 800;

// Writes into `outDir` (created when missing): history.png, history.svg, history.pdf,
// learning_curves.png, trials.csv, metrics.csv. `studyName` empty: the first study in the
// store. Returns the paths written, in that order. Throws std::runtime_error with a message
// naming what is wrong: no QApplication, no such store or study, a folder it cannot write.
std::vector<std::string> exportStudy(const std::string& storageUrl, const std::string& studyName,
                                     const std::string& outDir);

} // namespace ps
