#pragma once
// Reads and validates study files (YAML). Every refusal names the file, the line and the key.

#include "core/space/study_config.h"

#include <stdexcept>
#include <string>

namespace ps {

class TaskCatalog;

class StudyFileError : public std::runtime_error {
public:
    StudyFileError(std::string file, int line, int column, std::string key, std::string message);
    const std::string& file() const { return m_file; }
    int line() const { return m_line; }     // 1-based; 0 when unknown
    int column() const { return m_column; } // 1-based; 0 when unknown
    const std::string& key() const { return m_key; }
    const std::string& message() const { return m_message; }

private:
    std::string m_file, m_key, m_message;
    int m_line, m_column;
};

// Parses `path`. Checks the task settings against `catalog` and, unless `checkData` is false,
// that the data the task needs is there. Throws StudyFileError.
StudyConfig parseStudyFile(const std::string& path, const TaskCatalog& catalog,
                           bool checkData = true);
// The same for text already in memory; `fileName` is used in messages, `baseDir` for
// relative paths.
StudyConfig parseStudyText(const std::string& text, const std::string& fileName,
                           const std::string& baseDir, const TaskCatalog& catalog,
                           bool checkData = true);

// The `constraints:` section of a study file's text, read leniently (nothing when the text or
// the section does not parse), for readers that have the stored text but no task catalog:
// the views, export. Parsing the whole file is what checks it.
std::vector<Constraint> readConstraints(const std::string& text);
// Seconds in a duration as study files write it: "90", "1.5s", "30m", "2h", "1d"; -1 when
// `text` is not one.
double parseDuration(const std::string& text);

} // namespace ps
