// Tests of ps_train's "classify" task and the Fashion-MNIST loader it trains on. They run on
// the real dataset (Debian package dataset-fashion-mnist), on small seeded subsets.

#include "core/execution/builtin_tasks.h"
#include "core/train/fashion_mnist.h"
#include "core/train/train_tasks.h"

#include <QByteArray>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Records what a task reports; can cancel from the start or after a number of reports.
class RecordingFeedback final : public ps::TaskFeedback {
public:
    bool isCanceled() const override {
        return m_cancel || (m_cancelAfter >= 0 && int(m_reports.size()) >= m_cancelAfter);
    }
    void report(std::int64_t step, const std::map<std::string, double>& metrics) override {
        m_reports.push_back({step, metrics});
    }
    void log(const std::string& line) override { m_lines.push_back(line); }
    void checkpointSaved(std::int64_t step) override { m_checkpoints.push_back(step); }
    void artifactSaved(const std::string& name, const std::string& kind, std::int64_t step,
                       const std::string& path) override {
        m_artifacts.push_back({name, kind, step, path});
    }
    struct Artifact {
        std::string name, kind;
        std::int64_t step;
        std::string path;
    };
    const std::vector<Artifact>& artifacts() const { return m_artifacts; }
    const std::vector<std::int64_t>& checkpoints() const { return m_checkpoints; }

    void cancelNow() { m_cancel = true; }
    void cancelAfterReports(int count) { m_cancelAfter = count; }

    struct Report {
        std::int64_t step;
        std::map<std::string, double> metrics;
    };
    const std::vector<Report>& reports() const { return m_reports; }
    const std::vector<std::string>& lines() const { return m_lines; }

private:
    bool m_cancel = false;
    int m_cancelAfter = -1;
    std::vector<Report> m_reports;
    std::vector<std::string> m_lines;
    std::vector<std::int64_t> m_checkpoints;
    std::vector<Artifact> m_artifacts;
};

// The settings a trial gets when its study sets nothing: every default of the spec, nested by
// dotted path, as the study-file parser hands them to the task.
ps::Json defaultSettings() {
    return ps::defaultSettings(ps::classifyTaskSpec());
}

// A small, fast configuration: 1000 images (900 train / 100 validation), one epoch, one
// thread so results are bitwise reproducible.
ps::Json smallSettings() {
    ps::Json s = defaultSettings();
    s["dataset"]["subset"] = 1000;
    s["dataset"]["seed"] = 7;
    s["model"]["width"] = 64;
    s["optimizer"]["kind"] = "adam";
    s["optimizer"]["lr"] = 1e-3;
    s["epochs"] = 1;
    s["batch_size"] = 32;
    s["device"] = "cpu";
    s["threads"] = 1;
    s["seed"] = 3;
    return s;
}

ps::TaskResult runClassify(const ps::Json& settings, RecordingFeedback& feedback,
                           const std::string& checkpoint = {}, std::int64_t resumeStep = 0,
                           const std::string& trialDir = {}) {
    ps::TaskCatalog catalog = ps::TaskCatalog::withBuiltins();
    ps::registerTrainTasks(catalog);
    const std::unique_ptr<ps::Task> task = catalog.make("classify");
    if (!task)
        throw std::logic_error("registerTrainTasks did not make classify runnable");
    ps::TaskInput input;
    input.settings = settings;
    input.checkpointPath = checkpoint;
    input.resumeStep = resumeStep;
    input.trialDir = trialDir;
    return task->run(input, feedback);
}

bool bitwiseEqual(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

const char* endName(ps::TaskEnd end) {
    switch (end) {
    case ps::TaskEnd::Complete:
        return "Complete";
    case ps::TaskEnd::Pruned:
        return "Pruned";
    case ps::TaskEnd::Fail:
        return "Fail";
    case ps::TaskEnd::Canceled:
        return "Canceled";
    }
    return "?";
}

} // namespace

class TestClassifyTask : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loadsTrainingSet();
    void loadsTestSetAndCaches();
    void splitSizes_data();
    void splitSizes();
    void splitIsReproducibleAndNested();
    void splitRejectsImpossibleSizes();
    void oneEpochLearns();
    void sameSeedGivesIdenticalMetrics();
    void resumingContinuesExactly();
    void activationsTrain_data();
    void activationsTrain();
    void hugeLearningRateDiverges();
    void optimizersTrain_data();
    void optimizersTrain();
    void scheduleIsSteppedDuringTraining();
    void explodingLossFailsAtOnce();
    void inconsistentOptimizerSettingsFail_data();
    void inconsistentOptimizerSettingsFail();
    void canceledBeforeStart();
    void canceledBetweenEpochs();
    void missingDatasetThrowsWithPath();
    void corruptFilesThrowWithFileName_data();
    void corruptFilesThrowWithFileName();
    void unavailableDeviceFails();
    void unsupportedSettingFails();
    void registersIntoEmptyCatalog();
    void lrRangeTestStopsAndSuggests();
    void syntheticDatasetsTrain_data();
    void syntheticDatasetsTrain();
    void csvAndIdxFilesTrain();
    void everyArchitectureLearns_data();
    void everyArchitectureLearns();
    void architectureMismatchFails();
    void weightsAndSnapshotsAreSaved();
    void coordinateCheckSeparatesSpFromMuP();
    void depthMuPNeedsResidualBlocks();
    void bf16AutocastTrainsOnTheCpu();
    void fp16NeedsAGpu();
    void augmentationsTrainDeterministically();

private:
    std::string m_dataDir;
};

void TestClassifyTask::initTestCase() {
    m_dataDir = defaultSettings()["dataset"]["path"].get<std::string>();
    if (!std::filesystem::exists(std::filesystem::path(m_dataDir) / "train-images-idx3-ubyte.gz"))
        QSKIP("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
}

void TestClassifyTask::loadsTrainingSet() {
    const ps::FashionMnistImages& train =
        ps::loadFashionMnist(m_dataDir, ps::FashionMnistPart::Train);
    QCOMPARE(train.count, 60000);
    QCOMPARE(train.features(), 784);
    QCOMPARE(train.pixels.size(), std::size_t(60000) * 784);
    QCOMPARE(train.labels.size(), std::size_t(60000));
    // Fashion-MNIST's training set is balanced: 6000 images of each of the 10 classes.
    std::map<int, int> perClass;
    for (std::uint8_t label : train.labels)
        ++perClass[label];
    QCOMPARE(perClass.size(), std::size_t(10));
    QCOMPARE(perClass.begin()->first, 0);
    QCOMPARE(perClass.rbegin()->first, 9);
    for (const auto& [label, count] : perClass)
        QCOMPARE(count, 6000);
    // Pixel mean close to the constant the task normalizes with.
    double sum = 0;
    for (std::uint8_t p : train.pixels)
        sum += p;
    QVERIFY(std::abs(sum / double(train.pixels.size()) / 255.0 - ps::kFashionMnistMean) < 1e-3);
}

void TestClassifyTask::loadsTestSetAndCaches() {
    const ps::FashionMnistImages& test =
        ps::loadFashionMnist(m_dataDir, ps::FashionMnistPart::Test);
    QCOMPARE(test.count, 10000);
    QCOMPARE(test.labels.size(), std::size_t(10000));
    // Same folder spelled differently: the same cached object, not a second read.
    const ps::FashionMnistImages& again =
        ps::loadFashionMnist(m_dataDir + "/./", ps::FashionMnistPart::Test);
    QCOMPARE(&again, &test);
    QVERIFY(&ps::loadFashionMnist(m_dataDir, ps::FashionMnistPart::Train) != &test);
}

void TestClassifyTask::splitSizes_data() {
    QTest::addColumn<qint64>("subset");
    QTest::addColumn<double>("valFraction");
    QTest::addColumn<qint64>("train");
    QTest::addColumn<qint64>("val");
    QTest::newRow("all") << qint64(0) << 0.1 << qint64(54000) << qint64(6000);
    QTest::newRow("1000") << qint64(1000) << 0.1 << qint64(900) << qint64(100);
    QTest::newRow("5000 quarter") << qint64(5000) << 0.25 << qint64(3750) << qint64(1250);
    QTest::newRow("rounds") << qint64(999) << 0.1 << qint64(899) << qint64(100);
    QTest::newRow("at least one val") << qint64(10) << 0.01 << qint64(9) << qint64(1);
    QTest::newRow("at least one train") << qint64(3) << 0.9 << qint64(1) << qint64(2);
}

void TestClassifyTask::splitSizes() {
    QFETCH(qint64, subset);
    QFETCH(double, valFraction);
    QFETCH(qint64, train);
    QFETCH(qint64, val);
    const ps::DataSplit split = ps::splitFashionMnist(60000, subset, valFraction, 11);
    QCOMPARE(qint64(split.train.size()), train);
    QCOMPARE(qint64(split.val.size()), val);
    std::set<std::int64_t> all(split.train.begin(), split.train.end());
    all.insert(split.val.begin(), split.val.end());
    QCOMPARE(qint64(all.size()), train + val); // disjoint, no repeats
    QVERIFY(*all.begin() >= 0);
    QVERIFY(*all.rbegin() < 60000);
}

void TestClassifyTask::splitIsReproducibleAndNested() {
    const ps::DataSplit a = ps::splitFashionMnist(60000, 1000, 0.1, 5);
    const ps::DataSplit b = ps::splitFashionMnist(60000, 1000, 0.1, 5);
    QVERIFY(a.train == b.train);
    QVERIFY(a.val == b.val);
    const ps::DataSplit other = ps::splitFashionMnist(60000, 1000, 0.1, 6);
    QVERIFY(a.train != other.train);
    // Not just the first images of the file: a random subset.
    QVERIFY(*std::max_element(a.train.begin(), a.train.end()) > 10000);
    // A larger subset with the same seed contains the smaller one.
    const ps::DataSplit larger = ps::splitFashionMnist(60000, 2000, 0.1, 5);
    std::set<std::int64_t> largerAll(larger.train.begin(), larger.train.end());
    largerAll.insert(larger.val.begin(), larger.val.end());
    for (std::int64_t i : a.train)
        QVERIFY(largerAll.count(i) == 1);
    // Pinned values: the split must not change between platforms or releases, or stored
    // studies would no longer be comparable with new trials.
    const ps::DataSplit pinned = ps::splitFashionMnist(10, 0, 0.2, 42);
    QVERIFY(pinned.val == (std::vector<std::int64_t>{1, 7}));
    QVERIFY(pinned.train == (std::vector<std::int64_t>{9, 0, 3, 8, 4, 2, 5, 6}));
}

void TestClassifyTask::splitRejectsImpossibleSizes() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ps::splitFashionMnist(60000, 60001, 0.1, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ps::splitFashionMnist(60000, -1, 0.1, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ps::splitFashionMnist(60000, 1, 0.1, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ps::splitFashionMnist(60000, 100, 0.0, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ps::splitFashionMnist(60000, 100, 1.0, 0));
}

void TestClassifyTask::oneEpochLearns() {
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(smallSettings(), feedback);
    QCOMPARE(endName(result.end), "Complete");
    QCOMPARE(feedback.reports().size(), std::size_t(1));
    const auto& report = feedback.reports().front();
    QCOMPARE(report.step, 1);
    QCOMPARE(report.metrics.size(), std::size_t(3));
    for (const char* name : {"train_loss", "val_loss", "val_acc"}) {
        QVERIFY2(report.metrics.count(name) == 1, name);
        QVERIFY2(std::isfinite(report.metrics.at(name)), name);
    }
    const double acc = report.metrics.at("val_acc");
    QVERIFY2(acc > 0.5 && acc <= 1.0, std::to_string(acc).c_str());
    QVERIFY(report.metrics.at("val_loss") < std::log(10.0)); // better than chance
    for (const auto& [name, value] : report.metrics)
        QCOMPARE(result.metrics.at(name), value); // the final values are the last epoch's
    // plus the test set's, looked at once at the end: the 10k images of t10k
    QVERIFY(result.metrics.at("test_acc") > 0.5);
    QVERIFY(std::isfinite(result.metrics.at("test_loss")));
    QVERIFY(!feedback.lines().empty());
    QVERIFY(feedback.lines().front().find("10000 test") != std::string::npos);
}

void TestClassifyTask::sameSeedGivesIdenticalMetrics() {
    ps::Json settings = smallSettings();
    settings["epochs"] = 2;
    RecordingFeedback first, second;
    const ps::TaskResult a = runClassify(settings, first);
    const ps::TaskResult b = runClassify(settings, second);
    QCOMPARE(endName(a.end), "Complete");
    QCOMPARE(endName(b.end), "Complete");
    QCOMPARE(first.reports().size(), std::size_t(2));
    QCOMPARE(second.reports().size(), std::size_t(2));
    for (const char* name : {"train_loss", "val_loss", "val_acc"})
        QVERIFY2(bitwiseEqual(a.metrics.at(name), b.metrics.at(name)), name);

    settings["seed"] = 4; // another initialization and batch order
    RecordingFeedback third;
    const ps::TaskResult c = runClassify(settings, third);
    QVERIFY(!bitwiseEqual(a.metrics.at("train_loss"), c.metrics.at("train_loss")));
}

void TestClassifyTask::resumingContinuesExactly() {
    // 2 epochs, a checkpoint, then 2 more from it: the same numbers as 4 epochs in one go,
    // for SGD with momentum and for Adam (whose moments and step counts must come back).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const char* optimizer : {"sgd", "adam"}) {
        ps::Json settings = smallSettings();
        settings["optimizer"]["kind"] = optimizer;
        settings["optimizer"]["momentum"] = 0.9;
        settings["epochs"] = 4;
        RecordingFeedback straight;
        const ps::TaskResult whole = runClassify(settings, straight);
        QCOMPARE(endName(whole.end), "Complete");
        QVERIFY(straight.checkpoints().empty()); // no path, no checkpoint

        const std::string path = dir.filePath(QString("%1.bin").arg(optimizer)).toStdString();
        settings["epochs"] = 2;
        RecordingFeedback first;
        QCOMPARE(endName(runClassify(settings, first, path).end), "Complete");
        QCOMPARE(first.checkpoints(), std::vector<std::int64_t>{2});
        QVERIFY(QFile::exists(QString::fromStdString(path)));

        settings["epochs"] = 4;
        RecordingFeedback second;
        const ps::TaskResult resumed = runClassify(settings, second, path, 2);
        QCOMPARE(endName(resumed.end), "Complete");
        QCOMPARE(second.reports().size(), std::size_t(2)); // epochs 3 and 4 only
        QCOMPARE(second.reports().front().step, std::int64_t(3));
        QCOMPARE(second.checkpoints(), std::vector<std::int64_t>{4});
        for (const char* name : {"train_loss", "val_loss", "val_acc"})
            QVERIFY2(bitwiseEqual(whole.metrics.at(name), resumed.metrics.at(name)),
                     qPrintable(QString("%1 %2: %3 vs %4")
                                    .arg(optimizer, name)
                                    .arg(whole.metrics.at(name), 0, 'g', 17)
                                    .arg(resumed.metrics.at(name), 0, 'g', 17)));
    }
    // A checkpoint of another epoch, or none at all, is refused rather than trained over.
    ps::Json settings = smallSettings();
    settings["epochs"] = 4;
    RecordingFeedback wrong;
    const std::string adam = dir.filePath("adam.bin").toStdString();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, runClassify(settings, wrong, adam, 3));
    QVERIFY_THROWS_EXCEPTION(
        std::runtime_error,
        runClassify(settings, wrong, dir.filePath("none.bin").toStdString(), 2));
}

void TestClassifyTask::activationsTrain_data() {
    QTest::addColumn<QString>("activation");
    for (const char* name : {"relu", "tanh", "gelu", "silu", "sigmoid"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestClassifyTask::activationsTrain() {
    QFETCH(QString, activation);
    ps::Json settings = smallSettings();
    settings["dataset"]["subset"] = 300;
    settings["model"]["width"] = 16;
    settings["model"]["activation"] = activation.toStdString();
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Complete");
    QVERIFY(std::isfinite(result.metrics.at("train_loss")));
}

void TestClassifyTask::hugeLearningRateDiverges() {
    ps::Json settings = smallSettings();
    settings["optimizer"]["kind"] = "sgd";
    settings["optimizer"]["lr"] = 1e6;
    settings["epochs"] = 3;
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Fail");
    QVERIFY2(result.reason.find("diverged") != std::string::npos, result.reason.c_str());
    QVERIFY2(result.reason.find("epoch") != std::string::npos, result.reason.c_str());
    QVERIFY(result.metrics.empty());
}

void TestClassifyTask::optimizersTrain_data() {
    QTest::addColumn<QString>("optimizer");
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<bool>("nesterov");
    QTest::addColumn<double>("lr");
    QTest::newRow("sgd nesterov, cosine") << "sgd"
                                          << "cosine" << true << 0.05;
    QTest::newRow("adamw, onecycle") << "adamw"
                                     << "onecycle" << false << 3e-3;
    QTest::newRow("adam, step") << "adam"
                                << "step" << false << 1e-3;
    QTest::newRow("sgd, linear, clipped") << "sgd"
                                          << "linear" << false << 0.1;
}

void TestClassifyTask::optimizersTrain() {
    QFETCH(QString, optimizer);
    QFETCH(QString, schedule);
    QFETCH(bool, nesterov);
    QFETCH(double, lr);
    ps::Json settings = smallSettings();
    settings["optimizer"]["kind"] = optimizer.toStdString();
    settings["optimizer"]["lr"] = lr;
    settings["optimizer"]["momentum"] = 0.9;
    settings["optimizer"]["nesterov"] = nesterov;
    settings["optimizer"]["weight_decay"] = 1e-4;
    settings["optimizer"]["grad_clip"] = schedule == "linear" ? 1.0 : 0.0;
    settings["schedule"]["kind"] = schedule.toStdString();
    settings["schedule"]["step_epochs"] = 1;
    settings["epochs"] = 2;
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QVERIFY2(result.end == ps::TaskEnd::Complete, result.reason.c_str());
    QVERIFY2(result.metrics.at("val_loss") < 0.5 * std::log(10.0),
             std::to_string(result.metrics.at("val_loss")).c_str()); // far better than chance
}

void TestClassifyTask::scheduleIsSteppedDuringTraining() {
    // Step decay to 0 after the first epoch: plain SGD then leaves the weights as they are, so
    // the second epoch's validation loss equals the first's, bit for bit.
    ps::Json settings = smallSettings();
    settings["optimizer"]["kind"] = "sgd";
    settings["optimizer"]["lr"] = 0.1;
    settings["schedule"]["kind"] = "step";
    settings["schedule"]["step_epochs"] = 1;
    settings["schedule"]["gamma"] = 0.0;
    settings["epochs"] = 2;
    RecordingFeedback frozen;
    QCOMPARE(endName(runClassify(settings, frozen).end), "Complete");
    QCOMPARE(frozen.reports().size(), std::size_t(2));
    QVERIFY(bitwiseEqual(frozen.reports()[0].metrics.at("val_loss"),
                         frozen.reports()[1].metrics.at("val_loss")));
    // With the constant schedule the second epoch does change them.
    settings["schedule"]["kind"] = "constant";
    RecordingFeedback moving;
    QCOMPARE(endName(runClassify(settings, moving).end), "Complete");
    QVERIFY(!bitwiseEqual(moving.reports()[0].metrics.at("val_loss"),
                          moving.reports()[1].metrics.at("val_loss")));
}

void TestClassifyTask::explodingLossFailsAtOnce() {
    // Adam at lr 10 blows the loss up long before it turns NaN.
    ps::Json settings = smallSettings();
    settings["optimizer"]["lr"] = 10.0;
    settings["divergence_factor"] = 10.0;
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Fail");
    QVERIFY2(result.reason.find("times the first batch") != std::string::npos,
             result.reason.c_str());
    QVERIFY(feedback.reports().empty()); // within the first epoch
}

void TestClassifyTask::inconsistentOptimizerSettingsFail_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("named");
    QTest::newRow("nesterov with adam") << "optimizer.nesterov"
                                        << "true"
                                        << "optimizer.nesterov";
    QTest::newRow("warm-up with onecycle") << "schedule.warmup_steps"
                                           << "5"
                                           << "schedule.warmup_steps";
    QTest::newRow("unknown schedule") << "schedule.kind"
                                      << "\"exp\""
                                      << "schedule.kind";
}

void TestClassifyTask::inconsistentOptimizerSettingsFail() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, named);
    ps::Json settings = smallSettings();
    if (key == "schedule.warmup_steps")
        settings["schedule"]["kind"] = "onecycle";
    const auto dot = key.indexOf('.');
    settings[key.left(dot).toStdString()][key.mid(dot + 1).toStdString()] =
        ps::Json::parse(value.toStdString());
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Fail");
    QVERIFY2(result.reason.find(named.toStdString()) != std::string::npos, result.reason.c_str());
}

void TestClassifyTask::canceledBeforeStart() {
    RecordingFeedback feedback;
    feedback.cancelNow();
    const ps::TaskResult result = runClassify(smallSettings(), feedback);
    QCOMPARE(endName(result.end), "Canceled");
    QVERIFY(feedback.reports().empty());
}

void TestClassifyTask::canceledBetweenEpochs() {
    ps::Json settings = smallSettings();
    settings["epochs"] = 50;
    RecordingFeedback feedback;
    feedback.cancelAfterReports(1);
    const ps::TaskResult result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Canceled");
    QCOMPARE(feedback.reports().size(), std::size_t(1)); // stopped at the next batch
}

void TestClassifyTask::missingDatasetThrowsWithPath() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string missing = dir.filePath(QStringLiteral("no-such-folder")).toStdString();
    ps::Json settings = smallSettings();
    settings["dataset"]["path"] = missing;
    RecordingFeedback feedback;
    try {
        runClassify(settings, feedback);
        QFAIL("no exception for a missing dataset");
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        QVERIFY2(message.find(missing) != std::string::npos, message.c_str());
    }
}

void TestClassifyTask::corruptFilesThrowWithFileName_data() {
    // zlib reads files that are not gzip as they are, so plain files stand in for .gz ones.
    auto be32 = [](quint32 v) {
        QByteArray b(4, '\0');
        b[0] = char(v >> 24);
        b[1] = char(v >> 16);
        b[2] = char(v >> 8);
        b[3] = char(v);
        return b;
    };
    QTest::addColumn<QByteArray>("images");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrong magic") << be32(0x801) + be32(1) + be32(28) + be32(28)
                                 << QStringLiteral("magic number");
    QTest::newRow("wrong size") << be32(0x803) + be32(1) + be32(32) + be32(32)
                                << QStringLiteral("expected 28x28");
    QTest::newRow("truncated") << be32(0x803) + be32(2) + be32(28) + be32(28) +
                                      QByteArray(784, '\1')
                               << QStringLiteral("truncated");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("truncated");
}

void TestClassifyTask::corruptFilesThrowWithFileName() {
    QFETCH(QByteArray, images);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("train-images-idx3-ubyte.gz"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(images);
    out.close();
    try {
        ps::loadFashionMnist(dir.path().toStdString(), ps::FashionMnistPart::Train);
        QFAIL("no exception for a corrupt file");
    } catch (const std::runtime_error& error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.contains(file), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }
}

void TestClassifyTask::unavailableDeviceFails() {
    ps::Json settings = smallSettings();
    settings["device"] = "cuda:99"; // no machine has that many, with or without CUDA
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Fail");
    QVERIFY2(result.reason.find("cuda:99") != std::string::npos, result.reason.c_str());
    QVERIFY(feedback.reports().empty());
}

void TestClassifyTask::unsupportedSettingFails() {
    ps::Json settings = smallSettings();
    settings["model"]["activation"] = "swish";
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Fail");
    QVERIFY2(result.reason.find("model.activation") != std::string::npos, result.reason.c_str());
}

void TestClassifyTask::registersIntoEmptyCatalog() {
    ps::TaskCatalog catalog;
    ps::registerTrainTasks(catalog);
    QVERIFY(catalog.spec("classify") != nullptr);
    QVERIFY(catalog.make("classify") != nullptr);
}

void TestClassifyTask::lrRangeTestStopsAndSuggests() {
    // METHODS.md 8.3: 784-256-256-10, SGD momentum 0.9, batch 128: the smoothed loss falls, then
    // diverges; the test stops by itself and suggests an lr in [1e-2, 1].
    ps::TaskCatalog catalog = ps::TaskCatalog::withBuiltins();
    ps::registerTrainTasks(catalog);
    const auto task = catalog.make("lr_range");
    QVERIFY(task);
    ps::Json settings = smallSettings();
    settings["dataset"]["subset"] = 4000;
    settings["model"]["width"] = 256;
    settings["model"]["depth"] = 2;
    settings["optimizer"]["kind"] = "sgd";
    settings["optimizer"]["momentum"] = 0.9;
    settings["batch_size"] = 128;
    settings["range"] = {{"start_lr", 1e-7}, {"end_lr", 10.0},     {"num_it", 100},
                         {"beta", 0.98},     {"stop_factor", 4.0}, {"suggestion", "valley"}};
    ps::TaskInput input;
    input.settings = settings;
    RecordingFeedback feedback;
    const ps::TaskResult result = task->run(input, feedback);
    QVERIFY2(result.end == ps::TaskEnd::Complete, result.reason.c_str());
    const auto& reports = feedback.reports();
    QVERIFY2(reports.size() < 100, "never diverged"); // stopped before end_lr
    QVERIFY(reports.back().metrics.at("lr") < 10);
    // the lr rises every mini-batch, exponentially
    QVERIFY(reports[1].metrics.at("lr") > reports[0].metrics.at("lr"));
    // Smith's bound read as fastai's 'minimum' (lowest smoothed loss / 10) lands in [1e-2, 1];
    // fastai's default 'valley' sits lower on this short, heavily smoothed curve.
    const double suggested = result.metrics.at("lr_suggested");
    const double minimum = result.metrics.at("lr_minimum");
    qInfo("suggested (valley) %g, minimum %g, steep %g, lowest %g", suggested, minimum,
          result.metrics.at("lr_steep"), result.metrics.at("lr_lowest"));
    QVERIFY2(minimum >= 1e-2 && minimum <= 1.0, std::to_string(minimum).c_str());
    QVERIFY2(suggested >= 1e-4 && suggested <= result.metrics.at("lr_lowest"),
             std::to_string(suggested).c_str());
    QCOMPARE(suggested, result.metrics.at("lr_valley"));
    QVERIFY(result.metrics.at("lr_start") < result.metrics.at("lr_lowest"));
    // a decreasing region: the loss got well below where it started before it blew up
    double lowestLoss = INFINITY;
    for (const auto& r : reports)
        lowestLoss = std::min(lowestLoss, r.metrics.at("loss"));
    QVERIFY(lowestLoss < 0.6 * reports.front().metrics.at("loss"));
    QVERIFY(reports.back().metrics.at("loss") > lowestLoss * 2);
    QVERIFY(std::any_of(feedback.lines().begin(), feedback.lines().end(), [](const std::string& l) {
        return l.find("diverged at lr") != std::string::npos;
    }));
}

void TestClassifyTask::syntheticDatasetsTrain_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("metric");
    QTest::addColumn<double>("bound"); // val_acc above it, or val_loss below it
    QTest::newRow("spirals") << "spirals"
                             << "val_acc" << 0.8;
    QTest::newRow("blobs") << "blobs"
                           << "val_acc" << 0.95;
    // targets have variance ~0.5: a student that learned its teacher is far below
    QTest::newRow("teacher-student") << "teacher-student"
                                     << "val_loss" << 0.1;
}

void TestClassifyTask::syntheticDatasetsTrain() {
    QFETCH(QString, name);
    QFETCH(QString, metric);
    QFETCH(double, bound);
    ps::Json settings = smallSettings();
    settings["dataset"]["name"] = name.toStdString();
    settings["dataset"]["size"] = 1500;
    settings["dataset"]["features"] = 4;
    settings["dataset"]["noise"] = name == "spirals" ? 0.2 : 0.0;
    settings["model"]["width"] = 64;
    settings["model"]["activation"] = "tanh";
    settings["optimizer"]["lr"] = 1e-2;
    settings["epochs"] = 30;
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QVERIFY2(result.end == ps::TaskEnd::Complete, result.reason.c_str());
    const double value = result.metrics.at(metric.toStdString());
    qInfo("%s: %s %g, test_loss %g", qPrintable(name), qPrintable(metric), value,
          result.metrics.at("test_loss"));
    if (metric == "val_acc")
        QVERIFY2(value > bound, std::to_string(value).c_str());
    else
        QVERIFY2(value < bound, std::to_string(value).c_str());
    // a regression has no accuracy; the splits are 20 % test, then 10 % of the rest validation
    QCOMPARE(result.metrics.count("val_acc"), std::size_t(name == "teacher-student" ? 0 : 1));
    QVERIFY(feedback.lines().front().find("300 test") != std::string::npos);
}

void TestClassifyTask::csvAndIdxFilesTrain() {
    QTemporaryDir dir;
    // a CSV with two separable classes by name
    std::string csv = "x1,x2,kind\n";
    for (int i = 0; i < 200; ++i)
        csv += std::to_string(i % 2 ? 1.0 + 0.01 * i : -1.0 - 0.01 * i) + "," +
               std::to_string(0.5 * (i % 7)) + "," + (i % 2 ? "right" : "left") + "\n";
    const QString csvPath = dir.filePath("two.csv");
    QFile out(csvPath);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(csv.data(), qint64(csv.size()));
    out.close();
    ps::Json settings = smallSettings();
    settings["dataset"]["name"] = "csv";
    settings["dataset"]["file"] = csvPath.toStdString();
    settings["dataset"]["target"] = "kind";
    settings["dataset"]["subset"] = 0; // all 160 training rows
    settings["epochs"] = 5;
    RecordingFeedback feedback;
    ps::TaskResult result = runClassify(settings, feedback);
    QVERIFY2(result.end == ps::TaskEnd::Complete, result.reason.c_str());
    QVERIFY(result.metrics.at("val_acc") > 0.9);

    // a bad cell fails the trial with the file, line and column
    QFile bad(dir.filePath("bad.csv"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("x1,kind\n1,a\nzz,b\n");
    bad.close();
    settings["dataset"]["file"] = dir.filePath("bad.csv").toStdString();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, runClassify(settings, feedback));

    // IDX files of another image size: 8x8 images of two classes (bright or dark)
    auto be = [](std::uint32_t v) {
        return std::string{char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff),
                           char(v & 0xff)};
    };
    std::string images = be(0x803) + be(100) + be(8) + be(8), labels = be(0x801) + be(100);
    for (int i = 0; i < 100; ++i) {
        for (int p = 0; p < 64; ++p)
            images += char(i % 2 ? 200 + (p % 50) : 10 + (p % 50));
        labels += char(i % 2);
    }
    QFile img(dir.filePath("img.idx")), lab(dir.filePath("lab.idx"));
    QVERIFY(img.open(QIODevice::WriteOnly) && lab.open(QIODevice::WriteOnly));
    img.write(images.data(), qint64(images.size()));
    lab.write(labels.data(), qint64(labels.size()));
    img.close();
    lab.close();
    settings["dataset"]["name"] = "idx";
    settings["dataset"]["images"] = dir.filePath("img.idx").toStdString();
    settings["dataset"]["labels"] = dir.filePath("lab.idx").toStdString();
    RecordingFeedback idx;
    result = runClassify(settings, idx);
    QVERIFY2(result.end == ps::TaskEnd::Complete, result.reason.c_str());
    QCOMPARE(result.metrics.at("val_acc"), 1.0);
    QVERIFY2(idx.lines().front().find("mlp 1x8x8") != std::string::npos,
             idx.lines().front().c_str());
}

void TestClassifyTask::everyArchitectureLearns_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("depth");
    QTest::addColumn<QString>("norm");
    QTest::addColumn<QString>("parametrization");
    QTest::addColumn<bool>("depthMuP");
    QTest::newRow("mlp, layer norm") << "mlp" << 64 << 2 << "layer"
                                     << "sp" << false;
    QTest::newRow("mlp, batch norm") << "mlp" << 64 << 2 << "batch"
                                     << "sp" << false;
    QTest::newRow("mlp, u-muP") << "mlp" << 64 << 2 << "none"
                                << "umup" << false;
    QTest::newRow("cnn") << "cnn" << 8 << 2 << "none"
                         << "sp" << false;
    QTest::newRow("cnn, muP") << "cnn" << 16 << 2 << "none"
                              << "mup" << false;
    QTest::newRow("resnet") << "resnet" << 8 << 1 << "none"
                            << "sp" << false;
    QTest::newRow("resnet, muP + depth-muP") << "resnet" << 8 << 1 << "none"
                                             << "mup" << true;
    QTest::newRow("vit") << "vit" << 32 << 1 << "none"
                         << "sp" << false;
    QTest::newRow("vit, muP") << "vit" << 32 << 1 << "none"
                              << "mup" << false;
    QTest::newRow("vit, u-muP + depth-muP") << "vit" << 32 << 2 << "none"
                                            << "umup" << true;
}

void TestClassifyTask::everyArchitectureLearns() {
    // A few hundred steps on Fashion-MNIST images: the training loss falls from one epoch to
    // the next and the validation loss ends clearly below chance (ln 10).
    QFETCH(QString, kind);
    QFETCH(int, width);
    QFETCH(int, depth);
    QFETCH(QString, norm);
    QFETCH(QString, parametrization);
    QFETCH(bool, depthMuP);
    ps::Json settings = smallSettings();
    settings["dataset"]["subset"] = 1200;
    settings["parametrization"]["kind"] = parametrization.toStdString();
    settings["parametrization"]["base_width"] = width / 2;
    settings["parametrization"]["depth_mup"] = depthMuP;
    if (parametrization == "umup") // u-muP's optimum sits near lr 1 (Blake et al.)
        settings["optimizer"]["lr"] = 0.5;
    if (parametrization == "mup") // the zero-init readout behind 1 / m starts slower
        settings["optimizer"]["lr"] = 3e-3;
    settings["model"]["kind"] = kind.toStdString();
    settings["model"]["width"] = width;
    settings["model"]["depth"] = depth;
    settings["model"]["norm"] = norm.toStdString();
    settings["model"]["patch"] = 7;
    settings["model"]["heads"] = 4;
    settings["model"]["residual_scale"] = kind == "resnet" ? 0.5 : 1.0;
    settings["epochs"] = 2;
    RecordingFeedback feedback;
    const ps::TaskResult result = runClassify(settings, feedback);
    QVERIFY2(result.end == ps::TaskEnd::Complete, result.reason.c_str());
    const auto& r = feedback.reports();
    QCOMPARE(r.size(), std::size_t(2));
    QVERIFY2(r[1].metrics.at("train_loss") < r[0].metrics.at("train_loss"),
             qPrintable(QString("%1 -> %2")
                            .arg(r[0].metrics.at("train_loss"))
                            .arg(r[1].metrics.at("train_loss"))));
    QVERIFY2(result.metrics.at("val_loss") < 0.8 * std::log(10.0),
             std::to_string(result.metrics.at("val_loss")).c_str());
    QVERIFY2(feedback.lines().front().find(kind.toStdString() + " 1x28x28") != std::string::npos,
             feedback.lines().front().c_str());
}

void TestClassifyTask::architectureMismatchFails() {
    ps::Json settings = smallSettings();
    settings["dataset"]["name"] = "blobs";
    settings["dataset"]["subset"] = 0;
    settings["model"]["kind"] = "cnn";
    RecordingFeedback feedback;
    ps::TaskResult result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Fail");
    QVERIFY2(result.reason.find("needs images") != std::string::npos, result.reason.c_str());
    settings = smallSettings();
    settings["model"]["kind"] = "vit";
    settings["model"]["patch"] = 5; // 28 is not a multiple of 5
    result = runClassify(settings, feedback);
    QCOMPARE(endName(result.end), "Fail");
    QVERIFY2(result.reason.find("model.patch 5") != std::string::npos, result.reason.c_str());
}

void TestClassifyTask::weightsAndSnapshotsAreSaved() {
    QTemporaryDir dir;
    ps::Json settings = smallSettings();
    settings["epochs"] = 2;
    settings["artifacts"] = {{"weights", true}, {"snapshot_every", 1}, {"snapshot_unit", "epoch"}};
    RecordingFeedback feedback;
    QCOMPARE(endName(runClassify(settings, feedback).end), "Fail"); // no folder to write to
    RecordingFeedback epochs;
    const std::string trialDir = dir.filePath("trial-0").toStdString();
    QCOMPARE(endName(runClassify(settings, epochs, {}, 0, trialDir).end), "Complete");
    std::vector<std::string> names;
    for (const auto& a : epochs.artifacts()) {
        names.push_back(a.name);
        QVERIFY2(QFile::exists(QString::fromStdString(a.path)), a.path.c_str());
    }
    QCOMPARE(names, (std::vector<std::string>{"initial", "epoch-0001", "epoch-0002", "final"}));
    QCOMPARE(epochs.artifacts().back().step, std::int64_t(2));
    // the weights moved: the initial and final files differ
    QFile first(QString::fromStdString(epochs.artifacts().front().path));
    QFile last(QString::fromStdString(epochs.artifacts().back().path));
    QVERIFY(first.open(QIODevice::ReadOnly) && last.open(QIODevice::ReadOnly));
    QVERIFY(first.readAll() != last.readAll());

    // every 10 mini-batches: 900 training images in batches of 32 = 29 per epoch, 58 in all
    settings["artifacts"] = {
        {"weights", false}, {"snapshot_every", 10}, {"snapshot_unit", "batch"}};
    RecordingFeedback batches;
    QCOMPARE(endName(runClassify(settings, batches, {}, 0, trialDir).end), "Complete");
    QCOMPARE(batches.artifacts().size(), std::size_t(5));
    QCOMPARE(batches.artifacts().front().name, std::string("batch-0000010"));
    QCOMPARE(batches.artifacts().back().step, std::int64_t(50));
}

namespace {

// The slope of log2(l1) against log2(width) for each recorded layer at the last step.
std::map<std::string, double> coordSlopes(const std::string& parametrization,
                                          const std::string& optimizer, double lr) {
    // three seeds per width, fitted together (METHODS.md 3.3 uses 5 to 10)
    ps::TaskCatalog catalog = ps::TaskCatalog::withBuiltins();
    ps::registerTrainTasks(catalog);
    const auto task = catalog.make("coord_check");
    std::map<std::string, std::vector<std::pair<double, double>>> points;
    for (int width : {64, 256, 1024})
        for (int seed : {3, 4, 5}) {
            ps::Json settings = smallSettings();
            settings["seed"] = seed;
            settings["model"]["width"] = width;
            settings["model"]["depth"] = 2;
            settings["optimizer"]["kind"] = optimizer;
            settings["optimizer"]["lr"] = lr;
            settings["parametrization"]["kind"] = parametrization;
            settings["batch_size"] = 64;
            settings["coord"] = {{"steps", 4}};
            ps::TaskInput input;
            input.settings = settings;
            RecordingFeedback feedback;
            const ps::TaskResult r = task->run(input, feedback);
            if (r.end != ps::TaskEnd::Complete)
                throw std::runtime_error(r.reason);
            for (const auto& [name, value] : r.metrics)
                points[name].push_back({std::log2(double(width)), std::log2(value)});
        }
    std::map<std::string, double> slopes;
    for (const auto& [name, xy] : points) {
        double mx = 0, my = 0;
        for (const auto& [x, y] : xy)
            mx += x / double(xy.size()), my += y / double(xy.size());
        double sxy = 0, sxx = 0;
        for (const auto& [x, y] : xy)
            sxy += (x - mx) * (y - my), sxx += (x - mx) * (x - mx);
        slopes[name] = sxy / sxx;
    }
    return slopes;
}

} // namespace

void TestClassifyTask::coordinateCheckSeparatesSpFromMuP() {
    // METHODS.md 3.3: under muP each layer's activation size stays flat as the MLP widens
    // (|slope| < 0.1); under SP with Adam the activations after the first layer grow with
    // width after a few steps (the output's slope >= 0.4).
    for (const char* optimizer : {"adam", "sgd"}) {
        const double lr = std::string(optimizer) == "adam" ? 1e-2 : 0.1;
        const auto mup = coordSlopes("mup", optimizer, lr);
        const auto sp = coordSlopes("sp", optimizer, lr);
        // u-muP's global lr is of order 1 (its per-tensor scales are absolute, not relative
        // to a base width)
        const auto umup = coordSlopes("umup", optimizer, std::string(optimizer) == "adam" ? 1 : 2);
        for (const auto& [name, slope] : mup)
            qInfo("%s %s: slope muP %+.3f, u-muP %+.3f, SP %+.3f", optimizer, name.c_str(), slope,
                  umup.at(name), sp.at(name));
        // measured over three seeds: muP within +0.09, u-muP within +0.07, for both optimizers
        const double flat = 0.1;
        for (const char* layer : {"l1.hidden.0", "l1.hidden.1", "l1.output"}) {
            QVERIFY2(std::abs(mup.at(layer)) < flat,
                     qPrintable(QString("%1 %2 %3").arg(optimizer, layer).arg(mup.at(layer))));
            QVERIFY2(
                std::abs(umup.at(layer)) < flat,
                qPrintable(QString("u-muP %1 %2 %3").arg(optimizer, layer).arg(umup.at(layer))));
        }
        if (std::string(optimizer) == "adam") {
            // after 3 updates at lr 1e-2 (measured: output +0.67, second hidden layer +0.25,
            // against muP's +0.08 and +0.04)
            QVERIFY2(sp.at("l1.output") >= 0.4, qPrintable(QString::number(sp.at("l1.output"))));
            QVERIFY2(sp.at("l1.hidden.1") > 0.1 &&
                         sp.at("l1.hidden.1") > 3 * std::abs(mup.at("l1.hidden.1")),
                     qPrintable(QString::number(sp.at("l1.hidden.1"))));
        }
    }
}

void TestClassifyTask::depthMuPNeedsResidualBlocks() {
    ps::Json settings = smallSettings();
    settings["parametrization"]["depth_mup"] = true;
    RecordingFeedback feedback;
    const ps::TaskResult r = runClassify(settings, feedback);
    QCOMPARE(endName(r.end), "Fail");
    QVERIFY2(r.reason.find("parametrization.depth_mup needs residual blocks") != std::string::npos,
             r.reason.c_str());
}

void TestClassifyTask::bf16AutocastTrainsOnTheCpu() {
    // The CPU's bf16 autocast: the run learns, says so in its log, and its numbers differ
    // from fp32's (the forward pass really ran in bf16).
    ps::Json settings = smallSettings();
    settings["precision"] = "fp32";
    RecordingFeedback full;
    const ps::TaskResult fp32 = runClassify(settings, full);
    settings["precision"] = "bf16";
    RecordingFeedback half;
    const ps::TaskResult bf16 = runClassify(settings, half);
    QVERIFY2(bf16.end == ps::TaskEnd::Complete, bf16.reason.c_str());
    QVERIFY2(half.lines().front().find("device cpu (bf16)") != std::string::npos,
             half.lines().front().c_str());
    QVERIFY2(full.lines().front().find("device cpu (fp32)") != std::string::npos,
             full.lines().front().c_str());
    QVERIFY(bf16.metrics.at("val_loss") < 0.8 * std::log(10.0));
    QVERIFY(!bitwiseEqual(bf16.metrics.at("val_loss"), fp32.metrics.at("val_loss")));
    QVERIFY2(
        std::abs(bf16.metrics.at("val_loss") - fp32.metrics.at("val_loss")) < 0.1,
        qPrintable(
            QString("%1 vs %2").arg(bf16.metrics.at("val_loss")).arg(fp32.metrics.at("val_loss"))));
}

void TestClassifyTask::fp16NeedsAGpu() {
    ps::Json settings = smallSettings();
    settings["precision"] = "fp16";
    RecordingFeedback feedback;
    const ps::TaskResult r = runClassify(settings, feedback);
    QCOMPARE(endName(r.end), "Fail");
    QVERIFY2(r.reason.find("fp16 needs a CUDA device") != std::string::npos, r.reason.c_str());
}

void TestClassifyTask::augmentationsTrainDeterministically() {
    ps::Json settings = smallSettings();
    settings["epochs"] = 2;
    RecordingFeedback plain;
    const ps::TaskResult without = runClassify(settings, plain);
    settings["augment"] = {{"flip", {{"enabled", true}, {"p", 0.5}}},
                           {"rotation", {{"enabled", true}, {"degrees", 10.0}}},
                           {"erasing", {{"enabled", true}, {"p", 0.5}}},
                           {"noise", {{"enabled", true}, {"std", 0.05}}},
                           {"mixup", {{"enabled", true}, {"alpha", 0.2}}}};
    RecordingFeedback first, second;
    const ps::TaskResult a = runClassify(settings, first);
    const ps::TaskResult b = runClassify(settings, second);
    QVERIFY2(a.end == ps::TaskEnd::Complete, a.reason.c_str());
    for (const char* name : {"train_loss", "val_loss", "val_acc"})
        QVERIFY2(bitwiseEqual(a.metrics.at(name), b.metrics.at(name)), name); // seeded
    QVERIFY(!bitwiseEqual(a.metrics.at("train_loss"), without.metrics.at("train_loss")));
    QVERIFY(a.metrics.at("val_acc") > 0.5); // still learns

    // A resumed run augments as an uninterrupted one does.
    QTemporaryDir dir;
    const std::string path = dir.filePath("aug.bin").toStdString();
    settings["epochs"] = 1;
    RecordingFeedback part;
    QCOMPARE(endName(runClassify(settings, part, path).end), "Complete");
    settings["epochs"] = 2;
    RecordingFeedback rest;
    const ps::TaskResult resumed = runClassify(settings, rest, path, 1);
    QVERIFY(bitwiseEqual(resumed.metrics.at("val_loss"), a.metrics.at("val_loss")));

    // Bad values and tabular data are refused, naming the setting.
    settings["augment"]["rotation"]["degrees"] = -3;
    RecordingFeedback bad;
    ps::TaskResult r = runClassify(settings, bad);
    QCOMPARE(endName(r.end), "Fail");
    QVERIFY2(r.reason.find("augment.rotation.degrees") != std::string::npos, r.reason.c_str());
    settings = smallSettings();
    settings["dataset"]["name"] = "blobs";
    settings["dataset"]["subset"] = 0;
    settings["augment"] = {{"noise", {{"enabled", true}}}};
    r = runClassify(settings, bad);
    QCOMPARE(endName(r.end), "Fail");
    QVERIFY2(r.reason.find("work on images") != std::string::npos, r.reason.c_str());
}

QTEST_GUILESS_MAIN(TestClassifyTask)
#include "tst_classify_task.moc"
