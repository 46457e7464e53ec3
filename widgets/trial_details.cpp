#include "widgets/trial_details.h"

#include "widgets/trial_selection.h"
#include "widgets/trial_table_model.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <cmath>

namespace ps {

namespace {

constexpr qint64 kLogTail = 64 * 1024; // the end of a long log is what says why

QString valueText(const Json& v) {
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    if (v.is_number_float())
        return QString::number(v.get<double>(), 'g', 6);
    return QString::fromStdString(v.dump());
}

QString when(double seconds) {
    return seconds > 0 ? QDateTime::fromMSecsSinceEpoch(qint64(seconds * 1000))
                             .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                       : QStringLiteral("–");
}

QString row(const QString& name, const QString& value) {
    return QStringLiteral("<tr><td style='padding-right:14px;color:palette(mid)'>%1</td>"
                          "<td>%2</td></tr>")
        .arg(name.toHtmlEscaped(), value.toHtmlEscaped());
}

} // namespace

TrialDetails::TrialDetails(TrialSelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_details(new QTextBrowser(this)),
      m_logLabel(new QLabel(this)), m_log(new QPlainTextEdit(this)) {
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* logBox = new QWidget(this);
    auto* logLayout = new QVBoxLayout(logBox);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->addWidget(m_logLabel);
    logLayout->addWidget(m_log, 1);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_details);
    split->addWidget(logBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);
    connect(m_selection, &TrialSelection::selectionChanged, this, &TrialDetails::showSelected);
    clear();
}

void TrialDetails::clear() {
    m_trials.clear();
    m_shown = 0;
    m_details->setHtml(tr("<p>Select a trial (a row, a point, a line) to see it here.</p>"));
    m_logLabel->clear();
    m_log->clear();
}

void TrialDetails::applyTrials(const TrialList& trials) {
    bool shownChanged = false;
    for (auto t = trials.begin(); t != trials.end(); ++t) {
        m_trials.insert(t->id, t.ptr());
        shownChanged = shownChanged || t->id == m_shown;
    }
    if (shownChanged || (m_shown == 0 && !m_selection->isEmpty()))
        showSelected();
}

void TrialDetails::showSelected() {
    // with several selected, the newest of them
    const Trial* pick = nullptr;
    for (qint64 id : m_selection->selected()) {
        const auto it = m_trials.constFind(id);
        if (it != m_trials.constEnd() && (!pick || (*it)->number > pick->number))
            pick = it->get();
    }
    if (!pick) {
        const QHash<qint64, TrialPtr> keep = m_trials;
        clear();
        m_trials = keep;
        return;
    }
    show(*pick);
}

void TrialDetails::show(const Trial& t) {
    m_shown = t.id;
    QString html = QStringLiteral("<h3>Trial #%1 — %2</h3>")
                       .arg(t.number)
                       .arg(TrialTableModel::stateText(t.state));
    if (m_selection->selected().size() > 1)
        html += tr("<p><i>%1 trials selected; the newest is shown.</i></p>")
                    .arg(m_selection->selected().size());
    if (!t.failReason.empty())
        html += QStringLiteral("<p style='color:#b00020'><b>%1</b> %2</p>")
                    .arg(t.state == TrialState::Pruned ? tr("Pruned:") : tr("Failed:"),
                         QString::fromStdString(t.failReason).toHtmlEscaped());
    html += QStringLiteral("<table>");
    const auto duration =
        TrialTableModel::durationOf(t, double(QDateTime::currentMSecsSinceEpoch()) / 1000);
    html += row(tr("created"), when(t.createdAt));
    html += row(tr("started"), when(t.startedAt));
    html += row(tr("finished"), when(t.finishedAt));
    if (duration)
        html += row(tr("duration"), TrialTableModel::formatDuration(*duration));
    html += row(tr("worker"), QString::fromStdString(t.worker));
    if (t.retryOf)
        html += row(tr("retry of"), tr("trial #%1 (same parameters)").arg(*t.retryOf));
    html += row(tr("attempts"), QString::number(t.attempts));
    if (t.system.contains("group"))
        html += row(tr("scheduler group"), valueText(t.system["group"]));
    if (t.system.contains("checkpoint"))
        html +=
            row(tr("checkpoint"),
                valueText(t.system["checkpoint"].value("path", Json())) +
                    tr(" (step %1)").arg(valueText(t.system["checkpoint"].value("step", Json()))));
    html += QStringLiteral("</table><h4>%1</h4><table>").arg(tr("Parameters"));
    for (const auto& [name, value] : t.params.items())
        html += row(QString::fromStdString(name), valueText(value));
    html += QStringLiteral("</table><h4>%1</h4><table>").arg(tr("Final metrics"));
    if (t.values.empty())
        html += row(tr("(none yet)"), {});
    for (const auto& [name, value] : t.values)
        html += row(QString::fromStdString(name), QString::number(value, 'g', 6));
    html += QStringLiteral("</table>");
    m_details->setHtml(html);

    // the end of the task's log, read now: it grows while the trial runs
    const QString path = t.system.contains("log") && t.system["log"].is_string()
                             ? QString::fromStdString(t.system["log"].get<std::string>())
                             : QString();
    m_log->clear();
    if (path.isEmpty()) {
        m_logLabel->setText(tr("No log recorded for this trial."));
        return;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_logLabel->setText(tr("Log %1: cannot be read here (%2)").arg(path, file.errorString()));
        return;
    }
    const qint64 size = file.size();
    if (size > kLogTail)
        file.seek(size - kLogTail);
    m_log->setPlainText(QString::fromUtf8(file.readAll()));
    m_log->moveCursor(QTextCursor::End);
    m_logLabel->setText(size > kLogTail
                            ? tr("Log %1 (its last %2 KiB)").arg(path).arg(kLogTail / 1024)
                            : tr("Log %1").arg(path));
}

QString TrialDetails::detailsText() const {
    return m_details->toPlainText();
}

QString TrialDetails::logText() const {
    return m_log->toPlainText();
}

} // namespace ps
