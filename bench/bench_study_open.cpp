// How fast the desktop app shows a large study: writes N finished trials (12 parameters,
// 9 epochs of 2 metrics each) into SQLite, then opens the file in the main window (offscreen)
// and times until every trial is in the table and the history plot.
// Usage: bench_study_open [--trials N] (default 5000).

#include "bench/bench_machine.h"
#include "core/storage/storage.h"
#include "widgets/history_plot.h"
#include "widgets/main_window.h"
#include "widgets/trial_table_model.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

int main(int argc, char** argv) {
    int trials = 5000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--trials")
            trials = std::atoi(argv[i + 1]);
    }
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    const std::string url = "sqlite:" + dir.filePath("big.db").toStdString();

    QElapsedTimer timer;
    timer.start();
    {
        auto storage = ps::openStorage(url);
        ps::StudyRecord record;
        record.name = "big";
        record.objectiveMetric = "val_loss";
        record.plannedTrials = trials;
        const auto study = storage->createStudy(record);
        std::mt19937 rng(1);
        std::uniform_real_distribution<double> u(0, 1);
        for (int n = 0; n < trials; ++n) {
            ps::Json params = ps::Json::object();
            for (int p = 0; p < 12; ++p)
                params["p" + std::to_string(p)] = u(rng);
            const auto t = storage->createTrial(study, params, "bench:1");
            std::vector<ps::MetricPoint> points;
            for (int step = 1; step <= 9; ++step) {
                points.push_back({0, 0, 0, step, "val_loss", u(rng) + 1.0 / step});
                points.push_back({0, 0, 0, step, "train_loss", u(rng) + 1.0 / step});
            }
            storage->appendMetrics(t.id, 1, points);
            const double v = u(rng);
            storage->finishTrial(t.id, "bench:1", ps::TrialState::Complete, {{"val_loss", v}}, v,
                                 {});
        }
    }
    const double writeS = timer.elapsed() / 1000.0;

    ps::MainWindow window;
    window.resize(1600, 1000);
    window.show();
    timer.restart();
    window.openStudy(dir.filePath("big.db"));
    while (window.trialModel()->rowCount() < trials ||
           window.historyPlot()->pointCount() < trials) {
        QApplication::processEvents(QEventLoop::AllEvents, 5);
        if (timer.elapsed() > 120000)
            break;
    }
    const double openMs = static_cast<double>(timer.elapsed());

    const std::string cpu = ps::bench::cpuModel();
    std::printf("machine: %s\n", cpu.c_str());
    std::printf("study: %d finished trials, 12 parameters, %d metric points (written in %.1f s)\n",
                trials, trials * 18, writeS);
    std::printf("open in the main window until every trial is in the table and the history: "
                "%.0f ms (%d rows, %d points)\n",
                openMs, window.trialModel()->rowCount(), window.historyPlot()->pointCount());
    return 0;
}
