// Every scheduler of schedulerCatalog() (but "none") against the conformance kit, one data row
// per kind, so a scheduler added to the catalog is covered without touching this file.

#include "scheduler_conformance.h"

#include <QTest>

using namespace ps;

class TestSchedulerConformance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void catalogIsSane() {
        for (const auto& info : schedulerCatalog()) {
            QVERIFY(!info.kind.empty());
            QVERIFY(!info.description.empty());
            QVERIFY(info.make);
            QCOMPARE(findScheduler(info.kind), &info);
            for (const auto& option : info.options)
                QVERIFY2(!option.defaultValue.is_null(), option.path.c_str());
        }
        QVERIFY(!makeScheduler({"none", Json::object(), Direction::Minimize, "s"}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 makeScheduler({"nope", Json::object(), Direction::Minimize, "s"}));
    }

    void conformance_data() {
        QTest::addColumn<QString>("kind");
        for (const auto& info : schedulerCatalog())
            if (info.kind != "none")
                QTest::newRow(info.kind.c_str()) << QString::fromStdString(info.kind);
    }

    void conformance() {
        QFETCH(QString, kind);
        const SchedulerInfo* info = findScheduler(kind.toStdString());
        QVERIFY(info);
        kit::SchedulerConformance(*info).checkAll();
    }
};

QTEST_GUILESS_MAIN(TestSchedulerConformance)
#include "tst_scheduler_conformance.moc"
