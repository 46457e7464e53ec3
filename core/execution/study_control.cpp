#include "core/execution/study_control.h"

#include "core/execution/worker_loop.h"

namespace ps {

bool orchestratorAlive(const StudyRecord& study) {
    return !study.orchestrator.empty() && !isDeadLocalProcess(study.orchestrator) &&
           nowSeconds() - study.orchestratorHeartbeat < kOrchestratorStaleSeconds;
}

void requestControl(Storage& storage, std::int64_t studyId, StudyControl wanted) {
    const auto study = storage.study(studyId);
    if (!study)
        throw StorageError(storage.url() + ": no study with id " + std::to_string(studyId));
    const std::string name = "study '" + study->name + "'";
    const bool alive = orchestratorAlive(*study);
    const std::string notRunning = name + " is not running (no orchestrator has beaten for " +
                                   std::to_string(static_cast<int>(kOrchestratorStaleSeconds)) +
                                   " s); 'paramscope-cli run' of its study file runs it";
    switch (wanted) {
    case StudyControl::Pause:
        if (!alive)
            throw ControlRefused(notRunning + ", so there is nothing to pause");
        if (study->control == StudyControl::Pause)
            throw ControlRefused(name + " is paused already");
        if (study->control == StudyControl::Stop)
            throw ControlRefused(name + " is stopping");
        break;
    case StudyControl::Run:
        // A Pause left behind by an orchestrator that died may be cleared too: harmless.
        if (study->control != StudyControl::Pause)
            throw ControlRefused(name + " is not paused (it is " +
                                 (study->control == StudyControl::Stop ? "stopping"
                                  : alive                              ? "running"
                                                                       : "not running") +
                                 "), so there is nothing to resume");
        break;
    case StudyControl::Stop:
        if (!alive)
            throw ControlRefused(notRunning + ", so there is nothing to stop");
        if (study->control == StudyControl::Stop)
            throw ControlRefused(name + " is stopping already");
        break;
    }
    storage.setControl(studyId, wanted);
}

} // namespace ps
