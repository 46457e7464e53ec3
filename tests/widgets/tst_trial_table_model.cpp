#include "widgets/trial_table_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest>

using namespace ps;

namespace {

Trial makeTrial(qint64 id, int number, TrialState state, std::optional<double> value = {},
                Json params = Json::object()) {
    Trial t;
    t.id = id;
    t.studyId = 1;
    t.number = number;
    t.state = state;
    t.value = value;
    t.params = std::move(params);
    t.startedAt = state == TrialState::Waiting ? 0 : 1000;
    t.finishedAt = isFinished(state) ? 1010 : 0;
    return t;
}

} // namespace

class TestTrialTableModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void insertsNewTrialsInOneSignal();
    void updatesOnlyRowsThatChanged();
    void newParametersInsertColumns();
    void bestTrialMovesAndBothRowsChange();
    void bestTrialIsFeasible();
    void sortsNumbersNumerically();
    void colorsStates();
};

void TestTrialTableModel::insertsNewTrialsInOneSignal() {
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    model.applyTrials({makeTrial(11, 0, TrialState::Running), makeTrial(12, 1, TrialState::Waiting),
                       makeTrial(13, 2, TrialState::Waiting)});
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted[0][1].toInt(), 0);
    QCOMPARE(inserted[0][2].toInt(), 2);
    QCOMPARE(model.rowCount(), 3);

    model.applyTrials({makeTrial(14, 3, TrialState::Waiting)});
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted[1][1].toInt(), 3);
    QCOMPARE(inserted[1][2].toInt(), 3);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.rowOf(14), 3);
    QCOMPARE(model.data(model.index(3, TrialTableModel::NumberColumn)).toInt(), 3);
    QCOMPARE(reset.count(), 0);
}

void TestTrialTableModel::updatesOnlyRowsThatChanged() {
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyTrials({makeTrial(1, 0, TrialState::Running), makeTrial(2, 1, TrialState::Running),
                       makeTrial(3, 2, TrialState::Running)});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // A heartbeat or a new revision changes nothing the table shows.
    Trial beat = makeTrial(2, 1, TrialState::Running);
    beat.heartbeatAt = 5000;
    beat.rev = 99;
    model.applyTrials({beat});
    QCOMPARE(changed.count(), 0);

    // Rows 0 and 2 are not adjacent: two signals, each for one whole row.
    model.applyTrials({makeTrial(1, 0, TrialState::Fail), makeTrial(3, 2, TrialState::Pruned)});
    QCOMPARE(changed.count(), 2);
    const auto first = changed[0][0].value<QModelIndex>();
    const auto firstEnd = changed[0][1].value<QModelIndex>();
    QCOMPARE(first.row(), 0);
    QCOMPARE(firstEnd.row(), 0);
    QCOMPARE(first.column(), 0);
    QCOMPARE(firstEnd.column(), model.columnCount() - 1);
    QCOMPARE(changed[1][0].value<QModelIndex>().row(), 2);

    // Adjacent rows 0 and 1 come as one range.
    changed.clear();
    Trial failAgain = makeTrial(1, 0, TrialState::Fail);
    failAgain.failReason = "out of memory";
    model.applyTrials({failAgain, makeTrial(2, 1, TrialState::Pruned)});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].value<QModelIndex>().row(), 0);
    QCOMPARE(changed[0][1].value<QModelIndex>().row(), 1);
    QCOMPARE(model.data(model.index(0, model.failReasonColumn())).toString(),
             QStringLiteral("out of memory"));
    QCOMPARE(model.data(model.index(0, TrialTableModel::StateColumn)).toString(),
             QStringLiteral("FAIL"));

    QCOMPARE(inserted.count(), 0);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.rowCount(), 3);
}

void TestTrialTableModel::newParametersInsertColumns() {
    TrialTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy columns(&model, &QAbstractItemModel::columnsInserted);
    model.applyTrials({makeTrial(1, 0, TrialState::Waiting, {}, {{"lr", 0.1}, {"width", 64}})});
    QCOMPARE(columns.count(), 1);
    QCOMPARE(model.paramNames(), (QStringList{"lr", "width"}));
    QCOMPARE(model.columnCount(), TrialTableModel::FirstParamColumn + 2 + 3);

    // A conditional parameter appears later: one column more, before the trailing ones.
    model.applyTrials(
        {makeTrial(2, 1, TrialState::Waiting, {}, {{"lr", 0.2}, {"momentum", 0.9}, {"width", 8}})});
    QCOMPARE(columns.count(), 2);
    QCOMPARE(columns[1][1].toInt(), TrialTableModel::FirstParamColumn + 2);
    QCOMPARE(model.headerData(TrialTableModel::FirstParamColumn + 2, Qt::Horizontal).toString(),
             QStringLiteral("momentum"));
    QCOMPARE(model.headerData(model.durationColumn(), Qt::Horizontal).toString(),
             QStringLiteral("duration"));
    // The first trial has no momentum: an empty cell, which sorts last.
    QVERIFY(!model.data(model.index(0, TrialTableModel::FirstParamColumn + 2)).isValid());
    QCOMPARE(model.data(model.index(1, TrialTableModel::FirstParamColumn + 2)).toString(),
             QStringLiteral("0.9"));
}

void TestTrialTableModel::bestTrialMovesAndBothRowsChange() {
    TrialTableModel model;
    model.setObjective("val_loss", Direction::Minimize);
    model.applyTrials({makeTrial(1, 0, TrialState::Complete, 0.5),
                       makeTrial(2, 1, TrialState::Running), makeTrial(3, 2, TrialState::Running)});
    QCOMPARE(model.bestTrialId(), std::optional<qint64>(1));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    // Trial 3 finishes better: its row changes, and row 0 loses its bold.
    model.applyTrials({makeTrial(3, 2, TrialState::Complete, 0.25)});
    QCOMPARE(model.bestTrialId(), std::optional<qint64>(3));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed[0][0].value<QModelIndex>().row(), 0);
    QCOMPARE(changed[1][0].value<QModelIndex>().row(), 2);
    QVERIFY(model.data(model.index(2, TrialTableModel::ValueColumn), Qt::FontRole)
                .value<QFont>()
                .bold());

    // Maximizing turns it round.
    model.setObjective("val_acc", Direction::Maximize);
    QCOMPARE(model.bestTrialId(), std::optional<qint64>(1));
    QCOMPARE(model.headerData(TrialTableModel::ValueColumn, Qt::Horizontal).toString(),
             QStringLiteral("val_acc"));
}

// With constraint metrics the best trial is the best feasible one; a missing constraint metric
// makes a trial infeasible.
void TestTrialTableModel::bestTrialIsFeasible() {
    TrialTableModel model;
    model.setObjective("loss", Direction::Minimize);
    Trial a = makeTrial(1, 0, TrialState::Complete, 0.5);
    a.values = {{"loss", 0.5}, {"mem", 4}};
    Trial b = makeTrial(2, 1, TrialState::Complete, 0.1); // better, but over the memory limit
    b.values = {{"loss", 0.1}, {"mem", 40}};
    Trial c = makeTrial(3, 2, TrialState::Complete, 0.05); // better still, mem not reported
    model.applyTrials({a, b, c});
    QCOMPARE(model.bestTrialId(), std::optional<qint64>(3));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setConstraints({Constraint{"mem", std::nullopt, 10.0}});
    QCOMPARE(model.bestTrialId(), std::optional<qint64>(1));
    QCOMPARE(changed.count(), 2); // both rows redraw their bold
}

void TestTrialTableModel::sortsNumbersNumerically() {
    TrialTableModel model;
    model.applyTrials({makeTrial(1, 0, TrialState::Complete, 10.0, {{"width", 100}}),
                       makeTrial(2, 1, TrialState::Complete, 9.0, {{"width", 9}}),
                       makeTrial(3, 2, TrialState::Complete, 100.0, {{"width", 10}}),
                       makeTrial(4, 10, TrialState::Running, {}, {{"width", 2}})});
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(TrialTableModel::SortRole);

    auto column = [&](int c) {
        QStringList out;
        for (int r = 0; r < proxy.rowCount(); ++r)
            out << proxy.index(r, c).data().toString();
        return out;
    };
    proxy.sort(TrialTableModel::ValueColumn, Qt::AscendingOrder);
    // As text this would read 10, 100, 9; the running trial has no value and goes last.
    QCOMPARE(column(TrialTableModel::ValueColumn), (QStringList{"9", "10", "100", ""}));
    proxy.sort(TrialTableModel::FirstParamColumn, Qt::DescendingOrder);
    QCOMPARE(column(TrialTableModel::FirstParamColumn), (QStringList{"100", "10", "9", "2"}));
    proxy.sort(TrialTableModel::NumberColumn, Qt::DescendingOrder);
    QCOMPARE(column(TrialTableModel::NumberColumn), (QStringList{"10", "2", "1", "0"}));

    // Sorting follows updates without a reset.
    model.applyTrials({makeTrial(4, 10, TrialState::Complete, 1.0, {{"width", 2}})});
    proxy.sort(TrialTableModel::ValueColumn, Qt::AscendingOrder);
    QCOMPARE(column(TrialTableModel::ValueColumn), (QStringList{"1", "9", "10", "100"}));
}

void TestTrialTableModel::colorsStates() {
    TrialTableModel model;
    model.applyTrials({makeTrial(1, 0, TrialState::Running),
                       makeTrial(2, 1, TrialState::Complete, 1.0),
                       makeTrial(3, 2, TrialState::Pruned), makeTrial(4, 3, TrialState::Fail)});
    auto background = [&](int row) {
        return model.data(model.index(row, TrialTableModel::StateColumn), Qt::BackgroundRole)
            .value<QBrush>()
            .color();
    };
    const QColor running = background(0), complete = background(1), pruned = background(2),
                 fail = background(3);
    QVERIFY(running.blue() > running.red());
    QVERIFY(complete.green() > complete.red() && complete.green() > complete.blue());
    QCOMPARE(pruned.red(), pruned.blue());
    QVERIFY(fail.red() > fail.green());
}

QTEST_MAIN(TestTrialTableModel)
#include "tst_trial_table_model.moc"
