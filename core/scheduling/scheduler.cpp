#include "core/scheduling/scheduler.h"

#include "core/scheduling/hyperband.h"
#include "core/scheduling/median_pruner.h"
#include "core/scheduling/successive_halving.h"

#include <stdexcept>

namespace ps {

const std::vector<SchedulerInfo>& schedulerCatalog() {
    static const std::vector<SchedulerInfo> catalog = {
        {"none",
         "every trial runs to the end",
         {},
         [](const SchedulerConfig&) { return std::unique_ptr<Scheduler>(); }},
        MedianPruner::info(),
        SuccessiveHalving::info(),
        HyperbandPruner::info(),
        HyperbandPruner::deepeningInfo(),
    };
    return catalog;
}

const SchedulerInfo* findScheduler(const std::string& kind) {
    for (const auto& info : schedulerCatalog()) {
        if (info.kind == kind)
            return &info;
    }
    return nullptr;
}

std::vector<std::string> schedulerKinds() {
    std::vector<std::string> kinds;
    for (const auto& info : schedulerCatalog())
        kinds.push_back(info.kind);
    return kinds;
}

std::vector<Trial> samplerHistory(const Scheduler* scheduler, const std::vector<Trial>& trials,
                                  int number) {
    if (!scheduler)
        return trials;
    Trial probe;
    probe.number = number;
    probe.system = scheduler->assign(number);
    const std::optional<int> group = scheduler->groupOf(probe);
    if (!group)
        return trials;
    std::vector<Trial> same;
    for (const auto& t : trials) {
        if (scheduler->groupOf(t) == group)
            same.push_back(t);
    }
    return same;
}

std::unique_ptr<Scheduler> makeScheduler(const SchedulerConfig& config) {
    const SchedulerInfo* info = findScheduler(config.kind);
    if (!info)
        throw std::invalid_argument("unknown scheduler kind '" + config.kind + "'");
    SchedulerConfig filled = config;
    for (const auto& option : info->options) {
        if (!filled.options.contains(option.path))
            filled.options[option.path] = option.defaultValue;
    }
    return info->make(filled);
}

} // namespace ps
