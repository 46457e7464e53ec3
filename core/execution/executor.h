#pragma once
// Runs the workers of one study. The orchestrator owns one Executor for the length of a run
// and calls it from its own thread only.

#include <string>
#include <vector>

namespace ps {

class Executor {
public:
    virtual ~Executor() = default;
    virtual void start(int workers) = 0;
    // Reaps workers that ended and starts replacements while running; returns the storage
    // names of those that ended, so their trials can be handed back.
    virtual std::vector<std::string> poll() = 0;
    // Asks every worker to stop (a running trial goes back to WAITING), waits up to
    // `graceSeconds`, then kills what is left. Returns the names of the workers it had.
    virtual std::vector<std::string> stop(double graceSeconds) = 0;
    virtual int liveWorkers() const = 0;
};

} // namespace ps
