#include "widgets/analysis_view.h"

#include "core/explore/contour_lines.h"
#include "core/explore/landscape_map.h"
#include "widgets/landscape_surface.h"
#include "widgets/theme.h"

#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace ps {

namespace {

// Tableau's ten, as the other plots use for trials.
QColor seriesColor(int i) {
    static const QColor colors[] = {
        {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
    return colors[std::abs(i) % 10];
}

double num(const Json& v, double fallback = NAN) {
    return v.is_number() ? v.get<double>() : fallback;
}

QString text(const Json& v) {
    return v.is_string() ? QString::fromStdString(v.get<std::string>())
                         : QString::fromStdString(v.dump());
}

QString recordLabel(const AnalysisRecord& r) {
    QString state;
    switch (r.state) {
    case AnalysisState::Waiting:
        state = QObject::tr("waiting");
        break;
    case AnalysisState::Running:
        state = QObject::tr("running");
        break;
    case AnalysisState::Done:
        state =
            QDateTime::fromSecsSinceEpoch(qint64(r.finishedAt)).toString(QStringLiteral("HH:mm"));
        break;
    case AnalysisState::Fail:
        state = QObject::tr("failed");
        break;
    }
    // the options that differ from nothing in particular: all of them, briefly
    QString options;
    const Json o = r.inputs.value("options", Json::object());
    for (const auto& [k, v] : o.items()) {
        if ((v.is_string() && v.get<std::string>().empty()) || options.size() > 60)
            continue;
        options += QStringLiteral(" %1=%2").arg(QString::fromStdString(k), text(v));
    }
    return QStringLiteral("#%1 %2 (%3)%4")
        .arg(r.id)
        .arg(QString::fromStdString(r.kind), state, options.left(70));
}

} // namespace

AnalysisView::AnalysisView(QWidget* parent)
    : QWidget(parent), m_picker(new QComboBox(this)), m_message(new QLabel(this)),
      m_plot(new QCustomPlot(this)), m_surfaceButton(new QToolButton(this)),
      m_stack(new QStackedWidget(this)), m_sideBySideButton(new QToolButton(this)),
      m_summary(new QPlainTextEdit(this)) {
    m_mainRect = m_plot->axisRect();
    auto* top = new QHBoxLayout;
    auto* label = new QLabel(tr("&Result:"), this);
    label->setBuddy(m_picker);
    m_picker->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_picker->setMinimumContentsLength(40);
    m_picker->setToolTip(tr("The analyses stored with this study (paramscope-cli analyze)"));
    top->addWidget(label);
    top->addWidget(m_picker, 1);
    m_surfaceButton->setText(tr("&3-D surface"));
    m_surfaceButton->setCheckable(true);
    m_surfaceButton->setToolTip(tr("See this 2-D landscape as a surface you can turn, and pick "
                                   "points on"));
    m_surfaceButton->setVisible(false);
    top->addWidget(m_surfaceButton);
    m_sideBySideButton->setText(tr("Side &by side"));
    m_sideBySideButton->setCheckable(true);
    m_sideBySideButton->setChecked(true);
    m_sideBySideButton->setToolTip(tr("Every transfer result of the study in its own panel, on "
                                      "one scale (SP beside muP)"));
    m_sideBySideButton->setVisible(false);
    top->addWidget(m_sideBySideButton);
    connect(m_sideBySideButton, &QToolButton::toggled, this,
            [this] { showIndex(m_picker->currentIndex()); });
    connect(m_surfaceButton, &QToolButton::toggled, this, &AnalysisView::setSurfaceShown);
    m_message->setWordWrap(true);
    m_summary->setReadOnly(true);
    m_summary->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_summary->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_plot->setMinimumHeight(160);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    auto* split = new QSplitter(Qt::Vertical, this);
    m_stack->addWidget(m_plot);
    split->addWidget(m_stack);
    split->addWidget(m_summary);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    split->setSizes({400, 90}); // the plot first; the summary is a few lines
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);
    connect(m_picker, &QComboBox::currentIndexChanged, this, &AnalysisView::showIndex);
    clear();
}

QString AnalysisView::message() const {
    return m_message->text();
}

void AnalysisView::clear() {
    m_records.clear();
    m_shown = 0;
    const QSignalBlocker block(m_picker);
    m_picker->clear();
    reset();
    m_message->setText(tr("No analyses stored yet: run one with paramscope-cli analyze STUDY "
                          "KIND (paramscope-cli analyze STUDY --list shows the kinds)."));
    m_plot->replot();
}

void AnalysisView::setRecords(std::vector<AnalysisRecord> records) {
    const std::int64_t keep = m_shown;
    m_records = std::move(records);
    int index = -1, newestDone = -1;
    {
        const QSignalBlocker block(m_picker);
        m_picker->clear();
        for (std::size_t i = 0; i < m_records.size(); ++i) {
            m_picker->addItem(recordLabel(m_records[i]));
            if (m_records[i].id == keep)
                index = int(i);
            if (m_records[i].state == AnalysisState::Done)
                newestDone = int(i);
        }
    }
    if (m_records.empty()) {
        clear();
        return;
    }
    if (!m_expected.isEmpty()) {
        // a result just asked for from this window: the latest of its kind, computed or reused
        int newest = -1;
        for (std::size_t i = 0; i < m_records.size(); ++i)
            if (QString::fromStdString(m_records[i].kind) == m_expected &&
                m_records[i].state != AnalysisState::Waiting &&
                (newest < 0 ||
                 m_records[i].finishedAt >= m_records[std::size_t(newest)].finishedAt))
                newest = int(i);
        if (newest >= 0) {
            index = newest;
            m_expected.clear();
        }
    }
    if (index < 0)
        index = newestDone >= 0 ? newestDone : int(m_records.size()) - 1;
    {
        const QSignalBlocker block(m_picker); // shown once, below
        m_picker->setCurrentIndex(index);
    }
    showIndex(index);
}

void AnalysisView::showIndex(int index) {
    if (index < 0 || index >= int(m_records.size()))
        return;
    const AnalysisRecord& r = m_records[std::size_t(index)];
    m_shown = r.id;
    if (r.state != AnalysisState::Done) {
        reset();
        m_message->setText(
            r.state == AnalysisState::Fail
                ? tr("This analysis failed: %1").arg(QString::fromStdString(r.error))
                : tr("This analysis is %1; it shows here once a worker has "
                     "computed it.")
                      .arg(r.state == AnalysisState::Running ? tr("running") : tr("waiting")));
        m_plot->replot();
        return;
    }
    showResult(r.kind, r.result);
}

void AnalysisView::reset() {
    m_plot->clearPlottables();
    m_plot->clearItems();
    // colour scales of maps and the side panels of transfer comparisons
    for (int i = m_plot->plotLayout()->elementCount() - 1; i >= 0; --i)
        if (QCPLayoutElement* e = m_plot->plotLayout()->elementAt(i); e && e != m_mainRect)
            m_plot->plotLayout()->remove(e);
    m_plot->plotLayout()->simplify();
    m_plot->legend->setVisible(false);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignTop);
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis, m_plot->yAxis2}) {
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setLabel({});
        axis->setScaleType(QCPAxis::stLinear);
    }
    m_plot->yAxis2->setVisible(false);
    m_plot->xAxis2->setVisible(false);
    m_plot->xAxis2->setLabel({});
    m_summary->clear();
    m_contourCount = 0;
    m_panelCount = 0;
    m_sideBySideButton->setVisible(false);
    m_surfaceResult = Json();
    m_surfaceButton->setVisible(false);
    setSurfaceShown(false);
}

void AnalysisView::expectResult(const QString& kind) {
    m_expected = kind;
}

void AnalysisView::setSideBySide(bool on) {
    m_sideBySideButton->setChecked(on); // redraws through toggled
}

bool AnalysisView::hasSurface() const {
    return !m_surfaceResult.is_null();
}

bool AnalysisView::surfaceShown() const {
    return m_surface && m_stack->currentWidget() == m_surface;
}

void AnalysisView::setSurfaceShown(bool on) {
    on = on && hasSurface();
    {
        const QSignalBlocker block(m_surfaceButton);
        m_surfaceButton->setChecked(on);
    }
    // the surface needs the height; its pick line says what the summary's numbers would
    m_summary->setVisible(!on);
    if (!on) {
        m_stack->setCurrentWidget(m_plot);
        return;
    }
    if (!m_surface) {
        m_surface = new LandscapeSurface(m_stack);
        m_stack->addWidget(m_surface);
    }
    bool fresh = false;
    if (auto map = readLandscapeMap(m_surfaceResult); map)
        if (m_surface->map().loss != map->loss || m_surface->map().path != map->path) {
            m_surface->setMap(std::move(*map));
            fresh = true;
        }
    const bool wasShown = m_stack->currentWidget() == m_surface;
    m_stack->setCurrentWidget(m_surface);
    if (fresh || !wasShown) // framed once laid out at its size
        QTimer::singleShot(0, m_surface, &LandscapeSurface::resetView);
}

bool AnalysisView::showResult(const std::string& kind, const Json& r) {
    const bool wasSurface = surfaceShown(); // a refresh of the same study keeps the 3-D view
    reset();
    m_fixedRanges = false;
    QStringList lines;
    for (const auto& line : r.value("summary", Json::array()))
        lines << text(line);
    m_summary->setPlainText(lines.join(QLatin1Char('\n')));
    bool drawn = false;
    QString title = QString::fromStdString(kind);
    if (kind == "transfer" && r.contains("curves")) {
        const Json slope = r.value("slope", Json::object());
        title = tr("learning-rate transfer: optimum shift %1 log2 per doubling")
                    .arg(num(slope.value("per_doubling", Json())), 0, 'f', 2);
        const std::vector<const AnalysisRecord*> panels = transferPanels();
        m_sideBySideButton->setVisible(panels.size() >= 2);
        if (panels.size() >= 2 && m_sideBySideButton->isChecked()) {
            drawn = drawTransferPanels(panels);
            title = tr("learning-rate transfer, %1 results side by side (optimum shift in log2 "
                       "per doubling)")
                        .arg(panels.size());
        } else {
            drawn =
                drawCurvesOverLr(r["curves"], true, m_plot->xAxis, m_plot->yAxis, m_plot->legend);
        }
    } else if (kind == "lr_range" && r.contains("curves")) {
        title = tr("LR range test: loss against log2(lr)");
        drawn = drawCurvesOverLr(r["curves"], false, m_plot->xAxis, m_plot->yAxis, m_plot->legend);
    } else if (kind == "landscape") {
        drawn = drawLandscape(r);
        title = tr("loss landscape (%1)").arg(text(r.value("mode", Json("random"))));
    } else if (kind == "importance" && r.contains("fanova")) {
        std::vector<std::pair<QString, double>> bars;
        std::vector<double> errors;
        for (const auto& p : r["fanova"].value("params", Json::array())) {
            // the importance the summary prints (normalized over the parameters), its spread
            // over the trees scaled the same way
            const double importance = num(p.value("importance", Json()), 0);
            const double fraction = num(p.value("fraction", Json()), 0);
            bars.emplace_back(text(p["name"]), importance);
            errors.push_back(fraction > 0 ? num(p.value("std", Json()), 0) * importance / fraction
                                          : 0.0);
        }
        title =
            tr("fANOVA importance of %1, with its spread over the trees").arg(text(r["metric"]));
        drawn = drawBars(bars, errors, tr("importance"), false);
    } else if (kind == "lime" && r.contains("features")) {
        std::vector<std::pair<QString, double>> bars;
        for (const auto& f : r["features"])
            bars.emplace_back(text(f.value("condition", f.value("name", Json()))),
                              num(f["weight"], 0));
        title = tr("LIME around trial %1 (fit R² %2): red raises %3 there, blue lowers it")
                    .arg(text(r.value("trial", Json())))
                    .arg(num(r.value("score", Json())), 0, 'f', 2)
                    .arg(text(r.value("metric", Json())));
        drawn =
            drawBars(bars, {}, tr("local weight on %1").arg(text(r.value("metric", Json()))), true);
    } else if (kind == "augment_sensitivity") {
        drawn = drawHeatmap(r);
        title = tr("augmentation weight on %1 per setting (red: raises it, blue: lowers it)")
                    .arg(text(r.value("metric", Json())));
    } else if (kind == "curves") {
        drawn = drawGroupCurves(r);
        title = tr("%1 per group, mean and one standard deviation").arg(text(r["metric"]));
    }
    m_message->setText(drawn ? title
                             : tr("No plot for a %1 result here yet; its summary is below.")
                                   .arg(QString::fromStdString(kind)));
    if (drawn && !m_fixedRanges) {
        m_plot->rescaleAxes();
        // air around the data, so markers at the edges are not cut in half
        for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis, m_plot->yAxis2})
            if (axis->ticker().dynamicCast<QCPAxisTickerText>().isNull())
                axis->scaleRange(1.08, axis->range().center());
    }
    stylePlot(m_plot, m_plot->palette()); // panels and colour scales added above
    m_plot->replot();
    if (wasSurface && hasSurface())
        setSurfaceShown(true);
    return drawn;
}

bool AnalysisView::drawCurvesOverLr(const Json& curves, bool optima, QCPAxis* xAxis, QCPAxis* yAxis,
                                    QCPLegend* legend) {
    int i = 0;
    for (const auto& c : curves) {
        QVector<double> x, y;
        for (const auto& p : c.value("points", Json::array())) {
            const double lx = p.contains("log2_lr") ? num(p["log2_lr"]) : std::log2(num(p["lr"]));
            const double ly = num(p["loss"]);
            if (std::isfinite(lx) && std::isfinite(ly)) {
                x << lx;
                y << ly;
            }
        }
        if (x.isEmpty())
            continue;
        QCPGraph* g = m_plot->addGraph(xAxis, yAxis);
        const QColor colour = seriesColor(i++);
        g->setPen(QPen(colour, 1.8));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, colour, 5));
        g->setData(x, y, true);
        g->setName(c.contains("width")   ? tr("width %1").arg(num(c["width"]), 0, 'g', 6)
                   : c.contains("depth") ? tr("depth %1").arg(num(c["depth"]), 0, 'g', 6)
                                         : tr("loss"));
        if (legend != m_plot->legend) {
            g->removeFromLegend(m_plot->legend);
            g->addToLegend(legend);
        }
        if (optima && c.contains("optimum")) {
            const double ox = num(c["optimum"].value("log2_lr", Json()));
            const double oy = num(c["optimum"].value("loss", Json()));
            if (std::isfinite(ox) && std::isfinite(oy)) {
                QCPGraph* star = m_plot->addGraph(xAxis, yAxis);
                star->setLineStyle(QCPGraph::lsNone);
                star->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, colour, 13));
                star->setData({ox}, {oy});
                star->removeFromLegend(m_plot->legend);
            }
        }
    }
    if (i == 0)
        return false;
    xAxis->setLabel(tr("log2(learning rate)"));
    yAxis->setLabel(tr("loss"));
    legend->setVisible(i > 1);
    // loss against lr is a U: its ends are high at both sides, its middle low, so the top
    // middle is where the legend hides nothing
    if (legend == m_plot->legend)
        m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignHCenter | Qt::AlignTop);
    return true;
}

std::vector<const AnalysisRecord*> AnalysisView::transferPanels() const {
    // The transfer results of this study, finished, oldest first: typically one per
    // parametrization (where=parametrization.kind=sp, ...=mup), which are read side by side.
    std::vector<const AnalysisRecord*> out;
    bool shownAmong = false;
    for (const AnalysisRecord& r : m_records)
        if (r.kind == "transfer" && r.state == AnalysisState::Done && r.result.contains("curves")) {
            out.push_back(&r);
            shownAmong = shownAmong || r.id == m_shown;
        }
    if (!shownAmong)
        return {};
    constexpr std::size_t kMaxPanels = 4;
    if (out.size() > kMaxPanels) // the newest, which hold the shown one more often than not
        out.erase(out.begin(), out.end() - kMaxPanels);
    return out;
}

bool AnalysisView::drawTransferPanels(const std::vector<const AnalysisRecord*>& panels) {
    std::vector<QCPAxisRect*> rects;
    auto* group = new QCPMarginGroup(m_plot);
    for (std::size_t k = 0; k < panels.size(); ++k) {
        QCPAxisRect* rect = k == 0 ? m_mainRect : new QCPAxisRect(m_plot);
        if (k > 0)
            m_plot->plotLayout()->addElement(0, int(k), rect);
        rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
        QCPLegend* legend = m_plot->legend;
        if (k > 0) {
            legend = new QCPLegend;
            rect->insetLayout()->addElement(legend, Qt::AlignHCenter | Qt::AlignTop);
            legend->setLayer(QStringLiteral("legend"));
            legend->setFont(m_plot->legend->font());
        }
        const Json& r = panels[k]->result;
        if (!drawCurvesOverLr(r["curves"], true, rect->axis(QCPAxis::atBottom),
                              rect->axis(QCPAxis::atLeft), legend))
            continue;
        // the panel's title on its top axis: what selected its trials, and the shift, on two
        // lines: on one, a where clause of a few panels side by side runs past its panel
        const std::string where =
            panels[k]->inputs.value("options", Json::object()).value("where", std::string());
        const double shift = num(r.value("slope", Json::object()).value("per_doubling", Json()));
        QCPAxis* top = rect->axis(QCPAxis::atTop);
        top->setVisible(true);
        top->setTicks(false);
        top->setTickLabels(false);
        top->setLabel(
            tr("%1\n%2 per doubling")
                .arg(where.empty() ? tr("#%1").arg(panels[k]->id) : QString::fromStdString(where))
                .arg(shift, 0, 'f', 2));
        QFont bold = top->labelFont();
        bold.setBold(panels[k]->id == m_shown);
        top->setLabelFont(bold);
        rects.push_back(rect);
    }
    if (rects.empty())
        return false;
    // one scale for every panel, so the curves compare by eye
    QCPRange xr, yr;
    bool first = true;
    for (QCPAxisRect* rect : rects)
        for (QCPGraph* g : rect->graphs()) {
            bool okx = false, oky = false;
            const QCPRange gx = g->getKeyRange(okx), gy = g->getValueRange(oky);
            if (!okx || !oky)
                continue;
            xr = first ? gx : QCPRange(std::min(xr.lower, gx.lower), std::max(xr.upper, gx.upper));
            yr = first ? gy : QCPRange(std::min(yr.lower, gy.lower), std::max(yr.upper, gy.upper));
            first = false;
        }
    xr = QCPRange(xr.center() - xr.size() * 0.54, xr.center() + xr.size() * 0.54);
    yr = QCPRange(yr.center() - yr.size() * 0.54, yr.center() + yr.size() * 0.54);
    for (QCPAxisRect* rect : rects) {
        rect->axis(QCPAxis::atBottom)->setRange(xr);
        rect->axis(QCPAxis::atLeft)->setRange(yr);
        if (rect != rects.front())
            rect->axis(QCPAxis::atLeft)->setLabel({});
    }
    m_panelCount = int(rects.size());
    m_fixedRanges = true;
    return true;
}

bool AnalysisView::drawLandscape(const Json& r) {
    const Json& xs = r.value("x", Json::array());
    const Json& ys = r.value("y", Json::array());
    const Json& loss = r.value("loss", Json::array());
    if (!xs.is_array() || xs.empty() || !loss.is_array() || loss.empty())
        return false;
    const int nx = int(xs.size()), ny = int(ys.is_array() ? ys.size() : 0);
    if (ny <= 1) {
        // 1-D: loss (and accuracy on the right axis) along the direction
        QVector<double> x, l, a;
        const Json& row = loss[0];
        const Json acc = r.contains("accuracy") ? r["accuracy"][0] : Json();
        for (int i = 0; i < nx && i < int(row.size()); ++i) {
            x << num(xs[std::size_t(i)]);
            l << num(row[std::size_t(i)]);
            if (acc.is_array())
                a << num(acc[std::size_t(i)]);
        }
        QCPGraph* g = m_plot->addGraph();
        g->setPen(QPen(seriesColor(0), 2));
        g->setData(x, l, true);
        g->setName(tr("loss"));
        if (!a.isEmpty()) {
            m_plot->yAxis2->setVisible(true);
            m_plot->yAxis2->setLabel(tr("accuracy"));
            QCPGraph* ga = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
            ga->setPen(QPen(seriesColor(1), 2, Qt::DashLine));
            ga->setData(x, a, true);
            ga->setName(tr("accuracy"));
            m_plot->legend->setVisible(true);
        }
        m_plot->xAxis->setLabel(r.value("mode", Json()) == "interpolate" ? tr("alpha") : tr("x"));
        m_plot->yAxis->setLabel(tr("loss"));
        return true;
    }
    std::string why;
    const auto grid = readLandscapeMap(r, &why);
    if (!grid) {
        m_message->setToolTip(QString::fromStdString(why));
        return false;
    }
    const std::vector<double> logLoss = grid->log10Loss();
    auto* map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    map->data()->setSize(int(grid->nx()), int(grid->ny()));
    map->data()->setRange(QCPRange(grid->xs.front(), grid->xs.back()),
                          QCPRange(grid->ys.front(), grid->ys.back()));
    double lo = INFINITY, hi = -INFINITY;
    for (std::size_t j = 0; j < grid->ny(); ++j)
        for (std::size_t i = 0; i < grid->nx(); ++i) {
            const double v = logLoss[j * grid->nx() + i];
            map->data()->setCell(int(i), int(j), v);
            if (std::isfinite(v))
                lo = std::min(lo, v), hi = std::max(hi, v);
        }
    auto* scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, scale);
    scale->setLabel(tr("log10(loss)"));
    map->setColorScale(scale);
    QCPColorGradient gradient(QCPColorGradient::gpThermal);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    map->setGradient(gradient);
    map->rescaleDataRange(true);
    auto* group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_plot->xAxis->setRange(map->data()->keyRange()); // the grid fills the plot
    m_plot->yAxis->setRange(map->data()->valueRange());
    m_fixedRanges = true;
    // Iso-lines of log10(loss) at round steps: the basin's shape and how steep its walls are
    // read better from lines than from colour alone.
    const std::vector<double> levels = contourLevels(lo, hi, 12);
    for (const ContourLine& line : contourLines(logLoss, grid->xs, grid->ys, levels)) {
        QVector<double> cx, cy;
        for (const auto& [x, y] : line.points)
            cx << x, cy << y;
        if (line.closed)
            cx << cx.front(), cy << cy.front();
        auto* curve = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        curve->setData(cx, cy);
        curve->setPen(QPen(QColor(255, 255, 255, 110), 1));
        curve->setSelectable(QCP::stNone);
        curve->removeFromLegend();
    }
    m_contourCount = int(levels.size());
    if (!grid->path.empty()) {
        auto* path = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        QVector<double> px, py;
        for (const auto& [x, y] : grid->path)
            px << x, py << y;
        path->setData(px, py);
        path->setPen(QPen(Qt::white, 2));
        path->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, Qt::white, Qt::black, 6));
        path->setName(tr("trajectory"));
    }
    m_plot->xAxis->setLabel(QString::fromStdString(grid->xLabel));
    m_plot->yAxis->setLabel(QString::fromStdString(grid->yLabel));
    m_surfaceResult = r;
    m_surfaceButton->setVisible(true);
    return true;
}

bool AnalysisView::drawBars(const std::vector<std::pair<QString, double>>& bars,
                            const std::vector<double>& errors, const QString& label,
                            bool signedColours) {
    if (bars.empty())
        return false;
    // horizontal bars, the first at the top
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> keys, values, negKeys, negValues;
    const int n = int(bars.size());
    for (int i = 0; i < n; ++i) {
        const double key = double(n - i);
        ticker->addTick(key, bars[std::size_t(i)].first);
        const double v = bars[std::size_t(i)].second;
        if (signedColours && v < 0) {
            negKeys << key;
            negValues << v;
        } else {
            keys << key;
            values << v;
        }
    }
    const auto addBars = [&](const QVector<double>& k, const QVector<double>& v, QColor colour) {
        auto* b = new QCPBars(m_plot->yAxis, m_plot->xAxis);
        b->setData(k, v, true);
        b->setBrush(colour);
        b->setPen(colour.darker(130));
        b->setWidth(0.7);
        return b;
    };
    QCPBars* positive =
        addBars(keys, values, signedColours ? QColor(214, 39, 40, 200) : QColor(31, 119, 180, 200));
    if (!negKeys.isEmpty())
        addBars(negKeys, negValues, QColor(31, 119, 180, 200));
    if (!errors.empty() && errors.size() == bars.size()) {
        auto* err = new QCPErrorBars(m_plot->yAxis, m_plot->xAxis);
        err->setDataPlottable(positive);
        QVector<double> e;
        for (double x : errors)
            e << (std::isfinite(x) ? x : 0.0);
        err->setData(e);
        err->setErrorType(QCPErrorBars::etValueError); // along the bars
        err->setPen(QPen(QColor(60, 60, 60), 1.2));
    }
    m_plot->yAxis->setTicker(ticker);
    m_plot->xAxis->setLabel(label);
    m_plot->yAxis->setRange(0.3, n + 0.7);
    // the value axis always holds zero, where every bar starts
    double low = 0, high = 0;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const double e = i < errors.size() && std::isfinite(errors[i]) ? errors[i] : 0.0;
        low = std::min(low, bars[i].second - e);
        high = std::max(high, bars[i].second + e);
    }
    const double pad = 0.06 * std::max(high - low, 1e-12);
    m_plot->xAxis->setRange(low - (low < 0 ? pad : 0), high + pad);
    m_fixedRanges = true;
    return true;
}

bool AnalysisView::drawHeatmap(const Json& r) {
    const Json& augs = r.value("augmentations", Json::array());
    const Json& settings = r.value("settings", Json::array());
    if (augs.empty() || settings.empty())
        return false;
    const int nx = int(augs.size()), ny = int(settings.size());
    auto* map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    map->data()->setSize(nx, ny);
    map->data()->setRange(QCPRange(0, nx - 1), QCPRange(0, ny - 1));
    double most = 0;
    auto xt = QSharedPointer<QCPAxisTickerText>::create();
    auto yt = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < nx; ++i)
        xt->addTick(i, text(augs[std::size_t(i)]));
    for (int j = 0; j < ny; ++j) {
        const Json& s = settings[std::size_t(j)];
        yt->addTick(j, text(s.value("setting", Json())));
        const Json& w = s.value("weights", Json::array());
        for (int i = 0; i < nx && i < int(w.size()); ++i) {
            const double v = num(w[std::size_t(i)]);
            map->data()->setCell(i, j, v);
            if (std::isfinite(v))
                most = std::max(most, std::abs(v));
        }
    }
    auto* scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, scale);
    scale->setLabel(tr("weight"));
    map->setColorScale(scale);
    // diverging: blue below zero, white at zero, red above, symmetric
    QCPColorGradient gradient;
    gradient.setColorStopAt(0, QColor(33, 102, 172));
    gradient.setColorStopAt(0.5, QColor(247, 247, 247));
    gradient.setColorStopAt(1, QColor(178, 24, 43));
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(QColor(200, 200, 200));
    map->setGradient(gradient);
    map->setDataRange(QCPRange(-std::max(most, 1e-12), std::max(most, 1e-12)));
    map->setInterpolate(false); // cells, not a field
    m_plot->xAxis->setTicker(xt);
    m_plot->yAxis->setTicker(yt);
    m_plot->xAxis->setTickLabelRotation(30);
    m_plot->xAxis->setRange(-0.5, nx - 0.5);
    m_plot->yAxis->setRange(-0.5, ny - 0.5);
    m_fixedRanges = true;
    // the numbers in their cells, while there is room for them
    if (nx * ny <= 200)
        for (int j = 0; j < ny; ++j)
            for (int i = 0; i < nx; ++i) {
                const double v = map->data()->cell(i, j);
                auto* label = new QCPItemText(m_plot);
                label->position->setCoords(i, j);
                label->setText(std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–"));
                label->setColor(std::isfinite(v) && std::abs(v) > 0.6 * most ? Qt::white
                                                                             : Qt::black);
            }
    auto* group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    return true;
}

bool AnalysisView::drawGroupCurves(const Json& r) {
    int i = 0;
    for (const auto& g : r.value("groups", Json::array())) {
        QVector<double> x, mean, lo, hi;
        const Json& steps = g.value("steps", Json::array());
        for (std::size_t k = 0; k < steps.size(); ++k) {
            const double m = num(g["mean"][k]), sd = num(g["sd"][k], 0);
            x << num(steps[k]);
            mean << m;
            lo << m - sd;
            hi << m + sd;
        }
        if (x.isEmpty())
            continue;
        const QColor colour = seriesColor(i++);
        QCPGraph* upper = m_plot->addGraph();
        QCPGraph* lower = m_plot->addGraph();
        QColor band = colour;
        band.setAlpha(50);
        upper->setData(x, hi, true);
        lower->setData(x, lo, true);
        upper->setPen(Qt::NoPen);
        lower->setPen(Qt::NoPen);
        upper->setBrush(band);
        upper->setChannelFillGraph(lower);
        upper->removeFromLegend();
        lower->removeFromLegend();
        QCPGraph* line = m_plot->addGraph();
        line->setData(x, mean, true);
        line->setPen(QPen(colour, 2));
        line->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, colour, 5));
        line->setName(text(g.value("key", Json())));
    }
    if (i == 0)
        return false;
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->yAxis->setLabel(text(r.value("metric", Json())));
    m_plot->legend->setVisible(true);
    // curves that rise (accuracies) end top right: the legend goes below them
    const bool rising = r.value("direction", Json("")) == "maximize";
    m_plot->axisRect()->insetLayout()->setInsetAlignment(
        0, Qt::AlignRight | (rising ? Qt::AlignBottom : Qt::AlignTop));
    return true;
}

} // namespace ps

// Its moc output is compiled here, not in the shared mocs_compilation unit: the CLI links that
// unit, and through analysis_view would pull in the 3-D views and with them VTK.
#include "moc_analysis_view.cpp"
