#include "widgets/line_density.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace ps {

LineDensity::LineDensity(int width, int height)
    : m_width(std::max(1, width)), m_height(std::max(1, height)),
      m_sum(std::size_t(m_width) * std::size_t(m_height) * 4, 0.0f) {}

void LineDensity::add(float x0, float y0, float x1, float y1, QRgb rgb) {
    if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1))
        return;
    const float r = float(qRed(rgb)), g = float(qGreen(rgb)), b = float(qBlue(rgb));
    const float dx = x1 - x0, dy = y1 - y0;
    // one pixel per step along the longer direction: no gaps, no pixel counted twice
    const int steps = std::max(1, int(std::ceil(std::max(std::abs(dx), std::abs(dy)))));
    const float sx = dx / float(steps), sy = dy / float(steps);
    float x = x0, y = y0;
    for (int i = 0; i < steps; ++i, x += sx, y += sy) {
        const int px = int(x), py = int(y);
        if (px < 0 || py < 0 || px >= m_width || py >= m_height)
            continue;
        float* cell = &m_sum[(std::size_t(py) * std::size_t(m_width) + std::size_t(px)) * 4];
        cell[0] += r;
        cell[1] += g;
        cell[2] += b;
        cell[3] += 1.0f;
    }
}

void LineDensity::addBands(int bands, const std::function<void(int, const Emit&)>& band,
                           int threads) {
    if (threads <= 0)
        threads = int(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::clamp(threads, 1, std::max(1, bands));
    const Emit emit = [this](float x0, float y0, float x1, float y1, QRgb rgb) {
        add(x0, y0, x1, y1, rgb);
    };
    if (threads == 1) {
        for (int b = 0; b < bands; ++b)
            band(b, emit);
        return;
    }
    // bands never share a column, so threads never write the same pixel
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int b = t; b < bands; b += threads)
                band(b, emit);
        });
    for (auto& th : pool)
        th.join();
}

double LineDensity::maxCount() const {
    float most = 0;
    for (std::size_t i = 3; i < m_sum.size(); i += 4)
        most = std::max(most, m_sum[i]);
    return most;
}

QImage LineDensity::compose(double gain, double devicePixelRatio) const {
    QImage image(m_width, m_height, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(devicePixelRatio);
    for (int y = 0; y < m_height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        const float* cell = &m_sum[std::size_t(y) * std::size_t(m_width) * 4];
        for (int x = 0; x < m_width; ++x, cell += 4) {
            const float n = cell[3];
            if (n <= 0) {
                line[x] = 0;
                continue;
            }
            const float a = 1.0f - std::exp(-float(gain) * n);
            const float k = a / n; // mean colour, premultiplied by the opacity
            line[x] = qRgba(int(cell[0] * k + 0.5f), int(cell[1] * k + 0.5f),
                            int(cell[2] * k + 0.5f), int(a * 255.0f + 0.5f));
        }
    }
    return image;
}

} // namespace ps
