#include "widgets/learning_curves_plot.h"

#include "widgets/plot_axes.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/trial_selection.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

namespace ps {

namespace {

// Tableau 10: distinct at a glance and readable on white.
QColor curveColor(int number) {
    static const QColor palette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                     QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                                     QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                                     QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    return palette[number % 10];
}

QString trialsText(int count) {
    return count == 1 ? QObject::tr("1 trial") : QObject::tr("%1 trials").arg(count);
}
const char* const kTrialIdProperty = "psTrialId";

} // namespace

LearningCurvesPlot::LearningCurvesPlot(TrialSelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_metricCombo(new QComboBox(this)),
      m_info(new QLabel(this)), m_logScale(new QCheckBox(tr("&Log scale"), this)),
      m_plot(new QCustomPlot(this)), m_rebuildTimer(new QTimer(this)) {
    auto* top = new QHBoxLayout;
    top->setContentsMargins(6, 4, 6, 0);
    auto* metricLabel = new QLabel(tr("&Metric:"), this);
    metricLabel->setBuddy(m_metricCombo);
    top->addWidget(metricLabel);
    m_metricCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_metricCombo->setMinimumContentsLength(10);
    top->addWidget(m_metricCombo);
    top->addSpacing(12);
    m_info->setTextInteractionFlags(Qt::NoTextInteraction);
    m_info->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    top->addWidget(m_info, 1);
    m_logScale->setToolTip(tr("Logarithmic value axis"));
    top->addWidget(m_logScale);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);

    m_plot->setMinimumSize(320, 200);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->xAxis->setLabel(tr("epoch/step"));
    m_plot->yAxis->setLabel(tr("value"));
    m_plot->xAxis->setLabelFont(font());
    m_plot->yAxis->setLabelFont(font());
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_plot->xAxis->setTicker(ticker);
    m_plot->axisRect()->setupFullAxesBox();
    m_plot->legend->setBrush(QColor(255, 255, 255, 210));
    m_plot->legend->setBorderPen(QPen(QColor(0xb0, 0xb0, 0xb0)));
    m_plot->legend->setFont(font());
    m_plot->legend->setIconSize(18, 10);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foRowsFirst);
    m_plot->legend->setVisible(true);

    m_rebuildTimer->setSingleShot(true);
    m_rebuildTimer->setInterval(60);
    connect(m_rebuildTimer, &QTimer::timeout, this, &LearningCurvesPlot::rebuild);
    connect(m_selection, &TrialSelection::selectionChanged, this, [this] {
        m_autoRange = true; // other curves: fit them
        scheduleRebuild();
    });
    connect(m_selection, &TrialSelection::filterChanged, this, [this] {
        forgetTrialsWithMetric(); // hidden trials are left out
        m_autoRange = true;
        scheduleRebuild();
    });
    connect(m_logScale, &QCheckBox::toggled, this, [this](bool log) {
        setLogAxis(m_plot->yAxis, log);
        m_autoRange = true;
        rebuildNow();
    });
    connect(m_metricCombo, &QComboBox::activated, this, [this] {
        m_userChoseMetric = true;
        m_autoRange = true;
        scheduleRebuild();
    });
    // Clicking a curve or its legend entry selects that trial; Ctrl or Shift adds or removes.
    auto select = [this](QCPAbstractPlottable* plottable, QMouseEvent* event) {
        const QVariant id = plottable ? plottable->property(kTrialIdProperty) : QVariant();
        if (!id.isValid())
            return;
        if (event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier))
            m_selection->toggle(id.toLongLong());
        else
            m_selection->setSelected({id.toLongLong()});
    };
    connect(m_plot, &QCustomPlot::plottableClick, this,
            [select](QCPAbstractPlottable* plottable, int, QMouseEvent* event) {
                select(plottable, event);
            });
    connect(m_plot, &QCustomPlot::legendClick, this,
            [select](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent* event) {
                if (auto* entry = qobject_cast<QCPPlottableLegendItem*>(item))
                    select(entry->plottable(), event);
            });
    // Once the user pans or zooms, new data no longer refits the axes; a double click does.
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_autoRange = false; });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (event->buttons() & Qt::LeftButton)
            m_autoRange = false;
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_autoRange = true;
        rebuildNow();
    });
    rebuild();
}

void LearningCurvesPlot::setObjective(const QString& metric) {
    m_objective = metric;
    updateMetricCombo();
    scheduleRebuild();
}

void LearningCurvesPlot::applyTrials(const TrialList& trials) {
    bool attemptsChanged = false;
    for (auto t = trials.begin(); t != trials.end(); ++t) {
        auto it = m_trials.find(t->id);
        attemptsChanged = attemptsChanged || it == m_trials.end() || (*it)->attempts != t->attempts;
        m_trials.insert(t->id, t.ptr());
    }
    // The cache points at the trials: any replaced one must be looked up again.
    if (!trials.empty())
        forgetTrialsWithMetric();
    // A trial's state alone does not change its curve; a new attempt (or trial) does.
    if (attemptsChanged)
        scheduleRebuild();
}

void LearningCurvesPlot::addMetrics(const std::vector<MetricPoint>& points) {
    const size_t namesBefore = m_names.size();
    for (const auto& p : points) {
        m_metrics[p.trialId][p.attempt][p.name][p.step] = p.value;
        m_names.insert(p.name);
    }
    if (m_names.size() != namesBefore)
        updateMetricCombo();
    if (!points.empty()) {
        forgetTrialsWithMetric();
        scheduleRebuild();
    }
}

void LearningCurvesPlot::clear() {
    forgetTrialsWithMetric();
    m_trials.clear();
    m_metrics.clear();
    m_names.clear();
    m_userChoseMetric = false;
    m_autoRange = true;
    updateMetricCombo();
    scheduleRebuild();
}

void LearningCurvesPlot::setMaxCurves(int count) {
    m_maxCurves = std::max(1, count);
    scheduleRebuild();
}

void LearningCurvesPlot::setMetric(const QString& name) {
    const int index = m_metricCombo->findText(name);
    if (index >= 0) {
        m_metricCombo->setCurrentIndex(index);
        m_userChoseMetric = true;
        scheduleRebuild();
    }
}

void LearningCurvesPlot::setLogScale(bool log) {
    m_logScale->setChecked(log); // redraws through toggled
}

QString LearningCurvesPlot::metric() const {
    return m_metricCombo->currentText();
}

QStringList LearningCurvesPlot::metricNames() const {
    QStringList names;
    for (const auto& n : m_names)
        names << QString::fromStdString(n);
    return names;
}

void LearningCurvesPlot::updateMetricCombo() {
    const QString current = m_metricCombo->currentText();
    const QStringList names = metricNames();
    QSignalBlocker block(m_metricCombo);
    m_metricCombo->clear();
    m_metricCombo->addItems(names);
    QString pick = current;
    if (!m_userChoseMetric || !names.contains(current)) {
        // The objective first: it is what the study optimizes. Then a validation metric,
        // which says more than a training one.
        pick = names.value(0);
        for (const QString& preferred : {m_objective, QStringLiteral("val_loss"),
                                         QStringLiteral("loss"), QStringLiteral("val_acc")}) {
            if (!preferred.isEmpty() && names.contains(preferred)) {
                pick = preferred;
                break;
            }
        }
    }
    m_metricCombo->setCurrentIndex(std::max(0, int(names.indexOf(pick))));
    m_metricCombo->setEnabled(!names.isEmpty());
}

void LearningCurvesPlot::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    // A legend beside the axes wraps into as many columns as the new height needs.
    if (m_legendColumn)
        scheduleRebuild();
}

void LearningCurvesPlot::rebuildNow() {
    m_rebuildTimer->stop();
    rebuild();
}

void LearningCurvesPlot::scheduleRebuild() {
    if (!m_rebuildTimer->isActive())
        m_rebuildTimer->start();
}

const std::vector<const Trial*>& LearningCurvesPlot::trialsWithMetric(const std::string& metric) {
    if (m_withMetricValid && m_withMetricName == metric)
        return m_withMetric;
    m_withMetric.clear();
    for (auto it = m_metrics.constBegin(); it != m_metrics.constEnd(); ++it) {
        const auto trial = m_trials.constFind(it.key());
        if (trial == m_trials.constEnd())
            continue; // its trial arrives with the next poll
        const auto attempt = it->find((*trial)->attempts);
        if (attempt == it->end() || !attempt->second.count(metric) ||
            m_selection->isHidden((*trial)->id))
            continue;
        m_withMetric.push_back(trial->get());
    }
    std::sort(m_withMetric.begin(), m_withMetric.end(),
              [](const Trial* a, const Trial* b) { return a->number < b->number; });
    m_withMetricName = metric;
    m_withMetricValid = true;
    return m_withMetric;
}

std::vector<qint64> LearningCurvesPlot::trialsToShow(const std::string& metric, int& candidates) {
    const std::vector<const Trial*>& have = trialsWithMetric(metric);
    std::vector<qint64> ids;
    if (!m_selection->isEmpty()) {
        // the selected ones, at most the newest m_maxCurves of them: a brush may select tens
        // of thousands, and one graph and legend entry each would freeze the window. Walked
        // from the newest, so a wide selection stops after m_maxCurves.
        candidates = int(m_selection->selected().size());
        for (auto it = have.rbegin(); it != have.rend() && ids.size() < size_t(m_maxCurves); ++it)
            if (m_selection->isSelected((*it)->id))
                ids.push_back((*it)->id);
        std::reverse(ids.begin(), ids.end());
        return ids;
    }
    candidates = int(have.size());
    const size_t first = have.size() > size_t(m_maxCurves) ? have.size() - size_t(m_maxCurves) : 0;
    for (size_t i = first; i < have.size(); ++i)
        ids.push_back(have[i]->id);
    return ids;
}

void LearningCurvesPlot::placeLegend(int entries) {
    QCPLegend* legend = m_plot->legend;
    if (!m_legendColumn) {
        // Beside the axes, where it never hides a curve, at the top of a column whose rest an
        // empty element takes up, so that it keeps its natural height.
        QCPLayoutInset* inset = m_plot->axisRect()->insetLayout();
        inset->take(legend);
        inset->simplify();
        QCPLayoutGrid* grid = m_plot->plotLayout();
        m_legendColumn = new QCPLayoutGrid;
        grid->addElement(grid->rowCount() - 1, 1, m_legendColumn); // below an export's title
        grid->setColumnStretchFactor(1, 0.001);
        m_legendColumn->addElement(0, 0, legend);
        m_legendColumn->addElement(1, 0, new QCPLayoutElement(m_plot));
        m_legendColumn->setRowStretchFactor(0, 0.001);
        m_legendColumn->setRowStretchFactor(1, 1);
        m_legendColumn->setMargins(QMargins(0, 0, 6, 0));
    }
    legend->setVisible(entries > 0);
    // As many rows as the height holds, then another column: a long legend must not push the
    // axes off the widget.
    const int rowHeight = QFontMetrics(legend->font()).height() + 4;
    legend->setWrap(std::max(4, (m_plot->height() - 60) / rowHeight));
    legend->setFillOrder(QCPLayoutGrid::foRowsFirst, /*rearrange=*/true);
}

void LearningCurvesPlot::rebuild() {
    const QString metricName = m_metricCombo->currentText();
    const std::string metric = metricName.toStdString();
    m_plot->clearGraphs();
    m_shown.clear();
    m_plot->yAxis->setLabel(metricName.isEmpty() ? tr("value") : metricName);

    int candidates = 0;
    const auto ids = metric.empty() ? std::vector<qint64>{} : trialsToShow(metric, candidates);
    for (qint64 id : ids) {
        const Trial& t = *m_trials[id];
        const auto& steps = m_metrics[id][t.attempts][metric];
        QVector<double> x, y;
        x.reserve(qsizetype(steps.size()));
        y.reserve(qsizetype(steps.size()));
        for (const auto& [step, value] : steps) {
            x << double(step);
            y << value;
        }
        QCPGraph* g = m_plot->addGraph();
        g->setName(QStringLiteral("#%1").arg(t.number));
        g->setProperty(kTrialIdProperty, QVariant::fromValue<qint64>(id));
        const QColor color = curveColor(t.number);
        g->setPen(QPen(color, m_selection->isSelected(id) ? 2.5 : 1.6));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 4));
        g->setData(x, y, true);
        m_shown << id;
    }

    const int shown = int(m_shown.size());
    placeLegend(shown);
    if (metric.empty())
        m_info->setText(tr("no intermediate metrics yet"));
    else if (!m_selection->isEmpty() && shown == m_maxCurves && shown < candidates)
        m_info->setText(tr("the last %1 of %2 selected; narrow the selection to compare them")
                            .arg(shown)
                            .arg(candidates));
    else if (!m_selection->isEmpty())
        m_info->setText(tr("%1 selected").arg(trialsText(candidates)) +
                        (shown < candidates ? tr(", %1 with this metric").arg(shown) : QString()));
    else if (shown < candidates)
        m_info->setText(tr("the last %1 of %2 trials; select trials to compare them")
                            .arg(shown)
                            .arg(candidates));
    else
        m_info->setText(tr("%1; select trials to compare them").arg(trialsText(shown)));

    if (!m_autoRange) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const bool log = m_logScale->isChecked();
    double last = 1;
    std::vector<double> values;
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        for (const auto& point : *m_plot->graph(i)->data()) {
            if (log && point.value <= 0)
                continue; // a log axis cannot show it
            values.push_back(point.value);
            last = std::max(last, point.key);
        }
    }
    if (!values.empty()) {
        m_plot->yAxis->setRange(valueRange(std::move(values), log));
        m_plot->xAxis->setRange(-0.2, last + 0.2);
    } else {
        m_plot->xAxis->setRange(0, 10);
        m_plot->yAxis->setRange(log ? QCPRange(0.1, 10) : QCPRange(0, 1));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace ps
