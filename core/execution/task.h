#pragma once
// What one trial runs. Tasks are plain C++ (no Qt): they take the trial's settings and a
// feedback object, and return how the trial ended. Built-in tasks, LibTorch tasks (ps_train)
// and plugin tasks all implement Task; their settings are declared as data in a TaskSpec so
// that the study-file parser, the CLI and the GUI can check and show them without the code
// that runs them (the CLI never links LibTorch).

#include "core/space/setting_spec.h"
#include "core/study/trial.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ps {

struct SearchSpace;

struct TaskSpec {
    std::string kind;
    std::string description;
    std::vector<SettingSpec> settings;
    // True when the space may hold parameters that are not settings (noop, external
    // commands): the task receives them in TaskInput::params.
    bool freeParameters = false;
    std::vector<std::string> metrics; // names of the metrics it reports (objective candidates)
    // True when the task honours TaskInput::checkpointPath and resumeStep: it saves its state
    // at its last step and can continue from such a checkpoint. Iterative deepening needs it.
    bool resumable = false;
    // The setting that counts the steps a trial runs ("epochs", "steps"), where it has one:
    // a scheduler's maximum must match it.
    std::string budgetSetting;
    // Settings that name files or folders: a relative path in the study file is taken from
    // the study file's folder.
    std::vector<std::string> pathSettings;
    // Checks that what the settings name exists (e.g. the dataset files); returns "" when
    // fine, else a message and (in `key`) the setting it is about.
    std::function<std::string(const Json& settings, std::string& key)> checkData;
    // Checks the settings against the space (e.g. that placeholders name its parameters);
    // the parser always runs it. Returns "" when fine, else a message and (in `key`) the
    // setting it is about ("command.2" for an element of a list).
    std::function<std::string(const Json& settings, const SearchSpace& space, std::string& key)>
        checkSettings;
    const SettingSpec* find(const std::string& path) const;
};

// Reported by a task while it runs. Called from the task's thread only.
class TaskFeedback {
public:
    virtual ~TaskFeedback() = default;
    virtual bool isCanceled() const = 0;
    // Intermediate metrics at `step` (an epoch for the built-in tasks). The implementation
    // batches them; a task may call this as often as it likes.
    virtual void report(std::int64_t step, const std::map<std::string, double>& metrics) = 0;
    virtual void log(const std::string& line) = 0;
    // The task wrote TaskInput::checkpointPath with its state after `step`.
    virtual void checkpointSaved(std::int64_t step) = 0;
    // The task keeps its log in this file (recorded with the trial so views can show it).
    virtual void logFileCreated(const std::string& path) { (void)path; }
    // The task wrote an artifact (weights, say) under `name` ("initial", "final",
    // "step-000120"), holding its state after `step`; recorded with the trial as
    // system.artifacts.<name> = {step, path, kind} for the analyses.
    virtual void artifactSaved(const std::string& name, const std::string& kind, std::int64_t step,
                               const std::string& path) {
        (void)name, (void)kind, (void)step, (void)path;
    }
};

struct TaskInput {
    std::int64_t trialId = 0;
    int trialNumber = 0;
    Json params;   // the trial's parameters
    Json settings; // the task section with the parameters applied
    // Where a resumable task saves its state at its last step ("": save nothing). The task
    // writes it whole or not at all (write elsewhere, then rename) and then calls
    // TaskFeedback::checkpointSaved.
    std::string checkpointPath;
    // When > 0: continue from the checkpoint at checkpointPath, saved after this step, and
    // report only the steps after it. A task that cannot must throw, not start over.
    std::int64_t resumeStep = 0;
    // The trial's own folder for files it writes (logs, parameter files). Set by the worker,
    // not created: a task that writes there creates it.
    std::string trialDir;
    // The study file's folder: relative paths in the settings are taken from here.
    std::string baseDir = ".";
};

enum class TaskEnd { Complete, Pruned, Fail, Canceled };

struct TaskResult {
    TaskEnd end = TaskEnd::Complete;
    std::map<std::string, double> metrics; // final values; the objective is read from these
    std::string reason; // why it failed or was pruned; if Complete: a hint, shown if no objective
};

class Task {
public:
    virtual ~Task() = default;
    // Runs one trial. May throw; the worker turns an exception into a FAIL with its message.
    virtual TaskResult run(const TaskInput& input, TaskFeedback& feedback) = 0;
};

// The tasks a process knows: their specs always, their factories where the process can run
// them (the worker). Owned by whoever builds it; not a singleton.
class TaskCatalog {
public:
    using Factory = std::function<std::unique_ptr<Task>()>;

    void add(TaskSpec spec, Factory factory = {});
    void setFactory(const std::string& kind, Factory factory);
    const TaskSpec* spec(const std::string& kind) const;
    std::unique_ptr<Task> make(const std::string& kind) const; // null when not runnable here
    std::vector<std::string> kinds() const;

    // The catalog with ParamScope's built-in task specs (noop and command runnable, classify
    // spec only).
    static TaskCatalog withBuiltins();

private:
    struct Entry {
        TaskSpec spec;
        Factory factory;
    };
    std::map<std::string, Entry> m_entries;
};

// Every setting of `spec` at its default, nested by dotted path ("optimizer.lr" becomes
// {"optimizer": {"lr": ...}}), as the study-file parser hands a task its settings.
Json defaultSettings(const TaskSpec& spec);

} // namespace ps
