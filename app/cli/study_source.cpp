#include "app/cli/study_source.h"

#include "core/execution/task.h"
#include "core/space/study_file.h"

#include <filesystem>
#include <stdexcept>

namespace ps::cli {

NamedStudy openNamedStudy(const std::string& source, std::string only) {
    std::string url = source;
    const bool studyFile = source.ends_with(".yaml") || source.ends_with(".yml");
    if (studyFile) {
        const StudyConfig config =
            parseStudyFile(source, TaskCatalog::withBuiltins(), /*checkData=*/false);
        url = config.storageUrl;
        if (only.empty())
            only = config.name;
    }
    url = resolveStorageUrl(url, ".");
    const std::string path = url.substr(std::string("sqlite:").size());
    // Opening creates the file; a command that only reads or asks must not leave an empty
    // store behind for a study that never ran.
    if (!std::filesystem::exists(path))
        throw std::runtime_error("storage " + path + " does not exist" +
                                 (studyFile ? " (the study has not run yet)" : ""));
    NamedStudy out;
    out.storage = openStorage(url);
    const auto studies = out.storage->studies();
    std::string names;
    for (const auto& s : studies) {
        names += (names.empty() ? "" : ", ") + s.name;
        if (only.empty() ? studies.size() == 1 : s.name == only)
            out.study = s;
    }
    if (out.study.id == 0) {
        if (studies.empty())
            throw std::runtime_error(path + " holds no study");
        throw std::runtime_error(
            only.empty() ? path + " holds " + std::to_string(studies.size()) + " studies (" +
                               names + "); choose one with --study"
                         : path + " has no study '" + only + "' (it has: " + names + ")");
    }
    return out;
}

} // namespace ps::cli
