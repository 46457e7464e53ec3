#pragma once
// Draws very many thin lines fast, as a density: each line adds its colour to the pixels it
// crosses, and a pixel's opacity grows with how many lines crossed it (1 - exp(-gain * n)),
// its colour their mean. 100,000 trials of a parallel-coordinates plot are about 1.3 million
// segments: QPainter draws translucent lines at about 60 µs each here (opaque ones at 3 µs),
// this at well under 1 µs, and dense regions show as dense instead of one solid block.
// Segments are added in vertical bands (the gaps between two axes) that never share a
// column, so bands are rasterized on several threads without locks. Any thread; one object
// per drawing.

#include <QColor>
#include <QImage>
#include <functional>
#include <vector>

namespace ps {

class LineDensity {
public:
    LineDensity(int width, int height);

    // Rasterizes the segments `band` produces, for bands 0..bands-1, on up to `threads`
    // threads. `band(b, emit)` calls emit(x0, y0, x1, y1, rgb) for each segment of band b;
    // every segment of a band must lie in columns [left(b), right(b)), right(b) <= left(b+1).
    using Emit = std::function<void(float, float, float, float, QRgb)>;
    void addBands(int bands, const std::function<void(int band, const Emit& emit)>& band,
                  int threads = 0);
    // One segment, from the calling thread (x0 <= x1 not required).
    void add(float x0, float y0, float x1, float y1, QRgb rgb);

    // Premultiplied ARGB: transparent where no line passed.
    QImage compose(double gain, double devicePixelRatio = 1.0) const;
    double maxCount() const;

private:
    int m_width, m_height;
    std::vector<float> m_sum; // r, g, b, count per pixel
};

} // namespace ps
