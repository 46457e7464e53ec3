#pragma once
// Trials as the rest of ParamScope sees them: immutable snapshots read from storage.
// Plain values, safe to copy between threads.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ps {

using Json = nlohmann::json;

enum class TrialState { Waiting, Running, Complete, Pruned, Fail };

std::string_view toText(TrialState state);
// Throws std::invalid_argument naming the text when it is not a state.
TrialState trialStateFromString(std::string_view text);
bool isFinished(TrialState state);

enum class Direction { Minimize, Maximize };
std::string_view toText(Direction direction);

struct Trial {
    std::int64_t id = 0;
    std::int64_t studyId = 0;
    int number = 0; // 0-based order of creation within the study
    TrialState state = TrialState::Waiting;
    Json params = Json::object();         // parameter name -> value
    std::optional<double> value;          // the first objective, when finished and finite
    std::map<std::string, double> values; // every final metric the task reported
    std::string failReason;
    std::string worker; // host:pid of the worker that ran it last
    int attempts = 0;   // claims so far; a requeued trial is claimed again
    // What the engine keeps about a trial besides its parameters: its scheduler group
    // ("group", a Hyperband bracket, fixed at creation), its latest checkpoint ("checkpoint":
    // {"step", "path"}), the task's log file ("log", e.g. a command's standard error). Never
    // shown to samplers as parameters.
    Json system = Json::object();
    // When > 0, the next claim continues the trial from its checkpoint at this step instead
    // of starting it over (iterative deepening promotes finished trials this way).
    std::int64_t resumeStep = 0;
    // The number of the failed trial this one runs again, when a person asked for a retry
    // (Storage::enqueueRetry); a retry is not part of the study's planned budget.
    std::optional<int> retryOf;
    double createdAt = 0, startedAt = 0, finishedAt = 0, heartbeatAt = 0; // unix seconds
    std::int64_t rev = 0; // storage revision of the last change
};

// One intermediate value: metric `name` at `step` of a trial's attempt.
struct MetricPoint {
    std::int64_t seq = 0; // storage order; strictly increasing
    std::int64_t trialId = 0;
    int attempt = 0;
    std::int64_t step = 0;
    std::string name;
    double value = 0;
};

struct TrialCounts {
    int waiting = 0, running = 0, complete = 0, pruned = 0, fail = 0;
    int total() const { return waiting + running + complete + pruned + fail; }
    int finished() const { return complete + pruned + fail; }
};

double nowSeconds();

} // namespace ps
