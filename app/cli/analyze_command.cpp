// paramscope-cli analyze: one analysis of a stored study, answered from storage when the same
// inputs were analysed before, computed here when ps_core can, else by a worker started for it.

#include "app/cli/commands.h"
#include "core/analysis/analysis.h"
#include "core/execution/builtin_tasks.h"
#include "core/execution/local_executor.h"
#include "core/space/study_file.h"
#include "core/storage/storage.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>

namespace ps::cli {

namespace {

constexpr const char* kAnalyzeUsage =
    "usage: paramscope-cli analyze DB|STUDY.yaml KIND [NAME=VALUE ...] [--study NAME]\n"
    "                              [--json] [--out FILE]\n"
    "       paramscope-cli analyze DB|STUDY.yaml --list [--study NAME]\n\n"
    "Runs analysis KIND on a study's stored trials with the given options, and prints its\n"
    "summary (--json: the whole result). A result is stored with the study under a hash of its\n"
    "options and of the data it read, so asking again returns it at once until the data\n"
    "change. Analyses that need LibTorch (loss landscapes, ...) run in a paramscope-worker\n"
    "started for them. --list shows the kinds, their options and the stored results.\n\n"
    "  --study NAME  the study, where the storage holds several\n"
    "  --json        print the result as JSON\n"
    "  --out FILE    write the result as JSON to FILE\n";

// NAME=VALUE as the option's declared type.
Json optionValue(const AnalysisSpec& spec, const std::string& name, const std::string& text) {
    for (const SettingSpec& s : spec.options) {
        if (s.path != name)
            continue;
        switch (s.type) {
        case SettingType::Float:
        case SettingType::Int: {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0')
                throw AnalysisError("option " + name + ": '" + text + "' is not a number");
            return s.type == SettingType::Int && v == double(static_cast<std::int64_t>(v))
                       ? Json(static_cast<std::int64_t>(v))
                       : Json(v);
        }
        case SettingType::Bool:
            if (text == "true" || text == "1" || text == "yes")
                return true;
            if (text == "false" || text == "0" || text == "no")
                return false;
            throw AnalysisError("option " + name + ": '" + text + "' is not true or false");
        default:
            return text;
        }
    }
    return text; // unknown: analysisOptions names it with the known ones
}

void printList(Storage& storage, const StudyRecord& study, const AnalysisCatalog& catalog) {
    std::printf("analyses of study %s:\n", study.name.c_str());
    for (const std::string& kind : catalog.kinds()) {
        const AnalysisSpec& spec = *catalog.spec(kind);
        std::printf("  %-20s %s%s\n", kind.c_str(), spec.description.c_str(),
                    spec.needsWorker ? " (worker)" : "");
        for (const SettingSpec& o : spec.options)
            std::printf("      %s=%s  %s\n", o.path.c_str(),
                        o.defaultValue.is_string() ? o.defaultValue.get<std::string>().c_str()
                                                   : o.defaultValue.dump().c_str(),
                        o.help.c_str());
    }
    const auto stored = storage.analyses(study.id);
    std::printf("stored results: %zu\n", stored.size());
    for (const AnalysisRecord& a : stored)
        std::printf("  #%lld %-20s %-8s %s  %s%s\n", static_cast<long long>(a.id), a.kind.c_str(),
                    std::string(toText(a.state)).c_str(), a.inputHash.c_str(),
                    a.inputs.value("options", Json::object()).dump().c_str(),
                    a.error.empty() ? "" : ("  " + a.error).c_str());
}

// Starts a worker for the study's analysis jobs and waits for `record` to end.
AnalysisRecord waitForWorker(Storage& storage, const AnalysisRecord& record,
                             const StudyRecord& study, const std::string& storageUrl,
                             const std::string& logFile) {
    LocalExecutorOptions exec;
    exec.workerProgram = siblingProgram("paramscope-worker");
    exec.storageUrl = storageUrl;
    exec.studyId = study.id;
    exec.logFile = logFile;
    exec.maxRestarts = 0;
    exec.extraArgs = {"--analyses-only", "--exit-when-idle"};
    LocalExecutor executor(exec);
    executor.start(1);
    const bool tty = isatty(STDERR_FILENO) != 0;
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        const auto now = storage.analysis(record.id);
        if (now && (now->state == AnalysisState::Done || now->state == AnalysisState::Fail))
            return *now;
        executor.poll();
        if (executor.liveWorkers() == 0) {
            if (auto last = storage.analysis(record.id);
                last && (last->state == AnalysisState::Done || last->state == AnalysisState::Fail))
                return *last;
            throw AnalysisError("the worker ended before finishing the analysis; its log: " +
                                logFile);
        }
        if (tty) {
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::fprintf(stderr, "\r\033[K%s: running in a worker, %.0f s", record.kind.c_str(), s);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

} // namespace

int analyzeCommand(int argc, char** argv) {
    std::string source, only, kind, out;
    bool json = false, list = false;
    Json given = Json::object();
    std::vector<std::string> assignments;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kAnalyzeUsage, stdout);
            return 0;
        }
        if (a == "--study" && i + 1 < argc)
            only = argv[++i];
        else if (a == "--out" && i + 1 < argc)
            out = argv[++i];
        else if (a == "--json")
            json = true;
        else if (a == "--list")
            list = true;
        else if (!a.empty() && a[0] != '-' && source.empty())
            source = a;
        else if (!a.empty() && a[0] != '-' && a.find('=') != std::string::npos)
            assignments.push_back(a);
        else if (!a.empty() && a[0] != '-' && kind.empty())
            kind = a;
        else {
            std::fprintf(stderr, "paramscope-cli analyze: unexpected '%s'\n\n%s", a.c_str(),
                         kAnalyzeUsage);
            return 2;
        }
    }
    if (source.empty() || (kind.empty() && !list)) {
        std::fputs(kAnalyzeUsage, stderr);
        return 2;
    }
    try {
        const TaskCatalog tasks = TaskCatalog::withBuiltins();
        std::string storageUrl = source;
        if (source.ends_with(".yaml") || source.ends_with(".yml")) {
            const StudyConfig fromFile = parseStudyFile(source, tasks, /*checkData=*/false);
            storageUrl = fromFile.storageUrl;
            if (only.empty())
                only = fromFile.name;
        } else if (source.rfind("sqlite:", 0) != 0 && !std::filesystem::exists(source)) {
            std::fprintf(stderr, "error: %s does not exist\n", source.c_str());
            return 1;
        }
        storageUrl = resolveStorageUrl(storageUrl, ".");
        auto storage = openStorage(storageUrl);
        std::optional<StudyRecord> study;
        const auto studies = storage->studies();
        for (const auto& s : studies)
            if (only.empty() ? studies.size() == 1 : s.name == only)
                study = s;
        if (!study) {
            std::string names;
            for (const auto& s : studies)
                names += (names.empty() ? "" : ", ") + s.name;
            std::fprintf(stderr, "error: %s\n",
                         (only.empty()
                              ? source + " holds " + std::to_string(studies.size()) + " studies (" +
                                    names + "); choose one with --study"
                              : source + " has no study '" + only + "' (it has: " + names + ")")
                             .c_str());
            return 1;
        }
        const std::string dir = std::filesystem::path(study->studyFile).parent_path().string();
        const StudyConfig config = parseStudyText(study->configText, study->studyFile,
                                                  dir.empty() ? "." : dir, tasks, false);
        const AnalysisCatalog catalog = AnalysisCatalog::withBuiltins();
        if (list) {
            printList(*storage, *study, catalog);
            return 0;
        }
        const AnalysisSpec* spec = catalog.spec(kind);
        for (const std::string& a : assignments) {
            const auto eq = a.find('=');
            const std::string name = a.substr(0, eq);
            given[name] =
                spec ? optionValue(*spec, name, a.substr(eq + 1)) : Json(a.substr(eq + 1));
        }
        const auto start = std::chrono::steady_clock::now();
        AnalysisOutcome outcome =
            requestAnalysis(*storage, study->id, config, catalog, kind, given);
        if (spec && spec->needsWorker &&
            (outcome.record.state == AnalysisState::Waiting ||
             outcome.record.state == AnalysisState::Running)) {
            const std::string dbPath = storageUrl.substr(7);
            outcome.record = waitForWorker(*storage, outcome.record, *study, storageUrl,
                                           dbPath + ".workers.log");
            if (isatty(STDERR_FILENO))
                std::fputc('\n', stderr);
        }
        // another process computes it right now: wait for its result
        while (outcome.record.state == AnalysisState::Running ||
               outcome.record.state == AnalysisState::Waiting) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            outcome = requestAnalysis(*storage, study->id, config, catalog, kind, given);
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const AnalysisRecord& r = outcome.record;
        if (r.state == AnalysisState::Fail) {
            std::fprintf(stderr, "error: analysis %s failed: %s\n", kind.c_str(), r.error.c_str());
            return 1;
        }
        std::fprintf(stderr, "%s of study %s: %s (result #%lld, inputs %s)\n", kind.c_str(),
                     study->name.c_str(),
                     outcome.reused
                         ? "stored result, reused"
                         : ("computed in " + std::to_string(seconds).substr(0, 5) + " s").c_str(),
                     static_cast<long long>(r.id), r.inputHash.c_str());
        if (!out.empty()) {
            std::ofstream file(out);
            file << r.result.dump(1) << '\n';
            if (!file)
                throw std::runtime_error("cannot write " + out);
        }
        if (json) {
            std::printf("%s\n", r.result.dump(1).c_str());
        } else if (r.result.contains("summary") && r.result["summary"].is_array()) {
            for (const auto& line : r.result["summary"])
                std::printf("%s\n", line.get<std::string>().c_str());
        } else {
            std::printf("%s\n", r.result.dump(1).c_str());
        }
        return 0;
    } catch (const AnalysisError& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}

} // namespace ps::cli
