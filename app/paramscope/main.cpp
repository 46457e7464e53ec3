// paramscope: the desktop app. Wiring only; the window lives in ps_widgets.

#include "widgets/main_window.h"
#include "widgets/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QSettings>
#include <cstdio>
#include <memory>
#include <string_view>

namespace {

// --help must work without a display, so it gets a QCoreApplication; QApplication would
// abort first for want of one.
bool asksForHelp(int argc, char* argv[]) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "--help-all")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char* argv[]) {
    std::unique_ptr<QCoreApplication> app;
    if (asksForHelp(argc, argv))
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("paramscope"));
    QCoreApplication::setOrganizationName(QStringLiteral("ParamScope"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Explore the hyperparameters of neural-network training."));
    parser.addHelpOption();
    const QCommandLineOption run(QStringLiteral("run"),
                                 QStringLiteral("Start running the study at once (needs the "
                                                "study file, or a database that names it)."));
    const QCommandLineOption study(QStringLiteral("study"),
                                   QStringLiteral("In a database holding several studies, the "
                                                  "one to open (default: the first)."),
                                   QStringLiteral("name"));
    const QCommandLineOption theme(QStringLiteral("theme"),
                                   QStringLiteral("light or dark (default: as last chosen in "
                                                  "View > Theme)."),
                                   QStringLiteral("theme"));
    parser.addOption(run);
    parser.addOption(study);
    parser.addOption(theme);
    parser.addPositionalArgument(QStringLiteral("study"),
                                 QStringLiteral("A study file (.yaml) or a study database (.db)."),
                                 QStringLiteral("[STUDY.yaml|STUDY.db]"));
    parser.process(*app); // exits after --help

    const QStringList args = parser.positionalArguments();
    if (args.size() > 1) {
        std::fprintf(stderr, "paramscope: one study at a time, not %lld; see --help\n",
                     static_cast<long long>(args.size()));
        return 2;
    }
    if (args.isEmpty() && parser.isSet(run)) {
        std::fprintf(stderr, "paramscope: --run needs a study file; see --help\n");
        return 2;
    }

    QString themeText = QSettings().value(QStringLiteral("window/theme")).toString();
    if (parser.isSet(theme)) {
        themeText = parser.value(theme);
        if (!ps::themeFromName(themeText)) {
            std::fprintf(stderr, "paramscope: --theme is light or dark, not '%s'\n",
                         qPrintable(themeText));
            return 2;
        }
    }
    ps::applyTheme(ps::themeFromName(themeText).value_or(ps::Theme::Light));

    ps::MainWindow window;
    window.restoreLayout(); // the docks as the user left them
    QObject::connect(qApp, &QCoreApplication::aboutToQuit, &window,
                     [&window] { window.saveLayout(); });
    window.show();
    if (!args.isEmpty()) {
        if (!window.openStudy(args.front(), parser.value(study))) {
            std::fprintf(stderr, "paramscope: %s\n", qPrintable(window.lastError()));
            QMessageBox::warning(&window, QObject::tr("Cannot open study"), window.lastError());
        } else if (parser.isSet(run) && !window.runStudy()) {
            std::fprintf(stderr, "paramscope: %s\n", qPrintable(window.lastError()));
            QMessageBox::warning(&window, QObject::tr("Cannot run study"), window.lastError());
        }
    }
    return app->exec();
}
