#include "core/storage/storage.h"

#include "core/storage/sqlite_storage.h"

#include <filesystem>

namespace ps {

std::string_view toText(StudyControl control) {
    switch (control) {
    case StudyControl::Run:
        return "run";
    case StudyControl::Pause:
        return "pause";
    case StudyControl::Stop:
        return "stop";
    }
    return "?";
}

std::string_view toText(AnalysisState state) {
    switch (state) {
    case AnalysisState::Waiting:
        return "WAITING";
    case AnalysisState::Running:
        return "RUNNING";
    case AnalysisState::Done:
        return "DONE";
    case AnalysisState::Fail:
        return "FAIL";
    }
    return "?";
}

std::string resolveStorageUrl(const std::string& url, const std::string& baseDir) {
    std::string path = url;
    if (path.rfind("sqlite:", 0) == 0) {
        path = path.substr(7);
        if (path.rfind("//", 0) == 0) // sqlite:///abs/path
            path = path.substr(2);
    } else if (path.find("://") != std::string::npos || path.rfind("postgresql:", 0) == 0) {
        throw StorageError("storage URL '" + url + "': only sqlite storage is available");
    }
    if (path.empty())
        throw StorageError("storage URL '" + url + "' names no file");
    std::filesystem::path p(path);
    if (p.is_relative())
        p = std::filesystem::path(baseDir) / p;
    return "sqlite:" + std::filesystem::absolute(p).lexically_normal().string();
}

std::string artifactDir(const std::string& url, std::int64_t studyId) {
    const std::string file = resolveStorageUrl(url, ".").substr(7);
    return file + ".artifacts/study-" + std::to_string(studyId);
}

std::unique_ptr<Storage> openStorage(const std::string& url, const std::string& baseDir) {
    const std::string resolved = resolveStorageUrl(url, baseDir);
    return std::make_unique<SqliteStorage>(resolved.substr(7));
}

} // namespace ps
