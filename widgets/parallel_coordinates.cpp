#include "widgets/parallel_coordinates.h"

#include "core/explore/category_jitter.h"
#include "core/explore/variance_explained.h"
#include "widgets/color_maps.h"
#include "widgets/dimension_labels.h"
#include "widgets/line_density.h"
#include "widgets/trial_selection.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTimer>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace ps {

namespace {

constexpr int kColorBins = 64;
constexpr double kAxisGrab = 8;     // pixels either side of an axis that start a brush
constexpr double kTitleHeight = 34; // above the plot: axis titles, where axes are dragged
constexpr double kBottomMargin = 26;
// The most selected lines the highlight rasterizes; above it an even sample of them, with the
// opacity scaled to match (rebuildHighlight). Keeps the redraw after a wide brush (50,000
// lines, over 100M pixel updates) within a frame or two.
constexpr std::size_t kMaxHighlightLines = 4000;

} // namespace

ParallelCoordinates::ParallelCoordinates(TrialSelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_rebuildTimer(new QTimer(this)) {
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus);
    setMinimumSize(320, 200);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_rebuildTimer->setSingleShot(true);
    m_rebuildTimer->setInterval(150); // coalesces bursts of trials from a running study
    connect(m_rebuildTimer, &QTimer::timeout, this, [this] { update(); });
    connect(m_selection, &TrialSelection::selectionChanged, this,
            &ParallelCoordinates::onSelectionChanged);
    connect(m_selection, &TrialSelection::filterChanged, this, [this] {
        m_baseDirty = true;
        if (!m_brushes.empty())
            brushesToSelection(); // a brush selects among the trials shown
        else
            onSelectionChanged();
    });
}

void ParallelCoordinates::setStudyLayout(const SearchSpace& space,
                                         const std::vector<Objective>& objectives) {
    m_columns.setLayout(space, objectives);
    m_order.resize(m_columns.dimensions());
    std::iota(m_order.begin(), m_order.end(), std::size_t{0});
    m_brushes.clear();
    m_colorDim = objectives.empty() ? 0 : m_columns.dimensions() - objectives.size();
    m_selectedRows.clear();
    m_hover.reset();
    m_baseDirty = m_highlightDirty = true;
    update();
}

void ParallelCoordinates::applyTrials(const TrialList& trials) {
    const std::size_t before = m_columns.dimensions();
    const TrialColumns::Update u = m_columns.apply(trials);
    if (m_columns.dimensions() != before) {
        // new parameters are inserted in front of the objectives: map the order over
        const std::size_t added = m_columns.dimensions() - before;
        std::size_t firstObjective = 0;
        while (firstObjective < m_columns.dimensions() &&
               !m_columns.dimension(firstObjective).objective)
            ++firstObjective;
        const std::size_t oldFirstObjective = firstObjective - added;
        for (auto& d : m_order)
            if (d >= oldFirstObjective)
                d += added;
        std::map<std::size_t, std::pair<double, double>> brushes;
        for (const auto& [d, range] : m_brushes)
            brushes[d >= oldFirstObjective ? d + added : d] = range;
        m_brushes = std::move(brushes);
        if (m_colorDim >= oldFirstObjective)
            m_colorDim += added;
        for (std::size_t d = oldFirstObjective; d < firstObjective; ++d)
            m_order.insert(m_order.begin() + std::ptrdiff_t(std::min(d, m_order.size())), d);
    }
    if (u.added.empty() && u.changed.empty() && !u.dimensionsChanged)
        return;
    m_baseDirty = true;
    if (!m_brushes.empty())
        brushesToSelection(); // a brush is a filter: trials arriving inside it join the selection
    else if (!m_selection->isEmpty())
        onSelectionChanged(); // new rows may be selected already; changed ones moved
    scheduleRebuild();
}

void ParallelCoordinates::clear() {
    m_columns.clear();
    m_selectedRows.clear();
    m_hover.reset();
    m_baseDirty = m_highlightDirty = true;
    update();
}

void ParallelCoordinates::setAxisOrder(std::vector<std::size_t> order) {
    std::vector<std::size_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != i || sorted.size() != m_columns.dimensions())
            return; // not a permutation of the dimensions
    m_order = std::move(order);
    m_baseDirty = m_highlightDirty = true;
    update();
}

void ParallelCoordinates::moveAxis(std::size_t from, std::size_t to) {
    if (from >= m_order.size() || to >= m_order.size() || from == to)
        return;
    const std::size_t d = m_order[from];
    m_order.erase(m_order.begin() + std::ptrdiff_t(from));
    m_order.insert(m_order.begin() + std::ptrdiff_t(to), d);
    m_baseDirty = m_highlightDirty = true;
    update();
}

void ParallelCoordinates::orderByImportance(const std::map<std::string, double>& importance) {
    std::vector<std::size_t> order = parametersByImportance(m_columns, importance);
    for (std::size_t d : m_order)
        if (m_columns.dimension(d).objective)
            order.push_back(d); // objectives stay at the right end, in their current order
    setAxisOrder(std::move(order));
}

void ParallelCoordinates::setColorDimension(std::size_t dimension) {
    if (dimension >= m_columns.dimensions() || dimension == m_colorDim)
        return;
    m_colorDim = dimension;
    m_baseDirty = m_highlightDirty = true;
    update();
}

void ParallelCoordinates::setBrush(std::size_t dimension, double low, double high) {
    if (dimension >= m_columns.dimensions())
        return;
    m_brushes[dimension] = {std::min(low, high), std::max(low, high)};
    brushesToSelection();
}

void ParallelCoordinates::clearBrush(std::size_t dimension) {
    if (m_brushes.erase(dimension))
        brushesToSelection();
}

void ParallelCoordinates::clearBrushes() {
    if (m_brushes.empty())
        return;
    m_brushes.clear();
    brushesToSelection();
}

std::vector<Brush> ParallelCoordinates::brushes() const {
    std::vector<Brush> out;
    for (const auto& [d, range] : m_brushes)
        out.push_back({d, range.first, range.second});
    return out;
}

void ParallelCoordinates::brushesToSelection() {
    QSet<qint64> ids;
    if (!m_brushes.empty()) {
        const std::vector<std::uint8_t> inside = brushedRows(m_columns, brushes());
        ids.reserve(int(std::count(inside.begin(), inside.end(), std::uint8_t{1})));
        for (std::size_t r = 0; r < inside.size(); ++r)
            if (inside[r] && !m_selection->isHidden(m_columns.trialId(r)))
                ids.insert(m_columns.trialId(r));
    }
    m_applyingBrush = true;
    m_selection->setSelected(ids);
    m_applyingBrush = false;
    onSelectionChanged(); // also when the selection happened to be equal already
    Q_EMIT brushesChanged();
}

void ParallelCoordinates::onSelectionChanged() {
    if (!m_applyingBrush && !m_brushes.empty() && m_selection->isEmpty()) {
        m_brushes.clear(); // cleared elsewhere: the brushes no longer describe it
        Q_EMIT brushesChanged();
    }
    m_selectedRows.clear();
    const QSet<qint64>& selected = m_selection->selected();
    if (std::size_t(selected.size()) * 4 < m_columns.rows()) {
        for (qint64 id : selected)
            if (const long long row = m_columns.rowOf(id); row >= 0 && !m_selection->isHidden(id))
                m_selectedRows.push_back(std::size_t(row));
        std::sort(m_selectedRows.begin(), m_selectedRows.end());
    } else {
        for (std::size_t r = 0; r < m_columns.rows(); ++r)
            if (selected.contains(m_columns.trialId(r)) &&
                !m_selection->isHidden(m_columns.trialId(r)))
                m_selectedRows.push_back(r);
    }
    m_highlightDirty = true;
    update();
}

void ParallelCoordinates::scheduleRebuild() {
    if (!m_rebuildTimer->isActive())
        m_rebuildTimer->start();
}

void ParallelCoordinates::rebuildNow() {
    m_rebuildTimer->stop();
    if (m_baseDirty)
        rebuildBase();
    if (m_highlightDirty)
        rebuildHighlight();
}

QRectF ParallelCoordinates::plotRect() const {
    const double side = 56;
    return QRectF(side, kTitleHeight + 10, std::max(10.0, width() - 2 * side),
                  std::max(10.0, height() - kTitleHeight - 10 - kBottomMargin));
}

double ParallelCoordinates::axisX(std::size_t position) const {
    const QRectF r = plotRect();
    if (m_order.size() <= 1)
        return r.center().x();
    return r.left() + r.width() * double(position) / double(m_order.size() - 1);
}

double ParallelCoordinates::positionY(double t) const {
    const QRectF r = plotRect();
    return r.bottom() - t * r.height();
}

void ParallelCoordinates::updateColorRange() {
    m_colorLow = m_colorHigh = NAN;
    if (m_colorDim >= m_columns.dimensions())
        return;
    const Dimension& dim = m_columns.dimension(m_colorDim);
    if (dim.scale == AxisScale::Categorical)
        return;
    // the 2nd to 98th percentile: one diverged trial must not turn every other line one colour
    std::vector<double> values;
    values.reserve(m_columns.rows());
    for (std::size_t r = 0; r < m_columns.rows(); ++r)
        if (const double t = m_columns.position(r, m_colorDim); std::isfinite(t))
            values.push_back(t);
    if (values.size() < 10)
        return;
    const auto at = [&](double q) {
        auto it = values.begin() + std::ptrdiff_t(q * double(values.size() - 1));
        std::nth_element(values.begin(), it, values.end());
        return *it;
    };
    m_colorLow = at(0.02);
    m_colorHigh = at(0.98);
    if (!(m_colorHigh > m_colorLow))
        m_colorLow = m_colorHigh = NAN;
}

double ParallelCoordinates::colorPosition(std::size_t row) const {
    if (m_colorDim >= m_columns.dimensions())
        return NAN;
    double t = m_columns.position(row, m_colorDim);
    if (std::isfinite(m_colorLow) && std::isfinite(t))
        t = std::clamp((t - m_colorLow) / (m_colorHigh - m_colorLow), 0.0, 1.0);
    // an objective's best end is dark, whichever its direction: it stands out on the light
    // background
    const Dimension& dim = m_columns.dimension(m_colorDim);
    return dim.objective && dim.direction == Direction::Maximize ? 1.0 - t : t;
}

double ParallelCoordinates::drawnPosition(std::size_t row, std::size_t d) const {
    const double t = m_columns.position(row, d);
    const Dimension& dim = m_columns.dimension(d);
    if (dim.scale != AxisScale::Categorical || std::isnan(t))
        return t;
    return t + categoryJitter(row) / double(std::max<std::size_t>(1, dim.categories.size()));
}

QImage ParallelCoordinates::drawLines(const std::vector<std::size_t>& rows, double gain) const {
    const qreal dpr = devicePixelRatioF();
    const QSize pixels = (QSizeF(size()) * dpr).toSize();
    LineDensity density(pixels.width(), pixels.height());
    const std::size_t axes = m_order.size();
    if (axes >= 2 && !rows.empty()) {
        // whole device pixels, so that the bands between axes never share a column
        std::vector<float> xs(axes);
        for (std::size_t a = 0; a < axes; ++a)
            xs[a] = float(std::lround(axisX(a) * dpr));
        const QRectF r = plotRect();
        const double bottom = r.bottom() * dpr, span = r.height() * dpr;
        // the colour of each row once, not once per band
        std::vector<QRgb> colours(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const double t = colorPosition(rows[i]);
            colours[i] =
                std::isnan(t)
                    ? qRgb(150, 150, 150)
                    : objectiveColour((std::floor(t * kColorBins) + 0.5) / kColorBins).rgb();
        }
        density.addBands(int(axes - 1), [&](int band, const LineDensity::Emit& emit) {
            const std::size_t left = m_order[std::size_t(band)],
                              right = m_order[std::size_t(band) + 1];
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const double t0 = drawnPosition(rows[i], left), t1 = drawnPosition(rows[i], right);
                if (std::isnan(t0) || std::isnan(t1))
                    continue;
                emit(xs[std::size_t(band)], float(bottom - t0 * span), xs[std::size_t(band) + 1],
                     float(bottom - t1 * span), colours[i]);
            }
        });
    }
    return density.compose(gain, dpr);
}

void ParallelCoordinates::rebuildBase() {
    updateColorRange();
    std::vector<std::size_t> rows;
    rows.reserve(m_columns.rows());
    for (std::size_t r = 0; r < m_columns.rows(); ++r)
        if (m_columns.state(r) != TrialState::Waiting &&
            !m_selection->isHidden(m_columns.trialId(r)))
            rows.push_back(r);
    // many lines get fainter ones, so that density shows instead of a solid block
    m_base = drawLines(rows, std::clamp(12.0 / std::sqrt(double(rows.size()) + 1.0), 0.02, 0.9));
    m_drawnLines = int(rows.size());
    m_baseDirty = false;
    m_highlightDirty = true;
}

void ParallelCoordinates::rebuildHighlight() {
    const std::size_t selected = m_selectedRows.size();
    const double gain = std::clamp(20.0 / std::sqrt(double(selected) + 1.0), 0.15, 2.5);
    if (selected <= kMaxHighlightLines) {
        m_highlight = drawLines(m_selectedRows, gain);
    } else {
        // Adaptive sampling, as QCustomPlot thins a dense graph: an even 1-in-k sample by row
        // (rows are in arrival order, unrelated to any axis' values) crosses each pixel about
        // 1/k as often, so a k times higher gain gives the same density where lines are
        // many, and the redraw costs what kMaxHighlightLines lines cost whatever the brush.
        std::vector<std::size_t> sample;
        sample.reserve(kMaxHighlightLines + 1);
        const double step = double(selected) / double(kMaxHighlightLines);
        for (double i = 0; std::size_t(i) < selected; i += step)
            sample.push_back(m_selectedRows[std::size_t(i)]);
        m_highlight = drawLines(sample, gain * double(selected) / double(sample.size()));
    }
    m_highlightedLines = int(selected);
    m_highlightDirty = false;
}

void ParallelCoordinates::drawAxes(QPainter& p) const {
    const QRectF r = plotRect();
    const QPalette& pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    QFont small = font();
    small.setPointSizeF(std::max(6.0, font().pointSizeF() * 0.85));
    const QFontMetricsF fm(small);
    for (std::size_t a = 0; a < m_order.size(); ++a) {
        const std::size_t d = m_order[a];
        const Dimension& dim = m_columns.dimension(d);
        const double x = (m_drag == Drag::Axis && int(a) == m_dragAxis) ? m_dragPos.x() : axisX(a);
        // brush
        if (const auto it = m_brushes.find(d); it != m_brushes.end()) {
            const auto pos = [&](double v) {
                if (dim.scale == AxisScale::Categorical)
                    return (v + 0.5) / double(std::max<std::size_t>(1, dim.categories.size()));
                if (dim.scale == AxisScale::Log)
                    return dim.max > dim.min ? (std::log(v) - std::log(dim.min)) /
                                                   (std::log(dim.max) - std::log(dim.min))
                                             : 0.5;
                return dim.max > dim.min ? (v - dim.min) / (dim.max - dim.min) : 0.5;
            };
            const double half = dim.scale == AxisScale::Categorical
                                    ? 0.5 / double(std::max<std::size_t>(1, dim.categories.size()))
                                    : 0.0;
            const double y1 = positionY(std::clamp(pos(it->second.second) + half, 0.0, 1.0));
            const double y0 = positionY(std::clamp(pos(it->second.first) - half, 0.0, 1.0));
            p.fillRect(QRectF(x - 7, y1, 14, y0 - y1), QColor(255, 140, 0, 110));
            p.setPen(QPen(QColor(220, 110, 0), 1));
            p.drawRect(QRectF(x - 7, y1, 14, y0 - y1));
        }
        p.setPen(QPen(text, 1.2));
        p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
        // title, elided to the spacing between axes; objectives in bold
        QFont titleFont = font();
        titleFont.setBold(dim.objective);
        p.setFont(titleFont);
        const double spacing =
            m_order.size() > 1 ? r.width() / double(m_order.size() - 1) : r.width();
        const QString title = QFontMetricsF(titleFont).elidedText(
            QString::fromStdString(dim.name), Qt::ElideMiddle, std::max(30.0, spacing - 6));
        p.drawText(QRectF(x - spacing / 2, 2, spacing, kTitleHeight - 14),
                   Qt::AlignHCenter | Qt::AlignBottom, title);
        p.setFont(small);
        const QString scale = dim.scale == AxisScale::Log ? QStringLiteral("log") : QString();
        if (!scale.isEmpty())
            p.drawText(QRectF(x - spacing / 2, kTitleHeight - 14, spacing, 14),
                       Qt::AlignHCenter | Qt::AlignTop, scale);
        // ticks and labels
        std::vector<std::pair<double, QString>> ticks =
            dimensionTicks(dim, std::min(6, std::max(2, int(r.height() / (fm.height() * 2.5)))));
        if (dim.scale == AxisScale::Categorical) { // as many as fit
            const std::size_t k = ticks.size();
            const std::size_t every = std::max<std::size_t>(
                1, std::size_t(std::ceil(double(k) * fm.height() / std::max(1.0, r.height()))));
            std::vector<std::pair<double, QString>> kept;
            for (std::size_t c = 0; c < k; c += every)
                kept.push_back(ticks[c]);
            ticks = std::move(kept);
        }
        p.setPen(text);
        QColor labelBackground = pal.color(QPalette::Base); // keeps labels readable over lines
        labelBackground.setAlpha(215);
        for (const auto& [t, label] : ticks) {
            const double y = positionY(t);
            p.drawLine(QPointF(x - 3, y), QPointF(x, y));
            const double w = fm.horizontalAdvance(label);
            // labels left of the axis, on a translucent patch
            const QRectF box(x - 5 - w, y - fm.height() / 2, w, fm.height());
            p.fillRect(box.adjusted(-1, 0, 1, 0), labelBackground);
            p.drawText(box, Qt::AlignRight | Qt::AlignVCenter, label);
        }
    }
}

void ParallelCoordinates::drawLegend(QPainter& p) const {
    if (m_colorDim >= m_columns.dimensions() || m_columns.rows() == 0)
        return;
    const Dimension& dim = m_columns.dimension(m_colorDim);
    if (!dim.hasRange && dim.scale != AxisScale::Categorical)
        return;
    // colour: NAME  [best ... worst] at the bottom right, under the plot
    QFont small = font();
    small.setPointSizeF(std::max(6.0, font().pointSizeF() * 0.85));
    p.setFont(small);
    const QFontMetricsF fm(small);
    const bool flipped = dim.objective && dim.direction == Direction::Maximize;
    const auto endText = [&](bool low) {
        if (dim.scale == AxisScale::Categorical)
            return categoryText(dim, low ? 0 : dim.categories.size() - 1);
        if (std::isfinite(m_colorLow)) // clipped at percentiles: the ends say so
            return (low ? QStringLiteral("≤") : QStringLiteral("≥")) +
                   numberText(m_columns.valueAt(m_colorDim, low ? m_colorLow : m_colorHigh));
        return numberText(low ? dim.min : dim.max);
    };
    const QString left = endText(!flipped), right = endText(flipped);
    const double barWidth = 120, y = height() - kBottomMargin / 2;
    const double rightEdge = width() - 8;
    const double rightX = rightEdge - fm.horizontalAdvance(right);
    const QRectF bar(rightX - 6 - barWidth, y - 5, barWidth, 10);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 8; ++i)
        gradient.setColorAt(i / 8.0, objectiveColour(i / 8.0));
    p.fillRect(bar, gradient);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QPointF(rightX, y + fm.ascent() / 2 - 1), right);
    const QString title =
        tr("colour: %1").arg(QString::fromStdString(dim.name)) +
        (dim.objective ? QStringLiteral(" (%1)").arg(objectiveColourNote()) : QString());
    const double leftX = bar.left() - 6 - fm.horizontalAdvance(left);
    p.drawText(QPointF(leftX, y + fm.ascent() / 2 - 1), left);
    p.drawText(QPointF(leftX - 12 - fm.horizontalAdvance(title), y + fm.ascent() / 2 - 1), title);
}

void ParallelCoordinates::paintEvent(QPaintEvent*) {
    const qreal dpr = devicePixelRatioF();
    const QSize wanted = (QSizeF(size()) * dpr).toSize();
    if (m_base.size() != wanted)
        m_baseDirty = true;
    if (!m_rebuildTimer->isActive() || m_base.isNull()) {
        if (m_baseDirty)
            rebuildBase();
        if (m_highlightDirty || m_highlight.size() != wanted)
            rebuildHighlight();
    }
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (m_columns.dimensions() == 0 || m_columns.rows() == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter,
                   m_columns.dimensions() == 0 ? tr("No study open") : tr("No trials yet"));
        if (m_columns.dimensions() == 0)
            return;
    }
    if (m_drag != Drag::Axis) { // while an axis moves, only the axes are drawn
        p.drawImage(QPointF(0, 0), m_base);
        if (!m_selectedRows.empty() || !m_selection->isEmpty()) {
            // dim the rest, then the selection on top in full colour
            QColor wash = palette().color(QPalette::Base);
            wash.setAlpha(185);
            p.fillRect(rect(), wash);
            p.drawImage(QPointF(0, 0), m_highlight);
        }
        if (m_hover && *m_hover < m_columns.rows()) {
            QPainterPath path;
            bool open = false;
            for (std::size_t a = 0; a < m_order.size(); ++a) {
                const double t = drawnPosition(*m_hover, m_order[a]);
                if (std::isnan(t)) {
                    open = false;
                    continue;
                }
                const QPointF pt(axisX(a), positionY(t));
                if (open)
                    path.lineTo(pt);
                else
                    path.moveTo(pt);
                open = true;
            }
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(QPen(QColor(214, 39, 40), 2.5));
            p.drawPath(path);
            p.setRenderHint(QPainter::Antialiasing, false);
        }
    }
    drawAxes(p);
    drawLegend(p);
    if (m_drag == Drag::Brush) {
        const double x = axisX(std::size_t(m_dragAxis));
        const double y0 = std::clamp(m_pressPos.y(), plotRect().top(), plotRect().bottom());
        const double y1 = std::clamp(m_dragPos.y(), plotRect().top(), plotRect().bottom());
        p.setPen(QPen(QColor(220, 110, 0), 1, Qt::DashLine));
        p.setBrush(QColor(255, 140, 0, 60));
        p.drawRect(QRectF(x - 7, std::min(y0, y1), 14, std::abs(y1 - y0)));
    }
}

void ParallelCoordinates::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        scheduleRebuild(); // the lines' colours follow the theme
}

void ParallelCoordinates::resizeEvent(QResizeEvent* event) {
    m_baseDirty = m_highlightDirty = true;
    QWidget::resizeEvent(event);
}

int ParallelCoordinates::axisAt(const QPointF& pos, double tolerance) const {
    int best = -1;
    double bestDistance = tolerance;
    for (std::size_t a = 0; a < m_order.size(); ++a) {
        const double distance = std::abs(pos.x() - axisX(a));
        if (distance <= bestDistance) {
            best = int(a);
            bestDistance = distance;
        }
    }
    return best;
}

void ParallelCoordinates::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || m_order.empty())
        return QWidget::mousePressEvent(event);
    const QPointF pos = event->position();
    m_pressPos = m_dragPos = pos;
    const QRectF r = plotRect();
    if (pos.y() < r.top()) {
        // a title: drag the axis sideways
        const double spacing = m_order.size() > 1 ? r.width() / double(m_order.size() - 1) : 1e9;
        m_dragAxis = axisAt(pos, spacing / 2);
        m_drag = m_dragAxis >= 0 ? Drag::Axis : Drag::None;
    } else {
        m_dragAxis = axisAt(pos, kAxisGrab);
        m_drag = m_dragAxis >= 0 ? Drag::Brush : Drag::None;
    }
    update();
}

void ParallelCoordinates::mouseMoveEvent(QMouseEvent* event) {
    const QPointF pos = event->position();
    if (m_drag != Drag::None) {
        m_dragPos = pos;
        update();
        return;
    }
    const std::optional<std::size_t> near = rowNear(pos);
    if (near != m_hover) {
        m_hover = near;
        update();
    }
    if (axisAt(pos, kAxisGrab) >= 0 && pos.y() >= plotRect().top())
        setCursor(Qt::SizeVerCursor);
    else if (pos.y() < plotRect().top() && !m_order.empty())
        setCursor(Qt::OpenHandCursor);
    else
        unsetCursor();
}

void ParallelCoordinates::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || m_drag == Drag::None)
        return QWidget::mouseReleaseEvent(event);
    const Drag drag = m_drag;
    m_drag = Drag::None;
    const QPointF pos = event->position();
    const std::size_t axis = std::size_t(m_dragAxis);
    if (drag == Drag::Axis) {
        // the axis goes where it was dropped
        const QRectF r = plotRect();
        const double t = m_order.size() > 1 ? (pos.x() - r.left()) / r.width() : 0;
        const std::size_t to = std::size_t(
            std::clamp(std::lround(t * double(m_order.size() - 1)), 0L, long(m_order.size() - 1)));
        moveAxis(axis, to);
        update();
        return;
    }
    const std::size_t d = m_order[axis];
    if (std::abs(pos.y() - m_pressPos.y()) < 3) { // a click on the axis clears its brush
        clearBrush(d);
        update();
        return;
    }
    const QRectF r = plotRect();
    const auto toT = [&](double y) { return std::clamp((r.bottom() - y) / r.height(), 0.0, 1.0); };
    const double t0 = toT(m_pressPos.y()), t1 = toT(pos.y());
    const Dimension& dim = m_columns.dimension(d);
    if (dim.scale == AxisScale::Categorical) {
        // every category whose tick lies inside the dragged span
        const double k = double(std::max<std::size_t>(1, dim.categories.size()));
        const double lo = std::ceil(std::min(t0, t1) * k - 0.5);
        const double hi = std::floor(std::max(t0, t1) * k - 0.5);
        if (hi < lo)
            clearBrush(d);
        else
            setBrush(d, lo, hi);
    } else {
        setBrush(d, m_columns.valueAt(d, std::min(t0, t1)), m_columns.valueAt(d, std::max(t0, t1)));
    }
    update();
}

void ParallelCoordinates::leaveEvent(QEvent* event) {
    if (m_hover) {
        m_hover.reset();
        update();
    }
    QWidget::leaveEvent(event);
}

void ParallelCoordinates::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Escape) {
        clearBrushes();
        update();
        return;
    }
    QWidget::keyPressEvent(event);
}

void ParallelCoordinates::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QMenu* colour = menu.addMenu(tr("Colour by"));
    for (std::size_t d = 0; d < m_columns.dimensions(); ++d) {
        QAction* a = colour->addAction(QString::fromStdString(m_columns.dimension(d).name));
        a->setCheckable(true);
        a->setChecked(d == m_colorDim);
        connect(a, &QAction::triggered, this, [this, d] { setColorDimension(d); });
    }
    menu.addAction(tr("Order axes by importance (variance explained)"), this,
                   [this] { orderByImportance(varianceExplained(m_columns)); });
    menu.addAction(tr("Reset axis order"), this, [this] {
        std::vector<std::size_t> order(m_columns.dimensions());
        std::iota(order.begin(), order.end(), std::size_t{0});
        setAxisOrder(std::move(order));
    });
    QAction* clearAction = menu.addAction(tr("Clear brushes"), this, [this] {
        clearBrushes();
        update();
    });
    clearAction->setShortcut(QKeySequence(Qt::Key_Escape));
    clearAction->setEnabled(!m_brushes.empty());
    menu.exec(event->globalPos());
}

std::optional<std::size_t> ParallelCoordinates::rowNear(const QPointF& pos) const {
    if (m_order.size() < 2 || m_columns.rows() == 0)
        return std::nullopt;
    const QRectF r = plotRect();
    if (pos.x() < r.left() || pos.x() > r.right())
        return std::nullopt;
    const double step = r.width() / double(m_order.size() - 1);
    const std::size_t a = std::min(m_order.size() - 2, std::size_t((pos.x() - r.left()) / step));
    const double f = (pos.x() - axisX(a)) / step;
    const std::size_t left = m_order[a], right = m_order[a + 1];
    const bool selectedOnly = !m_selectedRows.empty();
    std::optional<std::size_t> best;
    double bestDistance = 4.0;
    const auto consider = [&](std::size_t row) {
        const double t0 = drawnPosition(row, left), t1 = drawnPosition(row, right);
        if (std::isnan(t0) || std::isnan(t1))
            return;
        const double distance = std::abs(positionY(t0 + f * (t1 - t0)) - pos.y());
        if (distance < bestDistance) {
            bestDistance = distance;
            best = row;
        }
    };
    if (selectedOnly) // with a selection, hover picks among the lines in front
        for (std::size_t row : m_selectedRows)
            consider(row);
    else
        for (std::size_t row = 0; row < m_columns.rows(); ++row)
            if (!m_selection->isHidden(m_columns.trialId(row)))
                consider(row);
    return best;
}

bool ParallelCoordinates::event(QEvent* event) {
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
