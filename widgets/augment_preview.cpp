#include "widgets/augment_preview.h"

#include "core/execution/task.h"
#include "core/space/setting_pointer.h"
#include "widgets/augment_grid_runner.h"
#include "widgets/augment_policy_editor.h"
#include "widgets/trial_selection.h"

#include <QButtonGroup>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPaintEvent>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QVBoxLayout>
#include <climits>

namespace ps {

namespace {

// White pixels between the worker's tiles (kAugmentGridGap in core/train/augment_grid.h,
// which ps_widgets may not include): where the original column ends.
constexpr int kGridGap = 2;

// The settings a grid's look depends on: the augmentations, and the dataset rows they are
// drawn on. A trial's other parameters (learning rate, width, ...) would only split the
// cache, since they draw the same picture.
bool drawsDifferently(const std::string& name) {
    return name.rfind("augment.", 0) == 0 || name.rfind("dataset.", 0) == 0;
}

// The grid, zoomed by whole pixels (nearest neighbour, so every image pixel stays a crisp
// square), under a line of column labels: "original" over the first column, then the draws.
// Zoomed as it is painted, not kept zoomed: a 64-row grid at 8x would be a picture of
// hundreds of megabytes, of which a dock shows a corner.
class GridCanvas : public QWidget {
public:
    explicit GridCanvas(QWidget* parent) : QWidget(parent) {}

    void setImage(const QImage& image, int draws) {
        m_image = image;
        m_draws = draws;
        resizeToFit();
    }
    void setZoom(int zoom) {
        m_zoom = zoom;
        resizeToFit();
    }
    void setFaded(bool faded) {
        m_faded = faded;
        update();
    }
    QSize sizeHint() const override {
        return m_image.isNull() ? QSize(0, 0) : zoomed() + QSize(0, headerHeight());
    }

protected:
    void paintEvent(QPaintEvent* event) override {
        QPainter p(this);
        p.fillRect(event->rect(), palette().window());
        if (m_image.isNull())
            return;
        const int top = headerHeight();
        p.setOpacity(m_faded ? 0.35 : 1.0);
        // Without SmoothPixmapTransform the raster engine scales by nearest neighbour.
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(QRect(QPoint(0, top), zoomed()), m_image);
        // The tiles' width follows from the layout the worker writes: 1 + draws tiles with
        // gaps between them. A picture that does not fit it gets no labels rather than
        // labels in the wrong places.
        const int across = m_draws + 1;
        if ((m_image.width() + kGridGap) % across != 0)
            return;
        const int tile = ((m_image.width() + kGridGap) / across - kGridGap) * m_zoom;
        const int gap = kGridGap * m_zoom;
        QFont small = font();
        small.setPointSizeF(small.pointSizeF() * 0.9);
        p.setFont(small);
        p.setPen(palette().color(QPalette::WindowText));
        const QFontMetrics fm(small);
        const QRect originalBox(0, 0, tile + gap, top);
        p.drawText(originalBox, Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(AugmentPreview::tr("original"), Qt::ElideRight, tile + gap));
        if (m_draws > 0) {
            const int x = tile + gap;
            const QString text = m_draws == 1
                                     ? AugmentPreview::tr("augmented draw")
                                     : AugmentPreview::tr("augmented draws 1–%1 →").arg(m_draws);
            const int width = zoomed().width();
            p.drawText(QRect(x, 0, width - x, top), Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(text, Qt::ElideRight, width - x));
            // A coloured rule in the gap after the originals, so the eye finds them.
            const int rule = std::max(1, gap / 2);
            p.fillRect(QRect(tile + (gap - rule) / 2, top, rule, zoomed().height()),
                       palette().color(QPalette::Highlight));
        }
    }

private:
    int headerHeight() const { return fontMetrics().height() + 4; }
    QSize zoomed() const { return m_image.size() * m_zoom; }
    void resizeToFit() {
        setFixedSize(sizeHint());
        update();
    }

    QImage m_image;
    int m_draws = 0;
    int m_zoom = 1;
    bool m_faded = false;
};

QSpinBox* spinBox(QWidget* parent, int min, int max, int value, const QString& tip) {
    auto* s = new QSpinBox(parent);
    s->setRange(min, max);
    s->setValue(value);
    s->setToolTip(tip);
    s->setKeyboardTracking(false); // one render per value, not per key
    return s;
}

} // namespace

AugmentPreview::AugmentPreview(TrialSelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_runner(new AugmentGridRunner(this)),
      m_cache(64 * 1024), m_modes(new QButtonGroup(this)) {
    // Mode and grid controls, in two short rows so the view fits a narrow dock.
    auto* trialMode = new QPushButton(tr("Selected trial"), this);
    trialMode->setToolTip(tr("The policy of the selected trial (the newest of several; the "
                             "study's own task settings when none is selected)"));
    auto* policyMode = new QPushButton(tr("Try a policy"), this);
    policyMode->setToolTip(tr("Switch augmentations on and off and set their strength here, "
                              "to see what a policy does before running it"));
    for (QPushButton* b : {trialMode, policyMode}) {
        b->setCheckable(true);
        m_modes->addButton(b);
    }
    m_modes->setId(trialMode, int(Mode::Trial));
    m_modes->setId(policyMode, int(Mode::Policy));
    trialMode->setChecked(true);
    trialMode->setObjectName(QStringLiteral("trialMode"));
    policyMode->setObjectName(QStringLiteral("policyMode"));
    m_newDraw = new QPushButton(tr("New draw"), this);
    m_newDraw->setObjectName(QStringLiteral("newDraw"));
    m_newDraw->setToolTip(tr("Other random draws of the same policy (the next seed)"));
    auto* modeRow = new QHBoxLayout;
    modeRow->addWidget(trialMode);
    modeRow->addWidget(policyMode);
    modeRow->addStretch(1);
    modeRow->addWidget(m_newDraw);

    m_rows = spinBox(this, 1, 64, 4, tr("Training images, one per row"));
    m_draws = spinBox(this, 0, 32, 6, tr("Augmented draws of each image, right of the original"));
    m_seed = spinBox(this, 0, INT_MAX, 0, tr("Seed of the augmentations' random draws"));
    m_zoom = spinBox(this, 1, 8, 3, tr("Screen pixels per image pixel (nearest neighbour)"));
    m_zoom->setSuffix(QStringLiteral("×"));
    auto* gridRow = new QHBoxLayout;
    for (auto [name, box] : {std::pair{tr("Rows"), m_rows}, std::pair{tr("Draws"), m_draws},
                             std::pair{tr("Seed"), m_seed}, std::pair{tr("Zoom"), m_zoom}}) {
        auto* label = new QLabel(name, this);
        label->setBuddy(box);
        label->setToolTip(box->toolTip());
        gridRow->addWidget(label);
        gridRow->addWidget(box);
        gridRow->addSpacing(6);
    }
    gridRow->addStretch(1);

    m_captionLabel = new QLabel(this);
    m_captionLabel->setWordWrap(true);
    m_captionLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_busyRow = new QWidget(this);
    m_busyLabel = new QLabel(m_busyRow);
    m_busyBar = new QProgressBar(m_busyRow);
    m_busyBar->setRange(0, 0); // the worker reports no progress: busy, not a percentage
    m_busyBar->setMaximumHeight(m_busyLabel->sizeHint().height());
    m_busyBar->setTextVisible(false);
    m_cancel = new QPushButton(tr("Cancel"), m_busyRow);
    m_cancel->setObjectName(QStringLiteral("cancel"));
    auto* busyLayout = new QHBoxLayout(m_busyRow);
    busyLayout->setContentsMargins(0, 0, 0, 0);
    busyLayout->addWidget(m_busyLabel);
    busyLayout->addWidget(m_busyBar, 1);
    busyLayout->addWidget(m_cancel);
    m_busyRow->setVisible(false);

    m_canvas = new GridCanvas(this);
    static_cast<GridCanvas*>(m_canvas)->setZoom(m_zoom->value());
    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("gridScroll"));
    m_scroll->setWidget(m_canvas);
    m_scroll->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_scroll->setFrameShape(QFrame::NoFrame);

    m_messagePage = new QWidget(this);
    m_messageTitle = new QLabel(m_messagePage);
    QFont bold = m_messageTitle->font();
    bold.setBold(true);
    m_messageTitle->setFont(bold);
    m_messageTitle->setWordWrap(true);
    m_messageBody = new QLabel(m_messagePage);
    m_messageBody->setWordWrap(true);
    m_messageBody->setTextFormat(Qt::PlainText);
    m_messageBody->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_retry = new QPushButton(tr("Draw again"), m_messagePage);
    m_retry->setObjectName(QStringLiteral("drawAgain"));
    auto* messageLayout = new QVBoxLayout(m_messagePage);
    messageLayout->addWidget(m_messageTitle);
    messageLayout->addWidget(m_messageBody);
    messageLayout->addWidget(m_retry, 0, Qt::AlignLeft);
    messageLayout->addStretch(1);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_scroll);
    m_stack->addWidget(m_messagePage);

    m_policyPanel = new QWidget(this);
    m_policy = new AugmentPolicyEditor(m_policyPanel);
    m_policyScroll = new QScrollArea(m_policyPanel);
    m_policyScroll->setWidget(m_policy);
    m_policyScroll->setWidgetResizable(true);
    m_policyScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_fromTrial = new QPushButton(tr("From trial"), m_policyPanel);
    m_fromTrial->setObjectName(QStringLiteral("fromTrial"));
    m_fromTrial->setToolTip(tr("Start from the selected trial's policy"));
    auto* fromStudy = new QPushButton(tr("From study"), m_policyPanel);
    fromStudy->setObjectName(QStringLiteral("fromStudy"));
    fromStudy->setToolTip(tr("Start from the study's own task settings"));
    auto* policyButtons = new QHBoxLayout;
    policyButtons->addWidget(m_fromTrial);
    policyButtons->addWidget(fromStudy);
    auto* policyLayout = new QVBoxLayout(m_policyPanel);
    policyLayout->setContentsMargins(0, 0, 0, 0);
    policyLayout->addLayout(policyButtons);
    policyLayout->addWidget(m_policyScroll, 1);
    m_policyPanel->setVisible(false);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_stack);
    split->addWidget(m_policyPanel);
    split->setStretchFactor(0, 1);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(modeRow);
    layout->addLayout(gridRow);
    layout->addWidget(m_captionLabel);
    layout->addWidget(m_busyRow);
    layout->addWidget(split, 1);

    connect(m_modes, &QButtonGroup::idClicked, this, [this](int id) { setMode(Mode(id)); });
    connect(m_newDraw, &QPushButton::clicked, this, &AugmentPreview::newDraw);
    for (QSpinBox* box : {m_rows, m_draws, m_seed})
        connect(box, &QSpinBox::valueChanged, this, &AugmentPreview::refresh);
    connect(m_zoom, &QSpinBox::valueChanged, this,
            [this](int zoom) { static_cast<GridCanvas*>(m_canvas)->setZoom(zoom); });
    connect(m_cancel, &QPushButton::clicked, this, &AugmentPreview::cancel);
    connect(m_retry, &QPushButton::clicked, this, &AugmentPreview::refresh);
    connect(m_policy, &AugmentPolicyEditor::changed, this, [this] {
        if (m_mode == Mode::Policy)
            refresh();
    });
    connect(m_fromTrial, &QPushButton::clicked, this, [this] {
        const auto it = m_trials.constFind(m_trialId);
        m_policy->setValues(m_settings, it == m_trials.constEnd() ? Json::object() : (*it)->params);
        refresh();
    });
    connect(fromStudy, &QPushButton::clicked, this, [this] {
        m_policy->setValues(m_settings);
        refresh();
    });
    connect(m_selection, &TrialSelection::selectionChanged, this, &AugmentPreview::followSelection);
    connect(m_runner, &AugmentGridRunner::rendered, this,
            [this](const QString& key, const QImage& image) {
                m_cache.insert(key, new QImage(image), int(image.sizeInBytes() / 1024) + 1);
                setBusyShown(m_runner->isBusy());
                if (key == m_wantedKey)
                    showGrid(image, m_wantedCaption);
            });
    connect(m_runner, &AugmentGridRunner::failed, this,
            [this](const QString& key, const QString& message) {
                // Not cached: the data may be installed, the worker built, before the next try.
                setBusyShown(m_runner->isBusy());
                if (key == m_wantedKey)
                    showMessage(tr("Cannot draw the augmentation preview"), message,
                                Message::Failure, m_wantedCaption);
            });
    connect(m_runner, &AugmentGridRunner::busyChanged, this, [this](bool busy) {
        if (!busy)
            setBusyShown(false);
    });
    clear();
}

AugmentPreview::~AugmentPreview() = default;

void AugmentPreview::setWorkerPath(const QString& path) {
    m_runner->setWorkerPath(path);
}

QString AugmentPreview::workerPath() const {
    return m_runner->workerPath();
}

int AugmentPreview::rows() const {
    return m_rows->value();
}

int AugmentPreview::draws() const {
    return m_draws->value();
}

quint64 AugmentPreview::seed() const {
    return quint64(m_seed->value());
}

int AugmentPreview::zoom() const {
    return m_zoom->value();
}

QString AugmentPreview::caption() const {
    return m_captionLabel->text();
}

QString AugmentPreview::message() const {
    return m_stack->currentWidget() == m_messagePage
               ? m_messageTitle->text() + QLatin1Char('\n') + m_messageBody->text()
               : QString();
}

bool AugmentPreview::isBusy() const {
    return m_busyRow->isVisibleTo(this);
}

void AugmentPreview::setGrid(int rows, int draws) {
    {
        const QSignalBlocker blockRows(m_rows), blockDraws(m_draws);
        m_rows->setValue(rows);
        m_draws->setValue(draws);
    }
    refresh(); // one request for both
}

void AugmentPreview::setSeed(quint64 seed) {
    m_seed->setValue(int(std::min<quint64>(seed, INT_MAX)));
}

void AugmentPreview::setZoom(int zoom) {
    m_zoom->setValue(zoom);
}

void AugmentPreview::newDraw() {
    m_seed->setValue(m_seed->value() < m_seed->maximum() ? m_seed->value() + 1 : 0);
}

void AugmentPreview::setMode(Mode mode) {
    m_mode = mode;
    m_modes->button(int(mode))->setChecked(true);
    m_policyPanel->setVisible(mode == Mode::Policy);
    refresh();
}

void AugmentPreview::setTaskSettings(const Json& settings, const QString& taskKind) {
    // The window hands the study over on every change of its record; only a new task resets
    // the policy being edited.
    if (taskKind == m_taskKind && settings == m_settings)
        return;
    m_taskKind = taskKind;
    m_settings = settings.is_object() ? settings : Json::object();
    m_augmentations.clear();
    const TaskCatalog catalog = TaskCatalog::withBuiltins();
    std::vector<SettingSpec> specs;
    if (const TaskSpec* spec = catalog.spec(taskKind.toStdString()))
        specs = spec->settings;
    for (const SettingSpec& s : specs) {
        const std::string prefix = "augment.";
        const std::string suffix = ".enabled";
        if (s.path.rfind(prefix, 0) == 0 && s.path.size() > prefix.size() + suffix.size() &&
            s.path.compare(s.path.size() - suffix.size(), suffix.size(), suffix) == 0)
            m_augmentations.push_back(
                s.path.substr(prefix.size(), s.path.size() - prefix.size() - suffix.size()));
    }
    m_policy->setSpecs(specs);
    m_policy->setValues(m_settings);
    fitPolicyPanel();
    refresh();
}

void AugmentPreview::fitPolicyPanel() {
    // Wide enough for the editors of every augmentation, open or not, beside a vertical
    // scroll bar: it scrolls down, never sideways, and opening a block does not clip it.
    m_policy->ensurePolished();
    const int width = m_policy->widestHint() + m_policyScroll->frameWidth() * 2 +
                      style()->pixelMetric(QStyle::PM_ScrollBarExtent);
    m_policyScroll->setMinimumWidth(width);
}

void AugmentPreview::clear() {
    m_taskKind.clear();
    m_settings = Json::object();
    m_augmentations.clear();
    m_trials.clear();
    m_trialId = 0;
    m_fromTrial->setEnabled(false);
    m_policy->setSpecs({});
    refresh();
}

void AugmentPreview::applyTrials(const TrialList& trials) {
    bool followedChanged = false;
    for (auto t = trials.begin(); t != trials.end(); ++t) {
        const auto old = m_trials.constFind(t->id);
        followedChanged =
            followedChanged || (m_selection->isSelected(t->id) &&
                                (old == m_trials.constEnd() || (*old)->params != t->params));
        m_trials.insert(t->id, t.ptr()); // shared with the other views, not copied
    }
    if (followedChanged)
        followSelection();
}

void AugmentPreview::followSelection() {
    // with several selected, the newest of them (as TrialDetails)
    const Trial* pick = nullptr;
    for (qint64 id : m_selection->selected()) {
        const auto it = m_trials.constFind(id);
        if (it != m_trials.constEnd() && (!pick || (*it)->number > pick->number))
            pick = it->get();
    }
    m_trialId = pick ? pick->id : 0;
    m_fromTrial->setEnabled(pick != nullptr);
    if (m_mode == Mode::Trial)
        refresh();
}

AugmentGridRequest AugmentPreview::request() const {
    AugmentGridRequest r;
    r.settings = m_settings;
    r.rows = m_rows->value();
    r.cols = m_draws->value();
    r.seed = quint64(m_seed->value());
    if (m_mode == Mode::Policy) {
        // Only what differs from the study, so a policy equal to it is the same request.
        const Json policy = m_policy->values(); // items() does not keep a temporary alive
        for (const auto& [name, value] : policy.items()) {
            const auto at = settingPointer(name);
            if (!m_settings.contains(at) || m_settings.at(at) != value)
                r.params[name] = value;
        }
    } else if (const auto it = m_trials.constFind(m_trialId); it != m_trials.constEnd()) {
        for (const auto& [name, value] : (*it)->params.items())
            if (drawsDifferently(name))
                r.params[name] = value;
    }
    return r;
}

QString AugmentPreview::describe(const Json& params) const {
    QString what;
    if (m_mode == Mode::Policy) {
        what = tr("Your policy");
    } else if (const auto it = m_trials.constFind(m_trialId); it != m_trials.constEnd()) {
        what = tr("Trial #%1").arg((*it)->number);
        if (m_selection->selected().size() > 1)
            what += tr(" (the newest of %1 selected)").arg(m_selection->selected().size());
    } else {
        what = tr("The study's task settings (no trial selected)");
    }
    QStringList on;
    for (const std::string& name : m_augmentations) {
        const std::string path = "augment." + name + ".enabled";
        const Json value = params.contains(path) ? params[path]
                           : m_settings.contains(settingPointer(path))
                               ? m_settings.at(settingPointer(path))
                               : Json(false);
        if (value == Json(true))
            on << QString::fromStdString(name);
    }
    const QString augmentations =
        on.isEmpty() ? tr("no augmentation on") : tr("augmentations: %1").arg(on.join(", "));
    return tr("%1 — %2 — seed %3").arg(what, augmentations).arg(m_seed->value());
}

void AugmentPreview::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

void AugmentPreview::refresh() {
    if (m_taskKind.isEmpty()) {
        m_runner->cancel();
        m_wantedKey.clear();
        setBusyShown(false);
        showMessage(tr("No study"),
                    tr("Open a study of the classify task to see what its augmentations do "
                       "to its training images."),
                    Message::Hint);
        return;
    }
    if (m_taskKind != QStringLiteral("classify")) {
        m_runner->cancel();
        m_wantedKey.clear();
        setBusyShown(false);
        showMessage(tr("No augmentations to preview"),
                    tr("The augmentation preview draws the classify task's training images; "
                       "this study's task is %1.")
                        .arg(m_taskKind),
                    Message::Hint);
        return;
    }
    // A hidden view (a dock behind another) starts no worker; it draws when shown.
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    const AugmentGridRequest r = request();
    const QString key = r.key();
    const QString caption = describe(r.params);
    if (const QImage* cached = m_cache.object(key)) {
        // A worker still drawing something older is not wanted any more.
        m_runner->cancel();
        m_wantedKey.clear();
        setBusyShown(false);
        showGrid(*cached, caption);
        return;
    }
    if (key == m_wantedKey && m_runner->isBusy())
        return; // already on its way
    m_wantedKey = key;
    m_wantedCaption = caption;
    m_busyLabel->setText(tr("Drawing %1…").arg(caption.section(QStringLiteral(" — "), 0, 0)));
    setBusyShown(true);
    m_runner->render(r);
}

void AugmentPreview::showGrid(const QImage& image, const QString& caption) {
    m_image = image;
    m_captionLabel->setText(caption);
    m_captionLabel->setVisible(true);
    m_captionLabel->setToolTip(tr("Each row is one training image: the original, then %1 "
                                  "independent augmented draws of it.")
                                   .arg(m_draws->value()));
    static_cast<GridCanvas*>(m_canvas)->setImage(image, m_draws->value());
    m_stack->setCurrentWidget(m_scroll);
    Q_EMIT shownChanged();
}

void AugmentPreview::showMessage(const QString& title, const QString& body, Message kind,
                                 const QString& caption) {
    m_image = QImage();
    m_captionLabel->setText(caption);
    m_captionLabel->setToolTip({});
    m_captionLabel->setVisible(!caption.isEmpty());
    static_cast<GridCanvas*>(m_canvas)->setImage(QImage(), 0);
    m_messageTitle->setText(title);
    m_messageBody->setText(body);
    // A failure reads as one, in the worker's own words (monospace: they quote paths and
    // settings); a hint (no study yet) does not.
    const bool failure = kind == Message::Failure;
    QPalette pal = m_messageTitle->palette();
    pal.setColor(QPalette::WindowText,
                 failure ? QColor(0xb0, 0x00, 0x20) : palette().color(QPalette::WindowText));
    m_messageTitle->setPalette(pal);
    m_messageBody->setFont(failure ? QFontDatabase::systemFont(QFontDatabase::FixedFont) : font());
    m_retry->setVisible(kind != Message::Hint);
    m_stack->setCurrentWidget(m_messagePage);
    Q_EMIT shownChanged();
}

void AugmentPreview::setBusyShown(bool busy) {
    m_busyRow->setVisible(busy);
    // The grid shown is not the one asked for while another is drawn: faded until replaced.
    static_cast<GridCanvas*>(m_canvas)->setFaded(busy);
}

void AugmentPreview::cancel() {
    if (!isBusy())
        return;
    m_runner->cancel();
    m_wantedKey.clear();
    setBusyShown(false);
    showMessage(tr("Canceled"), tr("Drawing the grid was canceled."), Message::Stopped,
                m_wantedCaption);
}

} // namespace ps
