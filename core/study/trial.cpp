#include "core/study/trial.h"

#include <chrono>
#include <stdexcept>

namespace ps {

std::string_view toText(TrialState state) {
    switch (state) {
    case TrialState::Waiting:
        return "WAITING";
    case TrialState::Running:
        return "RUNNING";
    case TrialState::Complete:
        return "COMPLETE";
    case TrialState::Pruned:
        return "PRUNED";
    case TrialState::Fail:
        return "FAIL";
    }
    return "?";
}

TrialState trialStateFromString(std::string_view text) {
    for (auto s : {TrialState::Waiting, TrialState::Running, TrialState::Complete,
                   TrialState::Pruned, TrialState::Fail}) {
        if (toText(s) == text)
            return s;
    }
    throw std::invalid_argument("not a trial state: '" + std::string(text) + "'");
}

bool isFinished(TrialState state) {
    return state == TrialState::Complete || state == TrialState::Pruned ||
           state == TrialState::Fail;
}

std::string_view toText(Direction direction) {
    return direction == Direction::Minimize ? "minimize" : "maximize";
}

double nowSeconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

} // namespace ps
