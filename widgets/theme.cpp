#include "widgets/theme.h"

#include "widgets/qcustomplot_include.h"

#include <QApplication>
#include <QEvent>
#include <QStyleFactory>

namespace ps {

namespace {

Theme g_theme = Theme::Light;

void styleAxis(QCPAxis* axis, const QPalette& pal) {
    const QColor text = pal.color(QPalette::WindowText);
    QColor grid = pal.color(QPalette::Mid);
    grid.setAlpha(140);
    axis->setBasePen(QPen(text, 1));
    axis->setTickPen(QPen(text, 1));
    axis->setSubTickPen(QPen(text, 1));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    QColor zero = text;
    zero.setAlpha(90);
    axis->grid()->setZeroLinePen(QPen(zero, 1));
}

// Styles plots as they are first shown, so that each view need not know about themes.
class PlotStyler : public QObject {
public:
    using QObject::QObject;
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::Polish)
            if (auto* plot = qobject_cast<QCustomPlot*>(watched))
                stylePlot(plot, plot->palette());
        return QObject::eventFilter(watched, event);
    }
};

} // namespace

QString themeName(Theme theme) {
    return theme == Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light");
}

std::optional<Theme> themeFromName(const QString& name) {
    if (name.compare(QLatin1String("dark"), Qt::CaseInsensitive) == 0)
        return Theme::Dark;
    if (name.compare(QLatin1String("light"), Qt::CaseInsensitive) == 0)
        return Theme::Light;
    return std::nullopt;
}

QPalette themePalette(Theme theme) {
    QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion"));
    QPalette p = fusion ? fusion->standardPalette() : QPalette();
    delete fusion;
    if (theme == Theme::Light)
        return p;
    // a dark grey rather than black: lines and text keep their contrast without glare
    const QColor window(0x2b, 0x2d, 0x31), base(0x1f, 0x21, 0x24), text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80), highlight(0x3d, 0x7a, 0xd6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x38, 0x3d));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x3e, 0x41, 0x46));
    p.setColor(QPalette::Mid, QColor(0x5a, 0x5d, 0x63));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0c, 0x0c, 0x0d));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6f, 0xa8, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb0, 0x8c, 0xff));
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x50));
    return p;
}

void applyTheme(Theme theme) {
    g_theme = theme;
    auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
    if (!app)
        return;
    static PlotStyler* styler = nullptr;
    if (!styler) {
        styler = new PlotStyler(app);
        app->installEventFilter(styler);
    }
    if (QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion")))
        QApplication::setStyle(fusion); // the same widgets in both themes
    QApplication::setPalette(themePalette(theme));
    for (QWidget* w : QApplication::allWidgets())
        if (auto* plot = qobject_cast<QCustomPlot*>(w)) {
            stylePlot(plot, QApplication::palette());
            plot->replot();
        }
}

Theme currentTheme() {
    return g_theme;
}

bool darkPalette() {
    return QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
}

void stylePlot(QCustomPlot* plot, const QPalette& pal) {
    plot->setBackground(pal.color(QPalette::Base));
    for (QCPAxisRect* rect : plot->axisRects()) {
        rect->setBackground(Qt::NoBrush);
        for (QCPAxis* axis : rect->axes())
            styleAxis(axis, pal);
    }
    QList<QCPLayoutElement*> elements = plot->plotLayout()->elements(true);
    elements.append(plot->legend); // wherever it was put
    for (QCPLayoutElement* e : elements) {
        if (auto* scale = qobject_cast<QCPColorScale*>(e)) {
            styleAxis(scale->axis(), pal);
        } else if (auto* title = qobject_cast<QCPTextElement*>(e)) {
            title->setTextColor(pal.color(QPalette::WindowText));
        } else if (auto* legend = qobject_cast<QCPLegend*>(e)) {
            QColor back = pal.color(QPalette::Base);
            back.setAlpha(220);
            legend->setBrush(back);
            legend->setBorderPen(QPen(pal.color(QPalette::Mid)));
            legend->setTextColor(pal.color(QPalette::Text));
        }
    }
}

} // namespace ps
