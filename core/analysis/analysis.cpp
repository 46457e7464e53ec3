#include "core/analysis/analysis.h"

#include "core/analysis/analysis_options.h"
#include "core/space/constraints.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <unistd.h>

namespace ps {

void AnalysisCatalog::add(AnalysisSpec spec, Factory factory) {
    // every analysis can be asked about a subset of the trials (`trials`)
    if (std::none_of(spec.options.begin(), spec.options.end(),
                     [](const SettingSpec& s) { return s.path == "trials"; }))
        spec.options.push_back(trialsOption());
    const std::string kind = spec.kind;
    m_entries[kind] = {std::move(spec), std::move(factory)};
}

void AnalysisCatalog::setFactory(const std::string& kind, Factory factory) {
    const auto it = m_entries.find(kind);
    if (it == m_entries.end())
        throw std::logic_error("no analysis spec '" + kind + "' to give a factory");
    it->second.factory = std::move(factory);
}

const AnalysisSpec* AnalysisCatalog::spec(const std::string& kind) const {
    const auto it = m_entries.find(kind);
    return it == m_entries.end() ? nullptr : &it->second.spec;
}

std::unique_ptr<Analysis> AnalysisCatalog::make(const std::string& kind) const {
    const auto it = m_entries.find(kind);
    return it == m_entries.end() || !it->second.factory ? nullptr : it->second.factory();
}

std::vector<std::string> AnalysisCatalog::kinds() const {
    std::vector<std::string> out;
    for (const auto& [kind, entry] : m_entries)
        out.push_back(kind);
    return out;
}

std::vector<std::string> AnalysisCatalog::runnableKinds() const {
    std::vector<std::string> out;
    for (const auto& [kind, entry] : m_entries)
        if (entry.factory)
            out.push_back(kind);
    return out;
}

static Json checkedAnalysisOptions(const AnalysisSpec& spec, const Json& given);

namespace {

// `trials` in a canonical form ("3,5,8-12"), so that one subset has one hash; left out when
// empty, so that results stored before the option existed keep their hashes.
Json canonicalTrials(Json out) {
    if (out.contains("trials") && out["trials"].is_string()) {
        const std::string text = trialNumberText(trialNumberList(out["trials"].get<std::string>()));
        if (text.empty())
            out.erase("trials");
        else
            out["trials"] = text;
    }
    return out;
}

} // namespace

Json analysisOptions(const AnalysisSpec& spec, const Json& given) {
    return canonicalTrials(checkedAnalysisOptions(spec, given));
}

static Json checkedAnalysisOptions(const AnalysisSpec& spec, const Json& given) {
    if (!given.is_null() && !given.is_object())
        throw AnalysisError("analysis " + spec.kind + ": options must be a map of name: value");
    Json out = Json::object();
    for (const SettingSpec& s : spec.options)
        out[s.path] = s.defaultValue;
    if (given.is_null())
        return out;
    for (const auto& [name, value] : given.items()) {
        const auto it = std::find_if(spec.options.begin(), spec.options.end(),
                                     [&](const SettingSpec& s) { return s.path == name; });
        if (it == spec.options.end()) {
            std::string known;
            for (const SettingSpec& s : spec.options)
                known += (known.empty() ? "" : ", ") + s.path;
            throw AnalysisError("analysis " + spec.kind + ": unknown option '" + name +
                                "' (it has: " + (known.empty() ? "none" : known) + ")");
        }
        const SettingSpec& s = *it;
        const std::string where = "analysis " + spec.kind + ": option '" + name + "'";
        switch (s.type) {
        case SettingType::Float:
        case SettingType::Int: {
            if (!value.is_number())
                throw AnalysisError(where + " must be a number, not " + value.dump());
            const double v = value.get<double>();
            if (s.type == SettingType::Int && v != std::floor(v))
                throw AnalysisError(where + " must be a whole number, not " + value.dump());
            if ((s.min && v < *s.min) || (s.max && v > *s.max)) {
                char range[96];
                std::snprintf(range, sizeof range, "[%g, %g]", s.min ? *s.min : -INFINITY,
                              s.max ? *s.max : INFINITY);
                throw AnalysisError(where + " is " + value.dump() + ", outside " + range);
            }
            out[name] = s.type == SettingType::Int ? Json(static_cast<std::int64_t>(v)) : value;
            break;
        }
        case SettingType::Bool:
            if (!value.is_boolean())
                throw AnalysisError(where + " must be true or false, not " + value.dump());
            out[name] = value;
            break;
        case SettingType::String:
            if (!value.is_string())
                throw AnalysisError(where + " must be text, not " + value.dump());
            if (!s.choices.empty() && std::find(s.choices.begin(), s.choices.end(),
                                                value.get<std::string>()) == s.choices.end()) {
                std::string choices;
                for (const auto& c : s.choices)
                    choices += (choices.empty() ? "" : ", ") + c;
                throw AnalysisError(where + " is " + value.dump() + ", not one of " + choices);
            }
            out[name] = value;
            break;
        default:
            out[name] = value;
        }
    }
    return out;
}

std::string analysisHash(const std::string& kind, const Json& options, const Json& data,
                         int version) {
    Json inputs{{"kind", kind}, {"options", options}, {"data", data}};
    if (version != 1) // version 1 hashes as before versions existed, keeping stored results
        inputs["version"] = version;
    const std::string text = inputs.dump();
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

namespace {

// "host:pid", as workers name themselves.
std::string processTag() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(::getpid());
}

bool deadLocalProcess(const std::string& tag) {
    const std::string me = processTag();
    const auto colon = tag.rfind(':');
    if (colon == std::string::npos || tag.substr(0, colon) != me.substr(0, me.rfind(':')))
        return false;
    const long pid = std::strtol(tag.c_str() + colon + 1, nullptr, 10);
    return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

Json defaultDataIdentity(const AnalysisContext& context) {
    Json rows = Json::array();
    for (const Trial& t : context.trials)
        if (t.state == TrialState::Complete || t.state == TrialState::Pruned ||
            t.state == TrialState::Fail)
            rows.push_back({t.number, t.rev});
    return rows;
}

// Runs `analysis` and stores its end for `worker`, who holds `record`.
AnalysisRecord runAndStore(Storage& storage, const AnalysisRecord& record, Analysis& analysis,
                           const AnalysisContext& context, const Json& options,
                           const std::string& worker) {
    AnalysisRecord done = record;
    try {
        done.result = analysis.run(context, options);
        done.state = AnalysisState::Done;
        done.error.clear();
    } catch (const std::exception& e) {
        done.state = AnalysisState::Fail;
        done.error = e.what();
        done.result = nullptr;
    }
    storage.finishAnalysis(record.id, worker, done.state, done.result, done.error);
    done.finishedAt = nowSeconds();
    return done;
}

} // namespace

const Trial& analysisTrial(const AnalysisContext& context, std::int64_t number,
                           const std::string& option) {
    if (number < 0) {
        const Trial* best = bestTrial(context.trials, context.config.objective().direction,
                                      context.config.constraints);
        if (!best)
            throw AnalysisError("option '" + option +
                                "' is -1 (the best trial), but the study "
                                "has no complete trial yet");
        return *best;
    }
    for (const Trial& t : context.trials)
        if (t.number == number)
            return t;
    throw AnalysisError("option '" + option + "': the study has no trial " +
                        std::to_string(number));
}

AnalysisOutcome requestAnalysis(Storage& storage, std::int64_t studyId, const StudyConfig& config,
                                const AnalysisCatalog& catalog, const std::string& kind,
                                const Json& given) {
    const AnalysisSpec* spec = catalog.spec(kind);
    if (!spec) {
        std::string known;
        for (const auto& k : catalog.kinds())
            known += (known.empty() ? "" : ", ") + k;
        throw AnalysisError("unknown analysis '" + kind + "' (there are: " + known + ")");
    }
    const Json options = analysisOptions(*spec, given);
    AnalysisContext context{
        storage, studyId,
        config,  trialSubset(storage.trials(studyId), options.value("trials", std::string())),
        {},      {}};
    const Json data =
        spec->dataIdentity ? spec->dataIdentity(context, options) : defaultDataIdentity(context);
    const std::string hash = analysisHash(kind, options, data, spec->version);
    if (auto stored = storage.findAnalysis(studyId, hash);
        stored && (stored->state == AnalysisState::Done ||
                   (stored->state == AnalysisState::Running && spec->needsWorker)))
        return {*stored, stored->state == AnalysisState::Done};
    AnalysisRecord record =
        storage.requestAnalysis(studyId, kind, hash, {{"options", options}, {"data", data}});
    const std::unique_ptr<Analysis> analysis = spec->needsWorker ? nullptr : catalog.make(kind);
    if (!analysis)
        return {record, false}; // WAITING for a worker
    // Claimed as a worker would, so two processes asking at once compute it once; one held
    // by a process of this host that is gone (it crashed) is taken over at once.
    const std::string me = processTag();
    const double stale =
        record.state == AnalysisState::Running && deadLocalProcess(record.worker) ? -1.0 : 120.0;
    if (!storage.startAnalysis(record.id, me, stale)) {
        if (auto now = storage.analysis(record.id))
            return {*now, now->state == AnalysisState::Done};
        return {record, false};
    }
    record.state = AnalysisState::Running;
    record.worker = me;
    return {runAndStore(storage, record, *analysis, context, options, me), false};
}

void runClaimedAnalysis(Storage& storage, const AnalysisRecord& record, const StudyConfig& config,
                        const AnalysisCatalog& catalog, const std::string& worker,
                        const std::function<bool()>& canceled) {
    const std::unique_ptr<Analysis> analysis = catalog.make(record.kind);
    if (!analysis) {
        storage.finishAnalysis(record.id, worker, AnalysisState::Fail, nullptr,
                               "this worker cannot run analyses of kind '" + record.kind + "'");
        return;
    }
    const Json options = record.inputs.value("options", Json::object());
    std::vector<Trial> trials;
    try {
        trials =
            trialSubset(storage.trials(record.studyId), options.value("trials", std::string()));
    } catch (const AnalysisError& e) {
        storage.finishAnalysis(record.id, worker, AnalysisState::Fail, nullptr, e.what());
        return;
    }
    AnalysisContext context{storage, record.studyId, config, std::move(trials), {}, canceled};
    context.progress = [&storage, id = record.id](double) { storage.heartbeatAnalysis(id); };
    runAndStore(storage, record, *analysis, context, options, worker);
}

} // namespace ps
