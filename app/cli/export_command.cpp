#include "app/cli/commands.h"
#include "core/storage/storage.h"
#include "widgets/export_renderer.h"

#include <QApplication>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace ps::cli {

namespace {

constexpr const char* kExportUsage =
    "usage: paramscope-cli export DB --out DIR [--study NAME]\n\n"
    "Writes the plots of a study (optimization history, learning curves: PNG and SVG) and\n"
    "its data (trials.csv, metrics.csv) into DIR, rendered offscreen: no display needed.\n";

} // namespace

int exportCommand(int argc, char** argv) {
    std::string db, out, study;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kExportUsage, stdout);
            return 0;
        }
        if (a == "--out" && i + 1 < argc)
            out = argv[++i];
        else if (a == "--study" && i + 1 < argc)
            study = argv[++i];
        else if (!a.empty() && a[0] != '-' && db.empty())
            db = a;
        else {
            std::fprintf(stderr, "paramscope-cli export: unexpected '%s'\n\n%s", a.c_str(),
                         kExportUsage);
            return 2;
        }
    }
    if (db.empty() || out.empty()) {
        std::fputs(kExportUsage, stderr);
        return 2;
    }
    if (db.rfind("sqlite:", 0) != 0 && !std::filesystem::exists(db)) {
        std::fprintf(stderr, "error: %s does not exist\n", db.c_str());
        return 1;
    }
    // Export never needs a display.
    if (!std::getenv("QT_QPA_PLATFORM"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
    // Without a login session Qt warns that it has no runtime folder; give it a private one.
    if (!std::getenv("XDG_RUNTIME_DIR")) {
        const std::string dir = "/tmp/paramscope-runtime-" + std::to_string(getuid());
        if (mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST)
            setenv("XDG_RUNTIME_DIR", dir.c_str(), 1);
    }
    int qargc = 1;
    char* qargv[] = {argv[0], nullptr};
    QApplication app(qargc, qargv);
    try {
        const std::string url = resolveStorageUrl(db, ".");
        if (study.empty()) {
            auto storage = openStorage(url);
            const auto all = storage->studies();
            if (all.empty()) {
                std::fprintf(stderr, "error: %s holds no study\n", db.c_str());
                return 1;
            }
            study = all.front().name;
        }
        std::filesystem::create_directories(out);
        for (const auto& f : exportStudy(url, study, out))
            std::printf("%s\n", f.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}

} // namespace ps::cli
