#include "widgets/history_plot.h"

#include "widgets/plot_axes.h"
#include "widgets/trial_selection.h"
#include "widgets/trial_table_model.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <QTimer>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace ps {

namespace {

const QColor kCompleteColor(0x1f, 0x77, 0xb4);
const QColor kPrunedColor(0x9a, 0x9a, 0x9a);
const QColor kBestColor(0xd6, 0x27, 0x28);
const QColor kSelectedColor(0xff, 0x9f, 0x1c);
constexpr double kClickRadius = 10; // pixels

QString paramsText(const Json& params) {
    QStringList lines;
    if (params.is_object()) {
        for (auto it = params.begin(); it != params.end(); ++it) {
            const auto& v = it.value();
            const QString text = v.is_string() ? QString::fromStdString(v.get<std::string>())
                                 : v.is_number_float() ? QString::number(v.get<double>(), 'g', 4)
                                                       : QString::fromStdString(v.dump());
            lines << QStringLiteral("%1 = %2").arg(QString::fromStdString(it.key()), text);
        }
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

HistoryPlot::HistoryPlot(TrialSelection* selection, QWidget* parent)
    : QCustomPlot(parent), m_selection(selection), m_rebuildTimer(new QTimer(this)) {
    setMinimumSize(320, 200);
    setNoAntialiasingOnDrag(true);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMouseTracking(true);

    m_complete = addGraph();
    m_complete->setName(tr("complete"));
    m_complete->setLineStyle(QCPGraph::lsNone);
    m_complete->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDisc, kCompleteColor, kCompleteColor.lighter(130), 7));

    m_pruned = addGraph();
    m_pruned->setName(tr("pruned"));
    m_pruned->setLineStyle(QCPGraph::lsNone);
    m_pruned->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCross, QPen(kPrunedColor, 1.5), Qt::NoBrush, 7));

    m_best = addGraph();
    m_best->setName(tr("best so far"));
    m_best->setLineStyle(QCPGraph::lsStepLeft);
    m_best->setPen(QPen(kBestColor, 2));

    m_selected = addGraph();
    // The selection on a buffered layer of its own: a selection change redraws that layer
    // alone, not the thousands of points under it.
    addLayer(QStringLiteral("selection"), layer(QStringLiteral("main")), QCustomPlot::limAbove);
    layer(QStringLiteral("selection"))->setMode(QCPLayer::lmBuffered);
    m_selected->setLayer(QStringLiteral("selection"));
    m_selected->setName(tr("selected"));
    m_selected->setLineStyle(QCPGraph::lsNone);
    m_selected->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.5), kSelectedColor, 13));

    xAxis->setLabel(tr("trial"));
    yAxis->setLabel(tr("value"));
    // Trial numbers are integers: ticks at whole multiples only, never "2.5".
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    xAxis->setTicker(ticker);
    xAxis->setRange(-0.5, 9.5);
    yAxis->setRange(0, 1);
    axisRect()->setupFullAxesBox();
    // The legend goes above the axes, centred in one row, where it never hides a point: an
    // empty element either side keeps it at its natural width.
    axisRect()->insetLayout()->take(legend);
    axisRect()->insetLayout()->simplify();
    auto* legendRow = new QCPLayoutGrid;
    plotLayout()->insertRow(0);
    plotLayout()->addElement(0, 0, legendRow);
    plotLayout()->setRowStretchFactor(0, 0.001);
    legendRow->addElement(0, 0, new QCPLayoutElement(this));
    legendRow->addElement(0, 1, legend);
    legendRow->addElement(0, 2, new QCPLayoutElement(this));
    legendRow->setColumnStretchFactors({1, 0.001, 1});
    legendRow->setMargins(QMargins(0, 4, 0, 0));
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setVisible(true);
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setIconSize(24, 12);
    legend->setFont(font());
    xAxis->setLabelFont(font());
    yAxis->setLabelFont(font());

    m_rebuildTimer->setSingleShot(true);
    m_rebuildTimer->setInterval(40);
    connect(m_rebuildTimer, &QTimer::timeout, this, &HistoryPlot::rebuild);
    connect(m_selection, &TrialSelection::selectionChanged, this, &HistoryPlot::updateSelection);
    connect(m_selection, &TrialSelection::filterChanged, this, &HistoryPlot::scheduleRebuild);
    updateLegend();
}

void HistoryPlot::setObjective(const QString& metric, Direction direction) {
    m_metric = metric;
    m_direction = direction;
    yAxis->setLabel(metric.isEmpty() ? tr("value") : metric);
    scheduleRebuild();
}

void HistoryPlot::setConstraints(std::vector<Constraint> constraints) {
    m_constraints = std::move(constraints);
    scheduleRebuild();
}

void HistoryPlot::applyTrials(const TrialList& trials) {
    for (auto t = trials.begin(); t != trials.end(); ++t)
        m_trials.insert(t->id, t.ptr());
    scheduleRebuild();
}

void HistoryPlot::clear() {
    m_trials.clear();
    m_autoRange = true;
    scheduleRebuild();
}

void HistoryPlot::rebuildNow() {
    m_rebuildTimer->stop();
    rebuild();
}

int HistoryPlot::pointCount() const {
    return m_complete->dataCount() + m_pruned->dataCount();
}

void HistoryPlot::scheduleRebuild() {
    if (!m_rebuildTimer->isActive())
        m_rebuildTimer->start();
}

void HistoryPlot::rebuild() {
    std::vector<const Trial*> finished;
    for (const TrialPtr& p : m_trials) {
        const Trial& t = *p;
        // FAIL has no value to show; PRUNED is drawn apart when it carries one. Trials the
        // shared filter hides are left out, best-so-far line included.
        if ((t.state == TrialState::Complete || t.state == TrialState::Pruned) && t.value &&
            std::isfinite(*t.value) && !m_selection->isHidden(t.id))
            finished.push_back(&t);
    }
    std::sort(finished.begin(), finished.end(),
              [](const Trial* a, const Trial* b) { return a->number < b->number; });

    QVector<double> cx, cy, px, py, bx, by, sx, sy;
    m_points.clear();
    m_highlighted.clear();
    m_bestValue.reset();
    for (const Trial* t : finished) {
        const double x = t->number, y = *t->value;
        m_points.push_back({x, y, t->id});
        if (t->state == TrialState::Complete) {
            cx << x;
            cy << y;
            // an infeasible trial is drawn, but never becomes the best so far
            if (isFeasible(m_constraints, *t) && isBetter(y, m_bestValue, m_direction))
                m_bestValue = y;
            if (m_bestValue) {
                bx << x;
                by << *m_bestValue;
            }
        } else {
            px << x;
            py << y;
        }
        if (m_selection->isSelected(t->id)) {
            sx << x;
            sy << y;
            m_highlighted.insert(t->id);
        }
    }
    // Carry the best line on to the last finished trial, so it reads as "still the best".
    if (!bx.isEmpty() && !m_points.empty() && m_points.back().x > bx.back()) {
        bx << m_points.back().x;
        by << by.back();
    }
    m_complete->setData(cx, cy, true);
    m_pruned->setData(px, py, true);
    m_best->setData(bx, by, true);
    m_selected->setData(sx, sy, true);
    updateLegend();

    if (m_autoRange && !m_points.empty()) {
        const bool log = m_logScale;
        double last = 0;
        std::vector<double> values;
        for (const auto& p : m_points) {
            last = std::max(last, p.x);
            if (!(log && p.y <= 0)) // a log axis cannot show it
                values.push_back(p.y);
        }
        if (!values.empty())
            yAxis->setRange(valueRange(std::move(values), log, /*ignoreOutliers=*/false));
        xAxis->setRange(-0.5, std::max(last, 4.0) + 0.5);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void HistoryPlot::updateSelection() {
    if (m_rebuildTimer->isActive())
        return; // the coming rebuild draws it
    const bool had = m_selected->dataCount() > 0;
    QVector<double> sx, sy;
    m_highlighted.clear();
    for (const auto& p : m_points) // in trial order already
        if (m_selection->isSelected(p.id)) {
            sx << p.x;
            sy << p.y;
            m_highlighted.insert(p.id);
        }
    m_selected->setData(sx, sy, true);
    if (had != !sx.isEmpty()) { // the legend's "selected" entry comes or goes
        updateLegend();
        replot(QCustomPlot::rpQueuedReplot);
    } else {
        layer(QStringLiteral("selection"))->replot();
    }
}

void HistoryPlot::updateLegend() {
    // Only what is drawn gets an entry (an empty "pruned" would only puzzle), always in the
    // same order.
    legend->clearItems();
    for (QCPGraph* g : {m_complete, m_pruned, m_best, m_selected}) {
        if (g->dataCount() > 0)
            g->addToLegend();
    }
}

std::optional<qint64> HistoryPlot::trialNear(const QPointF& pos) const {
    std::optional<qint64> best;
    double bestDistance = kClickRadius;
    for (const auto& p : m_points) {
        const double dx = xAxis->coordToPixel(p.x) - pos.x();
        const double dy = yAxis->coordToPixel(p.y) - pos.y();
        const double d = std::hypot(dx, dy);
        if (d <= bestDistance) {
            bestDistance = d;
            best = p.id;
        }
    }
    return best;
}

void HistoryPlot::mousePressEvent(QMouseEvent* event) {
    m_pressPos = event->pos();
    QCustomPlot::mousePressEvent(event);
}

void HistoryPlot::mouseReleaseEvent(QMouseEvent* event) {
    const bool click = (event->pos() - m_pressPos).manhattanLength() <= 3;
    QCustomPlot::mouseReleaseEvent(event);
    if (!click || event->button() != Qt::LeftButton)
        return;
    const auto id = trialNear(event->position());
    const bool add = event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier);
    if (id && add)
        m_selection->toggle(*id);
    else if (id)
        m_selection->setSelected({*id});
    else if (!add)
        m_selection->clear();
}

void HistoryPlot::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton)
        m_autoRange = false; // a drag pans: leave the user's view alone from now on
    QCustomPlot::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton)
        return;
    const auto id = trialNear(event->position());
    if (!id || !m_trials.contains(*id)) {
        QToolTip::hideText();
        return;
    }
    const Trial& t = *m_trials[*id];
    QString text = QStringLiteral("#%1  %2\n%3 = %4")
                       .arg(t.number)
                       .arg(TrialTableModel::stateText(t.state))
                       .arg(m_metric.isEmpty() ? tr("value") : m_metric)
                       .arg(t.value ? QString::number(*t.value, 'g', 6) : QStringLiteral("-"));
    const QString params = paramsText(t.params);
    if (!params.isEmpty())
        text += QLatin1Char('\n') + params;
    QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void HistoryPlot::mouseDoubleClickEvent(QMouseEvent* event) {
    QCustomPlot::mouseDoubleClickEvent(event);
    m_autoRange = true;
    rebuildNow();
}

void HistoryPlot::setLogScale(bool log) {
    m_logScale = log;
    setLogAxis(yAxis, log);
    m_autoRange = true;
    rebuildNow();
}

void HistoryPlot::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QAction* log = menu.addAction(tr("&Logarithmic value axis"));
    log->setCheckable(true);
    log->setChecked(m_logScale);
    connect(log, &QAction::toggled, this, &HistoryPlot::setLogScale);
    menu.addAction(tr("&Fit to data"), this, [this] {
        m_autoRange = true;
        rebuildNow();
    });
    menu.exec(event->globalPos());
}

void HistoryPlot::wheelEvent(QWheelEvent* event) {
    m_autoRange = false;
    QCustomPlot::wheelEvent(event);
}

} // namespace ps
