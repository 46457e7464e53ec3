#pragma once
// The trial table as a view: sorts numerically through a proxy that also leaves out the trials
// the shared filter hides, keeps its row selection and the shared TrialSelection the same in
// both directions, copies selected rows (Ctrl+C) and lets the header's context menu choose
// the columns. GUI thread only; the model and
// the selection are not owned.

#include <QTableView>

class QSortFilterProxyModel;
class QTimer;

namespace ps {

class TrialSelection;
class TrialTableModel;

class TrialTableView : public QTableView {
    Q_OBJECT

public:
    TrialTableView(TrialTableModel* model, TrialSelection* selection, QWidget* parent = nullptr);

    QSortFilterProxyModel* proxy() const { return m_proxy; }
    TrialTableModel* trialModel() const { return m_model; }
    // Selects the rows of these trials, as a user would; the shared selection follows.
    void selectTrials(const QSet<qint64>& trialIds);
    // The selected rows as tab-separated text with a header line, visible columns only, in
    // the order shown: what Ctrl+C puts on the clipboard.
    QString selectedRowsText() const;
    void copySelectedRows() const;
    // Shows or hides a column (also from the header's context menu); hidden columns stay
    // hidden when parameter columns are added.
    void setColumnShown(int column, bool shown);

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void pushSelection();                             // view -> shared selection
    void pullSelection(const QSet<qint64>& trialIds); // shared selection -> view
    void scheduleResize();
    void headerMenu(const QPoint& pos);

    TrialTableModel* m_model;
    TrialSelection* m_selection;
    QSortFilterProxyModel* m_proxy;
    QTimer* m_resizeTimer;
    bool m_syncing = false; // set while one side updates the other, so they do not echo
    int m_resizedAtRows = 0;
};

} // namespace ps
