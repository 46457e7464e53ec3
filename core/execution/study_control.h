#pragma once
// Pause, resume and stop as a person asks for them (paramscope-cli control, the desktop app).
// A control only means something to a live orchestrator: the next `paramscope-cli run`
// writes Run, so a request that cannot take effect is refused with the reason, rather than
// stored and silently overwritten.

#include "core/storage/storage.h"

#include <stdexcept>

namespace ps {

// A request the study's state refuses; the message names the study and why.
class ControlRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// How long an orchestrator may go without a beat (it beats every second) before it counts
// as gone; the same limit keeps a second orchestrator from taking over a live one.
inline constexpr double kOrchestratorStaleSeconds = 10;

// True while an orchestrator runs `study`: it beat within kOrchestratorStaleSeconds and is
// not a process of this host that is gone.
bool orchestratorAlive(const StudyRecord& study);

// Writes `wanted` for study `studyId`: Pause (the study must be running and not paused or
// stopping), Run to resume (it must be paused), or Stop (it must be running; Stop wins over
// Pause). Throws ControlRefused otherwise, StorageError when the study is not there.
void requestControl(Storage& storage, std::int64_t studyId, StudyControl wanted);

} // namespace ps
