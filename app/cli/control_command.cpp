// paramscope-cli control: pause, resume or stop a running study through its storage, as the
// desktop app does.

#include "app/cli/commands.h"
#include "app/cli/study_source.h"
#include "core/execution/study_control.h"

#include <cstdio>
#include <string>

namespace ps::cli {

namespace {

constexpr const char* kControlUsage =
    "usage: paramscope-cli control DB|STUDY.yaml pause|resume|stop [--study NAME]\n\n"
    "Tells the orchestrator of a running study (the 'paramscope-cli run' of it) what to do:\n"
    "  pause   start no new trial; running trials run to their end and are reported and\n"
    "          judged as usual. The run stays open, and time paused does not count toward\n"
    "          budget.timeout.\n"
    "  resume  start new trials again\n"
    "  stop    end the run, paused or not: running trials go back to waiting, and\n"
    "          'paramscope-cli run STUDY.yaml' resumes the study later\n\n"
    "  --study NAME  the study, where the storage holds several\n";

} // namespace

int controlCommand(int argc, char** argv) {
    std::string source, action, only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kControlUsage, stdout);
            return 0;
        }
        if (a == "--study" && i + 1 < argc)
            only = argv[++i];
        else if (!a.empty() && a[0] != '-' && source.empty())
            source = a;
        else if (!a.empty() && a[0] != '-' && action.empty())
            action = a;
        else {
            std::fprintf(stderr, "paramscope-cli control: unexpected '%s'\n\n%s", a.c_str(),
                         kControlUsage);
            return 2;
        }
    }
    if (source.empty() || action.empty()) {
        std::fputs(kControlUsage, stderr);
        return 2;
    }
    StudyControl wanted = StudyControl::Run;
    if (action == "pause")
        wanted = StudyControl::Pause;
    else if (action == "stop")
        wanted = StudyControl::Stop;
    else if (action != "resume") {
        std::fprintf(stderr,
                     "paramscope-cli control: unknown action '%s' (expected pause, resume or "
                     "stop)\n\n%s",
                     action.c_str(), kControlUsage);
        return 2;
    }
    try {
        NamedStudy named = openNamedStudy(source, only);
        requestControl(*named.storage, named.study.id, wanted);
        const char* what = wanted == StudyControl::Pause  ? "pausing: no new trial starts, "
                                                            "running ones finish"
                           : wanted == StudyControl::Stop ? "stopping"
                                                          : "resumed";
        std::printf("study %s (run by %s): %s\n", named.study.name.c_str(),
                    named.study.orchestrator.c_str(), what);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}

} // namespace ps::cli
