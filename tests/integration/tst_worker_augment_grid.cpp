// `paramscope-worker augment-grid` end to end: settings from a JSON file or a study file, a
// trial's parameters on top, the grid written as PGM; usage errors exit with 2 naming the
// argument or setting.

#include "../core/test_util.h"

#include <QFile>
#include <QProcess>
#include <QTest>

namespace {

const QString kWorker = QStringLiteral(PS_BINARY_DIR "/bin/paramscope-worker");

struct Result {
    int code;
    QString out, err;
};

Result runWorker(const QStringList& args) {
    QProcess p;
    p.start(kWorker, args);
    if (!p.waitForFinished(120000))
        return {-1, {}, "timed out"};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString write(const QTemporaryDir& dir, const QString& name, const QByteArray& text) {
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(text);
    return f.fileName();
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

} // namespace

class TestWorkerAugmentGrid : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fromJsonWithParams() {
        auto dir = ps::test::makeTempDir();
        const QString settings = write(dir, "settings.json",
                                       R"({"dataset": {"subset": 100, "seed": 1},
                      "augment": {"flip": {"enabled": true, "p": 1.0}}})");
        const QString out = dir.filePath("grid.pgm");
        const Result r =
            runWorker({"augment-grid", "--settings", settings, "--params",
                       R"({"augment.rotation.enabled": true, "augment.rotation.degrees": 30})",
                       "--rows", "2", "--cols", "3", "--seed", "4", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("augmentations: flip, rotation"), qPrintable(r.out));
        QVERIFY2(r.out.contains("2 fashion-mnist training images"), qPrintable(r.out));
        const QByteArray pgm = readAll(out);
        const QByteArray header = "P5\n118 58\n255\n"; // 4 tiles of 28 across, 2 down, 2-px gaps
        QVERIFY(pgm.startsWith(header));
        QCOMPARE(pgm.size(), header.size() + 118 * 58);

        // The same again: the same bytes.
        const QString again = dir.filePath("again.pgm");
        QCOMPARE(runWorker({"augment-grid", "--settings", settings, "--params",
                            R"({"augment.rotation.enabled": true, "augment.rotation.degrees": 30})",
                            "--rows", "2", "--cols", "3", "--seed", "4", "--out", again})
                     .code,
                 0);
        QCOMPARE(readAll(again), pgm);
    }

    void fromStudyFile() {
        auto dir = ps::test::makeTempDir();
        const QString study =
            write(dir, "study.yaml",
                  "name: grid\n"
                  "task:\n"
                  "  kind: classify\n"
                  "  dataset: {subset: 100, seed: 1}\n"
                  "  augment: {erasing: {enabled: true, p: 1.0}}\n"
                  "space:\n"
                  "  augment.erasing.scale_max: {type: float, low: 0.1, high: 0.4}\n"
                  "  augment.flip.enabled: {type: fixed, value: true}\n"
                  "objectives: [{metric: val_loss, direction: minimize}]\n");
        const QString out = dir.filePath("grid.pgm");
        const Result r = runWorker({"augment-grid", "--settings", study, "--params",
                                    R"({"augment.erasing.scale_max": 0.3})", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // the fixed parameter is set as in every trial
        QVERIFY2(r.out.contains("augmentations: flip, erasing"), qPrintable(r.out));
        QVERIFY(readAll(out).startsWith("P5\n268 238\n255\n")); // 8 rows, 1 + 8 columns
    }

    void usageErrorsNameTheArgument_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("no out") << QStringList{"--settings", "SETTINGS"} << "--out";
        QTest::newRow("bad rows") << QStringList{"--settings", "SETTINGS", "--rows",
                                                 "x",          "--out",    "OUT"}
                                  << "--rows";
        QTest::newRow("unknown argument")
            << QStringList{"--settings", "SETTINGS", "--colour", "--out", "OUT"} << "--colour";
        QTest::newRow("unknown parameter")
            << QStringList{"--settings", "SETTINGS",
                           "--params",   R"({"augment.rotaton.degrees": 3})",
                           "--out",      "OUT"}
            << "augment.rotaton.degrees";
        QTest::newRow("unknown setting in the file")
            << QStringList{"--settings", "TYPO", "--out", "OUT"} << "'datset'";
        QTest::newRow("bad value")
            << QStringList{"--settings", "SETTINGS",
                           "--params",   R"({"augment.rotation.degrees": -5})",
                           "--out",      "OUT"}
            << "augment.rotation.degrees";
        QTest::newRow("tabular data")
            << QStringList{"--settings", "SPIRALS", "--out", "OUT"} << "spirals";
    }

    void usageErrorsNameTheArgument() {
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        auto dir = ps::test::makeTempDir();
        const QString settings = write(dir, "s.json", R"({"dataset": {"subset": 100}})");
        const QString typo = write(dir, "typo.json", R"({"datset": {"subset": 100}})");
        const QString spirals = write(dir, "spirals.json", R"({"dataset": {"name": "spirals"}})");
        for (QString& a : args) {
            if (a == "SETTINGS")
                a = settings;
            else if (a == "TYPO")
                a = typo;
            else if (a == "SPIRALS")
                a = spirals;
            else if (a == "OUT")
                a = dir.filePath("grid.pgm");
        }
        const Result r = runWorker(QStringList{"augment-grid"} + args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(named), qPrintable(r.err));
        QVERIFY(!QFile::exists(dir.filePath("grid.pgm")));
    }
};

QTEST_GUILESS_MAIN(TestWorkerAugmentGrid)
#include "tst_worker_augment_grid.moc"
