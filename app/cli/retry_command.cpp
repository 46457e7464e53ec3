// paramscope-cli retry: run a failed trial again, with the same parameters.

#include "app/cli/commands.h"
#include "app/cli/study_source.h"
#include "core/execution/study_control.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ps::cli {

namespace {

constexpr const char* kRetryUsage =
    "usage: paramscope-cli retry DB|STUDY.yaml TRIAL_NUMBER [--study NAME]\n\n"
    "Runs failed trial TRIAL_NUMBER (the # of 'paramscope-cli status') again: adds a new\n"
    "trial with the same parameters that records which trial it retries. Retries run before\n"
    "new samples and on top of budget.trials. A running study picks it up (a paused one when\n"
    "it resumes); otherwise the next 'paramscope-cli run STUDY.yaml' runs it, even when the\n"
    "budget is used up. Only FAIL trials are retried, and one retry of a trial at a time.\n\n"
    "  --study NAME  the study, where the storage holds several\n";

// A trial number: digits only, within int.
bool parseNumber(const std::string& text, int& out) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return false;
    errno = 0;
    const long v = std::strtol(text.c_str(), nullptr, 10);
    if (errno != 0 || v > INT_MAX)
        return false;
    out = static_cast<int>(v);
    return true;
}

} // namespace

int retryCommand(int argc, char** argv) {
    std::string source, numberText, only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kRetryUsage, stdout);
            return 0;
        }
        if (a == "--study" && i + 1 < argc)
            only = argv[++i];
        else if (!a.empty() && a[0] != '-' && source.empty())
            source = a;
        else if (!a.empty() && numberText.empty() &&
                 (a[0] != '-' || (a.size() > 1 && std::isdigit(static_cast<unsigned char>(a[1])))))
            numberText = a; // "-1" too, to be refused as a number below
        else {
            std::fprintf(stderr, "paramscope-cli retry: unexpected '%s'\n\n%s", a.c_str(),
                         kRetryUsage);
            return 2;
        }
    }
    if (source.empty() || numberText.empty()) {
        std::fputs(kRetryUsage, stderr);
        return 2;
    }
    int number = 0;
    if (!parseNumber(numberText, number)) {
        std::fprintf(stderr,
                     "paramscope-cli retry: '%s' is not a trial number (0, 1, 2, ... as "
                     "'paramscope-cli status' lists them)\n",
                     numberText.c_str());
        return 2;
    }
    try {
        NamedStudy named = openNamedStudy(source, only);
        const Trial retry = named.storage->enqueueRetry(named.study.id, number);
        const auto study = named.storage->study(named.study.id);
        const char* when = !study || !orchestratorAlive(*study)
                               ? "the next 'paramscope-cli run' of the study runs it"
                           : study->control == StudyControl::Pause
                               ? "it starts when the study is resumed"
                               : "the running study starts it next";
        std::printf("study %s: trial %d retries trial %d, waiting; %s\n", named.study.name.c_str(),
                    retry.number, number, when);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}

} // namespace ps::cli
