// paramscope-cli analyze end to end on the example studies of resources/examples/, each run
// on reduced settings (a few hundred images, one or two epochs): the studies are trained by
// real workers, then every analysis answers from the CLI, is stored, and is reused.

#include "../core/test_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <cmath>

namespace {

const QString kCli = QStringLiteral(PS_BINARY_DIR "/bin/paramscope-cli");

struct Result {
    int code = -1;
    QString out, err;
};

Result runCli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(kCli, args);
    if (!p.waitForFinished(timeoutMs))
        return {-1, {}, "timed out"};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// The example `name` with each replacement applied (each must match: an edit of the example
// that breaks the reduction fails here, not silently), written into `dir`.
QString reducedExample(const QTemporaryDir& dir, const QString& name,
                       const QList<QPair<QString, QString>>& replacements) {
    QFile in(QStringLiteral(PS_SOURCE_DIR "/resources/examples/") + name);
    if (!in.open(QIODevice::ReadOnly))
        return {};
    QString text = QString::fromUtf8(in.readAll());
    for (const auto& [from, to] : replacements) {
        if (!text.contains(from))
            qFatal("example %s no longer contains '%s'", qPrintable(name), qPrintable(from));
        text.replace(from, to);
    }
    const QString path = dir.filePath(name);
    QFile out(path);
    out.open(QIODevice::WriteOnly);
    out.write(text.toUtf8());
    return path;
}

QJsonObject json(const Result& r) {
    return QJsonDocument::fromJson(r.out.toUtf8()).object();
}

} // namespace

class TestCliAnalyze : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void landscapeInAWorker() {
        auto dir = ps::test::makeTempDir();
        const QString study = reducedExample(dir, "landscape.yaml",
                                             {{"subset: 6000", "subset: 600"},
                                              {"epochs: 4", "epochs: 2"},
                                              {"width: 128", "width: 32"}});
        const Result run = runCli({"run", study, "--quiet"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QStringList grid = {"analyze",    study,        "landscape",
                                  "points_x=5", "points_y=4", "samples=200"};
        const Result first = runCli(grid);
        QVERIFY2(first.code == 0, qPrintable(first.err));
        QVERIFY2(first.err.contains("computed in"), qPrintable(first.err));
        QVERIFY2(first.out.contains("5 x 4 points over 200 train examples"), qPrintable(first.out));
        const Result again = runCli(grid + QStringList{"--json"});
        QVERIFY2(again.err.contains("stored result, reused"), qPrintable(again.err));
        const QJsonObject r = json(again);
        QCOMPARE(r["loss"].toArray().size(), 4);              // rows: y
        QCOMPARE(r["loss"].toArray()[0].toArray().size(), 5); // columns: x
        QVERIFY(r["fast_path"].toBool());

        const Result pca = runCli({"analyze", study, "landscape", "mode=pca", "points_x=4",
                                   "points_y=4", "samples=100", "--json"});
        QVERIFY2(pca.code == 0, qPrintable(pca.err));
        const QJsonObject p = json(pca);
        QCOMPARE(p["path"].toArray().size(), 4); // initial, 1 snapshot... and final: 2 epochs
        QVERIFY(p["explained_variance"].toArray()[0].toDouble() > 0.5);

        const Result line = runCli({"analyze", study, "landscape", "mode=interpolate", "points_x=5",
                                    "samples=100", "trial=0"});
        QVERIFY2(line.code == 0, qPrintable(line.err));
        QVERIFY2(line.out.contains("from its initial weights (x = 0)"), qPrintable(line.out));

        // bad options and trials are refused with their name
        const Result bad = runCli({"analyze", study, "landscape", "mode=sideways"});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("option 'mode' is \"sideways\", not one of"),
                 qPrintable(bad.err));
        const Result missing = runCli({"analyze", study, "landscape", "trial=9"});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("the study has no trial 9"), qPrintable(missing.err));
        const Result list = runCli({"analyze", study, "--list"});
        // the grid, the PCA, the line and the failed trial 9; bad options store nothing
        QVERIFY2(list.out.contains("stored results: 4"), qPrintable(list.out));

        // intrinsic dimension of the same trials' model and data (no weights needed)
        const Result intrinsic = runCli({"analyze", study, "intrinsic_dimension", "dims=10,100",
                                         "epochs=1", "samples=300", "--json"});
        QVERIFY2(intrinsic.code == 0, qPrintable(intrinsic.err));
        const QJsonObject i = json(intrinsic);
        QCOMPARE(i["projection"].toString(), QString("fastfood"));
        QCOMPARE(i["D"].toInteger(), 784 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10);
        const QJsonArray dims = i["dims"].toArray();
        QCOMPARE(dims.size(), 2);
        QCOMPARE(dims[1].toObject()["d"].toInteger(), 100);
        QCOMPARE(dims[1].toObject()["accuracies"].toArray().size(), 1);
        const double baseline = i["baseline"].toObject()["accuracy"].toDouble();
        QVERIFY(baseline > 0.1 && baseline <= 1.0);
        QCOMPARE(i["threshold"].toDouble(), 0.9 * baseline);
        QVERIFY(i["d_int90"].isNull() || i["d_int90"].toInteger() == 10 ||
                i["d_int90"].toInteger() == 100);
        QVERIFY(!i["summary"].toArray().isEmpty());
        const Result tooLarge = runCli({"analyze", study, "intrinsic_dimension", "dims=100000",
                                        "projection=dense", "epochs=1", "samples=100"});
        QCOMPARE(tooLarge.code, 1);
        QVERIFY2(tooLarge.err.contains("d = 100000 is larger than the model's D = 26506"),
                 qPrintable(tooLarge.err));
    }

    void transferCurves() {
        auto dir = ps::test::makeTempDir();
        const QString study = reducedExample(
            dir, "transfer.yaml",
            {{"subset: 10000", "subset: 400"},
             {"values: [64, 128, 256, 512]", "values: [16, 64]"},
             {"values: [6.103515625e-05, 0.000244140625, 0.0009765625, 0.00390625, 0.015625, "
              "0.0625]",
              "values: [0.000244140625, 0.00390625, 0.0625]"},
             {"trials: 96", "trials: 24"}});
        const Result run = runCli({"run", study, "--quiet"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        for (const char* kind : {"sp", "mup"}) {
            const Result r =
                runCli({"analyze", study, "transfer",
                        QStringLiteral("where=parametrization.kind=%1").arg(kind), "--json"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const QJsonObject o = json(r);
            QCOMPARE(o["curves"].toArray().size(), 2);
            QCOMPARE(o["curves"].toArray()[0].toObject()["points"].toArray().size(), 3);
        }
        // importance and LIME on the same trials, computed in the CLI's own process
        const Result importance = runCli({"analyze", study, "importance"});
        QVERIFY2(importance.code == 0, qPrintable(importance.err));
        for (const char* name : {"optimizer.lr", "model.width", "parametrization.kind"})
            QVERIFY2(importance.out.contains(name), qPrintable(importance.out));
        const Result lime = runCli({"analyze", study, "lime", "trial=3", "samples=500", "--json"});
        QVERIFY2(lime.code == 0, qPrintable(lime.err));
        const QJsonObject l = json(lime);
        QCOMPARE(l["features"].toArray().size(), 4); // width, lr, parametrization, seed
        QVERIFY(l["surrogate"].toString().startsWith("random forest"));
        const Result noTrial = runCli({"analyze", study, "lime", "trial=40"});
        QVERIFY2(noTrial.err.contains("option 'trial': the study has no trial 40"),
                 qPrintable(noTrial.err));
    }

    void scalingLaw() {
        auto dir = ps::test::makeTempDir();
        const QString study =
            reducedExample(dir, "scaling-law.yaml",
                           {{"subset: 20000", "subset: 500"}, {"epochs: 3", "epochs: 1"}});
        const Result run = runCli({"run", study, "--quiet"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const Result r = runCli({"analyze", study, "scaling_law", "n=parameters", "loss=val_loss"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("L = ") && r.out.contains("/ N^"), qPrintable(r.out));
        const Result bad = runCli({"analyze", study, "scaling_law", "n=nonesuch"});
        QVERIFY(bad.code != 0);
        QVERIFY2(bad.err.contains("nonesuch"), qPrintable(bad.err));
    }

    void coordinateCheck() {
        // real coord_check trials: under SP the output grows with width, under muP it does not
        auto dir = ps::test::makeTempDir();
        const QString study =
            reducedExample(dir, "coord-check.yaml",
                           {{"values: [64, 128, 256, 512, 1024]", "values: [64, 256, 1024]"},
                            {"trials: 30", "trials: 18"}});
        const Result run = runCli({"run", study, "--quiet"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const auto slopes = [&](const char* kind) {
            const Result r =
                runCli({"analyze", study, "coord_check",
                        QStringLiteral("where=parametrization.kind=%1").arg(kind), "--json"});
            QMap<QString, double> out;
            const QJsonObject o = json(r);
            for (const auto& v : o["layers"].toArray()) {
                const QJsonObject l = v.toObject();
                if (l["step"].toInt() == o["last_step"].toInt())
                    out[l["layer"].toString()] = l["slope"].toDouble();
            }
            return out;
        };
        const auto sp = slopes("sp"), mup = slopes("mup");
        QCOMPARE(mup.size(), 3);
        for (auto it = mup.begin(); it != mup.end(); ++it)
            QVERIFY2(std::abs(it.value()) < 0.1, qPrintable(it.key()));
        QVERIFY2(sp["output"] > 0.4, qPrintable(QString::number(sp["output"])));
    }

    void lrRange() {
        auto dir = ps::test::makeTempDir();
        const QString study = reducedExample(dir, "lr-range.yaml",
                                             {{"subset: 6000", "subset: 1200"},
                                              {"values: [64, 256, 1024]", "values: [64]"},
                                              {"num_it: 100", "num_it: 40"},
                                              {"trials: 3", "trials: 1"}});
        const Result run = runCli({"run", study, "--quiet"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const Result r = runCli({"analyze", study, "lr_range", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = json(r);
        QVERIFY(o["curves"].toArray()[0].toObject()["points"].toArray().size() >= 8);
        QVERIFY(o["suggestions"].toObject()["valley"].toDouble() > 0);
    }

    void augmentSensitivity() {
        auto dir = ps::test::makeTempDir();
        const QString study = reducedExample(dir, "augment-sensitivity.yaml",
                                             {{"subset: 6000", "subset: 300"},
                                              {"epochs: 3", "epochs: 1"},
                                              {"values: [64, 256]", "values: [16]"},
                                              {"trials: 64", "trials: 16"}});
        const Result run = runCli({"run", study, "--quiet"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const Result r = runCli({"analyze", study, "augment_sensitivity", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = json(r);
        QCOMPARE(o["augmentations"].toArray().size(), 6);
        // two learning rates, each with 8 random policies: enough for 6 weights and an intercept
        const QJsonArray settings = o["settings"].toArray();
        QCOMPARE(settings.size(), 2);
        for (const auto& s : settings) {
            QCOMPARE(s.toObject()["trials"].toInt(), 8);
            QCOMPARE(s.toObject()["weights"].toArray().size(), 6);
        }
    }

    // 1cycle against constant learning rates over seeds: one curve per schedule x lr, each
    // with the schedule redrawn per mini-batch from the trial's settings.
    void oneCycleCurves() {
        auto dir = ps::test::makeTempDir();
        const QString study = reducedExample(dir, "one-cycle.yaml",
                                             {{"subset: 6000", "subset: 600"},
                                              {"epochs: 3", "epochs: 2"},
                                              {"values: [0, 1, 2]", "values: [0, 1]"},
                                              {"trials: 12", "trials: 8"}});
        const Result run = runCli({"run", study, "--quiet"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const Result r = runCli({"analyze", study, "curves", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = json(r);
        QCOMPARE(o["metric"].toString(), QString("val_acc"));
        const QJsonArray groups = o["groups"].toArray();
        QCOMPARE(groups.size(), 4); // schedule x lr; the seeds are averaged over
        for (const auto& g : groups) {
            const QJsonObject group = g.toObject();
            QCOMPARE(group["trials"].toArray().size(), 2);
            QCOMPARE(group["steps"].toArray().size(), 2); // one point per epoch
            const QJsonObject schedule = group["schedule"].toObject();
            // 480 training images in batches of 128: 4 per epoch, 8 in all
            QCOMPARE(schedule["batches_per_epoch"].toInt(), 4);
            const QJsonArray lr = schedule["lr"].toArray();
            QCOMPARE(lr.size(), 8);
            const double maxLr = group["values"].toObject()["optimizer.lr"].toDouble();
            if (group["values"].toObject()["schedule.kind"].toString() == "onecycle") {
                QVERIFY(std::abs(lr[0].toDouble() - maxLr / 25) < 1e-12 * maxLr); // div_factor
                QCOMPARE(schedule["momentum"].toArray()[0].toDouble(), 0.95);
            } else {
                QCOMPARE(lr[7].toDouble(), maxLr);
                QVERIFY(!schedule.contains("momentum"));
            }
        }
        QVERIFY(o["summary"].toArray()[0].toString().contains("averaged over seed"));
    }

    // Learning-rate transfer across depth (ViT blocks), with and without depth-muP.
    void depthTransfer() {
        auto dir = ps::test::makeTempDir();
        const QString study = reducedExample(
            dir, "transfer-depth.yaml",
            {{"subset: 5000", "subset: 1000"},
             {"width: 32", "width: 16"},
             {"values: [1, 2, 4, 8]", "values: [1, 4]"},
             {"values: [0.000244140625, 0.00048828125, 0.0009765625, 0.001953125, 0.00390625, "
              "0.0078125, 0.015625, 0.03125]",
              "values: [0.00390625, 0.015625, 0.0625]"},
             {"trials: 64", "trials: 12"}});
        const Result run = runCli({"run", study, "--quiet"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        for (const char* depthMup : {"false", "true"}) {
            const Result r =
                runCli({"analyze", study, "transfer", "width=model.depth",
                        QString("where=parametrization.depth_mup=") + depthMup, "--json"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const QJsonObject o = json(r);
            QCOMPARE(o["curves"].toArray().size(), 2); // depths 1 and 4
            // both optima inside the grid, so the shift per doubling of depth is a number
            QCOMPARE(o["slope"].toObject()["widths"].toInt(), 2);
            QVERIFY2(o["slope"].toObject()["per_doubling"].isDouble(), qPrintable(r.out));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliAnalyze)
#include "tst_cli_analyze.moc"
