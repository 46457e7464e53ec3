// Golden images: each view kind drawn from a fixed study at a fixed size and font, compared
// with the reviewed image in tests/widgets/golden/ (tolerances and PS_UPDATE_GOLDEN in
// golden_image.h). The 3-D landscape surface has its golden in tst_landscape_surface, which
// runs under Xvfb.

#include "../core/test_util.h"
#include "golden_image.h"
#include "widgets/analysis_view.h"
#include "widgets/history_plot.h"
#include "widgets/learning_curves_plot.h"
#include "widgets/objective_view.h"
#include "widgets/parallel_coordinates.h"
#include "widgets/scatter_matrix.h"
#include "widgets/scatter_view.h"
#include "widgets/theme.h"
#include "widgets/trial_selection.h"
#include "widgets/trial_table_model.h"
#include "widgets/trial_table_view.h"

#include <QApplication>
#include <QTest>
#include <cmath>

using namespace ps;
using ps::test::compareWithGolden;

namespace {

const QSize kSize(640, 380);

SearchSpace space() {
    SearchSpace s;
    s.params = {test::floatParam("optimizer.lr", 1e-4, 1e-1, true),
                test::intParam("model.width", 16, 512),
                test::categoricalParam("optimizer.kind", {"sgd", "adam", "adamw"})};
    return s;
}

// 60 trials on a fixed pattern; the loss has an optimum inside the lr range.
std::vector<Trial> trials() {
    std::vector<Trial> out;
    for (int i = 0; i < 60; ++i) {
        Trial t;
        t.id = i + 1;
        t.number = i;
        t.state = i % 11 == 10 ? TrialState::Pruned : TrialState::Complete;
        const double u = double((i * 37) % 60) / 59.0, w = double((i * 17) % 60) / 59.0;
        const double lr = std::pow(10.0, -4.0 + 3.0 * u);
        t.params = {{"optimizer.lr", lr},
                    {"model.width", 16 + int(496 * w)},
                    {"optimizer.kind", i % 3 == 0 ? "sgd" : (i % 3 == 1 ? "adam" : "adamw")}};
        const double loss = 0.3 + std::pow(std::log10(lr) + 2.5, 2) / 3 + 0.1 * (1 - w);
        t.value = loss;
        t.values["val_loss"] = loss;
        out.push_back(std::move(t));
    }
    return out;
}

QImage drawn(QWidget& w) {
    w.resize(kSize);
    w.show();
    QTest::qWait(20);
    return w.grab().toImage().convertToFormat(QImage::Format_RGB32);
}

// The trials with a second objective, a latency that grows with the width the loss rewards:
// a trade-off, so the Pareto front has several trials on it.
std::vector<Trial> twoObjectiveTrials() {
    std::vector<Trial> out = trials();
    for (Trial& t : out)
        t.values["latency_ms"] = 2.0 + 0.02 * t.params["model.width"].get<double>();
    return out;
}

// val_loss per epoch for every trial: falling from 2.5 towards its final value, faster for
// larger learning rates; the pruned trials stop at epoch 6.
std::vector<MetricPoint> curvePoints(const std::vector<Trial>& trials) {
    std::vector<MetricPoint> out;
    for (const Trial& t : trials) {
        const double rate = 2.0 + std::log10(t.params["optimizer.lr"].get<double>()) * 0.4;
        const int last = t.state == TrialState::Pruned ? 6 : 20;
        for (int step = 1; step <= last; ++step) {
            MetricPoint p;
            p.trialId = t.id;
            p.attempt = 1;
            p.step = step;
            p.name = "val_loss";
            p.value = *t.value + (2.5 - *t.value) * std::exp(-step / (4.0 * rate));
            out.push_back(p);
        }
    }
    return out;
}

// Every state the table colours: the fixed trials, with a few of them failed, running or
// waiting; times are fixed (a running trial has none, so its duration does not follow the
// clock).
std::vector<Trial> tableTrials() {
    std::vector<Trial> out = trials();
    out.resize(14);
    for (Trial& t : out) {
        t.attempts = 1;
        t.worker = "node-" + std::to_string(t.number % 2 + 1) + ":4242";
        t.startedAt = 1.7e9 + 60.0 * t.number;
        t.finishedAt = t.startedAt + 45.0 + 7.0 * t.number;
    }
    for (int i : {3, 8}) {
        out[std::size_t(i)].state = TrialState::Fail;
        out[std::size_t(i)].value.reset();
        out[std::size_t(i)].values.clear();
        out[std::size_t(i)].failReason = "CUDA out of memory";
    }
    for (int i : {11, 12, 13}) {
        Trial& t = out[std::size_t(i)];
        t.state = i == 11 ? TrialState::Running : TrialState::Waiting;
        t.value.reset();
        t.values.clear();
        t.worker = i == 11 ? t.worker : "";
        t.startedAt = t.finishedAt = 0;
        t.attempts = i == 11 ? 1 : 0;
    }
    return out;
}

// A tilted bowl on [-1, 1]^2, loss = 1 + (x - 0.25)^2 + 2 (y + 0.2)^2 + 0.2 x y, with a
// trajectory from a corner down to its minimum: elliptic contours off the centre.
Json tiltedBowl() {
    constexpr int n = 31;
    Json xs = Json::array(), loss = Json::array();
    for (int i = 0; i < n; ++i)
        xs.push_back(-1.0 + 2.0 * i / (n - 1));
    const auto f = [](double x, double y) {
        return 1 + (x - 0.25) * (x - 0.25) + 2 * (y + 0.2) * (y + 0.2) + 0.2 * x * y;
    };
    for (int j = 0; j < n; ++j) {
        Json row = Json::array();
        for (int i = 0; i < n; ++i)
            row.push_back(f(xs[std::size_t(i)].get<double>(), xs[std::size_t(j)].get<double>()));
        loss.push_back(row);
    }
    Json path = Json::array();
    for (int k = 0; k <= 10; ++k) {
        const double s = k / 10.0;
        path.push_back({-0.85 + 1.1 * s, 0.8 - 1.0 * s + 0.25 * std::sin(3.14159 * s), 100 * k});
    }
    return {{"mode", "pca"},
            {"x", xs},
            {"y", xs},
            {"loss", loss},
            {"path", path},
            {"explained_variance", {0.62, 0.21}},
            {"summary", {"landscape of val_loss around trial 12 (PCA of the trajectory)"}}};
}

// Loss against log2(lr) for widths 64, 128, 256: the optimum moves by `shift` per doubling,
// and wider is a little better.
Json transferCurves(double shift, double lossScale) {
    Json out = Json::array();
    for (int w = 0; w < 3; ++w) {
        const double best = lossScale * (0.3 - 0.03 * w);
        Json points = Json::array();
        for (int k = -12; k <= -4; k += 2) {
            const double d = k - (-8 + shift * w);
            points.push_back({{"log2_lr", k}, {"loss", best + lossScale * 0.02 * d * d}});
        }
        out.push_back({{"width", 64 << w},
                       {"points", points},
                       {"optimum", {{"log2_lr", -8 + shift * w}, {"loss", best}}}});
    }
    return out;
}

AnalysisRecord transferRecord(std::int64_t id, const std::string& where, Json result) {
    AnalysisRecord r;
    r.id = id;
    r.kind = "transfer";
    r.state = AnalysisState::Done;
    r.result = std::move(result);
    r.inputs = {{"options", {{"metric", "val_loss"}, {"trial", -1}, {"where", where}}}};
    r.finishedAt = 1.7e9 + double(id);
    return r;
}

} // namespace

class TestGoldenImages : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QFont font(QStringLiteral("DejaVu Sans"));
        font.setPixelSize(12);
        QApplication::setFont(font);
    }

    void parallelCoordinates() {
        TrialSelection selection;
        ParallelCoordinates view(&selection);
        view.setStudyLayout(space(), {{"val_loss", Direction::Minimize}});
        view.applyTrials(trials());
        view.setBrush(2, 1, 1); // adam
        view.rebuildNow();
        compareWithGolden("parallel_coordinates", drawn(view));
    }

    void scatter() {
        TrialSelection selection;
        ScatterView view(&selection);
        view.setStudyLayout(space(), {{"val_loss", Direction::Minimize}});
        view.applyTrials(trials());
        selection.setSelected({5, 6, 7});
        view.resize(kSize);
        view.rebuildNow();
        compareWithGolden("scatter", drawn(view));
    }

    void scatterMatrix() {
        TrialSelection selection;
        ScatterMatrix view(&selection);
        view.setStudyLayout(space(), {{"val_loss", Direction::Minimize}});
        view.applyTrials(trials());
        selection.setSelected({5, 6, 7});
        view.resize(kSize);
        view.rebuildNow();
        compareWithGolden("scatter_matrix", drawn(view));
    }

    void history() {
        TrialSelection selection;
        HistoryPlot view(&selection);
        view.setObjective("val_loss", Direction::Minimize);
        view.applyTrials(trials());
        selection.setSelected({12});
        view.resize(kSize);
        view.rebuildNow();
        compareWithGolden("history", drawn(view));
    }

    void analysisHeatmap() {
        AnalysisView view;
        view.showResult(
            "augment_sensitivity",
            {{"metric", "val_loss"},
             {"augmentations", {"flip", "rotation", "noise", "erasing"}},
             {"settings",
              {{{"setting", "lr=0.001, width=64"}, {"weights", {0.12, 0.06, 0.01, 0.05}}},
               {{"setting", "lr=0.001, width=256"}, {"weights", {0.02, 0.05, -0.02, 0.03}}},
               {{"setting", "lr=0.004, width=64"}, {"weights", {0.03, 0.04, -0.01, nullptr}}}}},
             {"summary", {"augmentation sensitivity of val_loss over 3 settings"}}});
        compareWithGolden("analysis_heatmap", drawn(view));
    }

    void analysisTransfer() {
        AnalysisView view;
        Json curves = Json::array();
        for (int w = 0; w < 3; ++w) {
            Json points = Json::array();
            for (int k = -12; k <= -4; k += 2)
                points.push_back(
                    {{"log2_lr", k}, {"loss", 0.5 + 0.02 * (k + 8 + w) * (k + 8 + w) - 0.05 * w}});
            curves.push_back({{"width", 64 << w},
                              {"points", points},
                              {"optimum", {{"log2_lr", -8 - w}, {"loss", 0.5 - 0.05 * w}}}});
        }
        view.showResult("transfer", {{"curves", curves}, {"slope", {{"per_doubling", -1.0}}}});
        compareWithGolden("analysis_transfer", drawn(view));
    }

    void learningCurves() {
        TrialSelection selection;
        LearningCurvesPlot view(&selection);
        view.setObjective("val_loss");
        std::vector<Trial> all = trials();
        for (Trial& t : all)
            t.attempts = 1; // the curves show the current attempt's points only
        view.applyTrials(all);
        view.addMetrics(curvePoints(all));
        // 11 and 22 were pruned: short curves. Numbers 2, 10, 21, 33, 44: colours follow the
        // number modulo 10, so these five differ
        selection.setSelected({3, 11, 22, 34, 45});
        view.resize(kSize);
        view.rebuildNow();
        QCOMPARE(view.shownTrials().size(), 5);
        compareWithGolden("learning_curves", drawn(view));
    }

    void objectiveDistribution() {
        TrialSelection selection;
        ObjectiveView view(&selection);
        view.setObjectives({{"val_loss", Direction::Minimize}}, {});
        view.applyTrials(trials());
        selection.setSelected({12});
        view.resize(kSize);
        view.rebuildNow();
        compareWithGolden("objective_distribution", drawn(view));
    }

    void objectivePareto() {
        TrialSelection selection;
        ObjectiveView view(&selection);
        view.setObjectives({{"val_loss", Direction::Minimize}, {"latency_ms", Direction::Minimize}},
                           {});
        view.applyTrials(twoObjectiveTrials());
        view.setMode(ObjectiveView::Mode::Pareto);
        selection.setSelected({12});
        view.resize(kSize);
        view.rebuildNow();
        QVERIFY(view.frontTrials().size() >= 3);
        compareWithGolden("objective_pareto", drawn(view));
    }

    void analysisImportance() {
        AnalysisView view;
        QVERIFY(view.showResult(
            "importance",
            {{"metric", "val_loss"},
             {"fanova",
              {{"params",
                {{{"name", "optimizer.lr"}, {"importance", 0.68}, {"fraction", 0.6}, {"std", 0.06}},
                 {{"name", "model.width"}, {"importance", 0.22}, {"fraction", 0.2}, {"std", 0.04}},
                 {{"name", "optimizer.kind"},
                  {"importance", 0.10},
                  {"fraction", 0.09},
                  {"std", 0.03}}}}}},
             {"summary", {"fANOVA over 64 trees, 60 trials"}}}));
        compareWithGolden("analysis_importance", drawn(view));
    }

    void analysisLime() {
        AnalysisView view;
        QVERIFY(view.showResult(
            "lime", {{"metric", "val_loss"},
                     {"trial", 12},
                     {"score", 0.83},
                     {"features",
                      {{{"condition", "optimizer.lr <= 0.0006"}, {"weight", 0.31}},
                       {{"condition", "model.width > 300"}, {"weight", -0.12}},
                       {{"condition", "optimizer.kind = adam"}, {"weight", -0.05}},
                       {{"condition", "0.003 < optimizer.lr <= 0.01"}, {"weight", -0.21}}}},
                     {"summary", {"LIME around trial 12"}}}));
        compareWithGolden("analysis_lime", drawn(view));
    }

    void analysisLandscape() {
        AnalysisView view;
        QVERIFY(view.showResult("landscape", tiltedBowl()));
        QVERIFY(view.contourLevelCount() > 0);
        compareWithGolden("analysis_landscape", drawn(view));
    }

    void analysisTransferSideBySide() {
        AnalysisView view;
        view.setRecords({transferRecord(4, "parametrization.kind=sp",
                                        {{"curves", transferCurves(-0.6, 1.0)},
                                         {"slope", {{"per_doubling", -0.61}}}}),
                         transferRecord(5, "parametrization.kind=mup",
                                        {{"curves", transferCurves(0.0, 2.0)},
                                         {"slope", {{"per_doubling", 0.02}}}})});
        QCOMPARE(view.panelCount(), 2);
        compareWithGolden("analysis_transfer_side_by_side", drawn(view));
    }

    void analysisGroupCurves() {
        AnalysisView view;
        Json groups = Json::array();
        const char* keys[] = {"cosine", "onecycle", "step"};
        for (int g = 0; g < 3; ++g) {
            Json steps = Json::array(), mean = Json::array(), sd = Json::array();
            for (int k = 1; k <= 15; ++k) {
                steps.push_back(k);
                mean.push_back(0.9 - 0.25 * (1 + 0.3 * g) * (1 - std::exp(-k / (2.0 + g))));
                sd.push_back(0.01 + 0.004 * (15 - k) * (g + 1) / 3.0);
            }
            groups.push_back({{"key", keys[g]}, {"steps", steps}, {"mean", mean}, {"sd", sd}});
        }
        QVERIFY(view.showResult(
            "curves", {{"metric", "val_loss"}, {"group", "schedule.kind"}, {"groups", groups}}));
        compareWithGolden("analysis_curves", drawn(view));
    }

    void trialTable() {
        TrialSelection selection;
        TrialTableModel model;
        model.setObjective("val_loss", Direction::Minimize);
        model.applyTrials(tableTrials());
        TrialTableView view(&model, &selection);
        view.resizeColumnsToContents(); // what the view's coalescing timer does, now
        compareWithGolden("trial_table", drawn(view));
    }

    void historyDarkTheme() {
        applyTheme(Theme::Dark);
        QImage image;
        {
            TrialSelection selection;
            HistoryPlot view(&selection);
            view.setObjective("val_loss", Direction::Minimize);
            view.applyTrials(trials());
            selection.setSelected({12});
            view.resize(kSize);
            view.rebuildNow();
            image = drawn(view);
        }
        // back to light before comparing, so a failure here leaves the other tests light
        applyTheme(Theme::Light);
        compareWithGolden("history_dark", image);
    }
};

QTEST_MAIN(TestGoldenImages)
#include "tst_golden_images.moc"
