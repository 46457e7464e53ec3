#include "widgets/scatter_matrix.h"

#include "core/explore/category_jitter.h"
#include "core/explore/variance_explained.h"
#include "widgets/color_maps.h"
#include "widgets/dimension_labels.h"
#include "widgets/trial_selection.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QLinearGradient>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QTimer>
#include <QToolTip>
#include <algorithm>
#include <set>
#include <thread>

namespace ps {

namespace {

constexpr int kColorBins = 64;                // as the parallel coordinates: one value, one colour
constexpr double kTop = 6;                    // above the grid
constexpr double kRight = 4;                  // right of the legend
constexpr double kGap = 4;                    // between cells
constexpr double kPad = 4;                    // inside a cell, around the points
constexpr std::size_t kPainterPoints = 24000; // above: points written as pixel stamps
constexpr std::size_t kDefaultParameters = 5;
const QColor kSelectionColour(214, 39, 40);
const QColor kHistogramColour(125, 145, 175);
constexpr std::size_t kNotDrawn = std::size_t(-1);

// Pixel offsets of a point of `size` device pixels: 1 a pixel, 2 a square, 3 and up a disc.
std::vector<QPoint> stampOffsets(int size) {
    std::vector<QPoint> out;
    if (size <= 1)
        return {QPoint(0, 0)};
    const double r = size / 2.0;
    const int lo = -size / 2, hi = lo + size - 1;
    for (int dy = lo; dy <= hi; ++dy)
        for (int dx = lo; dx <= hi; ++dx) {
            const double cx = dx + 0.5 - (size % 2 ? 0.5 : 0.0);
            const double cy = dy + 0.5 - (size % 2 ? 0.5 : 0.0);
            if (size < 3 || cx * cx + cy * cy <= (r - 0.5) * (r - 0.5) + 0.5)
                out.emplace_back(dx, dy);
        }
    return out;
}

} // namespace

ScatterMatrix::ScatterMatrix(TrialSelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_rebuildTimer(new QTimer(this)) {
    setMouseTracking(true);
    setMinimumSize(240, 200);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_rebuildTimer->setSingleShot(true);
    m_rebuildTimer->setInterval(150); // coalesces bursts of trials from a running study
    connect(m_rebuildTimer, &QTimer::timeout, this, [this] { update(); });
    connect(m_selection, &TrialSelection::selectionChanged, this,
            &ScatterMatrix::onSelectionChanged);
    connect(m_selection, &TrialSelection::filterChanged, this, [this] {
        m_baseDirty = true;
        update();
    });
}

void ScatterMatrix::setStudyLayout(const SearchSpace& space,
                                   const std::vector<Objective>& objectives) {
    m_columns.setLayout(space, objectives);
    m_autoDims = true;
    m_rankedRows = 0;
    m_dims = defaultDimensions();
    m_selectedRows.clear();
    m_baseDirty = m_overlayDirty = true;
    update();
}

void ScatterMatrix::applyTrials(const TrialList& trials) {
    std::vector<std::pair<std::string, bool>> shown;
    for (std::size_t d : m_dims)
        shown.emplace_back(m_columns.dimension(d).name, m_columns.dimension(d).objective);
    const std::size_t before = m_columns.dimensions();
    const TrialColumns::Update u = m_columns.apply(trials);
    if (m_columns.dimensions() != before) {
        // a new parameter was inserted in front of the objectives: find the shown ones again
        m_dims.clear();
        for (const auto& [name, objective] : shown)
            if (const long long d = m_columns.dimensionIndex(name, objective); d >= 0)
                m_dims.push_back(std::size_t(d));
    }
    rerankIfGrown();
    if (u.added.empty() && u.changed.empty() && !u.dimensionsChanged)
        return;
    m_baseDirty = true;
    scheduleRebuild();
}

void ScatterMatrix::clear() {
    m_columns.clear();
    m_rankedRows = 0;
    m_selectedRows.clear();
    m_baseDirty = m_overlayDirty = true;
    update();
}

std::vector<std::size_t> ScatterMatrix::defaultDimensions() const {
    std::vector<std::size_t> dims;
    for (std::size_t d = 0; d < m_columns.dimensions() && dims.empty(); ++d)
        if (m_columns.dimension(d).objective)
            dims.push_back(d);
    const std::size_t wanted = kDefaultParameters + (dims.empty() ? 1 : 0);
    const std::vector<std::size_t> params =
        parametersByImportance(m_columns, varianceExplained(m_columns));
    for (std::size_t i = 0; i < params.size() && i < wanted; ++i)
        dims.push_back(params[i]);
    return dims;
}

void ScatterMatrix::rerankIfGrown() {
    if (!m_autoDims)
        return;
    std::size_t complete = 0;
    for (std::size_t r = 0; r < m_columns.rows(); ++r)
        complete += m_columns.state(r) == TrialState::Complete ? 1 : 0;
    // Re-ranked as the study grows by half, not on every trial, so that a live study's matrix
    // does not shuffle its cells every few seconds.
    if (complete < 4 || complete == m_rankedRows || 2 * complete < 3 * m_rankedRows)
        return;
    m_rankedRows = complete;
    std::vector<std::size_t> dims = defaultDimensions();
    if (dims != m_dims) {
        m_dims = std::move(dims);
        m_baseDirty = m_overlayDirty = true;
        update();
    }
}

void ScatterMatrix::setDimensions(std::vector<std::size_t> dims) {
    std::vector<std::size_t> kept;
    std::set<std::size_t> seen;
    for (std::size_t d : dims)
        if (d < m_columns.dimensions() && seen.insert(d).second)
            kept.push_back(d);
    m_autoDims = false;
    if (kept == m_dims)
        return;
    m_dims = std::move(kept);
    m_baseDirty = m_overlayDirty = true;
    update();
}

void ScatterMatrix::chooseDimensionsAutomatically() {
    m_autoDims = true;
    m_rankedRows = 0;
    const std::vector<std::size_t> dims = defaultDimensions();
    if (dims != m_dims) {
        m_dims = dims;
        m_baseDirty = m_overlayDirty = true;
        update();
    }
    rerankIfGrown();
}

void ScatterMatrix::scheduleRebuild() {
    if (!m_rebuildTimer->isActive())
        m_rebuildTimer->start();
}

void ScatterMatrix::rebuildNow() {
    m_rebuildTimer->stop();
    if (m_base.size() != (QSizeF(size()) * devicePixelRatioF()).toSize())
        m_baseDirty = true;
    if (m_baseDirty)
        rebuildBase();
    if (m_overlayDirty)
        rebuildOverlay();
}

// ---- geometry

QRectF ScatterMatrix::gridRect() const {
    const double left = m_leftMargin, right = width() - m_legendWidth - kRight;
    return QRectF(left, kTop, std::max(10.0, right - left),
                  std::max(10.0, height() - kTop - m_bottomMargin));
}

QRectF ScatterMatrix::cellRect(std::size_t i, std::size_t j) const {
    const double n = double(std::max<std::size_t>(1, m_dims.size()));
    const QRectF g = gridRect();
    const double w = (g.width() + kGap) / n, h = (g.height() + kGap) / n;
    return QRectF(g.left() + double(j) * w, g.top() + double(i) * h, std::max(1.0, w - kGap),
                  std::max(1.0, h - kGap));
}

QRectF ScatterMatrix::plotArea(std::size_t i, std::size_t j) const {
    const QRectF c = cellRect(i, j);
    return c.width() > 3 * kPad && c.height() > 3 * kPad ? c.adjusted(kPad, kPad, -kPad, -kPad) : c;
}

QPointF ScatterMatrix::pointPosition(std::size_t row, std::size_t i, std::size_t j) const {
    if (i >= m_pos.size() || j >= m_pos.size() || row >= m_pos[i].size())
        return {NAN, NAN};
    const QRectF a = plotArea(i, j);
    return {a.left() + double(m_pos[j][row]) * a.width(),
            a.bottom() - double(m_pos[i][row]) * a.height()};
}

std::optional<std::pair<std::size_t, std::size_t>> ScatterMatrix::cellAt(const QPointF& pos) const {
    for (std::size_t i = 0; i < m_dims.size(); ++i)
        for (std::size_t j = 0; j < m_dims.size(); ++j)
            if (cellRect(i, j).contains(pos))
                return std::make_pair(i, j);
    return std::nullopt;
}

QFont ScatterMatrix::smallFont() const {
    QFont small = font();
    if (small.pixelSize() > 0)
        small.setPixelSize(std::max(8, int(std::lround(small.pixelSize() * 0.9))));
    else
        small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.9));
    return small;
}

double ScatterMatrix::pointDiameter() const {
    const QRectF c = cellRect(0, 0);
    return std::clamp(std::min(c.width(), c.height()) / 14, 3.0, 5.0);
}

void ScatterMatrix::updateMargins() {
    const QFontMetricsF fm(smallFont());
    double widest = 0;
    for (std::size_t d : m_dims)
        for (const auto& tick : dimensionTicks(m_columns.dimension(d), 4))
            widest = std::max(widest, fm.horizontalAdvance(tick.second));
    // long category names are elided rather than squeezing the grid
    m_leftMargin = std::clamp(widest + 10, 24.0, 84.0);
    m_bottomMargin = fm.height() + 8;
    m_legendWidth = 0;
    if (m_colourDim < m_columns.dimensions() && m_columns.dimension(m_colourDim).hasRange) {
        const Dimension& dim = m_columns.dimension(m_colourDim);
        m_legendWidth = std::clamp(
            std::max({fm.horizontalAdvance(QStringLiteral("≥") + numberText(dim.max)) + 24,
                      fm.horizontalAdvance(QStringLiteral("≤") + numberText(dim.min)) + 24,
                      fm.horizontalAdvance(objectiveColourNote()) + 12}),
            60.0, 100.0);
    }
}

// ---- the cached images

void ScatterMatrix::updateColours() {
    m_colourDim = m_columns.dimensions();
    for (std::size_t d = 0; d < m_columns.dimensions() && m_colourDim == m_columns.dimensions();
         ++d)
        if (m_columns.dimension(d).objective)
            m_colourDim = d;
    m_colour.assign(m_columns.rows(), qRgb(150, 150, 150));
    m_colourLow = m_colourHigh = NAN;
    if (m_colourDim == m_columns.dimensions())
        return;
    // the 2nd to 98th percentile: one diverged trial must not turn every other point one colour
    std::vector<double> values;
    values.reserve(m_columns.rows());
    for (double v : m_columns.column(m_colourDim))
        if (std::isfinite(v))
            values.push_back(v);
    if (values.size() >= 10) {
        const auto at = [&](double q) {
            auto it = values.begin() + std::ptrdiff_t(q * double(values.size() - 1));
            std::nth_element(values.begin(), it, values.end());
            return *it;
        };
        m_colourLow = at(0.02);
        m_colourHigh = at(0.98);
        if (!(m_colourHigh > m_colourLow))
            m_colourLow = m_colourHigh = NAN;
    }
    const bool flip = m_columns.dimension(m_colourDim).direction == Direction::Maximize;
    for (std::size_t r = 0; r < m_columns.rows(); ++r) {
        const double v = m_columns.value(r, m_colourDim);
        if (!std::isfinite(v))
            continue;
        double t = std::isfinite(m_colourLow)
                       ? std::clamp((v - m_colourLow) / (m_colourHigh - m_colourLow), 0.0, 1.0)
                       : m_columns.position(r, m_colourDim);
        if (flip) // the best end is dark, whichever the direction
            t = 1 - t;
        m_colour[r] = objectiveColour((std::floor(t * kColorBins) + 0.5) / kColorBins).rgb();
    }
}

void ScatterMatrix::rebuildBase() {
    updateColours();
    // rows drawn, the worst first: where good and bad trials overlap, the good ones show
    m_visible.clear();
    std::vector<double> key(m_columns.rows(), 2.0); // no colour: drawn first
    for (std::size_t r = 0; r < m_columns.rows(); ++r) {
        if (m_columns.state(r) == TrialState::Waiting ||
            m_selection->isHidden(m_columns.trialId(r)))
            continue;
        m_visible.push_back(r);
        if (m_colourDim < m_columns.dimensions())
            if (const double v = m_columns.value(r, m_colourDim); std::isfinite(v))
                key[r] = m_columns.dimension(m_colourDim).direction == Direction::Maximize ? -v : v;
    }
    std::stable_sort(m_visible.begin(), m_visible.end(),
                     [&](std::size_t a, std::size_t b) { return key[a] > key[b]; });
    m_drawRank.assign(m_columns.rows(), kNotDrawn);
    for (std::size_t i = 0; i < m_visible.size(); ++i)
        m_drawRank[m_visible[i]] = i;
    // positions on each shown dimension, categories spread inside their band
    m_pos.assign(m_dims.size(), {});
    for (std::size_t k = 0; k < m_dims.size(); ++k) {
        const std::size_t d = m_dims[k];
        const Dimension& dim = m_columns.dimension(d);
        const double bands = double(std::max<std::size_t>(1, dim.categories.size()));
        std::vector<float>& pos = m_pos[k];
        pos.resize(m_columns.rows());
        for (std::size_t r = 0; r < m_columns.rows(); ++r) {
            double t = m_columns.position(r, d);
            if (dim.scale == AxisScale::Categorical && std::isfinite(t))
                t += categoryJitter(r, d) / bands;
            pos[r] = float(t);
        }
    }
    updateMargins();

    const qreal dpr = devicePixelRatioF();
    m_base = QImage((QSizeF(size()) * dpr).toSize(), QImage::Format_ARGB32_Premultiplied);
    m_base.setDevicePixelRatio(dpr);
    m_base.fill(palette().color(QPalette::Base));
    // each histogram to its own tallest bar: bins of different dimensions do not compare
    m_maxCounts.assign(m_dims.size(), 1.0);
    for (std::size_t k = 0; k < m_dims.size(); ++k)
        for (int c : countBins(k, m_visible))
            m_maxCounts[k] = std::max(m_maxCounts[k], double(c));
    drawHistograms(m_base, m_visible, kHistogramColour);
    drawPoints(m_base, m_visible, false);
    m_baseDirty = false;
    updateSelectedRows(); // which selected trials are drawn may have changed
}

void ScatterMatrix::onSelectionChanged() {
    updateSelectedRows();
    update();
}

void ScatterMatrix::updateSelectedRows() {
    m_selectedRows.clear();
    const QSet<qint64>& selected = m_selection->selected();
    if (!selected.isEmpty()) {
        for (qint64 id : selected)
            if (const long long row = m_columns.rowOf(id);
                row >= 0 && std::size_t(row) < m_drawRank.size() &&
                m_drawRank[std::size_t(row)] != kNotDrawn)
                m_selectedRows.push_back(std::size_t(row));
        // in the base's order, the best on top
        std::sort(m_selectedRows.begin(), m_selectedRows.end(),
                  [&](std::size_t a, std::size_t b) { return m_drawRank[a] < m_drawRank[b]; });
    }
    m_overlayDirty = true;
}

void ScatterMatrix::rebuildOverlay() {
    const qreal dpr = devicePixelRatioF();
    m_overlay = QImage((QSizeF(size()) * dpr).toSize(), QImage::Format_ARGB32_Premultiplied);
    m_overlay.setDevicePixelRatio(dpr);
    m_overlay.fill(Qt::transparent);
    if (!m_selectedRows.empty()) {
        QColor bars = kSelectionColour;
        bars.setAlpha(200);
        drawHistograms(m_overlay, m_selectedRows, bars);
        drawPoints(m_overlay, m_selectedRows, true);
    }
    m_overlayDirty = false;
}

std::vector<int> ScatterMatrix::countBins(std::size_t k,
                                          const std::vector<std::size_t>& rows) const {
    if (k >= m_dims.size())
        return {};
    const Dimension& dim = m_columns.dimension(m_dims[k]);
    const bool categorical = dim.scale == AxisScale::Categorical;
    const int bins = categorical ? int(std::max<std::size_t>(1, dim.categories.size()))
                                 : std::clamp(int(plotArea(k, k).width() / 7), 4, 24);
    std::vector<int> counts(std::size_t(bins), 0);
    for (std::size_t r : rows) {
        const double t = categorical ? m_columns.value(r, m_dims[k]) // the category, unspread
                                     : double(k < m_pos.size() && r < m_pos[k].size()
                                                  ? m_pos[k][r]
                                                  : float(m_columns.position(r, m_dims[k])));
        if (std::isnan(t))
            continue;
        const int b = categorical ? int(t) : int(t * bins);
        ++counts[std::size_t(std::clamp(b, 0, bins - 1))];
    }
    return counts;
}

std::vector<int> ScatterMatrix::histogram(std::size_t k) const {
    return countBins(k, m_visible);
}

void ScatterMatrix::drawHistograms(QImage& image, const std::vector<std::size_t>& rows,
                                   QColor colour) const {
    QPainter p(&image);
    const double nameRoom = QFontMetricsF(smallFont()).height() + 3; // the name stays readable
    for (std::size_t k = 0; k < m_dims.size(); ++k) {
        const std::vector<int> counts = countBins(k, rows);
        const QRectF a = plotArea(k, k);
        const double tallest = std::max(4.0, a.height() - nameRoom);
        const bool categorical = m_columns.dimension(m_dims[k]).scale == AxisScale::Categorical;
        const double width = a.width() / double(counts.size());
        for (std::size_t b = 0; b < counts.size(); ++b) {
            if (counts[b] == 0)
                continue;
            const double maxCount = k < m_maxCounts.size() ? m_maxCounts[k] : 1.0;
            const double h = std::max(1.5, tallest * counts[b] / maxCount);
            // a category's bar as wide as its points spread; bins of a range side by side
            const double w = categorical ? width * 0.6 : std::max(1.0, width - 1);
            const double x = a.left() + double(b) * width + (width - w) / 2;
            p.fillRect(QRectF(x, a.bottom() - h, w, h), colour);
        }
    }
}

void ScatterMatrix::drawPoints(QImage& image, const std::vector<std::size_t>& rows,
                               bool ring) const {
    const std::size_t n = m_dims.size();
    if (n < 2 || rows.empty())
        return;
    const std::size_t cells = n * (n - 1);
    if (rows.size() * cells <= kPainterPoints) {
        // few points: antialiased discs, rings around the selected ones
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        const double radius = pointDiameter() / 2;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                if (i == j)
                    continue;
                p.setClipRect(cellRect(i, j));
                p.setPen(Qt::NoPen);
                for (std::size_t r : rows) {
                    const QPointF pt = pointPosition(r, i, j);
                    if (std::isnan(pt.x()) || std::isnan(pt.y()))
                        continue;
                    p.setBrush(QColor(m_colour[r]));
                    p.drawEllipse(pt, radius, radius);
                }
                if (!ring)
                    continue;
                p.setPen(QPen(kSelectionColour, 1.6)); // on top of every point
                p.setBrush(Qt::NoBrush);
                for (std::size_t r : rows)
                    if (const QPointF pt = pointPosition(r, i, j);
                        !std::isnan(pt.x()) && !std::isnan(pt.y()))
                        p.drawEllipse(pt, radius + 2, radius + 2);
            }
        return;
    }
    // many points: pixel stamps written straight into the image, about 3 ns each instead of
    // the microseconds of a painted disc; the selected ones a size larger
    const qreal dpr = image.devicePixelRatio();
    const int size = (rows.size() > 20000 ? 1 : rows.size() > 4000 ? 2 : 3) + (ring ? 1 : 0);
    const std::vector<QPoint> stamp = stampOffsets(int(std::lround(size * dpr)));
    // up to a few thousand selected trials stay ringed; more would paint the cells red
    const std::vector<QPoint> halo = ring && rows.size() <= 5000
                                         ? stampOffsets(int(std::lround((size + 2) * dpr)))
                                         : std::vector<QPoint>{};
    auto* bits = reinterpret_cast<QRgb*>(image.bits());
    const qsizetype stride = image.bytesPerLine() / qsizetype(sizeof(QRgb));
    struct Cell {
        QRect clip; // device pixels; cells never share one, so threads need no lock
        double ax, aw, ay, ah;
        const float *xs, *ys;
    };
    std::vector<Cell> todo;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            if (i == j)
                continue;
            const QRectF c = cellRect(i, j), a = plotArea(i, j);
            const QRect clip =
                QRect(QPoint(int(std::ceil(c.left() * dpr)), int(std::ceil(c.top() * dpr))),
                      QPoint(int(std::floor(c.right() * dpr)) - 1,
                             int(std::floor(c.bottom() * dpr)) - 1)) &
                image.rect();
            todo.push_back({clip, a.left() * dpr, a.width() * dpr, a.bottom() * dpr,
                            a.height() * dpr, m_pos[j].data(), m_pos[i].data()});
        }
    const auto drawCell = [&](const Cell& cell) {
        // the rings first, then the points: a dense cluster of selected trials keeps its colour
        // and gets a red edge
        for (const std::vector<QPoint>* shape : {&halo, &stamp}) {
            if (shape->empty())
                continue;
            for (std::size_t r : rows) {
                const float tx = cell.xs[r], ty = cell.ys[r];
                if (std::isnan(tx) || std::isnan(ty))
                    continue;
                const int cx = int(std::floor(cell.ax + double(tx) * cell.aw));
                const int cy = int(std::floor(cell.ay - double(ty) * cell.ah));
                const QRgb colour = shape == &halo ? kSelectionColour.rgb() : m_colour[r];
                for (const QPoint& o : *shape) {
                    const int x = cx + o.x(), y = cy + o.y();
                    if (x >= cell.clip.left() && x <= cell.clip.right() && y >= cell.clip.top() &&
                        y <= cell.clip.bottom())
                        bits[qsizetype(y) * stride + x] = colour;
                }
            }
        }
    };
    // the cells on several threads when there is enough to share, as LineDensity's bands
    const std::size_t threads =
        rows.size() * todo.size() < 400000
            ? 1
            : std::min<std::size_t>(todo.size(), std::max(1u, std::thread::hardware_concurrency()));
    if (threads == 1) {
        for (const Cell& cell : todo)
            drawCell(cell);
        return;
    }
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (std::size_t c = t; c < todo.size(); c += threads)
                drawCell(todo[c]);
        });
    for (std::thread& thread : pool)
        thread.join();
}

// ---- painting

void ScatterMatrix::drawLabels(QPainter& p) const {
    const std::size_t n = m_dims.size();
    const QFont small = smallFont();
    const QFontMetricsF fm(small);
    const QColor text = palette().color(QPalette::WindowText);
    QColor frame = text;
    frame.setAlpha(70);
    p.setPen(QPen(frame, 1));
    p.setBrush(Qt::NoBrush);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            p.drawRect(cellRect(i, j).adjusted(0.5, 0.5, -0.5, -0.5));
    p.setFont(small);
    // y ticks left of the first column, x ticks under the last row; labels that would overlap
    // the one before are left out, across cells too
    const QRectF grid = gridRect();
    double lastBottom = -1e9;
    for (std::size_t i = 0; i < n; ++i) {
        const QRectF a = plotArea(i, 0);
        const Dimension& dim = m_columns.dimension(m_dims[i]);
        auto ticks = dimensionTicks(dim, std::clamp(int(a.height() / (fm.height() * 2.2)), 2, 5));
        std::reverse(ticks.begin(), ticks.end()); // top to bottom
        for (const auto& [t, label] : ticks) {
            const double y = a.bottom() - t * a.height();
            const QRectF box(0, y - fm.height() / 2, grid.left() - 6, fm.height());
            if (box.top() < lastBottom || y < cellRect(i, 0).top() - 1)
                continue;
            lastBottom = box.bottom();
            p.setPen(frame);
            p.drawLine(QPointF(grid.left() - 3, y), QPointF(grid.left(), y));
            p.setPen(text);
            p.drawText(box, Qt::AlignRight | Qt::AlignVCenter,
                       fm.elidedText(label, Qt::ElideRight, box.width() - 2));
        }
    }
    double lastRight = -1e9;
    const double y = grid.bottom() + 2;
    for (std::size_t j = 0; j < n; ++j) {
        const QRectF a = plotArea(n - 1, j);
        const Dimension& dim = m_columns.dimension(m_dims[j]);
        const auto ticks = dimensionTicks(dim, std::clamp(int(a.width() / 60), 2, 6));
        const double room = dim.scale == AxisScale::Categorical
                                ? a.width() / double(std::max<std::size_t>(1, ticks.size()))
                                : a.width();
        for (const auto& [t, label] : ticks) {
            const double x = a.left() + t * a.width();
            const QString shown = fm.elidedText(label, Qt::ElideRight, std::max(room - 2, 12.0));
            const double w = fm.horizontalAdvance(shown);
            const QRectF box(std::min(x - w / 2, width() - kRight - w), y + 2, w, fm.height());
            if (box.left() < lastRight + 6)
                continue;
            lastRight = box.right();
            p.setPen(frame);
            p.drawLine(QPointF(x, grid.bottom()), QPointF(x, grid.bottom() + 3));
            p.setPen(text);
            p.drawText(box, Qt::AlignCenter, shown);
        }
    }
    // each dimension's name on its histogram, objectives in bold
    QColor patch = palette().color(QPalette::Base);
    patch.setAlpha(200);
    for (std::size_t k = 0; k < n; ++k) {
        const Dimension& dim = m_columns.dimension(m_dims[k]);
        QFont nameFont = small;
        nameFont.setBold(dim.objective);
        const QFontMetricsF nfm(nameFont);
        const QRectF a = plotArea(k, k);
        const QString name =
            nfm.elidedText(QString::fromStdString(dim.name) +
                               (dim.scale == AxisScale::Log ? QStringLiteral(" (log)") : QString()),
                           Qt::ElideMiddle, a.width());
        const QRectF box(a.left(), a.top() - 2, nfm.horizontalAdvance(name), nfm.height());
        p.fillRect(box.adjusted(-1, 0, 1, 0), patch);
        p.setFont(nameFont);
        p.setPen(text);
        p.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, name);
    }
}

void ScatterMatrix::drawLegend(QPainter& p) const {
    if (m_legendWidth <= 0 || m_colourDim >= m_columns.dimensions())
        return;
    // colour: NAME, dark = best, and a bar from the best end (top) to the worst
    const Dimension& dim = m_columns.dimension(m_colourDim);
    const QFont small = smallFont();
    const QFontMetricsF fm(small);
    p.setFont(small);
    p.setPen(palette().color(QPalette::WindowText));
    const QRectF g = gridRect();
    const double left = g.right() + 10, room = width() - kRight - left;
    p.drawText(QRectF(left, g.top(), room, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(tr("colour"), Qt::ElideRight, room));
    QFont bold = small;
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(
        QRectF(left, g.top() + fm.height(), room, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetricsF(bold).elidedText(QString::fromStdString(dim.name), Qt::ElideMiddle, room));
    p.setFont(small);
    const QRectF bar(left, g.top() + 2 * fm.height() + 8, 10,
                     g.bottom() - g.top() - 3 * fm.height() - 12);
    if (bar.height() < 16)
        return;
    QLinearGradient gradient(bar.topLeft(), bar.bottomLeft());
    for (int i = 0; i <= 8; ++i)
        gradient.setColorAt(i / 8.0, objectiveColour(i / 8.0));
    p.fillRect(bar, gradient);
    const bool maximize = dim.direction == Direction::Maximize;
    const bool clipped = std::isfinite(m_colourLow);
    const QString lowText =
        (clipped ? QStringLiteral("≤") : QString()) + numberText(clipped ? m_colourLow : dim.min);
    const QString highText =
        (clipped ? QStringLiteral("≥") : QString()) + numberText(clipped ? m_colourHigh : dim.max);
    const double textLeft = bar.right() + 4, textRoom = width() - kRight - textLeft;
    p.drawText(QRectF(textLeft, bar.top() - fm.height() / 2, textRoom, fm.height()),
               Qt::AlignLeft | Qt::AlignVCenter, maximize ? highText : lowText);
    p.drawText(QRectF(textLeft, bar.bottom() - fm.height() / 2, textRoom, fm.height()),
               Qt::AlignLeft | Qt::AlignVCenter, maximize ? lowText : highText);
    p.drawText(QRectF(left, bar.bottom() + fm.height() / 2 + 2, room, fm.height()),
               Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(objectiveColourNote(), Qt::ElideRight, room));
}

void ScatterMatrix::paintEvent(QPaintEvent*) {
    const QSize wanted = (QSizeF(size()) * devicePixelRatioF()).toSize();
    if (m_base.size() != wanted)
        m_baseDirty = true;
    if (!m_rebuildTimer->isActive() || m_base.isNull()) {
        if (m_baseDirty)
            rebuildBase();
        if (m_overlayDirty || m_overlay.size() != wanted)
            rebuildOverlay();
    }
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (m_columns.dimensions() == 0 || m_columns.rows() == 0 || m_dims.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter,
                   m_columns.dimensions() == 0 ? tr("No study open")
                   : m_dims.empty()            ? tr("No dimensions chosen (context menu)")
                                               : tr("No trials yet"));
        if (m_columns.dimensions() == 0 || m_dims.empty())
            return;
    }
    p.drawImage(QPointF(0, 0), m_base);
    if (!m_selection->isEmpty()) {
        // dim the rest, then the selection on top
        QColor wash = palette().color(QPalette::Base);
        wash.setAlpha(185);
        p.fillRect(gridRect(), wash);
        p.drawImage(QPointF(0, 0), m_overlay);
    }
    drawLabels(p);
    drawLegend(p);
    if (m_dragging && (m_dragPos - m_pressPos).manhattanLength() >= 4) {
        const QRectF band = QRectF(m_pressPos, m_dragPos).normalized() &
                            cellRect(m_dragCell.first, m_dragCell.second);
        p.setPen(QPen(QColor(220, 110, 0), 1, Qt::DashLine));
        p.setBrush(QColor(255, 140, 0, 50));
        p.drawRect(band);
    }
}

void ScatterMatrix::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) { // colours and text follow the theme
        m_baseDirty = m_overlayDirty = true;
        update();
    }
}

void ScatterMatrix::resizeEvent(QResizeEvent* event) {
    m_baseDirty = m_overlayDirty = true;
    QWidget::resizeEvent(event);
}

// ---- interaction

void ScatterMatrix::selectInRect(std::size_t i, std::size_t j, const QRectF& pixels, bool add) {
    QSet<qint64> ids = add ? m_selection->selected() : QSet<qint64>();
    if (i < m_pos.size() && j < m_pos.size()) {
        const QRectF a = plotArea(i, j);
        const QRectF r = pixels.normalized();
        const double x0 = (r.left() - a.left()) / a.width();
        const double x1 = (r.right() - a.left()) / a.width();
        const double y0 = (a.bottom() - r.bottom()) / a.height();
        const double y1 = (a.bottom() - r.top()) / a.height();
        for (std::size_t row : m_visible) {
            const double x = m_pos[j][row], y = m_pos[i][row];
            // on the diagonal the band is a range of its dimension (NaN compares false)
            if (x >= x0 && x <= x1 && (i == j || (y >= y0 && y <= y1)))
                ids.insert(m_columns.trialId(row));
        }
    }
    m_selection->setSelected(ids);
}

std::optional<std::size_t> ScatterMatrix::rowNear(const QPointF& pos) const {
    const auto cell = cellAt(pos);
    if (!cell || cell->first == cell->second)
        return std::nullopt;
    std::optional<std::size_t> best;
    double bestDistance = 36; // 6 pixels, squared
    for (std::size_t r : m_visible) {
        const QPointF pt = pointPosition(r, cell->first, cell->second);
        const double dx = pt.x() - pos.x(), dy = pt.y() - pos.y();
        if (dx * dx + dy * dy <= bestDistance) { // `<=`: the one drawn on top wins a tie
            bestDistance = dx * dx + dy * dy;
            best = r;
        }
    }
    return best;
}

void ScatterMatrix::mousePressEvent(QMouseEvent* event) {
    const auto cell = cellAt(event->position());
    if (event->button() != Qt::LeftButton || !cell)
        return QWidget::mousePressEvent(event);
    m_dragging = true;
    m_dragCell = *cell;
    m_pressPos = m_dragPos = event->position();
}

void ScatterMatrix::mouseMoveEvent(QMouseEvent* event) {
    if (m_dragging) {
        m_dragPos = event->position();
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void ScatterMatrix::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !m_dragging)
        return QWidget::mouseReleaseEvent(event);
    m_dragging = false;
    const QPointF pos = event->position();
    const bool add = event->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier);
    if ((pos - m_pressPos).manhattanLength() < 4) {
        // a click: the trial under the cursor, or nothing
        if (const auto row = rowNear(pos)) {
            const qint64 id = m_columns.trialId(*row);
            if (add)
                m_selection->toggle(id);
            else
                m_selection->setSelected({id});
        } else if (!add) {
            m_selection->clear();
        }
    } else {
        selectInRect(m_dragCell.first, m_dragCell.second,
                     QRectF(m_pressPos, pos).normalized() &
                         cellRect(m_dragCell.first, m_dragCell.second),
                     event->modifiers() & Qt::ShiftModifier);
    }
    update();
}

void ScatterMatrix::mouseDoubleClickEvent(QMouseEvent* event) {
    const auto cell = cellAt(event->position());
    if (event->button() != Qt::LeftButton || !cell || cell->first == cell->second)
        return QWidget::mouseDoubleClickEvent(event);
    Q_EMIT pairActivated(QString::fromStdString(m_columns.dimension(m_dims[cell->second]).name),
                         QString::fromStdString(m_columns.dimension(m_dims[cell->first]).name));
}

void ScatterMatrix::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QMenu* dims = menu.addMenu(tr("Dimensions"));
    for (std::size_t d = 0; d < m_columns.dimensions(); ++d) {
        QAction* a = dims->addAction(QString::fromStdString(m_columns.dimension(d).name));
        a->setCheckable(true);
        const bool shown = std::find(m_dims.begin(), m_dims.end(), d) != m_dims.end();
        a->setChecked(shown);
        a->setEnabled(!shown || m_dims.size() > 1); // the last one stays
        connect(a, &QAction::triggered, this, [this, d](bool add) {
            std::vector<std::size_t> next = m_dims;
            if (add)
                next.push_back(d);
            else
                next.erase(std::remove(next.begin(), next.end(), d), next.end());
            setDimensions(std::move(next));
        });
    }
    QAction* automatic = menu.addAction(tr("Choose dimensions by importance"), this,
                                        &ScatterMatrix::chooseDimensionsAutomatically);
    automatic->setCheckable(true);
    automatic->setChecked(m_autoDims);
    menu.addSeparator();
    QAction* clearAction =
        menu.addAction(tr("Clear selection"), m_selection, &TrialSelection::clear);
    clearAction->setEnabled(!m_selection->isEmpty());
    menu.exec(event->globalPos());
}

bool ScatterMatrix::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        if (const auto row = rowNear(help->pos()))
            QToolTip::showText(help->globalPos(), trialText(m_columns, *row), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

} // namespace ps
