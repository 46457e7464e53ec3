#pragma once
// The study a command names: a storage file (DB, "sqlite:..." or a path) or a study file
// (STUDY.yaml, which gives its storage and its name), narrowed by --study NAME.

#include "core/storage/storage.h"

#include <memory>
#include <string>

namespace ps::cli {

struct NamedStudy {
    std::unique_ptr<Storage> storage;
    StudyRecord study;
};

// Opens the storage `source` names and finds the study: `only`, the study file's own, or the
// one study the storage holds. Never creates a storage file. Throws std::runtime_error
// naming the file, and the studies it holds when the choice is wrong or ambiguous.
NamedStudy openNamedStudy(const std::string& source, std::string only);

} // namespace ps::cli
