// The datasets besides Fashion-MNIST: synthetic sets are seeded and shaped as documented, the
// teacher-student targets follow their teacher, CSV and IDX files are read with errors that
// name file, line and column, and standardization uses the training rows only.

#include "core/train/datasets.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <set>

using namespace ps;

namespace {

std::string write(const QTemporaryDir& dir, const char* name, const std::string& text) {
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(text.data(), static_cast<qint64>(text.size()));
    return path.toStdString();
}

std::string bigEndian(std::uint32_t v) {
    return {char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff), char(v & 0xff)};
}

} // namespace

class TestDatasets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void spiralsAreSeededAndBalanced() {
        const Dataset a = makeSpirals(300, 3, 0.2, 5);
        const Dataset b = makeSpirals(300, 3, 0.2, 5);
        const Dataset c = makeSpirals(300, 3, 0.2, 6);
        QCOMPARE(a.count, std::int64_t(300));
        QCOMPARE(a.shape, std::vector<std::int64_t>{2});
        QCOMPARE(a.classes, 3);
        QVERIFY(a.inputs == b.inputs && a.labels == b.labels);
        QVERIFY(a.inputs != c.inputs);
        std::vector<int> perClass(3, 0);
        for (auto l : a.labels)
            ++perClass[static_cast<std::size_t>(l)];
        QCOMPARE(perClass, (std::vector<int>{100, 100, 100}));
        for (float v : a.inputs) // radius at most 1
            QVERIFY(std::abs(v) <= 1.0f);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeSpirals(10, 1, 0.1, 0));
    }

    void blobsClusterAroundTheirCentres() {
        const Dataset d = makeBlobs(600, 3, 4, 0.5, 1);
        QCOMPARE(d.features(), std::int64_t(4));
        QCOMPARE(d.count, std::int64_t(600));
        // the spread within a class is about 0.5 per feature
        double sum = 0, sq = 0;
        int n = 0;
        for (std::int64_t i = 0; i < d.count; ++i) {
            if (d.labels[static_cast<std::size_t>(i)] != 0)
                continue;
            const double v = d.inputs[static_cast<std::size_t>(i * 4)];
            sum += v;
            sq += v * v;
            ++n;
        }
        const double sd = std::sqrt(sq / n - (sum / n) * (sum / n));
        QVERIFY2(sd > 0.4 && sd < 0.6, qPrintable(QString::number(sd)));
    }

    void teacherStudentIsARegression() {
        const Dataset d = makeTeacherStudent(500, 8, 16, 0.0, 3);
        QCOMPARE(d.target, TargetKind::Values);
        QCOMPARE(d.outputs, std::int64_t(1));
        QCOMPARE(d.values.size(), std::size_t(500));
        double var = 0;
        for (float v : d.values)
            var += double(v) * v;
        var /= 500;
        QVERIFY2(var > 0.05 && var < 5, qPrintable(QString::number(var))); // O(1) targets
        // noise adds exactly what it says: same seed, same x and teacher
        const Dataset noisy = makeTeacherStudent(500, 8, 16, 0.5, 3);
        QVERIFY(noisy.values != d.values);
    }

    void csvClassesAndRegression() {
        QTemporaryDir dir;
        const std::string path = write(dir, "iris.csv",
                                       "sepal,petal,\"species, name\"\n"
                                       "5.1, 1.4, setosa\n"
                                       "7.0,4.7,versicolor\n"
                                       "\n"
                                       "6.3,6.0,\"virginica\"\n"
                                       "5.0,1.5,setosa\n");
        const Dataset d = loadCsv(path, "species, name", TargetKind::Classes);
        QCOMPARE(d.count, std::int64_t(4));
        QCOMPARE(d.features(), std::int64_t(2));
        QCOMPARE(d.classes, 3);
        QCOMPARE(d.labels, (std::vector<std::int64_t>{0, 1, 2, 0}));
        QCOMPARE(d.inputs[1], 1.4f);
        // regression: every other column must then be numeric too
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, loadCsv(path, "petal", TargetKind::Values));
        const Dataset r =
            loadCsv(write(dir, "num.csv", "x,y\n1,2.5\n2,4.5\n3,6.0\n"), "y", TargetKind::Values);
        QCOMPARE(r.values[2], 6.0f);
        QCOMPARE(r.outputs, std::int64_t(1));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 loadCsv(path, "species, name", TargetKind::Values));
    }

    void csvErrorsNameFileLineAndColumn_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no such column") << "a,b\n1,2\n3,4\n"
                                        << "no column 'y'";
        QTest::newRow("not a number") << "a,y\n1,0\nx,1\n"
                                      << "bad.csv:3: column 'a' holds 'x'";
        QTest::newRow("short row") << "a,y\n1,0\n2\n"
                                   << "bad.csv:3: has 1 fields";
        QTest::newRow("one class") << "a,y\n1,0\n2,0\n"
                                   << "one value only";
        QTest::newRow("empty") << ""
                               << "is empty";
    }

    void csvErrorsNameFileLineAndColumn() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string path = write(dir, "bad.csv", text.toStdString());
        try {
            loadCsv(path, "y", TargetKind::Classes);
            QFAIL("accepted");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void idxOfAnySize() {
        QTemporaryDir dir;
        // three 2x3 images and their labels, uncompressed
        std::string images = bigEndian(0x803) + bigEndian(3) + bigEndian(2) + bigEndian(3);
        for (int i = 0; i < 18; ++i)
            images += char(i * 10);
        std::string labels = bigEndian(0x801) + bigEndian(3) + std::string{2, 0, 1};
        const Dataset d = loadIdx(write(dir, "img.idx", images), write(dir, "lab.idx", labels));
        QCOMPARE(d.shape, (std::vector<std::int64_t>{1, 2, 3}));
        QCOMPARE(d.count, std::int64_t(3));
        QCOMPARE(d.classes, 3);
        QCOMPARE(d.inputs[17], 170.0f / 255.0f);
        QVERIFY_THROWS_EXCEPTION(
            std::runtime_error,
            loadIdx(write(dir, "short.idx", images.substr(0, 20)), write(dir, "lab2.idx", labels)));
    }

    void standardizerUsesTrainingRowsOnly() {
        Dataset d;
        d.shape = {2};
        d.count = 4;
        d.inputs = {0, 5, 2, 5, 4, 5, 100, 5};
        const Standardizer s = fitStandardizer(d, {0, 1, 2}); // not row 3
        QCOMPARE(s.mean[0], 2.0f);
        QVERIFY(std::abs(s.scale[0] - 1.0f / std::sqrt(8.0f / 3.0f)) < 1e-6);
        QCOMPARE(s.scale[1], 1.0f); // constant feature
        const Standardizer g = fitStandardizer(d, {0, 1, 2}, /*perFeature=*/false);
        QCOMPARE(g.mean[0], g.mean[1]);
    }
};

QTEST_GUILESS_MAIN(TestDatasets)
#include "tst_datasets.moc"
