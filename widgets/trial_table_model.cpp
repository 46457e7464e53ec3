#include "widgets/trial_table_model.h"

#include "widgets/theme.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <algorithm>
#include <cmath>

namespace ps {

namespace {

// Tints of the state's colour behind the state cell and the colour itself for its text: pale
// tints under dark text on a light base, deep ones under light text on a dark base.
QColor stateBackground(TrialState state) {
    const bool dark = darkPalette();
    switch (state) {
    case TrialState::Waiting:
        return {};
    case TrialState::Running:
        return dark ? QColor(0x1f, 0x3a, 0x5f) : QColor(0xd3, 0xe4, 0xfa);
    case TrialState::Complete:
        return dark ? QColor(0x1f, 0x48, 0x2a) : QColor(0xd3, 0xef, 0xd3);
    case TrialState::Pruned:
        return dark ? QColor(0x3a, 0x3a, 0x3a) : QColor(0xe2, 0xe2, 0xe2);
    case TrialState::Fail:
        return dark ? QColor(0x5c, 0x22, 0x22) : QColor(0xf7, 0xcf, 0xcf);
    }
    return {};
}

QColor stateForeground(TrialState state) {
    const bool dark = darkPalette();
    switch (state) {
    case TrialState::Waiting:
        return dark ? QColor(0xa8, 0xa8, 0xa8) : QColor(0x60, 0x60, 0x60);
    case TrialState::Running:
        return dark ? QColor(0x9c, 0xc4, 0xff) : QColor(0x1a, 0x4a, 0x8a);
    case TrialState::Complete:
        return dark ? QColor(0x9f, 0xe0, 0x9f) : QColor(0x1b, 0x66, 0x1b);
    case TrialState::Pruned:
        return dark ? QColor(0xb8, 0xb8, 0xb8) : QColor(0x55, 0x55, 0x55);
    case TrialState::Fail:
        return dark ? QColor(0xff, 0xa0, 0xa0) : QColor(0x9c, 0x16, 0x16);
    }
    return {};
}

QString numberText(double v) {
    return QString::number(v, 'g', 6);
}

QVariant paramDisplay(const Json& v) {
    if (v.is_null())
        return {};
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    if (v.is_boolean())
        return v.get<bool>() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.is_number_integer())
        return QString::number(v.get<qint64>());
    if (v.is_number())
        return numberText(v.get<double>());
    return QString::fromStdString(v.dump());
}

QVariant paramSort(const Json& v) {
    if (v.is_null())
        return {};
    if (v.is_number() || v.is_boolean())
        return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
    return paramDisplay(v);
}

// What the table shows of a trial; a change outside it (heartbeat, rev) is not worth a
// dataChanged.
bool sameShown(const Trial& a, const Trial& b) {
    return a.state == b.state && a.value == b.value && a.params == b.params &&
           a.worker == b.worker && a.failReason == b.failReason && a.startedAt == b.startedAt &&
           a.finishedAt == b.finishedAt && a.number == b.number;
}

} // namespace

TrialTableModel::TrialTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void TrialTableModel::setObjective(const QString& metric, Direction direction) {
    const bool directionChanged = direction != m_direction;
    m_metric = metric;
    m_direction = direction;
    Q_EMIT headerDataChanged(Qt::Horizontal, ValueColumn, ValueColumn);
    if (directionChanged) {
        std::vector<int> rows;
        if (m_best)
            rows.push_back(rowOf(*m_best));
        m_best = findBest();
        if (m_best)
            rows.push_back(rowOf(*m_best));
        emitRowRuns(rows, 0, columnCount() - 1);
    }
}

void TrialTableModel::setConstraints(std::vector<Constraint> constraints) {
    m_constraints = std::move(constraints);
    const auto best = findBest();
    if (best == m_best)
        return;
    std::vector<int> rows;
    for (auto id : {m_best, best}) {
        if (id)
            rows.push_back(rowOf(*id));
    }
    m_best = best;
    emitRowRuns(rows, 0, columnCount() - 1);
}

void TrialTableModel::applyTrials(const TrialList& trials) {
    // New parameter names first, so that rows inserted below already have their columns.
    QStringList newParams;
    for (const auto& t : trials) {
        if (!t.params.is_object())
            continue;
        for (auto it = t.params.begin(); it != t.params.end(); ++it) {
            const QString name = QString::fromStdString(it.key());
            if (!m_params.contains(name) && !newParams.contains(name))
                newParams << name;
        }
    }
    if (!newParams.isEmpty()) {
        const int first = durationColumn();
        beginInsertColumns({}, first, first + int(newParams.size()) - 1);
        m_params << newParams;
        endInsertColumns();
    }

    std::vector<TrialPtr> added;
    QHash<qint64, std::size_t> addedAt; // id -> index in added: a first poll brings them all
    std::vector<int> changedRows;
    for (auto t = trials.begin(); t != trials.end(); ++t) {
        const auto it = m_rowOf.constFind(t->id);
        if (it == m_rowOf.constEnd()) {
            // A trial may come twice in one batch only if the caller merged batches; the later
            // snapshot wins.
            if (const auto same = addedAt.constFind(t->id); same != addedAt.constEnd()) {
                added[*same] = t.ptr();
            } else {
                addedAt.insert(t->id, added.size());
                added.push_back(t.ptr());
            }
            continue;
        }
        TrialPtr& old = m_trials[size_t(*it)];
        const bool shown = !sameShown(*old, *t);
        old = t.ptr();
        if (shown)
            changedRows.push_back(*it);
    }

    if (!added.empty()) {
        std::stable_sort(added.begin(), added.end(), [](const TrialPtr& a, const TrialPtr& b) {
            return a->number < b->number;
        });
        const int first = int(m_trials.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        m_trials.reserve(m_trials.size() + added.size());
        m_rowOf.reserve(qsizetype(m_trials.size() + added.size()));
        for (auto& t : added) {
            m_rowOf.insert(t->id, int(m_trials.size()));
            m_trials.push_back(std::move(t));
        }
        endInsertRows();
    }

    // The best trial is drawn bold: when it moves, both rows change. Inserted rows are drawn
    // fresh anyway.
    const auto best = findBest();
    if (best != m_best) {
        for (auto id : {m_best, best}) {
            if (!id)
                continue;
            const int row = rowOf(*id);
            if (row >= 0 && row < int(m_trials.size()) - int(added.size()))
                changedRows.push_back(row);
        }
        m_best = best;
    }
    emitRowRuns(std::move(changedRows), 0, columnCount() - 1);
}

void TrialTableModel::clear() {
    beginResetModel();
    m_trials.clear();
    m_rowOf.clear();
    m_params.clear();
    m_best.reset();
    endResetModel();
}

void TrialTableModel::refreshRunning() {
    std::vector<int> rows;
    for (size_t i = 0; i < m_trials.size(); ++i) {
        if (m_trials[i]->state == TrialState::Running)
            rows.push_back(int(i));
    }
    emitRowRuns(std::move(rows), durationColumn(), durationColumn());
}

void TrialTableModel::emitRowRuns(std::vector<int> rows, int firstColumn, int lastColumn) {
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    rows.erase(std::remove(rows.begin(), rows.end(), -1), rows.end());
    for (size_t i = 0; i < rows.size();) {
        size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
            ++j;
        Q_EMIT dataChanged(index(rows[i], firstColumn), index(rows[j], lastColumn));
        i = j + 1;
    }
}

std::optional<qint64> TrialTableModel::findBest() const {
    const Trial* best = bestSharedTrial(m_trials, m_direction, m_constraints);
    return best ? std::optional<qint64>(best->id) : std::nullopt;
}

const Trial* TrialTableModel::trialAt(int row) const {
    return row >= 0 && row < int(m_trials.size()) ? m_trials[size_t(row)].get() : nullptr;
}

int TrialTableModel::rowOf(qint64 trialId) const {
    return m_rowOf.value(trialId, -1);
}

int TrialTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_trials.size());
}

int TrialTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : failReasonColumn() + 1;
}

std::optional<double> TrialTableModel::durationOf(const Trial& trial, double now) {
    if (trial.startedAt <= 0 || trial.state == TrialState::Waiting)
        return std::nullopt;
    const double end = isFinished(trial.state) && trial.finishedAt > 0 ? trial.finishedAt : now;
    return std::max(0.0, end - trial.startedAt);
}

QString TrialTableModel::formatDuration(double seconds) {
    if (seconds < 60)
        return QString::number(seconds, 'f', seconds < 10 ? 2 : 1) + QStringLiteral(" s");
    const auto total = qint64(std::llround(seconds));
    if (total < 3600)
        return QStringLiteral("%1 m %2 s").arg(total / 60).arg(total % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1 h %2 m")
        .arg(total / 3600)
        .arg((total % 3600) / 60, 2, 10, QChar('0'));
}

QString TrialTableModel::stateText(TrialState state) {
    const std::string_view text = toText(state);
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QVariant TrialTableModel::displayData(const Trial& t, int column) const {
    if (column == NumberColumn)
        return t.number;
    if (column == StateColumn)
        return stateText(t.state);
    if (column == ValueColumn)
        return t.value ? QVariant(numberText(*t.value)) : QVariant();
    if (column < durationColumn()) {
        const std::string name = m_params[column - FirstParamColumn].toStdString();
        return t.params.contains(name) ? paramDisplay(t.params.at(name)) : QVariant();
    }
    if (column == durationColumn()) {
        const auto d = durationOf(t, nowSeconds());
        return d ? QVariant(formatDuration(*d)) : QVariant();
    }
    if (column == workerColumn())
        return QString::fromStdString(t.worker);
    if (column == failReasonColumn())
        return QString::fromStdString(t.failReason);
    return {};
}

QVariant TrialTableModel::sortData(const Trial& t, int column) const {
    if (column == NumberColumn)
        return t.number;
    if (column == StateColumn)
        return int(t.state);
    if (column == ValueColumn)
        return t.value ? QVariant(*t.value) : QVariant();
    if (column >= FirstParamColumn && column < durationColumn()) {
        const std::string name = m_params[column - FirstParamColumn].toStdString();
        return t.params.contains(name) ? paramSort(t.params.at(name)) : QVariant();
    }
    if (column == durationColumn()) {
        const auto d = durationOf(t, nowSeconds());
        return d ? QVariant(*d) : QVariant();
    }
    return displayData(t, column);
}

QVariant TrialTableModel::data(const QModelIndex& index, int role) const {
    const Trial* t = index.isValid() ? trialAt(index.row()) : nullptr;
    if (!t || index.column() >= columnCount())
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(*t, column);
    case SortRole:
        return sortData(*t, column);
    case TrialIdRole:
        return QVariant::fromValue<qint64>(t->id);
    case Qt::BackgroundRole:
        if (column == StateColumn && stateBackground(t->state).isValid())
            return QBrush(stateBackground(t->state));
        return {};
    case Qt::ForegroundRole:
        if (column == StateColumn || column == failReasonColumn())
            return QBrush(stateForeground(t->state));
        return {};
    case Qt::FontRole:
        if (m_best && *m_best == t->id && (column == ValueColumn || column == NumberColumn)) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole: {
        const bool text = column == StateColumn || column == workerColumn() ||
                          column == failReasonColumn() ||
                          (column >= FirstParamColumn && column < durationColumn() &&
                           sortData(*t, column).userType() == QMetaType::QString);
        // An int, not Qt::Alignment: Qt 6.4's delegates read this role with toInt().
        return int(Qt::AlignVCenter | (text ? Qt::AlignLeft : Qt::AlignRight));
    }
    case Qt::ToolTipRole:
        if (!t->failReason.empty() && (column == StateColumn || column == failReasonColumn()))
            return QString::fromStdString(t->failReason);
        if (column == ValueColumn && m_best && *m_best == t->id)
            return tr("best so far");
        return {};
    default:
        return {};
    }
}

QVariant TrialTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == NumberColumn)
        return QStringLiteral("#");
    if (section == StateColumn)
        return tr("state");
    if (section == ValueColumn)
        return m_metric.isEmpty() ? tr("value") : m_metric;
    if (section < durationColumn())
        return m_params.value(section - FirstParamColumn);
    if (section == durationColumn())
        return tr("duration");
    if (section == workerColumn())
        return tr("worker");
    if (section == failReasonColumn())
        return tr("fail reason");
    return {};
}

} // namespace ps
