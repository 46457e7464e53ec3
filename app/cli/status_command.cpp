#include "app/cli/commands.h"
#include "core/storage/storage.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

namespace ps::cli {

namespace {

constexpr const char* kStatusUsage =
    "usage: paramscope-cli status DB [--study NAME]\n\n"
    "Prints the trials of each study in the storage file DB (or of study NAME) as a table:\n"
    "number, state, objective value, parameters, duration, worker and failure reason.\n";

std::string cell(const Json& v) {
    if (v.is_number_float()) {
        char b[32];
        std::snprintf(b, sizeof b, "%.4g", v.get<double>());
        return b;
    }
    return v.is_string() ? v.get<std::string>() : v.dump();
}

} // namespace

int statusCommand(int argc, char** argv) {
    std::string db, only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kStatusUsage, stdout);
            return 0;
        }
        if (a == "--study" && i + 1 < argc)
            only = argv[++i];
        else if (!a.empty() && a[0] != '-' && db.empty())
            db = a;
        else {
            std::fprintf(stderr, "paramscope-cli status: unexpected '%s'\n\n%s", a.c_str(),
                         kStatusUsage);
            return 2;
        }
    }
    if (db.empty()) {
        std::fputs(kStatusUsage, stderr);
        return 2;
    }
    if (db.rfind("sqlite:", 0) != 0 && !std::filesystem::exists(db)) {
        std::fprintf(stderr, "error: %s does not exist\n", db.c_str());
        return 1;
    }
    try {
        auto storage = openStorage(db);
        bool any = false;
        for (const auto& study : storage->studies()) {
            if (!only.empty() && study.name != only)
                continue;
            any = true;
            const auto trials = storage->trials(study.id);
            const auto c = storage->counts(study.id);
            std::printf("study %s (%s %s): %d/%d finished - %d complete, %d pruned, %d failed, "
                        "%d running, %d waiting%s%s\n",
                        study.name.c_str(), std::string(toText(study.direction)).c_str(),
                        study.objectiveMetric.c_str(), c.finished(), study.plannedTrials,
                        c.complete, c.pruned, c.fail, c.running, c.waiting,
                        study.orchestrator.empty() ? ""
                                                   : (", run by " + study.orchestrator).c_str(),
                        study.control == StudyControl::Pause ? ", paused" : "");
            std::vector<std::string> names;
            for (const auto& t : trials)
                for (const auto& [k, v] : t.params.items())
                    if (std::find(names.begin(), names.end(), k) == names.end())
                        names.push_back(k);
            std::vector<int> widths;
            for (const auto& n : names) {
                int w = static_cast<int>(n.size());
                for (const auto& t : trials)
                    if (t.params.contains(n))
                        w = std::max(w, static_cast<int>(cell(t.params[n]).size()));
                widths.push_back(w);
            }
            std::printf("%5s  %-8s  %-12s", "#", "state", study.objectiveMetric.c_str());
            for (std::size_t i = 0; i < names.size(); ++i)
                std::printf("  %-*s", widths[i], names[i].c_str());
            std::printf("  %8s  %s\n", "time s", "worker / reason");
            for (const auto& t : trials) {
                char value[32] = "-";
                if (t.value)
                    std::snprintf(value, sizeof value, "%.6g", *t.value);
                std::printf("%5d  %-8s  %-12s", t.number, std::string(toText(t.state)).c_str(),
                            value);
                for (std::size_t i = 0; i < names.size(); ++i)
                    std::printf("  %-*s", widths[i],
                                t.params.contains(names[i]) ? cell(t.params[names[i]]).c_str()
                                                            : "-");
                const double secs = t.finishedAt > 0 && t.startedAt > 0 ? t.finishedAt - t.startedAt
                                    : t.startedAt > 0                   ? nowSeconds() - t.startedAt
                                                                        : NAN;
                const std::string retry =
                    t.retryOf ? "  retry of #" + std::to_string(*t.retryOf) : std::string();
                std::printf("  %8.2f  %s%s%s%s\n", secs, t.worker.c_str(), retry.c_str(),
                            t.failReason.empty() ? "" : "  ", t.failReason.c_str());
            }
        }
        if (!any) {
            std::fprintf(stderr, only.empty() ? "%s holds no study\n" : "%s has no study '%s'\n",
                         db.c_str(), only.c_str());
            return 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}

} // namespace ps::cli
