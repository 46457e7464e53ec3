#pragma once
// Comparing a drawn view with its reviewed golden image in tests/widgets/golden/, shared by the
// Qt views' test (offscreen) and the 3-D surface's (under Xvfb). A pixel differs when one of
// its channels is off by more than kChannelTolerance; the comparison fails when more than
// kPixelTolerance of the pixels differ, and writes what was drawn beside the test's temporary
// files (PS_TEST_TMP, else the system's). After a deliberate change, PS_UPDATE_GOLDEN=1
// rewrites the images; look at every one before committing it.

#include <QDir>
#include <QImage>
#include <QString>
#include <QTest>
#include <cstdlib>

namespace ps::test {

inline constexpr int kChannelTolerance = 40;    // of 255
inline constexpr double kPixelTolerance = 0.01; // 1 % of the pixels

// Call it last in a test function: it returns early (fail, or skip after writing the golden),
// which ends only this helper, not its caller.
inline void compareWithGolden(const QString& name, const QImage& drawn) {
    const QString path = QStringLiteral(PS_SOURCE_DIR "/tests/widgets/golden/") + name + ".png";
    const QImage image = drawn.convertToFormat(QImage::Format_RGB32);
    QVERIFY2(!image.isNull(), qPrintable(name + ": nothing was drawn"));
    if (qEnvironmentVariableIsSet("PS_UPDATE_GOLDEN")) {
        QVERIFY2(image.save(path), qPrintable("cannot write " + path));
        QSKIP("golden image written; look at it before committing");
    }
    const QImage golden = QImage(path).convertToFormat(QImage::Format_RGB32);
    QVERIFY2(!golden.isNull(),
             qPrintable("no golden image " + path + ": run with PS_UPDATE_GOLDEN=1, look at it"));
    QVERIFY2(image.size() == golden.size(),
             qPrintable(QString("%1: drawn %2x%3, golden %4 is %5x%6")
                            .arg(name)
                            .arg(image.width())
                            .arg(image.height())
                            .arg(path)
                            .arg(golden.width())
                            .arg(golden.height())));
    qint64 differing = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto* a = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        const auto* b = reinterpret_cast<const QRgb*>(golden.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            if (std::abs(qRed(a[x]) - qRed(b[x])) > kChannelTolerance ||
                std::abs(qGreen(a[x]) - qGreen(b[x])) > kChannelTolerance ||
                std::abs(qBlue(a[x]) - qBlue(b[x])) > kChannelTolerance)
                ++differing;
    }
    const double fraction = double(differing) / double(image.width() * image.height());
    if (fraction > kPixelTolerance) {
        const QString base = qEnvironmentVariable("PS_TEST_TMP", QDir::tempPath());
        QDir().mkpath(base);
        const QString actual = base + "/" + name + "-actual.png";
        image.save(actual);
        QFAIL(
            qPrintable(QString("%1: %2 % of the pixels differ from %3 (tolerance %4 %); drawn: %5")
                           .arg(name)
                           .arg(100 * fraction, 0, 'f', 2)
                           .arg(path)
                           .arg(100 * kPixelTolerance)
                           .arg(actual)));
    }
}

} // namespace ps::test
