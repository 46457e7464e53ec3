#pragma once
// A small finished study written straight through the Storage API, so the widget tests need
// neither the CLI nor a worker.

#include "core/storage/storage.h"

#include <QDir>
#include <QTemporaryDir>
#include <memory>
#include <string>

namespace ps::test {

// A temporary folder under PS_TEST_TMP (set by ps_add_test) when there is one.
inline std::unique_ptr<QTemporaryDir> makeTempDir() {
    const QString base = qEnvironmentVariable("PS_TEST_TMP");
    if (base.isEmpty())
        return std::make_unique<QTemporaryDir>();
    QDir().mkpath(base);
    return std::make_unique<QTemporaryDir>(base + QStringLiteral("/widgets-XXXXXX"));
}

inline constexpr double kFixtureValues[] = {0.9, 0.5, 0.7, 0.3};
inline constexpr int kFixtureSteps = 3;

// Writes study `name` with four COMPLETE trials (values kFixtureValues, val_loss minimized),
// each with val_loss and train_loss at steps 1..3 of attempt 1. Returns the study's id.
inline std::int64_t writeFinishedStudy(Storage& storage, const std::string& name = "fixture") {
    StudyRecord record;
    record.name = name;
    record.objectiveMetric = "val_loss";
    record.direction = Direction::Minimize;
    record.plannedTrials = 4;
    record.createdAt = nowSeconds();
    const std::int64_t studyId = storage.createStudy(record);
    int i = 0;
    for (double value : kFixtureValues) {
        // One categorical value with a comma and a quote, for the CSV quoting.
        const Json params = {{"optimizer.lr", 1e-3 * (i + 1)},
                             {"model.width", 64 << i},
                             {"optimizer.kind", i % 2 ? "sgd" : "adam, \"amsgrad\""}};
        storage.createTrial(studyId, params);
        const auto claimed = storage.claimTrial(studyId, "test-host:1");
        if (!claimed)
            throw std::runtime_error("fixture: nothing to claim");
        std::vector<MetricPoint> points;
        for (int step = 1; step <= kFixtureSteps; ++step) {
            const double v = value + 0.1 * (kFixtureSteps - step);
            points.push_back(MetricPoint{.step = step, .name = "val_loss", .value = v});
            points.push_back(MetricPoint{.step = step, .name = "train_loss", .value = v * 0.8});
        }
        storage.appendMetrics(claimed->id, claimed->attempts, points);
        storage.finishTrial(claimed->id, "test-host:1", TrialState::Complete, {{"val_loss", value}},
                            value, "");
        ++i;
    }
    return studyId;
}

} // namespace ps::test
