#include "widgets/scatter_view.h"

#include "core/explore/category_jitter.h"
#include "widgets/color_maps.h"
#include "widgets/trial_selection.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace ps {

namespace {

constexpr int kColorBins = 16;

} // namespace

ScatterView::ScatterView(TrialSelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_xCombo(new QComboBox(this)),
      m_yCombo(new QComboBox(this)), m_plot(new QCustomPlot(this)),
      m_rebuildTimer(new QTimer(this)) {
    auto* top = new QHBoxLayout;
    auto* xLabel = new QLabel(tr("&x:"), this);
    auto* yLabel = new QLabel(tr("&y:"), this);
    xLabel->setBuddy(m_xCombo);
    yLabel->setBuddy(m_yCombo);
    top->addWidget(xLabel);
    top->addWidget(m_xCombo, 1);
    top->addSpacing(12);
    top->addWidget(yLabel);
    top->addWidget(m_yCombo, 1);
    top->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);
    m_plot->setInteraction(QCP::iRangeZoom);
    m_plot->setSelectionRectMode(QCP::srmCustom); // a left drag draws the rubber band
    m_plot->installEventFilter(this);
    m_plot->setToolTip(tr("Drag a rectangle to select trials (Shift adds), click a point to "
                          "select its trial, wheel to zoom, double click to fit"));
    connect(m_plot->selectionRect(), &QCPSelectionRect::accepted, this,
            [this](const QRect& rect, QMouseEvent* event) {
                const double x0 = m_plot->xAxis->pixelToCoord(rect.left());
                const double x1 = m_plot->xAxis->pixelToCoord(rect.right());
                const double y0 = m_plot->yAxis->pixelToCoord(rect.top());
                const double y1 = m_plot->yAxis->pixelToCoord(rect.bottom());
                selectInRect(QRectF(QPointF(std::min(x0, x1), std::min(y0, y1)),
                                    QPointF(std::max(x0, x1), std::max(y0, y1))),
                             event && (event->modifiers() & Qt::ShiftModifier));
            });
    const auto axesFromCombos = [this] {
        if (m_xCombo->currentIndex() >= 0 && m_yCombo->currentIndex() >= 0)
            setAxes(std::size_t(m_xCombo->currentIndex()), std::size_t(m_yCombo->currentIndex()));
    };
    connect(m_xCombo, &QComboBox::currentIndexChanged, this, axesFromCombos);
    connect(m_yCombo, &QComboBox::currentIndexChanged, this, axesFromCombos);
    m_rebuildTimer->setSingleShot(true);
    m_rebuildTimer->setInterval(150);
    connect(m_rebuildTimer, &QTimer::timeout, this, &ScatterView::rebuild);
    connect(m_selection, &TrialSelection::selectionChanged, this, &ScatterView::scheduleRebuild);
    connect(m_selection, &TrialSelection::filterChanged, this, &ScatterView::scheduleRebuild);
}

void ScatterView::setStudyLayout(const SearchSpace& space,
                                 const std::vector<Objective>& objectives) {
    m_columns.setLayout(space, objectives);
    const std::size_t params = m_columns.dimensions() - objectives.size();
    m_x = 0;
    m_y = objectives.empty() ? std::min<std::size_t>(1, m_columns.dimensions()) : params;
    m_autoRange = true;
    fillCombos();
    scheduleRebuild();
}

void ScatterView::applyTrials(const TrialList& trials) {
    const std::size_t before = m_columns.dimensions();
    std::string xName, yName;
    bool xObjective = false, yObjective = false;
    if (m_x < before) {
        xName = m_columns.dimension(m_x).name;
        xObjective = m_columns.dimension(m_x).objective;
    }
    if (m_y < before) {
        yName = m_columns.dimension(m_y).name;
        yObjective = m_columns.dimension(m_y).objective;
    }
    const auto update = m_columns.apply(trials);
    if (m_columns.dimensions() != before) {
        // dimensions were inserted: find the axes again by name
        const long long x = m_columns.dimensionIndex(xName, xObjective);
        const long long y = m_columns.dimensionIndex(yName, yObjective);
        m_x = x >= 0 ? std::size_t(x) : 0;
        m_y = y >= 0 ? std::size_t(y) : std::min<std::size_t>(1, m_columns.dimensions() - 1);
        fillCombos();
    }
    if (!update.added.empty() || !update.changed.empty() || update.dimensionsChanged)
        scheduleRebuild();
}

void ScatterView::clear() {
    m_columns.clear();
    m_autoRange = true;
    scheduleRebuild();
}

void ScatterView::fillCombos() {
    const QSignalBlocker bx(m_xCombo), by(m_yCombo);
    m_xCombo->clear();
    m_yCombo->clear();
    for (std::size_t d = 0; d < m_columns.dimensions(); ++d) {
        const QString name = QString::fromStdString(m_columns.dimension(d).name);
        m_xCombo->addItem(name);
        m_yCombo->addItem(name);
    }
    m_xCombo->setCurrentIndex(int(m_x));
    m_yCombo->setCurrentIndex(int(m_y));
}

void ScatterView::setAxes(std::size_t x, std::size_t y) {
    if (x >= m_columns.dimensions() || y >= m_columns.dimensions())
        return;
    m_x = x;
    m_y = y;
    m_autoRange = true;
    const QSignalBlocker bx(m_xCombo), by(m_yCombo);
    m_xCombo->setCurrentIndex(int(x));
    m_yCombo->setCurrentIndex(int(y));
    scheduleRebuild();
}

double ScatterView::coordinate(std::size_t row, std::size_t d) const {
    const double v = m_columns.value(row, d);
    if (std::isnan(v) || m_columns.dimension(d).scale != AxisScale::Categorical)
        return v;
    return v + categoryJitter(row, d);
}

void ScatterView::selectInRect(const QRectF& rect, bool add) {
    QSet<qint64> ids = add ? m_selection->selected() : QSet<qint64>();
    for (std::size_t r = 0; r < m_columns.rows(); ++r) {
        if (m_selection->isHidden(m_columns.trialId(r)))
            continue;
        const double x = coordinate(r, m_x), y = coordinate(r, m_y);
        if (x >= rect.left() && x <= rect.right() && y >= rect.top() && y <= rect.bottom())
            ids.insert(m_columns.trialId(r));
    }
    m_selection->setSelected(ids);
}

std::optional<std::size_t> ScatterView::rowNear(const QPointF& pixel) const {
    std::optional<std::size_t> best;
    double bestDistance = 36; // 6 pixels, squared
    for (std::size_t r = 0; r < m_columns.rows(); ++r) {
        const double x = coordinate(r, m_x), y = coordinate(r, m_y);
        if (!std::isfinite(x) || !std::isfinite(y) || m_selection->isHidden(m_columns.trialId(r)))
            continue;
        const double dx = m_plot->xAxis->coordToPixel(x) - pixel.x();
        const double dy = m_plot->yAxis->coordToPixel(y) - pixel.y();
        if (dx * dx + dy * dy < bestDistance) {
            bestDistance = dx * dx + dy * dy;
            best = r;
        }
    }
    return best;
}

bool ScatterView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_plot) {
        if (event->type() == QEvent::MouseButtonPress)
            m_pressPos = static_cast<QMouseEvent*>(event)->pos();
        if (event->type() == QEvent::MouseButtonRelease) {
            auto* e = static_cast<QMouseEvent*>(event);
            if ((e->pos() - m_pressPos).manhattanLength() < 4 && e->button() == Qt::LeftButton) {
                const auto row = rowNear(e->position());
                if (row) {
                    const qint64 id = m_columns.trialId(*row);
                    if (e->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier))
                        m_selection->toggle(id);
                    else
                        m_selection->setSelected({id});
                } else if (!(e->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier))) {
                    m_selection->clear();
                }
            }
        }
        if (event->type() == QEvent::MouseButtonDblClick) {
            m_autoRange = true;
            rebuild();
            return true;
        }
        if (event->type() == QEvent::Wheel)
            m_autoRange = false;
    }
    return QWidget::eventFilter(watched, event);
}

void ScatterView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        scheduleRebuild(); // the points' colours follow the theme
}

void ScatterView::scheduleRebuild() {
    if (!m_rebuildTimer->isActive())
        m_rebuildTimer->start();
}

void ScatterView::rebuildNow() {
    m_rebuildTimer->stop();
    rebuild();
}

void ScatterView::setupAxis(QCPAxis* axis, std::size_t d) {
    const Dimension& dim = m_columns.dimension(d);
    axis->setLabel(QString::fromStdString(dim.name));
    if (dim.scale == AxisScale::Categorical) {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (std::size_t c = 0; c < dim.categories.size(); ++c)
            ticker->addTick(double(c),
                            dim.categories[c].is_number()
                                ? QString::number(dim.categories[c].get<double>(), 'g', 4)
                                : QString::fromStdString(dim.label(c)));
        axis->setTicker(ticker);
        axis->setScaleType(QCPAxis::stLinear);
    } else if (dim.scale == AxisScale::Log) {
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        axis->setTicker(ticker);
        axis->setScaleType(QCPAxis::stLogarithmic);
        axis->setNumberFormat(QStringLiteral("gb"));
    } else {
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setScaleType(QCPAxis::stLinear);
        axis->setNumberFormat(QStringLiteral("g"));
    }
}

void ScatterView::rebuild() {
    m_plot->clearGraphs();
    m_points = m_highlighted = 0;
    if (m_columns.dimensions() == 0 || m_x >= m_columns.dimensions() ||
        m_y >= m_columns.dimensions()) {
        m_plot->replot();
        return;
    }
    setupAxis(m_plot->xAxis, m_x);
    setupAxis(m_plot->yAxis, m_y);
    // colour: the first objective over its 2nd..98th percentile, its best end dark
    std::size_t colourDim = m_columns.dimensions();
    for (std::size_t d = 0; d < m_columns.dimensions() && colourDim == m_columns.dimensions(); ++d)
        if (m_columns.dimension(d).objective)
            colourDim = d;
    double lo = NAN, hi = NAN;
    bool flip = false;
    if (colourDim < m_columns.dimensions()) {
        std::vector<double> v;
        for (std::size_t r = 0; r < m_columns.rows(); ++r)
            if (std::isfinite(m_columns.value(r, colourDim)))
                v.push_back(m_columns.value(r, colourDim));
        if (!v.empty()) {
            std::sort(v.begin(), v.end());
            lo = v[std::size_t(0.02 * double(v.size() - 1))];
            hi = v[std::size_t(0.98 * double(v.size() - 1))];
        }
        flip = m_columns.dimension(colourDim).direction == Direction::Maximize;
    }
    std::vector<QVector<double>> xs(kColorBins + 1), ys(kColorBins + 1);
    QVector<double> selX, selY;
    const bool logX = m_columns.dimension(m_x).scale == AxisScale::Log;
    const bool logY = m_columns.dimension(m_y).scale == AxisScale::Log;
    for (std::size_t r = 0; r < m_columns.rows(); ++r) {
        const double x = coordinate(r, m_x), y = coordinate(r, m_y);
        if (!std::isfinite(x) || !std::isfinite(y) || (logX && x <= 0) || (logY && y <= 0) ||
            m_selection->isHidden(m_columns.trialId(r)))
            continue;
        int bin = kColorBins;
        if (std::isfinite(lo) && hi > lo && colourDim < m_columns.dimensions()) {
            const double c = m_columns.value(r, colourDim);
            if (std::isfinite(c)) {
                double t = std::clamp((c - lo) / (hi - lo), 0.0, 1.0);
                if (flip)
                    t = 1 - t;
                bin = std::min(kColorBins - 1, int(t * kColorBins));
            }
        }
        xs[std::size_t(bin)] << x;
        ys[std::size_t(bin)] << y;
        ++m_points;
        if (m_selection->isSelected(m_columns.trialId(r))) {
            selX << x;
            selY << y;
        }
    }
    const double size = m_points > 20000 ? 2 : m_points > 2000 ? 3 : 5;
    for (int b = 0; b <= kColorBins; ++b) {
        if (xs[std::size_t(b)].isEmpty())
            continue;
        QCPGraph* g = m_plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        QColor c =
            b == kColorBins ? QColor(150, 150, 150) : objectiveColour((b + 0.5) / kColorBins);
        if (!m_selection->isEmpty())
            c.setAlpha(70); // the selection stands out
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, size));
        g->setData(xs[std::size_t(b)], ys[std::size_t(b)]);
        g->setSelectable(QCP::stNone);
    }
    if (!selX.isEmpty()) {
        QCPGraph* g = m_plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
                                           QPen(QColor(214, 39, 40), 1.8), Qt::NoBrush, size + 5));
        g->setData(selX, selY);
        g->setSelectable(QCP::stNone);
        m_highlighted = int(selX.size());
    }
    if (m_autoRange && m_points > 0) {
        m_plot->rescaleAxes();
        for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
            if (axis->scaleType() == QCPAxis::stLogarithmic)
                axis->setRange(axis->range().lower / 1.3, axis->range().upper * 1.3);
            else
                axis->scaleRange(1.1, axis->range().center());
        }
        const auto fitCategories = [this](QCPAxis* axis, std::size_t d) {
            const Dimension& dim = m_columns.dimension(d);
            if (dim.scale == AxisScale::Categorical)
                axis->setRange(-0.6, double(dim.categories.size()) - 0.4);
        };
        fitCategories(m_plot->xAxis, m_x);
        fitCategories(m_plot->yAxis, m_y);
    }
    m_plot->replot();
}

} // namespace ps
