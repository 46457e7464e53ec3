#pragma once
// Helpers shared by the core tests: a fresh temporary storage file per test.

#include "core/space/search_space.h"
#include "core/storage/storage.h"

#include <QTemporaryDir>
#include <QTest>
#include <string>

// QCOMPARE prints these by name when they differ.
namespace QTest {
template <> inline char* toString(const ps::TrialState& s) {
    return qstrdup(std::string(ps::toText(s)).c_str());
}
template <> inline char* toString(const ps::Direction& d) {
    return qstrdup(std::string(ps::toText(d)).c_str());
}
template <> inline char* toString(const ps::StudyControl& c) {
    return qstrdup(std::string(ps::toText(c)).c_str());
}
template <> inline char* toString(const ps::ParamType& t) {
    return qstrdup(std::string(ps::toText(t)).c_str());
}
} // namespace QTest

namespace ps::test {

// Parameter declarations as a study file would give them.
inline ParamSpec floatParam(std::string name, double low, double high, bool log = false) {
    ParamSpec p;
    p.name = std::move(name);
    p.low = low;
    p.high = high;
    p.log = log;
    return p;
}
inline ParamSpec intParam(std::string name, double low, double high) {
    ParamSpec p = floatParam(std::move(name), low, high);
    p.type = ParamType::Int;
    return p;
}
inline ParamSpec categoricalParam(std::string name, std::vector<Json> choices) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = ParamType::Categorical;
    p.choices = std::move(choices);
    return p;
}

// A temporary folder under PS_TEST_TMP (the build tree) or the system's temp folder.
inline QTemporaryDir makeTempDir() {
    const QByteArray base = qgetenv("PS_TEST_TMP");
    if (!base.isEmpty()) {
        QDir().mkpath(QString::fromLocal8Bit(base));
        return QTemporaryDir(QString::fromLocal8Bit(base) + "/ps-XXXXXX");
    }
    return QTemporaryDir();
}

inline std::string dbUrl(const QTemporaryDir& dir, const char* name = "study.db") {
    return "sqlite:" + dir.filePath(name).toStdString();
}

} // namespace ps::test
