#include "core/execution/builtin_tasks.h"
#include "core/execution/command_task.h"
#include "core/execution/task.h"
#include "core/space/setting_pointer.h"

#include <algorithm>

namespace ps {

const SettingSpec* TaskSpec::find(const std::string& path) const {
    for (const auto& s : settings) {
        if (s.path == path)
            return &s;
    }
    return nullptr;
}

void TaskCatalog::add(TaskSpec spec, Factory factory) {
    const std::string kind = spec.kind;
    m_entries[kind] = Entry{std::move(spec), std::move(factory)};
}

void TaskCatalog::setFactory(const std::string& kind, Factory factory) {
    auto it = m_entries.find(kind);
    if (it == m_entries.end())
        throw std::invalid_argument("no task spec for kind '" + kind + "'");
    it->second.factory = std::move(factory);
}

const TaskSpec* TaskCatalog::spec(const std::string& kind) const {
    auto it = m_entries.find(kind);
    return it == m_entries.end() ? nullptr : &it->second.spec;
}

std::unique_ptr<Task> TaskCatalog::make(const std::string& kind) const {
    auto it = m_entries.find(kind);
    if (it == m_entries.end() || !it->second.factory)
        return nullptr;
    return it->second.factory();
}

std::vector<std::string> TaskCatalog::kinds() const {
    std::vector<std::string> out;
    for (const auto& [kind, entry] : m_entries)
        out.push_back(kind);
    return out;
}

TaskCatalog TaskCatalog::withBuiltins() {
    TaskCatalog catalog;
    catalog.add(noopTaskSpec(), &makeNoopTask);
    catalog.add(classifyTaskSpec());
    catalog.add(lrRangeTaskSpec());
    catalog.add(coordCheckTaskSpec());
    catalog.add(commandTaskSpec(), &makeCommandTask);
    return catalog;
}

Json defaultSettings(const TaskSpec& spec) {
    Json settings = Json::object();
    for (const SettingSpec& s : spec.settings) {
        settings[settingPointer(s.path)] = s.defaultValue;
    }
    return settings;
}

} // namespace ps
