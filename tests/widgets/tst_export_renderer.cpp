#include "study_fixture.h"
#include "widgets/export_renderer.h"

#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <QtTest>

using namespace ps;

namespace {

// Not blank: more than a handful of colours, and not everything white.
void checkDrawn(const QString& path) {
    QImage image(path);
    QVERIFY2(!image.isNull(), qPrintable(path));
    QCOMPARE(image.size(), QSize(kExportWidth, kExportHeight));
    QSet<QRgb> colours;
    int white = 0;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2) {
            const QRgb c = image.pixel(x, y);
            colours.insert(c);
            white += c == qRgb(255, 255, 255);
        }
    }
    QVERIFY2(colours.size() > 8, qPrintable(QString::number(colours.size())));
    QVERIFY(white < image.width() * image.height() / 4 * 99 / 100);
}

QStringList lines(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestExportRenderer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void writesImagesAndCsv();
    void refusesAMissingStudy();
    void refusesAFolderItCannotMake();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_url;
};

void TestExportRenderer::initTestCase() {
    m_dir = test::makeTempDir();
    QVERIFY(m_dir->isValid());
    m_url = "sqlite:" + m_dir->filePath(QStringLiteral("export.db")).toStdString();
    auto storage = openStorage(m_url);
    test::writeFinishedStudy(*storage, "exported");
}

void TestExportRenderer::writesImagesAndCsv() {
    const QString out = m_dir->filePath(QStringLiteral("out/nested"));
    const auto written = exportStudy(m_url, "exported", out.toStdString());
    QCOMPARE(written.size(), size_t(6));
    for (const auto& path : written)
        QVERIFY2(QFileInfo(QString::fromStdString(path)).size() > 0, path.c_str());

    checkDrawn(out + QStringLiteral("/history.png"));
    checkDrawn(out + QStringLiteral("/learning_curves.png"));
    // The SVG draws the same picture: render it and look again.
    QSvgRenderer svg(out + QStringLiteral("/history.svg"));
    QVERIFY(svg.isValid());
    QImage fromSvg(kExportWidth, kExportHeight, QImage::Format_RGB32);
    fromSvg.fill(Qt::white);
    QPainter painter(&fromSvg);
    svg.render(&painter);
    painter.end();
    const QString svgPng = m_dir->filePath(QStringLiteral("from-svg.png"));
    QVERIFY(fromSvg.save(svgPng));
    checkDrawn(svgPng);
    QFile pdf(out + QStringLiteral("/history.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QCOMPARE(pdf.read(5), QByteArray("%PDF-"));

    const QStringList trials = lines(out + QStringLiteral("/trials.csv"));
    QCOMPARE(trials.size(), 1 + 4);
    QVERIFY2(trials[0].startsWith(QStringLiteral("number,state,val_loss,")), qPrintable(trials[0]));
    QVERIFY(trials[0].endsWith(QStringLiteral("worker,started,finished,fail_reason")));
    QVERIFY2(trials[1].startsWith(QStringLiteral("0,COMPLETE,0.9,")), qPrintable(trials[1]));
    // A value with a comma and quotes is quoted, its quotes doubled.
    QVERIFY2(trials[1].contains(QStringLiteral("\"adam, \"\"amsgrad\"\"\"")),
             qPrintable(trials[1]));

    const QStringList metrics = lines(out + QStringLiteral("/metrics.csv"));
    QCOMPARE(metrics.size(), 1 + 4 * 2 * test::kFixtureSteps);
    QCOMPARE(metrics[0], QStringLiteral("trial,attempt,step,name,value"));
    QVERIFY(metrics.contains(QStringLiteral("3,1,3,val_loss,0.3")));

    // The empty name means the first study.
    const auto again =
        exportStudy(m_url, "", m_dir->filePath(QStringLiteral("out2")).toStdString());
    QCOMPARE(again.size(), size_t(6));
}

void TestExportRenderer::refusesAMissingStudy() {
    const std::string out = m_dir->filePath(QStringLiteral("none")).toStdString();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, exportStudy(m_url, "no-such-study", out));
    try {
        exportStudy(m_url, "no-such-study", out);
    } catch (const std::runtime_error& e) {
        QVERIFY2(std::string(e.what()).find("no-such-study") != std::string::npos, e.what());
    }
    const std::string missingDb =
        "sqlite:" + m_dir->filePath(QStringLiteral("nope.db")).toStdString();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, exportStudy(missingDb, "", out));
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("nope.db"))));
}

void TestExportRenderer::refusesAFolderItCannotMake() {
    // A folder inside a file cannot exist, even for root (permissions would not stop root).
    const std::string out = m_url.substr(7) + "/inside-a-file";
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, exportStudy(m_url, "exported", out));
}

QTEST_MAIN(TestExportRenderer)
#include "tst_export_renderer.moc"
