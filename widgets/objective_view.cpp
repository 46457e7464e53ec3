#include "widgets/objective_view.h"

#include "core/analysis/pareto.h"
#include "widgets/trial_selection.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QStandardItemModel>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace ps {

namespace {

const QColor kPointColor(31, 119, 180);
const QColor kFrontColor(214, 39, 40);

} // namespace

ObjectiveView::ObjectiveView(TrialSelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_modeCombo(new QComboBox(this)),
      m_plot(new QCustomPlot(this)), m_rebuildTimer(new QTimer(this)) {
    auto* top = new QHBoxLayout;
    auto* label = new QLabel(tr("&Show:"), this);
    label->setBuddy(m_modeCombo);
    m_modeCombo->addItem(tr("Empirical distribution of the objective"));
    m_modeCombo->addItem(tr("Pareto front of the first two objectives"));
    top->addWidget(label);
    top->addWidget(m_modeCombo);
    top->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->installEventFilter(this);
    m_plot->legend->setVisible(true);
    m_rebuildTimer->setSingleShot(true);
    m_rebuildTimer->setInterval(100);
    connect(m_rebuildTimer, &QTimer::timeout, this, &ObjectiveView::rebuild);
    connect(m_modeCombo, &QComboBox::currentIndexChanged, this,
            [this](int index) { setMode(index == 1 ? Mode::Pareto : Mode::Distribution); });
    connect(m_selection, &TrialSelection::selectionChanged, this, &ObjectiveView::scheduleRebuild);
    connect(m_selection, &TrialSelection::filterChanged, this, &ObjectiveView::scheduleRebuild);
}

void ObjectiveView::setObjectives(std::vector<Objective> objectives,
                                  std::vector<Constraint> constraints) {
    m_objectives = std::move(objectives);
    m_constraints = std::move(constraints);
    // the Pareto front needs two objectives
    qobject_cast<QStandardItemModel*>(m_modeCombo->model())
        ->item(1)
        ->setEnabled(m_objectives.size() >= 2);
    if (m_objectives.size() < 2 && m_mode == Mode::Pareto)
        setMode(Mode::Distribution);
    scheduleRebuild();
}

void ObjectiveView::applyTrials(const TrialList& trials) {
    for (auto t = trials.begin(); t != trials.end(); ++t)
        m_trials.insert(t->id, t.ptr());
    scheduleRebuild();
}

void ObjectiveView::clear() {
    m_trials.clear();
    scheduleRebuild();
}

void ObjectiveView::setMode(Mode mode) {
    if (mode == Mode::Pareto && m_objectives.size() < 2)
        mode = Mode::Distribution;
    m_mode = mode;
    const QSignalBlocker block(m_modeCombo);
    m_modeCombo->setCurrentIndex(mode == Mode::Pareto ? 1 : 0);
    scheduleRebuild();
}

void ObjectiveView::scheduleRebuild() {
    if (!m_rebuildTimer->isActive())
        m_rebuildTimer->start();
}

void ObjectiveView::rebuildNow() {
    m_rebuildTimer->stop();
    rebuild();
}

void ObjectiveView::rebuild() {
    m_plot->clearGraphs();
    m_points.clear();
    m_front.clear();
    if (m_objectives.empty()) {
        m_plot->replot();
        return;
    }
    std::vector<TrialPtr> complete; // shared, not copied: 100,000 trials are 150 MB
    for (const TrialPtr& t : m_trials)
        if (t->state == TrialState::Complete && !m_selection->isHidden(t->id))
            complete.push_back(t);
    std::sort(complete.begin(), complete.end(),
              [](const TrialPtr& a, const TrialPtr& b) { return a->number < b->number; });
    const TrialList shown(std::move(complete));
    QVector<double> sx, sy;
    if (m_mode == Mode::Distribution) {
        // the fraction of trials at or below each value, a step per trial
        std::vector<std::pair<double, qint64>> values;
        for (const Trial& t : shown)
            if (const auto v = objectiveVector(t, {m_objectives.front()}); v)
                values.emplace_back(v->front(), t.id);
        std::sort(values.begin(), values.end());
        QVector<double> x, y;
        for (std::size_t i = 0; i < values.size(); ++i) {
            x << values[i].first;
            y << double(i + 1) / double(values.size());
            m_points.push_back({x.back(), y.back(), values[i].second});
            if (m_selection->isSelected(values[i].second)) {
                sx << x.back();
                sy << y.back();
            }
        }
        QCPGraph* edf = m_plot->addGraph();
        edf->setLineStyle(QCPGraph::lsStepLeft);
        edf->setPen(QPen(kPointColor, 2));
        edf->setData(x, y, true);
        edf->setName(tr("%n complete trial(s)", nullptr, int(values.size())));
        m_plot->xAxis->setLabel(QString::fromStdString(m_objectives.front().metric));
        m_plot->yAxis->setLabel(tr("fraction ≤ value"));
        // the curve rises to the right: the legend goes where it is not
        m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignBottom);
    } else {
        const std::vector<Objective> two = {m_objectives[0], m_objectives[1]};
        QVector<double> x, y;
        for (const Trial& t : shown)
            if (const auto v = objectiveVector(t, two); v) {
                x << (*v)[0];
                y << (*v)[1];
                m_points.push_back({(*v)[0], (*v)[1], t.id});
                if (m_selection->isSelected(t.id)) {
                    sx << (*v)[0];
                    sy << (*v)[1];
                }
            }
        QCPGraph* all = m_plot->addGraph();
        all->setLineStyle(QCPGraph::lsNone);
        all->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kPointColor, kPointColor, 5));
        all->setData(x, y);
        all->setName(tr("complete trials"));
        std::vector<Trial> front = paretoFrontShared(shown, two, m_constraints);
        std::sort(front.begin(), front.end(), [&](const Trial& a, const Trial& b) {
            return objectiveVector(a, two)->front() < objectiveVector(b, two)->front();
        });
        QVector<double> fx, fy;
        for (const Trial& t : front) {
            const auto v = *objectiveVector(t, two);
            fx << v[0];
            fy << v[1];
            m_front << t.id;
        }
        QCPGraph* line = m_plot->addGraph();
        // a step between front points: the region the front dominates, as Optuna draws it
        const bool firstMin = two[0].direction == Direction::Minimize;
        const bool secondMin = two[1].direction == Direction::Minimize;
        line->setLineStyle(firstMin == secondMin ? QCPGraph::lsStepLeft : QCPGraph::lsStepRight);
        line->setPen(QPen(kFrontColor, 2));
        line->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDiamond, kFrontColor, kFrontColor, 9));
        line->setData(fx, fy, true);
        line->setName(tr("Pareto front (%n trial(s))", nullptr, int(fx.size())));
        const auto label = [](const Objective& o) {
            return QString::fromStdString(o.metric) + (o.direction == Direction::Minimize
                                                           ? QObject::tr(" (minimize)")
                                                           : QObject::tr(" (maximize)"));
        };
        m_plot->axisRect()->insetLayout()->setInsetAlignment(
            0, (two[0].direction == Direction::Minimize ? Qt::AlignRight : Qt::AlignLeft) |
                   (two[1].direction == Direction::Minimize ? Qt::AlignTop : Qt::AlignBottom));
        m_plot->xAxis->setLabel(label(two[0]));
        m_plot->yAxis->setLabel(label(two[1]));
    }
    if (!sx.isEmpty()) {
        QCPGraph* selected = m_plot->addGraph();
        selected->setLineStyle(QCPGraph::lsNone);
        selected->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
                                                  QPen(QColor(255, 127, 14), 2), Qt::NoBrush, 12));
        selected->setData(sx, sy);
        selected->setName(tr("selected"));
    }
    m_plot->rescaleAxes();
    m_plot->xAxis->scaleRange(1.06, m_plot->xAxis->range().center());
    m_plot->yAxis->scaleRange(1.08, m_plot->yAxis->range().center());
    m_plot->replot();
}

bool ObjectiveView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_plot && event->type() == QEvent::MouseButtonPress)
        m_pressPos = static_cast<QMouseEvent*>(event)->pos();
    if (watched == m_plot && event->type() == QEvent::MouseButtonRelease) {
        auto* e = static_cast<QMouseEvent*>(event);
        if ((e->pos() - m_pressPos).manhattanLength() < 4 && e->button() == Qt::LeftButton) {
            std::optional<qint64> best;
            double bestDistance = 36;
            for (const Point& p : m_points) {
                const double dx = m_plot->xAxis->coordToPixel(p.x) - e->position().x();
                const double dy = m_plot->yAxis->coordToPixel(p.y) - e->position().y();
                if (dx * dx + dy * dy < bestDistance) {
                    bestDistance = dx * dx + dy * dy;
                    best = p.id;
                }
            }
            if (best)
                m_selection->setSelected({*best});
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace ps
