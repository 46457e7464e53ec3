// readLandscapeMap reads a stored 2-D landscape result and refuses what is not one; lossAt
// interpolates the grid bilinearly.

#include "core/explore/landscape_map.h"

#include <QtTest>
#include <cmath>

using namespace ps;

namespace {

// loss = 1 + x + 2 y on x in {0, 1, 2}, y in {0, 1}: bilinear interpolation is exact.
Json planeResult() {
    Json r;
    r["x"] = {0.0, 1.0, 2.0};
    r["y"] = {0.0, 1.0};
    r["loss"] = Json::array({Json::array({1.0, 2.0, 3.0}), Json::array({3.0, 4.0, 5.0})});
    r["path"] = Json::array({Json::array({0.5, 0.5, 0}), Json::array({1.5, 0.25, -1})});
    r["explained_variance"] = {0.62, 0.2};
    return r;
}

} // namespace

class TestLandscapeMap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsAGrid();
    void interpolates();
    void refusesWhatIsNotAGrid();
};

void TestLandscapeMap::readsAGrid() {
    const auto map = readLandscapeMap(planeResult());
    QVERIFY(map);
    QCOMPARE(int(map->nx()), 3);
    QCOMPARE(int(map->ny()), 2);
    QCOMPARE(map->at(2, 1), 5.0);
    QCOMPARE(int(map->path.size()), 2);
    QCOMPARE(map->path[1].first, 1.5);
    QCOMPARE(QString::fromStdString(map->xLabel), QStringLiteral("PC 1 (62.0 %)"));
    QCOMPARE(QString::fromStdString(map->yLabel), QStringLiteral("PC 2 (20.0 %)"));
    const auto logs = map->log10Loss();
    QCOMPARE(logs[0], 0.0);
    QVERIFY(std::abs(logs[5] - std::log10(5.0)) < 1e-15);
}

void TestLandscapeMap::interpolates() {
    const auto map = readLandscapeMap(planeResult());
    QVERIFY(map);
    for (const auto& [x, y] : {std::pair{0.0, 0.0}, {0.3, 0.7}, {1.5, 0.25}, {2.0, 1.0}})
        QVERIFY(std::abs(map->lossAt(x, y) - (1 + x + 2 * y)) < 1e-12);
    QVERIFY(std::isnan(map->lossAt(-0.1, 0.5))); // outside
    QVERIFY(std::isnan(map->lossAt(1.0, 1.01)));
    Json r = planeResult();
    r["loss"][0][1] = nullptr; // a diverged point
    const auto holed = readLandscapeMap(r);
    QVERIFY(holed);
    QVERIFY(std::isnan(holed->lossAt(0.5, 0.5)));
    QVERIFY(std::isnan(holed->log10Loss()[1]));
}

void TestLandscapeMap::refusesWhatIsNotAGrid() {
    std::string why;
    Json oneD = planeResult();
    oneD["y"] = {0.0};
    oneD["loss"] = Json::array({Json::array({1.0, 2.0, 3.0})});
    QVERIFY(!readLandscapeMap(oneD, &why));
    QVERIFY2(why.find("1-D landscape") != std::string::npos, why.c_str());
    Json shortRow = planeResult();
    shortRow["loss"][1] = {3.0, 4.0};
    QVERIFY(!readLandscapeMap(shortRow, &why));
    QVERIFY2(why.find("loss row 1 does not have 3 values") != std::string::npos, why.c_str());
    Json unordered = planeResult();
    unordered["x"] = {0.0, 2.0, 1.0};
    QVERIFY(!readLandscapeMap(unordered, &why));
    QVERIFY2(why.find("do not increase") != std::string::npos, why.c_str());
    QVERIFY(!readLandscapeMap(Json::object(), &why));
    QVERIFY2(why.find("no x, y and loss") != std::string::npos, why.c_str());
}

QTEST_APPLESS_MAIN(TestLandscapeMap)
#include "tst_landscape_map.moc"
