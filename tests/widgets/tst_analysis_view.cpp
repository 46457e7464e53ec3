// The analyses view draws each kind from its stored result: what it plots is checked through
// the QCustomPlot it fills (graphs, bars, colour maps, their data), and records that are not
// done, or of a kind without a plot, say so.

#include "widgets/analysis_view.h"

#include <QTest>

using namespace ps;

namespace {

AnalysisRecord record(std::int64_t id, std::string kind, Json result,
                      AnalysisState state = AnalysisState::Done) {
    AnalysisRecord r;
    r.id = id;
    r.kind = std::move(kind);
    r.state = state;
    r.result = std::move(result);
    r.inputs = {{"options", {{"metric", ""}, {"trial", -1}}}};
    r.finishedAt = 1.7e9;
    return r;
}

template <typename T> int countOf(QCustomPlot* plot) {
    int n = 0;
    for (int i = 0; i < plot->plottableCount(); ++i)
        n += qobject_cast<T*>(plot->plottable(i)) ? 1 : 0;
    return n;
}

} // namespace

class TestAnalysisView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void transferCurvesWithOptima() {
        AnalysisView view;
        const Json curve = {{"width", 64},
                            {"points",
                             {{{"log2_lr", -10}, {"loss", 0.9}},
                              {{"log2_lr", -8}, {"loss", 0.5}},
                              {{"log2_lr", -6}, {"loss", 0.7}}}},
                            {"optimum", {{"log2_lr", -8.2}, {"loss", 0.49}}}};
        Json wide = curve;
        wide["width"] = 256;
        const Json result = {{"curves", {curve, wide}},
                             {"slope", {{"per_doubling", -0.61}}},
                             {"summary", {"line one", "line two"}}};
        QVERIFY(view.showResult("transfer", result));
        QCOMPARE(view.plot()->graphCount(), 4); // a curve and its star per width
        QCOMPARE(view.plot()->graph(0)->dataCount(), 3);
        QCOMPARE(view.plot()->graph(1)->data()->at(0)->key, -8.2);
        QVERIFY(view.message().contains("-0.61"));
        QCOMPARE(view.plot()->xAxis->label(), QString("log2(learning rate)"));
    }

    void transferResultsSideBySide() {
        // SP and muP stored as two transfer results (where=parametrization.kind=...): both
        // drawn, each in its own panel, on one scale
        const auto curves = [](double shift, double lossScale) {
            Json out = Json::array();
            for (int w = 0; w < 3; ++w) {
                Json points = Json::array();
                for (int k = -12; k <= -4; k += 2) {
                    const double d = k - (-8 + shift * w);
                    points.push_back({{"log2_lr", k}, {"loss", lossScale * (0.3 + 0.02 * d * d)}});
                }
                out.push_back({{"width", 64 << w},
                               {"points", points},
                               {"optimum", {{"log2_lr", -8 + shift * w}, {"loss", 0.3}}}});
            }
            return out;
        };
        AnalysisRecord sp = record(
            4, "transfer", {{"curves", curves(-0.6, 1.0)}, {"slope", {{"per_doubling", -0.61}}}});
        sp.inputs["options"]["where"] = "parametrization.kind=sp";
        AnalysisRecord mup = record(
            5, "transfer", {{"curves", curves(0.0, 2.0)}, {"slope", {{"per_doubling", 0.02}}}});
        mup.inputs["options"]["where"] = "parametrization.kind=mup";
        AnalysisView view;
        view.setRecords({sp, mup});
        QCOMPARE(view.shownRecord(), std::int64_t(5)); // the newest
        QCOMPARE(view.panelCount(), 2);
        QCOMPARE(view.plot()->axisRectCount(), 2);
        QCOMPARE(view.plot()->graphCount(), 12); // 3 widths, each a curve and its star, twice
        QCPAxisRect* left = view.plot()->axisRect(0);
        QCPAxisRect* right = view.plot()->axisRect(1);
        QVERIFY(left->axis(QCPAxis::atTop)->label().contains("parametrization.kind=sp"));
        QVERIFY(left->axis(QCPAxis::atTop)->label().contains("-0.61"));
        QVERIFY(right->axis(QCPAxis::atTop)->label().contains("parametrization.kind=mup"));
        QVERIFY(right->axis(QCPAxis::atTop)->labelFont().bold()); // the one picked
        // one scale: the muP losses (twice as high) set both panels' range
        QCOMPARE(left->axis(QCPAxis::atLeft)->range(), right->axis(QCPAxis::atLeft)->range());
        QVERIFY(left->axis(QCPAxis::atLeft)->range().upper >= 2 * (0.3 + 0.02 * 16));
        QCOMPARE(left->graphs().size(), 6);
        if (const QString dir = qEnvironmentVariable("PS_TEST_TMP"); !dir.isEmpty()) {
            view.resize(1200, 420); // for a person to look at
            view.plot()->savePng(dir + "/transfer_side_by_side.png", 1200, 420);
        }
        // off: the picked one alone, in the one panel
        view.setSideBySide(false);
        QCOMPARE(view.panelCount(), 0);
        QCOMPARE(view.plot()->axisRectCount(), 1);
        QCOMPARE(view.plot()->graphCount(), 6);
        view.setSideBySide(true);
        QCOMPARE(view.panelCount(), 2);
        // another kind: one panel again
        QVERIFY(view.showResult(
            "lime",
            {{"metric", "loss"}, {"trial", 1}, {"features", {{{"name", "lr"}, {"weight", 0.2}}}}}));
        QCOMPARE(view.plot()->axisRectCount(), 1);
    }

    void landscapeMapWithTrajectory() {
        AnalysisView view;
        Json loss = Json::array();
        for (int j = 0; j < 3; ++j) {
            Json row = Json::array();
            for (int i = 0; i < 4; ++i)
                row.push_back(std::pow(10.0, i - j)); // log10 = i - j
            loss.push_back(row);
        }
        const Json result = {{"mode", "pca"},
                             {"x", {-1, 0, 1, 2}},
                             {"y", {-1, 0, 1}},
                             {"loss", loss},
                             {"path", {{0.5, 0.5, 0}, {0.1, 0.2, 5}}},
                             {"explained_variance", {0.7, 0.2}}};
        QVERIFY(view.showResult("landscape", result));
        QCOMPARE(countOf<QCPColorMap>(view.plot()), 1);
        // the trajectory, and contour lines of log10(loss) = i - j = x - y at round levels:
        // over [-2, 3] the step is 0.5, so 9 levels from -1.5 to 2.5, each a straight line
        QCOMPARE(view.contourLevelCount(), 9);
        QCOMPARE(countOf<QCPCurve>(view.plot()), 1 + 9);
        int trajectories = 0;
        for (int k = 0; k < view.plot()->plottableCount(); ++k) {
            auto* curve = qobject_cast<QCPCurve*>(view.plot()->plottable(k));
            if (!curve)
                continue;
            if (curve->name() == "trajectory") {
                ++trajectories;
                QCOMPARE(curve->data()->size(), 2);
                continue;
            }
            QVERIFY(curve->data()->size() >= 2);
            for (auto it = curve->data()->constBegin(); it != curve->data()->constEnd(); ++it) {
                const double level = it->key - it->value; // x - y
                QVERIFY2(std::abs(level * 2 - std::round(level * 2)) < 1e-9,
                         qPrintable(QString("contour point (%1, %2) is off every level")
                                        .arg(it->key)
                                        .arg(it->value)));
            }
        }
        QCOMPARE(trajectories, 1);
        QVERIFY(view.hasSurface()); // a 2-D landscape can be turned into a 3-D surface
        auto* map = qobject_cast<QCPColorMap*>(view.plot()->plottable(0));
        QCOMPARE(map->data()->keySize(), 4);
        QCOMPARE(map->data()->valueSize(), 3);
        QCOMPARE(map->data()->cell(3, 1), 2.0); // log10(loss)
        QVERIFY(view.plot()->xAxis->label().startsWith("PC 1 (70.0"));
        // 1-D: loss and accuracy curves
        QVERIFY(view.showResult("landscape", {{"mode", "interpolate"},
                                              {"x", {0, 0.5, 1}},
                                              {"y", {0}},
                                              {"loss", {{1, 0.5, 0.2}}},
                                              {"accuracy", {{0.1, 0.5, 0.9}}}}));
        QCOMPARE(view.plot()->graphCount(), 2);
        QCOMPARE(countOf<QCPColorMap>(view.plot()), 0); // the old map is gone
        QCOMPARE(view.contourLevelCount(), 0);
        QVERIFY(!view.hasSurface()); // 1-D: no surface
    }

    void barsForImportanceAndLime() {
        AnalysisView view;
        QVERIFY(view.showResult("importance",
                                {{"metric", "loss"},
                                 {"fanova",
                                  {{"params",
                                    {{{"name", "lr"}, {"fraction", 0.7}, {"std", 0.05}},
                                     {{"name", "width"}, {"fraction", 0.2}, {"std", 0.02}}}}}}}));
        QCOMPARE(countOf<QCPBars>(view.plot()), 1);
        QCOMPARE(countOf<QCPErrorBars>(view.plot()), 1);
        QVERIFY(view.showResult("lime", {{"trial", 3},
                                         {"score", 0.8},
                                         {"features",
                                          {{{"condition", "lr <= 0.01"}, {"weight", 0.3}},
                                           {{"condition", "width > 64"}, {"weight", -0.2}}}}}));
        QCOMPARE(countOf<QCPBars>(view.plot()), 2); // raising and lowering, in two colours
        QVERIFY(view.message().contains("trial 3"));
    }

    void heatmapAndGroupCurves() {
        AnalysisView view;
        QVERIFY(view.showResult("augment_sensitivity",
                                {{"metric", "val_loss"},
                                 {"augmentations", {"flip", "noise"}},
                                 {"settings",
                                  {{{"setting", "lr=0.001"}, {"weights", {0.1, -0.05}}},
                                   {{"setting", "lr=0.004"}, {"weights", {0.02, nullptr}}}}}}));
        auto* map = qobject_cast<QCPColorMap*>(view.plot()->plottable(0));
        QVERIFY(map);
        QCOMPARE(map->data()->cell(1, 0), -0.05);
        QVERIFY(std::isnan(map->data()->cell(1, 1))); // not identified: drawn grey
        QCOMPARE(map->dataRange().upper, 0.1);        // symmetric around zero
        QCOMPARE(map->dataRange().lower, -0.1);
        QVERIFY(view.showResult("curves", {{"metric", "val_acc"},
                                           {"groups",
                                            {{{"key", "onecycle"},
                                              {"steps", {1, 2}},
                                              {"mean", {0.7, 0.8}},
                                              {"sd", {0.01, 0.02}}}}}}));
        QCOMPARE(view.plot()->graphCount(), 3); // band edges and the mean
        QCOMPARE(view.plot()->graph(0)->data()->at(1)->value, 0.82);
    }

    void recordsPickAndExplain() {
        AnalysisView view;
        QVERIFY(view.message().contains("No analyses stored yet"));
        std::vector<AnalysisRecord> records = {
            record(1, "scaling_law", {{"summary", {"L = E + A/N^alpha"}}}),
            record(2, "landscape", {}, AnalysisState::Running),
            record(3, "lime", {}, AnalysisState::Fail)};
        records[2].error = "option 'trial': the study has no trial 9";
        view.setRecords(records);
        QCOMPARE(view.recordCount(), 3);
        QCOMPARE(view.shownRecord(), std::int64_t(1)); // the newest finished one
        QVERIFY(view.message().contains("No plot for a scaling_law result"));
        view.setRecords({records[2]});
        QVERIFY(view.message().contains("failed: option 'trial'"));
        view.setRecords({records[1]});
        QVERIFY(view.message().contains("running"));
        QVERIFY(!view.showResult("transfer", {{"curves", Json::array()}}));
        // the one shown stays shown while others arrive, unless this window asked for one
        view.setRecords({records[0]});
        QCOMPARE(view.shownRecord(), std::int64_t(1));
        AnalysisRecord importance = record(4, "importance", {{"summary", {"x"}}});
        importance.finishedAt = 1.8e9;
        view.setRecords({records[0], importance});
        QCOMPARE(view.shownRecord(), std::int64_t(1));
        view.expectResult("importance");
        view.setRecords({records[0], records[1]}); // not there yet: unchanged
        QCOMPARE(view.shownRecord(), std::int64_t(1));
        view.setRecords({records[0], importance});
        QCOMPARE(view.shownRecord(), std::int64_t(4));
        view.setRecords({records[0], importance}); // asked once: the user's pick holds after
        QCOMPARE(view.shownRecord(), std::int64_t(4));
    }
};

QTEST_MAIN(TestAnalysisView)
#include "tst_analysis_view.moc"
