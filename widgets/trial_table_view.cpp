#include "widgets/trial_table_view.h"

#include "widgets/trial_selection.h"
#include "widgets/trial_table_model.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QItemSelection>
#include <QKeyEvent>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTimer>
#include <algorithm>
#include <vector>

namespace ps {

namespace {

// Sorts numerically and leaves out the rows of trials the shared filter hides.
class FilteredTrials final : public QSortFilterProxyModel {
public:
    FilteredTrials(TrialTableModel* model, TrialSelection* selection, QObject* parent)
        : QSortFilterProxyModel(parent), m_model(model), m_selection(selection) {}
    void refilter() { invalidateFilter(); }

protected:
    bool filterAcceptsRow(int row, const QModelIndex&) const override {
        if (m_selection->hidden().isEmpty())
            return true;
        const Trial* t = m_model->trialAt(row);
        return !t || !m_selection->isHidden(t->id);
    }

private:
    TrialTableModel* m_model;
    TrialSelection* m_selection;
};

} // namespace

TrialTableView::TrialTableView(TrialTableModel* model, TrialSelection* selection, QWidget* parent)
    : QTableView(parent), m_model(model), m_selection(selection),
      m_proxy(new FilteredTrials(model, selection, this)), m_resizeTimer(new QTimer(this)) {
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(TrialTableModel::SortRole);
    m_proxy->setDynamicSortFilter(true);
    setModel(m_proxy);
    setSortingEnabled(true);
    sortByColumn(TrialTableModel::NumberColumn, Qt::AscendingOrder);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setTextElideMode(Qt::ElideRight);
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setHighlightSections(false);

    horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(horizontalHeader(), &QHeaderView::customContextMenuRequested, this,
            &TrialTableView::headerMenu);
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &TrialTableView::pushSelection);
    connect(m_selection, &TrialSelection::selectionChanged, this, &TrialTableView::pullSelection);
    connect(m_selection, &TrialSelection::filterChanged, this, [this] {
        // rows leaving the view must not shrink the shared selection
        m_syncing = true;
        static_cast<FilteredTrials*>(m_proxy)->refilter();
        m_syncing = false;
        pullSelection(m_selection->selected()); // rows shown again are selected again
    });

    // Fitting columns to their contents measures every cell: do it when columns appear and
    // while the table is young, coalesced, and leave it to the user after that.
    m_resizeTimer->setSingleShot(true);
    m_resizeTimer->setInterval(100);
    connect(m_resizeTimer, &QTimer::timeout, this, [this] {
        resizeColumnsToContents();
        m_resizedAtRows = m_model->rowCount();
    });
    connect(m_model, &QAbstractItemModel::columnsInserted, this, &TrialTableView::scheduleResize);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_resizedAtRows = 0;
        scheduleResize();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_resizedAtRows < 64)
            scheduleResize();
    });
}

void TrialTableView::scheduleResize() {
    if (!m_resizeTimer->isActive())
        m_resizeTimer->start();
}

void TrialTableView::selectTrials(const QSet<qint64>& trialIds) {
    m_selection->setSelected(trialIds);
}

void TrialTableView::pushSelection() {
    if (m_syncing)
        return;
    QSet<qint64> ids;
    for (const QModelIndex& row : selectionModel()->selectedRows())
        ids.insert(row.data(TrialTableModel::TrialIdRole).toLongLong());
    m_syncing = true;
    m_selection->setSelected(ids);
    m_syncing = false;
}

void TrialTableView::pullSelection(const QSet<qint64>& trialIds) {
    if (m_syncing)
        return;
    // One range per run of adjacent rows: a selection model fed thousands of one-row ranges
    // merges them pairwise, which froze the window on a brush over a large study.
    std::vector<int> proxyRows;
    proxyRows.reserve(std::size_t(trialIds.size()));
    for (qint64 id : trialIds) {
        const int sourceRow = m_model->rowOf(id);
        if (sourceRow < 0)
            continue;
        const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
        if (proxyIndex.isValid()) // a row the filter hides has none
            proxyRows.push_back(proxyIndex.row());
    }
    std::sort(proxyRows.begin(), proxyRows.end());
    QItemSelection rows;
    const int lastColumn = m_proxy->columnCount() - 1;
    for (std::size_t i = 0; i < proxyRows.size();) {
        std::size_t j = i;
        while (j + 1 < proxyRows.size() && proxyRows[j + 1] == proxyRows[j] + 1)
            ++j;
        rows.append(QItemSelectionRange(m_proxy->index(proxyRows[i], 0),
                                        m_proxy->index(proxyRows[j], lastColumn)));
        i = j + 1;
    }
    m_syncing = true;
    selectionModel()->select(rows, QItemSelectionModel::ClearAndSelect);
    m_syncing = false;
    if (!proxyRows.empty())
        scrollTo(m_proxy->index(proxyRows.front(), 0), QAbstractItemView::EnsureVisible);
}

QString TrialTableView::selectedRowsText() const {
    QList<int> columns; // visible, in the order shown
    const QHeaderView* header = horizontalHeader();
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            columns << logical;
    }
    QList<int> rows;
    for (const QModelIndex& index : selectionModel()->selectedRows())
        rows << index.row();
    std::sort(rows.begin(), rows.end());
    // cells never hold tabs or newlines once copied, so spreadsheets split them right
    const auto clean = [](QString text) {
        return text.replace(QLatin1Char('\t'), QLatin1Char(' '))
            .replace(QLatin1Char('\n'), QLatin1Char(' '));
    };
    QStringList lines, cells;
    for (int c : columns)
        cells << clean(m_proxy->headerData(c, Qt::Horizontal).toString());
    lines << cells.join(QLatin1Char('\t'));
    for (int r : rows) {
        cells.clear();
        for (int c : columns)
            cells << clean(m_proxy->index(r, c).data().toString());
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void TrialTableView::copySelectedRows() const {
    if (!selectionModel()->hasSelection())
        return;
    QGuiApplication::clipboard()->setText(selectedRowsText());
}

void TrialTableView::keyPressEvent(QKeyEvent* event) {
    if (event->matches(QKeySequence::Copy)) {
        copySelectedRows();
        return;
    }
    QTableView::keyPressEvent(event);
}

void TrialTableView::setColumnShown(int column, bool shown) {
    setColumnHidden(column, !shown);
}

void TrialTableView::headerMenu(const QPoint& pos) {
    QMenu menu(this);
    menu.addSection(tr("Columns"));
    for (int c = 0; c < m_proxy->columnCount(); ++c) {
        QAction* a = menu.addAction(m_proxy->headerData(c, Qt::Horizontal).toString());
        a->setCheckable(true);
        a->setChecked(!isColumnHidden(c));
        connect(a, &QAction::toggled, this, [this, c](bool on) { setColumnShown(c, on); });
    }
    menu.addSeparator();
    menu.addAction(tr("Show all columns"), this, [this] {
        for (int c = 0; c < m_proxy->columnCount(); ++c)
            setColumnShown(c, true);
    });
    menu.addAction(tr("Copy selected rows"), QKeySequence::Copy, this,
                   &TrialTableView::copySelectedRows);
    menu.exec(horizontalHeader()->mapToGlobal(pos));
}

} // namespace ps
