// GPU discovery without CUDA, and the local executor giving each worker its own GPU.
#include "core/execution/gpus.h"
#include "core/execution/local_executor.h"

#include <QtTest>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

class TestGpus : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesCudaVisibleDevices();
    void countsDriverEntries();
    void roundRobin();
    void executorGivesEachWorkerItsGpu();
    void executorWithoutGpusLeavesTheEnvironment();

private:
    // Starts `workers` fake workers that write their CUDA_VISIBLE_DEVICES into `dir`.
    std::vector<std::string> runFakeWorkers(const QTemporaryDir& dir, int workers,
                                            std::optional<std::vector<std::string>> gpus);
};

void TestGpus::parsesCudaVisibleDevices() {
    using V = std::vector<std::string>;
    QCOMPARE(ps::visibleGpus("0,1"), (V{"0", "1"}));
    QCOMPARE(ps::visibleGpus(" 2, 3 "), (V{"2", "3"}));
    QCOMPARE(ps::visibleGpus("GPU-8f3a,GPU-11bc"), (V{"GPU-8f3a", "GPU-11bc"}));
    QCOMPARE(ps::visibleGpus(""), V{});
    QCOMPARE(ps::visibleGpus("-1"), V{});
    // CUDA stops at the first invalid entry
    QCOMPARE(ps::visibleGpus("1,-1,2"), V{"1"});
}

void TestGpus::countsDriverEntries() {
    QTemporaryDir driver;
    QVERIFY(driver.isValid());
    for (const char* pci : {"0000:17:00.0", "0000:65:00.0"})
        QVERIFY(QDir(driver.path()).mkdir(pci));
    using V = std::vector<std::string>;
    QCOMPARE(ps::visibleGpus(nullptr, driver.path().toStdString()), (V{"0", "1"}));
    QCOMPARE(ps::visibleGpus(nullptr, "/nonexistent/nvidia/gpus"), V{});
    // the variable, where set, wins over the driver's list
    QCOMPARE(ps::visibleGpus("1", driver.path().toStdString()), V{"1"});
}

void TestGpus::roundRobin() {
    const std::vector<std::string> gpus = {"0", "1", "2"};
    QCOMPARE(ps::gpuForWorker(gpus, 0), std::string("0"));
    QCOMPARE(ps::gpuForWorker(gpus, 2), std::string("2"));
    QCOMPARE(ps::gpuForWorker(gpus, 4), std::string("1"));
    QCOMPARE(ps::gpuForWorker({}, 1), std::string());
}

std::vector<std::string> TestGpus::runFakeWorkers(const QTemporaryDir& dir, int workers,
                                                  std::optional<std::vector<std::string>> gpus) {
    const QString script = dir.filePath("worker.sh");
    {
        std::ofstream out(script.toStdString());
        // argv: --storage URL ...; the fake worker takes the URL as its output folder
        out << "#!/bin/sh\necho \"${CUDA_VISIBLE_DEVICES-unset}\" > \"$2/out.$$\"\n";
    }
    QFile::setPermissions(script, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    ps::LocalExecutorOptions options;
    options.workerProgram = script.toStdString();
    options.storageUrl = dir.path().toStdString();
    options.studyId = 1;
    options.maxRestarts = 0;
    options.gpus = std::move(gpus);
    ps::LocalExecutor executor(options);
    executor.start(workers);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (executor.liveWorkers() > 0 && std::chrono::steady_clock::now() < deadline) {
        executor.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::vector<std::string> seen;
    for (const QString& name : QDir(dir.path()).entryList({"out.*"}, QDir::Files)) {
        std::ifstream in(dir.filePath(name).toStdString());
        std::string line;
        std::getline(in, line);
        seen.push_back(line);
    }
    std::sort(seen.begin(), seen.end());
    return seen;
}

void TestGpus::executorGivesEachWorkerItsGpu() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // three workers over two GPUs: slots 0, 1, 2 get GPUs 3, 5, 3
    qputenv("CUDA_VISIBLE_DEVICES", "3,5");
    const auto seen = runFakeWorkers(dir, 3, std::vector<std::string>{"3", "5"});
    qunsetenv("CUDA_VISIBLE_DEVICES");
    QCOMPARE(seen, (std::vector<std::string>{"3", "3", "5"}));
}

void TestGpus::executorWithoutGpusLeavesTheEnvironment() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    qunsetenv("CUDA_VISIBLE_DEVICES");
    const auto seen = runFakeWorkers(dir, 2, std::vector<std::string>{});
    QCOMPARE(seen, (std::vector<std::string>{"unset", "unset"}));
}

QTEST_GUILESS_MAIN(TestGpus)
#include "tst_gpus.moc"
