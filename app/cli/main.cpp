// paramscope-cli: ParamScope without a window. run / status / control / retry / export /
// analyze.

#include "app/cli/commands.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: paramscope-cli <command> [options]\n\n"
    "commands:\n"
    "  run STUDY.yaml       run (or resume) the study the file describes\n"
    "  status DB            the trials of the studies in a storage file, as a table\n"
    "  control DB ACTION    pause, resume or stop a running study\n"
    "  retry DB NUMBER      run a failed trial again, with the same parameters\n"
    "  export DB --out DIR  the plots (PNG/SVG) and data (CSV) of a study\n"
    "  analyze DB KIND ...  an analysis of a study (importance, LIME, landscapes, ...)\n\n"
    "'paramscope-cli <command> --help' describes each command.\n";

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (cmd == "--version") {
        std::puts("paramscope-cli 0.1.0");
        return 0;
    }
    if (cmd == "run")
        return ps::cli::runCommand(argc - 1, argv + 1);
    if (cmd == "status")
        return ps::cli::statusCommand(argc - 1, argv + 1);
    if (cmd == "control")
        return ps::cli::controlCommand(argc - 1, argv + 1);
    if (cmd == "retry")
        return ps::cli::retryCommand(argc - 1, argv + 1);
    if (cmd == "analyze")
        return ps::cli::analyzeCommand(argc - 1, argv + 1);
    if (cmd == "export")
        return ps::cli::exportCommand(argc - 1, argv + 1);
    std::fprintf(stderr, "paramscope-cli: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
    return 2;
}

#ifndef PS_HAVE_EXPORT
int ps::cli::exportCommand(int argc, char** argv) {
    if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::fputs("usage: paramscope-cli export DB --out DIR [--study NAME]\n\n"
                   "Not available in this build: it was built without the GUI libraries.\n",
                   stdout);
        return 0;
    }
    std::fputs("paramscope-cli export: this build has no GUI libraries (headless preset); "
               "export needs a build with PS_BUILD_GUI=ON\n",
               stderr);
    return 1;
}
#endif
