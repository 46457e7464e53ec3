#include "core/space/study_file.h"

#include "core/execution/task.h"
#include "core/sampling/crossed_sampler.h"
#include "core/sampling/grid_sampler.h"
#include "core/sampling/sampler.h"
#include "core/scheduling/scheduler.h"
#include "core/space/setting_pointer.h"
#include "core/storage/storage.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <utility>
#include <yaml-cpp/yaml.h>

namespace ps {

StudyFileError::StudyFileError(std::string file, int line, int column, std::string key,
                               std::string message)
    : std::runtime_error([&] {
          std::ostringstream out;
          out << file;
          if (line > 0)
              out << ':' << line << ':' << column;
          out << ": ";
          if (!key.empty())
              out << key << ": ";
          out << message;
          return out.str();
      }()),
      m_file(std::move(file)), m_key(std::move(key)), m_message(std::move(message)), m_line(line),
      m_column(column) {}

namespace {

std::string fmt(double x) {
    std::ostringstream out;
    out << x;
    return out.str();
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : ", ") + i;
    return out;
}

// Walks the YAML tree and turns every problem into a StudyFileError at the right line.
class Parser {
public:
    Parser(std::string file, const TaskCatalog& catalog)
        : m_file(std::move(file)), m_catalog(catalog) {}

    [[noreturn]] void error(const YAML::Node& at, const std::string& key,
                            const std::string& message) const {
        const auto mark = at.Mark();
        const bool known = mark.line >= 0 && !at.IsNull() ? true : mark.line >= 0;
        throw StudyFileError(m_file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key,
                             message);
    }

    // The entries of a mapping with their key nodes (for line numbers); refuses keys that are
    // not in `allowed` (when given) and duplicates.
    std::vector<std::pair<YAML::Node, YAML::Node>>
    entries(const YAML::Node& map, const std::string& where,
            const std::vector<std::string>& allowed = {}) const {
        if (!map.IsMap())
            error(map, where, "must be a mapping (key: value pairs)");
        std::vector<std::pair<YAML::Node, YAML::Node>> out;
        std::set<std::string> seen;
        for (auto it = map.begin(); it != map.end(); ++it) {
            const std::string k = it->first.as<std::string>();
            const std::string path = where.empty() ? k : where + "." + k;
            if (!seen.insert(k).second)
                error(it->first, path, "is given twice");
            if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), k) == allowed.end())
                error(it->first, path, "unknown key (expected one of: " + joined(allowed) + ")");
            out.emplace_back(it->first, it->second);
        }
        return out;
    }

    std::string string(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar())
            error(n, key, "must be a string");
        return n.as<std::string>();
    }

    double number(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar() || n.Tag() == "!")
            error(n, key, "must be a number");
        const std::string text = n.as<std::string>();
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0') {
            if (text == ".inf" || text == "inf")
                return INFINITY;
            error(n, key, "must be a number, not '" + text + "'");
        }
        return v;
    }

    std::int64_t integer(const YAML::Node& n, const std::string& key) const {
        const double v = number(n, key);
        if (v != std::floor(v) || std::abs(v) > 9e15)
            error(n, key, "must be a whole number, not " + n.as<std::string>());
        return static_cast<std::int64_t>(v);
    }

    bool boolean(const YAML::Node& n, const std::string& key) const {
        const std::string t = n.IsScalar() ? n.as<std::string>() : "";
        if (t == "true" || t == "True" || t == "yes")
            return true;
        if (t == "false" || t == "False" || t == "no")
            return false;
        error(n, key, "must be true or false");
    }

    // A scalar as the JSON value it reads as: quoted stays a string; plain true/false are
    // booleans, numbers are numbers.
    Json scalar(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar())
            error(n, key, "must be a single value");
        const std::string t = n.as<std::string>();
        if (n.Tag() == "!")
            return t;
        if (t == "true" || t == "false")
            return t == "true";
        static const std::regex intRe("[-+]?[0-9]+");
        if (std::regex_match(t, intRe))
            return static_cast<std::int64_t>(std::stoll(t));
        char* end = nullptr;
        const double v = std::strtod(t.c_str(), &end);
        if (!t.empty() && *end == '\0')
            return v;
        return t;
    }

    StudyConfig parse(const YAML::Node& root, bool checkData) {
        StudyConfig c;
        if (!root.IsDefined() || root.IsNull())
            throw StudyFileError(m_file, 0, 0, "", "the file is empty");
        const auto top =
            entries(root, "",
                    {"name", "description", "task", "space", "objectives", "objective", "sampler",
                     "scheduler", "budget", "executor", "storage", "forbidden", "constraints"});
        // yaml-cpp: a default Node counts as defined, and assigning to a Node that refers to
        // something overwrites that something; so presence is tracked by hand and nodes are
        // rebound with reset().
        YAML::Node taskNode, spaceNode, objectivesNode, objectiveNode, forbiddenNode,
            constraintsNode;
        YAML::Node samplerNode; // for messages about the space as a whole
        samplerNode.reset(root);
        YAML::Node schedulerNode;
        schedulerNode.reset(root);
        bool hasTask = false, hasSpace = false, hasObjectives = false, hasObjective = false;
        bool hasForbidden = false, hasConstraints = false;
        for (const auto& [k, v] : top) {
            const std::string key = k.as<std::string>();
            if (key == "name") {
                c.name = string(v, key);
                static const std::regex nameRe("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
                if (!std::regex_match(c.name, nameRe))
                    error(v, key,
                          "'" + c.name +
                              "' is not a valid study name (letters, digits, '_', "
                              "'-', '.'; at most 100)");
            } else if (key == "description") {
                c.description = string(v, key);
            } else if (key == "task") {
                taskNode.reset(v);
                hasTask = true;
            } else if (key == "space") {
                spaceNode.reset(v);
                hasSpace = true;
            } else if (key == "objectives") {
                objectivesNode.reset(v);
                hasObjectives = true;
            } else if (key == "objective") {
                objectiveNode.reset(v);
                hasObjective = true;
            } else if (key == "sampler") {
                samplerNode.reset(v);
                parseSampler(v, c);
            } else if (key == "scheduler") {
                schedulerNode.reset(v);
                parseScheduler(v, c);
            } else if (key == "budget") {
                parseBudget(v, c);
            } else if (key == "executor") {
                parseExecutor(v, c);
            } else if (key == "constraints") {
                constraintsNode.reset(v);
                hasConstraints = true;
            } else if (key == "forbidden") {
                forbiddenNode.reset(v);
                hasForbidden = true;
            } else if (key == "storage") {
                c.storageUrl = string(v, key);
            }
        }
        if (c.name.empty())
            error(root, "name", "is missing: every study needs a name");
        if (!hasTask)
            error(root, "task", "is missing: say what one trial runs (task: {kind: ...})");
        const TaskSpec& spec = parseTask(taskNode, c);
        if (hasSpace)
            parseSpace(spaceNode, spec, c);
        if (c.scheduler.kind == "idhb")
            checkDeepening(schedulerNode, spec, c);
        if (hasForbidden)
            parseForbidden(forbiddenNode, c.space);
        if (hasObjectives && hasObjective)
            error(objectiveNode, "objective", "give either objective or objectives, not both");
        if (hasObjective)
            c.objectives.push_back(parseObjective(objectiveNode, "objective", spec));
        if (hasObjectives) {
            if (!objectivesNode.IsSequence() || objectivesNode.size() == 0)
                error(objectivesNode, "objectives", "must be a non-empty list");
            for (std::size_t i = 0; i < objectivesNode.size(); ++i)
                c.objectives.push_back(parseObjective(
                    objectivesNode[i], "objectives[" + std::to_string(i) + "]", spec));
        }
        if (c.objectives.empty())
            error(root, "objectives",
                  "is missing: name the metric to optimize, e.g. objectives: [{metric: " +
                      (spec.metrics.empty() ? std::string("loss") : spec.metrics.front()) +
                      ", direction: minimize}]");
        if (hasConstraints)
            c.constraints = parseConstraints(constraintsNode, spec);
        c.sampler.objectives = c.objectives;
        c.sampler.constraints = c.constraints;
        if (c.sampler.kind == "grid")
            checkGrid(samplerNode, c);
        if (c.sampler.kind == "crossed")
            checkCrossed(samplerNode, c);
        if (!c.sampler.options.is_object() || c.sampler.options.empty()) {
            // no sampler section: the default sampler with its defaults
            if (const SamplerInfo* info = findSampler(c.sampler.kind))
                for (const auto& o : info->options)
                    c.sampler.options[o.path] = o.defaultValue;
        }
        // Files the task reads are named relative to the study file.
        for (const auto& key : spec.pathSettings) {
            const Json::json_pointer at = settingPointer(key);
            if (c.task.contains(at) && c.task.at(at).is_string() &&
                !c.task.at(at).get<std::string>().empty() &&
                std::filesystem::path(c.task.at(at).get<std::string>()).is_relative())
                c.task[at] = (std::filesystem::path(baseDir) / c.task.at(at).get<std::string>())
                                 .lexically_normal()
                                 .string();
        }
        if (spec.checkSettings) {
            std::string key;
            const std::string msg = spec.checkSettings(c.task, c.space, key);
            if (!msg.empty())
                errorAtSetting(taskNode, key, msg);
        }
        if (checkData && spec.checkData) {
            std::string key;
            const std::string msg = spec.checkData(c.task, key);
            if (!msg.empty())
                errorAtSetting(taskNode, key, msg);
        }
        return c;
    }

private:
    // An error about task setting `key` ("a.b", "command.2"), at the deepest part of it the
    // file gives.
    [[noreturn]] void errorAtSetting(const YAML::Node& taskNode, const std::string& key,
                                     const std::string& msg) const {
        YAML::Node at, probe;
        at.reset(taskNode);
        probe.reset(taskNode);
        std::size_t start = 0;
        while (true) {
            const auto dot = key.find('.', start);
            const std::string part = key.substr(start, dot - start);
            const bool index = probe.IsSequence() && !part.empty() &&
                               part.find_first_not_of("0123456789") == std::string::npos &&
                               std::stoul(part) < probe.size();
            if (!probe.IsMap() && !index)
                break;
            const YAML::Node child = index ? std::as_const(probe)[std::stoul(part)]
                                           : std::as_const(probe)[part]; // const: no insert
            if (!child.IsDefined())
                break;
            probe.reset(child);
            at.reset(child);
            if (dot == std::string::npos)
                break;
            start = dot + 1;
        }
        error(at, "task." + key, msg);
    }

    const TaskSpec& parseTask(const YAML::Node& node, StudyConfig& c) {
        if (!node.IsMap())
            error(node, "task", "must be a mapping with at least kind");
        if (!node["kind"])
            error(node, "task.kind", "is missing (one of: " + joined(m_catalog.kinds()) + ")");
        c.taskKind = string(node["kind"], "task.kind");
        const TaskSpec* spec = m_catalog.spec(c.taskKind);
        if (!spec)
            error(node["kind"], "task.kind",
                  "unknown task kind '" + c.taskKind + "' (known: " + joined(m_catalog.kinds()) +
                      ")");
        // Defaults first, then what the file says on top.
        Json settings = Json::object();
        for (const auto& s : spec->settings)
            setPath(settings, s.path, s.defaultValue);
        for (const auto& [k, v] : entries(node, "task")) {
            const std::string key = k.as<std::string>();
            if (key == "kind")
                continue;
            readSetting(k, v, key, *spec, settings);
        }
        c.task = std::move(settings);
        return *spec;
    }

    void readSetting(const YAML::Node& keyNode, const YAML::Node& v, const std::string& path,
                     const TaskSpec& spec, Json& settings) {
        const SettingSpec* s = spec.find(path);
        if (!s) {
            const bool isGroup =
                std::any_of(spec.settings.begin(), spec.settings.end(),
                            [&](const SettingSpec& x) { return x.path.rfind(path + ".", 0) == 0; });
            if (!isGroup)
                error(keyNode, "task." + path,
                      "unknown setting of task " + spec.kind + suggestion(path, spec));
            for (const auto& [k2, v2] : entries(v, "task." + path))
                readSetting(k2, v2, path + "." + k2.as<std::string>(), spec, settings);
            return;
        }
        setPath(settings, path, settingValue(v, "task." + path, *s));
    }

    std::string suggestion(const std::string& path, const TaskSpec& spec) const {
        const std::string prefix = path.substr(0, path.rfind('.') + 1);
        std::vector<std::string> near;
        for (const auto& s : spec.settings) {
            if (s.path.rfind(prefix, 0) == 0)
                near.push_back(s.path);
        }
        return near.empty() ? "" : " (settings here: " + joined(near) + ")";
    }

    Json settingValue(const YAML::Node& v, const std::string& key, const SettingSpec& s) const {
        switch (s.type) {
        case SettingType::Float:
        case SettingType::Int: {
            const double x =
                s.type == SettingType::Int ? static_cast<double>(integer(v, key)) : number(v, key);
            checkRange(v, key, x, s);
            return s.type == SettingType::Int ? Json(static_cast<std::int64_t>(x)) : Json(x);
        }
        case SettingType::Bool:
            return boolean(v, key);
        case SettingType::String: {
            const std::string t = string(v, key);
            checkChoice(v, key, t, s);
            return t;
        }
        case SettingType::Map: {
            const auto e = entries(v, key);
            if (!e.empty())
                error(e.front().first, key + "." + e.front().first.as<std::string>(),
                      "unknown key: " + s.help);
            return Json::object();
        }
        case SettingType::StringList: {
            if (!v.IsSequence())
                error(v, key, "must be a list of strings, e.g. [python3, train.py]");
            Json list = Json::array();
            for (std::size_t i = 0; i < v.size(); ++i)
                list.push_back(string(v[i], key + "[" + std::to_string(i) + "]"));
            return list;
        }
        case SettingType::StringMap: {
            Json map = Json::object();
            for (const auto& [k, value] : entries(v, key))
                map[k.as<std::string>()] = string(value, key + "." + k.as<std::string>());
            return map;
        }
        }
        return nullptr;
    }

    void checkRange(const YAML::Node& at, const std::string& key, double x,
                    const SettingSpec& s) const {
        if (std::isnan(x) || (s.min && x < *s.min) || (s.max && x > *s.max))
            error(at, key,
                  fmt(x) + " is out of range [" + (s.min ? fmt(*s.min) : "-inf") + ", " +
                      (s.max ? fmt(*s.max) : "inf") + "]");
    }

    void checkChoice(const YAML::Node& at, const std::string& key, const std::string& t,
                     const SettingSpec& s) const {
        if (!s.choices.empty() &&
            std::find(s.choices.begin(), s.choices.end(), t) == s.choices.end())
            error(at, key, "'" + t + "' is not one of: " + joined(s.choices));
    }

    static void setPath(Json& root, const std::string& path, const Json& value) {
        Json* node = &root;
        std::size_t start = 0;
        for (;;) {
            const auto dot = path.find('.', start);
            const std::string part = path.substr(start, dot - start);
            if (dot == std::string::npos) {
                (*node)[part] = value;
                return;
            }
            node = &(*node)[part];
            start = dot + 1;
        }
    }

    void parseSpace(const YAML::Node& node, const TaskSpec& spec, StudyConfig& c) {
        if (node.IsNull())
            return;
        m_conditions.clear();
        for (const auto& [k, v] : entries(node, "space")) {
            const std::string name = k.as<std::string>();
            const std::string key = "space." + name;
            const SettingSpec* s = spec.find(name);
            if ((!s && !spec.freeParameters) ||
                (s && (s->type == SettingType::Map || s->type == SettingType::StringList ||
                       s->type == SettingType::StringMap)))
                error(k, key,
                      "'" + name + "' is not a setting of task " + spec.kind +
                          suggestion(name, spec));
            // A free parameter (noop, command tasks) is checked against its own bounds only.
            SettingSpec freeSetting;
            if (!s) {
                freeSetting.path = name;
                freeSetting.type = SettingType::Float;
                s = &freeSetting;
            }
            ParamSpec p;
            p.name = name;
            const auto fields =
                entries(v, key, {"type", "low", "high", "log", "step", "values", "value", "when"});
            if (!v["type"])
                error(v, key + ".type", "is missing (float, int, categorical, ordinal or fixed)");
            const std::string type = string(v["type"], key + ".type");
            if (type == "float")
                p.type = ParamType::Float;
            else if (type == "int")
                p.type = ParamType::Int;
            else if (type == "categorical")
                p.type = ParamType::Categorical;
            else if (type == "ordinal")
                p.type = ParamType::Ordinal;
            else if (type == "fixed") {
                p.type = ParamType::Categorical;
                p.fixed = true;
            } else
                error(v["type"], key + ".type",
                      "'" + type +
                          "' is not a parameter type (float, int, categorical, ordinal, fixed)");
            const bool listed = p.type == ParamType::Categorical || p.type == ParamType::Ordinal;
            for (const auto& [fk, fv] : fields) {
                const std::string f = fk.as<std::string>();
                const std::string fkey = key + "." + f;
                if (f == "type") {
                    continue;
                } else if (p.fixed) {
                    if (f == "value") {
                        Json value = scalar(fv, fkey);
                        if (s != &freeSetting)
                            checkSettingValue(fv, fkey, value, *s);
                        p.choices = {value};
                    } else if (f == "when") {
                        readWhen(fv, fkey, p);
                    } else {
                        error(fk, fkey, "a fixed parameter takes value (and when), not " + f);
                    }
                } else if (f == "value") {
                    error(fk, fkey,
                          "only fixed parameters take value (use type: fixed, or values for a "
                          "categorical)");
                } else if (f == "values") {
                    if (!listed)
                        error(fk, fkey,
                              "only categorical and ordinal parameters take values (use "
                              "low/high)");
                    if (!fv.IsSequence() || fv.size() == 0)
                        error(fv, fkey, "must be a non-empty list");
                    for (std::size_t i = 0; i < fv.size(); ++i) {
                        Json value = scalar(fv[i], fkey);
                        if (s != &freeSetting)
                            checkSettingValue(fv[i], fkey, value, *s);
                        if (std::find(p.choices.begin(), p.choices.end(), value) != p.choices.end())
                            error(fv[i], fkey, "value " + value.dump() + " is listed twice");
                        p.choices.push_back(value);
                    }
                } else if (f == "when") {
                    readWhen(fv, fkey, p);
                } else if (listed) {
                    error(fk, fkey,
                          std::string(toText(p.type)) + " parameters take values, not " + f);
                } else if (f == "low") {
                    p.low = number(fv, fkey);
                } else if (f == "high") {
                    p.high = number(fv, fkey);
                } else if (f == "log") {
                    p.log = boolean(fv, fkey);
                } else if (f == "step") {
                    p.step = number(fv, fkey);
                }
            }
            if (p.fixed && p.choices.empty())
                error(v, key + ".value", "is missing: a fixed parameter needs its value");
            if (p.type == ParamType::Ordinal) {
                // the index range, so index-based samplers see an int from 0 to K - 1
                p.low = 0;
                p.high = static_cast<double>(p.choices.size()) - 1;
            }
            if (listed && p.choices.empty())
                error(v, key + ".values", "is missing");
            if (!listed) {
                if (!v["low"])
                    error(v, key + ".low", "is missing");
                if (!v["high"])
                    error(v, key + ".high", "is missing");
                if (!std::isfinite(p.low) || !std::isfinite(p.high))
                    error(v["low"], key, "low and high must be finite");
                if (p.low > p.high)
                    error(v["low"], key + ".low",
                          "low (" + fmt(p.low) + ") is greater than high (" + fmt(p.high) + ")");
                if (p.type == ParamType::Int &&
                    (p.low != std::floor(p.low) || p.high != std::floor(p.high)))
                    error(v["low"], key, "an int parameter needs whole-number low and high");
                if (p.log && p.low <= 0)
                    error(v["low"], key + ".low",
                          "a log-scale parameter needs low > 0, not " + fmt(p.low));
                if (p.step) {
                    if (!(*p.step > 0))
                        error(v["step"], key + ".step", "must be greater than 0");
                    if (p.log)
                        error(v["step"], key + ".step", "cannot be combined with log: true");
                    if (p.type == ParamType::Int && *p.step != std::floor(*p.step))
                        error(v["step"], key + ".step", "must be a whole number for int");
                }
                if (s->type == SettingType::String || s->type == SettingType::Bool)
                    error(v["type"], key + ".type",
                          "setting " + name + " takes a " +
                              (s->type == SettingType::Bool ? "boolean" : "string") +
                              ": use type: categorical");
                if (p.type == ParamType::Float && s->type == SettingType::Int)
                    error(v["type"], key + ".type",
                          "setting " + name + " takes whole numbers: use type: int");
                checkRange(v["low"], key + ".low", p.low, *s);
                checkRange(v["high"], key + ".high", p.high, *s);
            }
            c.space.params.push_back(std::move(p));
        }
        checkConditions(c.space);
        c.space.params = parentsFirst(c.space.params);
    }

    // One `when` entry, kept with its nodes until every parameter is known: a parent may be
    // declared after its child.
    struct Condition {
        std::string child, parent, key;
        YAML::Node keyNode, valueNode;
    };

    void readWhen(const YAML::Node& node, const std::string& key, ParamSpec& p) {
        for (const auto& [wk, wv] : entries(node, key)) {
            const std::string parent = wk.as<std::string>();
            Json wanted = wv.IsSequence() ? Json::array() : scalar(wv, key + "." + parent);
            if (wv.IsSequence()) {
                if (wv.size() == 0)
                    error(wv, key + "." + parent, "must name at least one value");
                for (std::size_t i = 0; i < wv.size(); ++i)
                    wanted.push_back(scalar(wv[i], key + "." + parent));
            }
            p.when[parent] = wanted;
            Condition cond{p.name, parent, key + "." + parent, {}, {}};
            cond.keyNode.reset(wk);
            cond.valueNode.reset(wv);
            m_conditions.push_back(std::move(cond));
        }
    }

    // How many values parameter `p` can take; 0 when uncountably many (a float range).
    static double domainSize(const ParamSpec& p) {
        switch (p.type) {
        case ParamType::Categorical:
        case ParamType::Ordinal:
            return static_cast<double>(p.choices.size());
        case ParamType::Int:
        case ParamType::Float: {
            if (p.low == p.high)
                return 1;
            if (p.type == ParamType::Float && !p.step)
                return 0;
            return std::floor((p.high - p.low) / p.step.value_or(1.0) + 1e-9) + 1;
        }
        }
        return 0;
    }

    // `forbidden:` a list of clauses, each a mapping of parameter names to a value or a list
    // of values; every entry must name a parameter and values it can take, and no clause may
    // forbid the whole space.
    void parseForbidden(const YAML::Node& node, SearchSpace& space) const {
        if (node.IsNull())
            return;
        if (!node.IsSequence())
            error(node, "forbidden",
                  "must be a list of clauses, e.g. [{optimizer.kind: sgd, model.depth: [4, 5]}]");
        for (std::size_t i = 0; i < node.size(); ++i) {
            const std::string key = "forbidden[" + std::to_string(i) + "]";
            const YAML::Node clauseNode = node[i];
            const auto items = entries(clauseNode, key);
            if (items.empty())
                error(clauseNode, key, "must name at least one parameter");
            Json clause = Json::object();
            bool everything = true; // the clause matches every configuration
            for (const auto& [k, v] : items) {
                const std::string name = k.as<std::string>();
                const std::string ekey = key + "." + name;
                const ParamSpec* p = space.find(name);
                if (!p)
                    error(k, ekey, "names no parameter of the space");
                std::vector<std::pair<YAML::Node, Json>> values;
                if (v.IsSequence()) {
                    if (v.size() == 0)
                        error(v, ekey, "must name at least one value");
                    for (std::size_t j = 0; j < v.size(); ++j)
                        values.emplace_back(v[j], scalar(v[j], ekey));
                } else {
                    values.emplace_back(v, scalar(v, ekey));
                }
                std::vector<Json> distinct;
                for (const auto& [at, value] : values) {
                    if (!inDomain(*p, value))
                        error(at, ekey,
                              "value " + value.dump() + " is not one " + name +
                                  " can take, so the clause never matches");
                    if (std::find(distinct.begin(), distinct.end(), value) == distinct.end())
                        distinct.push_back(value);
                }
                const double n = domainSize(*p);
                everything = everything && p->when.empty() && n > 0 &&
                             static_cast<double>(distinct.size()) >= n;
                clause[name] = v.IsSequence() ? Json(distinct) : distinct.front();
            }
            if (everything)
                error(clauseNode, key,
                      "forbids every configuration of the space (each parameter it names is "
                      "always active and listed with all its values)");
            space.forbidden.push_back(std::move(clause));
        }
    }

    // True when `value` is a value parameter `p` can take.
    static bool inDomain(const ParamSpec& p, const Json& value) {
        switch (p.type) {
        case ParamType::Categorical:
        case ParamType::Ordinal:
            return std::find(p.choices.begin(), p.choices.end(), value) != p.choices.end();
        case ParamType::Int:
        case ParamType::Float: {
            if (!value.is_number() || value.is_boolean())
                return false;
            const double x = value.get<double>();
            if (p.type == ParamType::Int && x != std::floor(x))
                return false;
            if (!(x >= p.low && x <= p.high))
                return false;
            if (p.step) {
                const double k = (x - p.low) / *p.step;
                return std::abs(k - std::round(k)) < 1e-9 * std::max(1.0, std::abs(k));
            }
            return true;
        }
        }
        return false;
    }

    // Parents must exist, differ from the child, take the values the condition names, and the
    // conditions must not form a cycle (nested conditions, to any depth, are fine).
    void checkConditions(const SearchSpace& space) const {
        for (const auto& cond : m_conditions) {
            if (cond.parent == cond.child)
                error(cond.keyNode, cond.key, "a parameter cannot depend on itself");
            const ParamSpec* parent = space.find(cond.parent);
            if (!parent)
                error(cond.keyNode, cond.key, "names no parameter of the space");
            const Json& wanted = space.find(cond.child)->when[cond.parent];
            const std::vector<Json> values =
                wanted.is_array() ? wanted.get<std::vector<Json>>() : std::vector<Json>{wanted};
            for (std::size_t i = 0; i < values.size(); ++i) {
                if (!inDomain(*parent, values[i])) {
                    YAML::Node at;
                    at.reset(cond.valueNode.IsSequence() ? cond.valueNode[i] : cond.valueNode);
                    error(at, cond.key,
                          "value " + values[i].dump() + " is not one " + cond.parent +
                              " can take, so the condition never holds");
                }
            }
        }
        // Cycles: a depth-first walk from each parameter along its conditions' parents.
        std::map<std::string, int> state; // 0 unseen, 1 on the current path, 2 done
        std::vector<std::string> path;
        std::function<void(const std::string&)> visit = [&](const std::string& name) {
            state[name] = 1;
            path.push_back(name);
            for (const auto& cond : m_conditions) {
                if (cond.child != name)
                    continue;
                if (state[cond.parent] == 1) {
                    std::string cycle;
                    auto from = std::find(path.begin(), path.end(), cond.parent);
                    for (auto it = from; it != path.end(); ++it)
                        cycle += *it + " -> ";
                    error(cond.keyNode, cond.key,
                          "the conditions form a cycle: " + cycle + cond.parent);
                }
                if (state[cond.parent] == 0)
                    visit(cond.parent);
            }
            path.pop_back();
            state[name] = 2;
        };
        for (const auto& p : space.params) {
            if (state[p.name] == 0)
                visit(p.name);
        }
    }

    // The parameters ordered parents before children (a stable topological sort: otherwise in
    // declaration order), so samplers that walk them in order meet each parent first.
    static std::vector<ParamSpec> parentsFirst(const std::vector<ParamSpec>& params) {
        std::vector<ParamSpec> out;
        std::vector<bool> placed(params.size(), false);
        std::set<std::string> done;
        while (out.size() < params.size()) {
            bool progress = false;
            for (std::size_t i = 0; i < params.size(); ++i) {
                if (placed[i])
                    continue;
                bool ready = true;
                for (const auto& [parent, wanted] : params[i].when.items())
                    ready = ready && done.count(parent) > 0;
                if (!ready)
                    continue;
                placed[i] = true;
                done.insert(params[i].name);
                out.push_back(params[i]);
                progress = true;
                break; // restart: the earliest ready parameter always goes next
            }
            if (!progress)
                throw std::logic_error("parentsFirst: cycle left after checkConditions");
        }
        return out;
    }

    void checkSettingValue(const YAML::Node& at, const std::string& key, const Json& value,
                           const SettingSpec& s) const {
        switch (s.type) {
        case SettingType::Float:
        case SettingType::Int:
            if (!value.is_number() || (s.type == SettingType::Int && !value.is_number_integer()))
                error(at, key,
                      "value " + value.dump() + " does not fit setting " + s.path + " (a " +
                          (s.type == SettingType::Int ? "whole number" : "number") + ")");
            checkRange(at, key, value.get<double>(), s);
            break;
        case SettingType::Bool:
            if (!value.is_boolean())
                error(at, key, "value " + value.dump() + " is not true or false");
            break;
        case SettingType::String:
            if (!value.is_string())
                error(at, key, "value " + value.dump() + " is not a string");
            checkChoice(at, key, value.get<std::string>(), s);
            break;
        case SettingType::Map:
        case SettingType::StringList:
        case SettingType::StringMap:
            break;
        }
    }

    Objective parseObjective(const YAML::Node& node, const std::string& key, const TaskSpec& spec) {
        Objective o;
        entries(node, key, {"metric", "direction"});
        if (!node["metric"])
            error(node, key + ".metric", "is missing");
        o.metric = string(node["metric"], key + ".metric");
        if (!spec.metrics.empty() &&
            std::find(spec.metrics.begin(), spec.metrics.end(), o.metric) == spec.metrics.end())
            error(node["metric"], key + ".metric",
                  "task " + spec.kind + " does not report '" + o.metric +
                      "' (it reports: " + joined(spec.metrics) + ")");
        if (node["direction"]) {
            const std::string d = string(node["direction"], key + ".direction");
            if (d == "minimize")
                o.direction = Direction::Minimize;
            else if (d == "maximize")
                o.direction = Direction::Maximize;
            else
                error(node["direction"], key + ".direction",
                      "'" + d + "' is not minimize or maximize");
        }
        return o;
    }

    // `constraints:` a list of {metric, min and/or max}.
    std::vector<Constraint> parseConstraints(const YAML::Node& node, const TaskSpec& spec) const {
        std::vector<Constraint> out;
        if (node.IsNull())
            return out;
        if (!node.IsSequence())
            error(node, "constraints", "must be a list, e.g. [{metric: latency_ms, max: 20}]");
        for (std::size_t i = 0; i < node.size(); ++i) {
            const std::string key = "constraints[" + std::to_string(i) + "]";
            const YAML::Node item = node[i];
            entries(item, key, {"metric", "min", "max"});
            Constraint k;
            if (!item["metric"])
                error(item, key + ".metric", "is missing");
            k.metric = string(item["metric"], key + ".metric");
            if (!spec.metrics.empty() &&
                std::find(spec.metrics.begin(), spec.metrics.end(), k.metric) == spec.metrics.end())
                error(item["metric"], key + ".metric",
                      "task " + spec.kind + " does not report '" + k.metric +
                          "' (it reports: " + joined(spec.metrics) + ")");
            for (const auto& other : out) {
                if (other.metric == k.metric)
                    error(item["metric"], key + ".metric",
                          "'" + k.metric + "' is constrained twice: give min and max in one entry");
            }
            if (item["min"])
                k.min = number(item["min"], key + ".min");
            if (item["max"])
                k.max = number(item["max"], key + ".max");
            if (!k.min && !k.max)
                error(item, key, "needs min, max or both");
            if ((k.min && std::isnan(*k.min)) || (k.max && std::isnan(*k.max)))
                error(item, key, "min and max must be numbers");
            if (k.min && k.max && *k.min > *k.max)
                error(item["min"], key + ".min",
                      "min (" + fmt(*k.min) + ") is greater than max (" + fmt(*k.max) +
                          "): no trial could be feasible");
            out.push_back(std::move(k));
        }
        return out;
    }

    void parseSampler(const YAML::Node& node, StudyConfig& c) {
        // kind first: it decides which other keys are allowed
        if (node.IsMap() && node["kind"]) {
            c.sampler.kind = string(node["kind"], "sampler.kind");
        }
        const SamplerInfo* info = findSampler(c.sampler.kind);
        if (!info)
            error(node["kind"], "sampler.kind",
                  "unknown sampler '" + c.sampler.kind + "' (available: " + joined(samplerKinds()) +
                      ")");
        std::vector<std::string> allowed = {"kind", "seed"};
        for (const auto& o : info->options)
            allowed.push_back(o.path);
        for (const auto& [k, v] : entries(node, "sampler", allowed)) {
            const std::string f = k.as<std::string>();
            if (f == "kind")
                continue;
            if (f == "seed") {
                const auto seed = integer(v, "sampler.seed");
                if (seed < 0)
                    error(v, "sampler.seed", "must not be negative");
                c.sampler.seed = static_cast<std::uint64_t>(seed);
                continue;
            }
            for (const auto& o : info->options) {
                if (o.path == f)
                    c.sampler.options[f] = settingValue(v, "sampler." + f, o);
            }
        }
        for (const auto& o : info->options) {
            if (!c.sampler.options.contains(o.path))
                c.sampler.options[o.path] = o.defaultValue;
        }
    }

    // A grid larger than the budget would silently leave part of the space unexplored, so it
    // is refused unless the file says truncate; a smaller one sets the budget to its size.
    void checkGrid(const YAML::Node& at, StudyConfig& c) const {
        std::size_t size = 0;
        try {
            size = GridSampler::gridSize(c.space, c.sampler.options);
        } catch (const std::invalid_argument& e) {
            error(at, "sampler", e.what());
        }
        if (size == 0)
            error(at, "sampler", "every point of the grid is forbidden");
        const auto budget = static_cast<std::size_t>(c.budget.trials);
        if (size > budget && !c.sampler.options.value("truncate", false))
            error(at, "sampler",
                  "the grid has " + std::to_string(size) + " points but budget.trials is " +
                      std::to_string(budget) +
                      ": raise budget.trials, make the grid coarser, or set truncate: true");
        if (size < budget)
            c.budget.trials = static_cast<int>(size);
    }

    // A crossed design must be able to build its settings, and a budget smaller than their
    // number would leave some setting without a single trial.
    void checkCrossed(const YAML::Node& at, StudyConfig& c) const {
        std::size_t settings = 0;
        try {
            settings = CrossedSampler::settingCount(c.space, c.sampler.options);
        } catch (const std::invalid_argument& e) {
            error(at, "sampler", e.what());
        }
        if (settings == 0)
            error(at, "sampler", "every setting of the crossed grid is forbidden");
        if (static_cast<std::size_t>(c.budget.trials) < settings)
            error(at, "sampler",
                  "the crossed grid has " + std::to_string(settings) +
                      " settings but budget.trials is " + std::to_string(c.budget.trials) +
                      ": give every setting trials (budget.trials = settings x draws per "
                      "setting)");
    }

    // Iterative deepening continues trials from checkpoints up to the scheduler's maximum, so
    // the task must be able to resume and must run exactly that many steps.
    void checkDeepening(const YAML::Node& node, const TaskSpec& spec, const StudyConfig& c) {
        if (!spec.resumable)
            error(node["kind"], "scheduler.kind",
                  "idhb continues trials from checkpoints, and tasks of kind '" + spec.kind +
                      "' cannot resume; use hyperband");
        if (spec.budgetSetting.empty())
            return;
        if (c.space.find(spec.budgetSetting))
            error(node, "scheduler",
                  "idhb sets how long trials run, so task." + spec.budgetSetting +
                      " cannot be a searched parameter");
        const Json::json_pointer at = settingPointer(spec.budgetSetting);
        const std::int64_t max = c.scheduler.options.value("max", std::int64_t{0});
        if (!c.task.contains(at) || !c.task.at(at).is_number_integer() ||
            c.task.at(at).get<std::int64_t>() != max)
            error(node["max"] ? node["max"] : node, "scheduler.max",
                  "is " + std::to_string(max) + " but task." + spec.budgetSetting + " is " +
                      (c.task.contains(at) ? c.task.at(at).dump() : std::string("unset")) +
                      ": under idhb a full trial runs max steps, so the two must be equal "
                      "(raise both to deepen the study)");
    }

    void parseScheduler(const YAML::Node& node, StudyConfig& c) {
        if (node.IsMap() && node["kind"])
            c.scheduler.kind = string(node["kind"], "scheduler.kind");
        const SchedulerInfo* info = findScheduler(c.scheduler.kind);
        if (!info)
            error(node["kind"], "scheduler.kind",
                  "unknown scheduler '" + c.scheduler.kind +
                      "' (available: " + joined(schedulerKinds()) + ")");
        std::vector<std::string> allowed = {"kind"};
        for (const auto& o : info->options)
            allowed.push_back(o.path);
        for (const auto& [k, v] : entries(node, "scheduler", allowed)) {
            const std::string f = k.as<std::string>();
            for (const auto& o : info->options) {
                if (o.path == f)
                    c.scheduler.options[f] = settingValue(v, "scheduler." + f, o);
            }
        }
        for (const auto& o : info->options) {
            if (!c.scheduler.options.contains(o.path))
                c.scheduler.options[o.path] = o.defaultValue;
        }
        // Check what the scheduler itself refuses (e.g. min > max) here, with the line.
        try {
            SchedulerConfig probe{c.scheduler.kind, c.scheduler.options, Direction::Minimize, ""};
            makeScheduler(probe);
        } catch (const std::invalid_argument& e) {
            error(node, "scheduler", e.what());
        }
    }

    static double duration(const std::string& text) { return parseDuration(text); }

    void parseBudget(const YAML::Node& node, StudyConfig& c) {
        for (const auto& [k, v] : entries(node, "budget", {"trials", "parallel", "timeout"})) {
            const std::string f = k.as<std::string>();
            const std::string key = "budget." + f;
            if (f == "timeout") {
                c.budget.timeoutSeconds = duration(string(v, key));
                if (c.budget.timeoutSeconds < 0)
                    error(v, key,
                          "'" + v.as<std::string>() + "' is not a duration (e.g. 90s, 30m, 2h)");
                continue;
            }
            const auto n = integer(v, key);
            if (n < 1 || n > 10'000'000)
                error(v, key, "must be between 1 and 10000000, not " + std::to_string(n));
            (f == "trials" ? c.budget.trials : c.budget.parallel) = static_cast<int>(n);
        }
    }

    void parseExecutor(const YAML::Node& node, StudyConfig& c) {
        for (const auto& [k, v] :
             entries(node, "executor", {"kind", "workers", "max_attempts", "heartbeat_timeout"})) {
            const std::string f = k.as<std::string>();
            const std::string key = "executor." + f;
            if (f == "kind") {
                const std::string kind = string(v, key);
                if (kind != "local")
                    error(v, key, "unknown executor '" + kind + "' (available: local)");
            } else if (f == "workers") {
                if (string(v, key) == "auto")
                    continue;
                const auto n = integer(v, key);
                if (n < 1 || n > 1024)
                    error(v, key, "must be auto or between 1 and 1024");
                c.workers = static_cast<int>(n);
            } else if (f == "max_attempts") {
                const auto n = integer(v, key);
                if (n < 1 || n > 100)
                    error(v, key, "must be between 1 and 100");
                c.maxAttempts = static_cast<int>(n);
            } else {
                c.heartbeatTimeoutSeconds = duration(string(v, key));
                if (c.heartbeatTimeoutSeconds < 5)
                    error(v, key, "must be a duration of at least 5s (e.g. 60s, 10m)");
            }
        }
    }

    std::string m_file;
    const TaskCatalog& m_catalog;
    std::vector<Condition> m_conditions; // of the space being parsed

public:
    std::string baseDir; // relative paths in the task's path settings are taken from here

private:
};

} // namespace

double parseDuration(const std::string& text) {
    static const std::regex re("([0-9]*\\.?[0-9]+)\\s*(s|m|h|d)?");
    std::smatch m;
    if (!std::regex_match(text, m, re))
        return -1;
    const double x = std::stod(m[1]);
    const std::string unit = m[2];
    return x * (unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 1);
}

StudyConfig parseStudyText(const std::string& text, const std::string& fileName,
                           const std::string& baseDir, const TaskCatalog& catalog, bool checkData) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw StudyFileError(fileName, e.mark.line + 1, e.mark.column + 1, "", e.msg);
    }
    Parser parser(fileName, catalog);
    parser.baseDir = std::filesystem::absolute(baseDir).lexically_normal().string();
    StudyConfig c = parser.parse(root, checkData);
    c.text = text;
    c.baseDir = parser.baseDir;
    if (c.storageUrl.empty())
        c.storageUrl = "sqlite:" + c.name + ".db";
    try {
        c.storageUrl = resolveStorageUrl(c.storageUrl, c.baseDir);
    } catch (const StorageError& e) {
        parser.error(root["storage"], "storage", e.what());
    }
    if (c.workers == 0)
        c.workers = c.budget.parallel;
    return c;
}

std::vector<Constraint> readConstraints(const std::string& text) {
    std::vector<Constraint> out;
    try {
        const YAML::Node root = YAML::Load(text);
        if (!root.IsMap() || !root["constraints"] || !root["constraints"].IsSequence())
            return out;
        for (const auto& item : root["constraints"]) {
            if (!item.IsMap() || !item["metric"])
                return {};
            Constraint k;
            k.metric = item["metric"].as<std::string>();
            if (item["min"])
                k.min = item["min"].as<double>();
            if (item["max"])
                k.max = item["max"].as<double>();
            out.push_back(std::move(k));
        }
    } catch (const YAML::Exception&) {
        return {};
    }
    return out;
}

StudyConfig parseStudyFile(const std::string& path, const TaskCatalog& catalog, bool checkData) {
    std::ifstream in(path);
    if (!in)
        throw StudyFileError(path, 0, 0, "", "cannot read the file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const auto abs = std::filesystem::absolute(path).lexically_normal();
    StudyConfig c =
        parseStudyText(buffer.str(), path, abs.parent_path().string(), catalog, checkData);
    c.file = abs.string();
    return c;
}

} // namespace ps
