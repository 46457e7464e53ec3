#include "core/space/study_document.h"

#include "core/space/study_file.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace ps {

namespace {

[[noreturn]] void fail(const std::string& file, const YAML::Node& at, const std::string& key,
                       const std::string& message) {
    const auto mark = at.Mark();
    const bool known = mark.line >= 0;
    throw StudyFileError(file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key,
                         message);
}

// Reads a YAML tree into the document, remembering the order keys came in.
class Reader {
public:
    Reader(std::string file, std::vector<std::string>& order)
        : m_file(std::move(file)), m_order(order) {}

    [[noreturn]] void error(const YAML::Node& at, const std::string& key,
                            const std::string& message) const {
        fail(m_file, at, key, message);
    }

    // Any node as JSON: quoted scalars stay strings, plain ones read as the parser reads them.
    Json toJson(const YAML::Node& n, const std::string& path) {
        switch (n.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return nullptr;
        case YAML::NodeType::Scalar:
            return n.Tag() == "!" ? Json(n.as<std::string>()) : scalarFromText(n.as<std::string>());
        case YAML::NodeType::Sequence: {
            Json out = Json::array();
            for (std::size_t i = 0; i < n.size(); ++i)
                out.push_back(toJson(n[i], path + "." + std::to_string(i)));
            return out;
        }
        case YAML::NodeType::Map: {
            Json out = Json::object();
            for (const auto& [k, v] : entries(n, path)) {
                const std::string key = k.as<std::string>();
                out[key] = toJson(v, path + "." + key);
            }
            return out;
        }
        }
        return nullptr;
    }

    // A mapping's entries; refuses a non-mapping and a key given twice, records the order.
    std::vector<std::pair<YAML::Node, YAML::Node>> entries(const YAML::Node& map,
                                                           const std::string& where) {
        if (!map.IsMap())
            error(map, where, "must be a mapping (key: value pairs)");
        std::vector<std::pair<YAML::Node, YAML::Node>> out;
        std::set<std::string> seen;
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!it->first.IsScalar())
                error(it->first, where, "keys must be plain names");
            const std::string k = it->first.as<std::string>();
            const std::string path = where.empty() ? k : where + "." + k;
            if (!seen.insert(k).second)
                error(it->first, path, "is given twice");
            m_order.push_back(path);
            out.emplace_back(it->first, it->second);
        }
        return out;
    }

    std::string string(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar())
            error(n, key, "must be a single value");
        return n.as<std::string>();
    }

    ParamEntry param(const YAML::Node& keyNode, const YAML::Node& v) {
        ParamEntry p;
        p.name = keyNode.as<std::string>();
        const std::string where = "space." + p.name;
        p.type.clear(); // absent unless given
        for (const auto& [fk, fv] : entries(v, where)) {
            const std::string f = fk.as<std::string>();
            const std::string key = where + "." + f;
            if (f == "type")
                p.type = string(fv, key);
            else if (f == "low")
                p.low = toJson(fv, key);
            else if (f == "high")
                p.high = toJson(fv, key);
            else if (f == "step")
                p.step = toJson(fv, key);
            else if (f == "log")
                p.log = toJson(fv, key);
            else if (f == "values")
                p.values = toJson(fv, key);
            else if (f == "value")
                p.value = toJson(fv, key);
            else if (f == "when")
                p.when = toJson(fv, key);
            else
                p.other[f] = toJson(fv, key);
        }
        return p;
    }

    ObjectiveEntry objective(const YAML::Node& n, const std::string& where) {
        ObjectiveEntry o;
        for (const auto& [k, v] : entries(n, where)) {
            const std::string f = k.as<std::string>();
            if (f == "metric")
                o.metric = string(v, where + ".metric");
            else if (f == "direction")
                o.direction = string(v, where + ".direction");
            else
                error(k, where + "." + f, "unknown key (expected metric, direction)");
        }
        if (o.metric.empty())
            error(n, where + ".metric", "is missing");
        return o;
    }

    ConstraintEntry constraint(const YAML::Node& n, const std::string& where) {
        ConstraintEntry c;
        for (const auto& [k, v] : entries(n, where)) {
            const std::string f = k.as<std::string>();
            if (f == "metric")
                c.metric = string(v, where + ".metric");
            else if (f == "min")
                c.min = toJson(v, where + ".min");
            else if (f == "max")
                c.max = toJson(v, where + ".max");
            else
                error(k, where + "." + f, "unknown key (expected metric, min, max)");
        }
        return c;
    }

    // sampler / scheduler: kind, seed (sampler only) and options.
    void options(const YAML::Node& n, const std::string& where, std::string& kind, Json* seed,
                 Json& opts) {
        if (n.IsNull())
            return;
        for (const auto& [k, v] : entries(n, where)) {
            const std::string f = k.as<std::string>();
            if (f == "kind")
                kind = string(v, where + ".kind");
            else if (f == "seed" && seed)
                *seed = toJson(v, where + ".seed");
            else
                opts[f] = toJson(v, where + "." + f);
        }
    }

private:
    std::string m_file;
    std::vector<std::string>& m_order;
};

// The comment lines above the first key, and where that key starts.
std::size_t headerEnd(const std::string& text) {
    std::size_t pos = 0, end = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::size_t next = nl == std::string::npos ? text.size() : nl + 1;
        const std::string line = text.substr(pos, next - pos);
        const auto first = line.find_first_not_of(" \t\r\n");
        if (first == std::string::npos) {
            pos = next; // blank: part of the header only if a comment follows
            continue;
        }
        if (line[first] != '#')
            break;
        pos = next;
        end = next;
    }
    return end;
}

// Where a comment starts in `line` (outside quotes), or npos.
std::size_t commentStart(const std::string& line) {
    char quote = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quote) {
            if (c == '\\' && quote == '"')
                ++i;
            else if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            // a quote opens a quoted scalar only where a scalar starts
            if (i == 0 || std::strchr(" \t[{,:-", line[i - 1]))
                quote = c;
        } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
            return i;
        }
    }
    return std::string::npos;
}

std::string formatDouble(double x) {
    if (std::isnan(x))
        return ".nan";
    if (std::isinf(x))
        return x > 0 ? ".inf" : "-.inf";
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    const std::string s(buf, r.ptr);
    const auto e = s.find('e');
    std::string mantissa = s.substr(0, e);
    // "1.0" rather than "1": a plain 1 reads back as an integer
    if (mantissa.find('.') == std::string::npos)
        mantissa += ".0";
    if (e == std::string::npos)
        return mantissa;
    std::string exponent = s.substr(e + 1);
    std::string sign;
    if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) {
        if (exponent[0] == '-')
            sign = "-";
        exponent.erase(0, 1);
    }
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    return mantissa + "e" + sign + exponent;
}

// True when `s` can be written unquoted and reads back as the same string.
bool plainSafe(const std::string& s, bool flow) {
    if (s.empty() || !scalarFromText(s).is_string())
        return false;
    if (s == "null" || s == "Null" || s == "NULL" || s == "~")
        return false;
    if (std::isspace(static_cast<unsigned char>(s.front())) ||
        std::isspace(static_cast<unsigned char>(s.back())))
        return false;
    if (std::strchr("?:,[]{}#&*!|>'\"%@`", s[0]))
        return false;
    if (s[0] == '-' && (s.size() == 1 || s[1] == ' '))
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f)
            return false;
        if (c == ':' && (flow || i + 1 == s.size() || s[i + 1] == ' '))
            return false;
        if (c == '#' && s[i - 1] == ' ')
            return false;
        if (flow && std::strchr(",[]{}", c))
            return false;
    }
    return true;
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (ch == '\n') {
            out += "\\n";
        } else if (ch == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string scalarText(const std::string& s, bool flow) {
    return plainSafe(s, flow) ? s : quoted(s);
}

// Writes values; mappings in the order the file gave their keys.
class Writer {
public:
    explicit Writer(const std::vector<std::string>& order) {
        for (std::size_t i = 0; i < order.size(); ++i)
            m_rank.emplace(order[i], static_cast<int>(i)); // first appearance wins
    }

    std::vector<std::string> keys(const Json& object, const std::string& path) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : object.items())
            out.push_back(k);
        const auto rank = [&](const std::string& k) {
            const auto it = m_rank.find(path.empty() ? k : path + "." + k);
            return it == m_rank.end() ? std::numeric_limits<int>::max() : it->second;
        };
        std::stable_sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
            return rank(a) < rank(b);
        });
        return out;
    }

    std::string flow(const Json& v, const std::string& path) const {
        switch (v.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::boolean:
            return v.get<bool>() ? "true" : "false";
        case Json::value_t::number_integer:
            return std::to_string(v.get<std::int64_t>());
        case Json::value_t::number_unsigned:
            return std::to_string(v.get<std::uint64_t>());
        case Json::value_t::number_float:
            return formatDouble(v.get<double>());
        case Json::value_t::string:
            return scalarText(v.get<std::string>(), true);
        case Json::value_t::array: {
            std::string out = "[";
            for (std::size_t i = 0; i < v.size(); ++i)
                out += (i ? ", " : "") + flow(v[i], path + "." + std::to_string(i));
            return out + "]";
        }
        case Json::value_t::object: {
            std::string out = "{";
            bool first = true;
            for (const auto& k : keys(v, path)) {
                out +=
                    (first ? "" : ", ") + scalarText(k, true) + ": " + flow(v[k], path + "." + k);
                first = false;
            }
            return out + "}";
        }
        default:
            return "null";
        }
    }

    // A mapping's entries in block style at `indent`; a value that is a small group (its own
    // values all scalars or lists of scalars) goes on one line in flow style.
    void block(std::ostream& out, const Json& object, const std::string& path, int indent) const {
        const std::string pad(static_cast<std::size_t>(indent), ' ');
        for (const auto& k : keys(object, path)) {
            const Json& v = object[k];
            const std::string sub = path.empty() ? k : path + "." + k;
            out << pad << scalarText(k, false) << ":";
            if (v.is_object() && !v.empty() &&
                !isFlat(v, sub, indent + static_cast<int>(k.size()) + 2)) {
                out << "\n";
                block(out, v, sub, indent + 2);
            } else if (v.is_array() && !v.empty() &&
                       !isFlat(v, sub, indent + static_cast<int>(k.size()) + 2)) {
                out << "\n";
                for (std::size_t i = 0; i < v.size(); ++i)
                    out << pad << "  - " << flow(v[i], sub + "." + std::to_string(i)) << "\n";
            } else {
                out << " "
                    << (v.is_string() ? scalarText(v.get<std::string>(), false) : flow(v, sub))
                    << "\n";
            }
        }
    }

    // Short enough for one line, and only scalars inside (a mapping may hold lists of
    // scalars): a group of groups reads better as a block.
    bool isFlat(const Json& v, const std::string& path, int column) const {
        for (const auto& item : v) {
            if (item.is_object() || (item.is_array() && v.is_array()))
                return false;
            if (item.is_array()) {
                for (const auto& inner : item) {
                    if (inner.is_structured())
                        return false;
                }
            }
        }
        return column + static_cast<int>(flow(v, path).size()) <= 100;
    }

private:
    std::map<std::string, int> m_rank;
};

// The JSON pointer-like walk for dotted setting paths: at each level, the rest of the path may
// be one key ("a.b: 1") or start a nested group ("a: {b: 1}").
const Json* findSetting(const Json& node, const std::string& path) {
    if (!node.is_object())
        return nullptr;
    if (auto it = node.find(path); it != node.end())
        return &*it;
    for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
        if (auto it = node.find(path.substr(0, dot)); it != node.end())
            if (const Json* found = findSetting(*it, path.substr(dot + 1)))
                return found;
    }
    return nullptr;
}

bool eraseSetting(Json& node, const std::string& path) {
    if (!node.is_object())
        return false;
    if (node.erase(path) > 0)
        return true;
    for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
        auto it = node.find(path.substr(0, dot));
        if (it != node.end() && eraseSetting(*it, path.substr(dot + 1))) {
            if (it->is_object() && it->empty())
                node.erase(it);
            return true;
        }
    }
    return false;
}

} // namespace

Json scalarFromText(const std::string& t) {
    if (t == "true" || t == "false")
        return t == "true";
    static const std::regex intRe("[-+]?[0-9]+");
    if (std::regex_match(t, intRe)) {
        try {
            return static_cast<std::int64_t>(std::stoll(t));
        } catch (const std::out_of_range&) {
            // too large for an integer: read as a number below, as the parser's strtod does
        }
    }
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (!t.empty() && *end == '\0')
        return v;
    return t;
}

std::string toYamlFlow(const Json& value) {
    return Writer({}).flow(value, "");
}

Json fromYamlFlow(const std::string& text, const std::string& key) {
    YAML::Node node;
    try {
        node = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw StudyFileError("", 0, e.mark.column + 1, key, e.msg);
    }
    std::vector<std::string> order;
    return Reader("", order).toJson(node, key);
}

int commentLines(const std::string& text) {
    int count = 0;
    std::istringstream in(text.substr(headerEnd(text)));
    for (std::string line; std::getline(in, line);) {
        if (commentStart(line) != std::string::npos)
            ++count;
    }
    return count;
}

StudyDocument StudyDocument::fromYaml(const std::string& text, const std::string& fileName) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw StudyFileError(fileName, e.mark.line + 1, e.mark.column + 1, "", e.msg);
    }
    if (!root.IsDefined() || root.IsNull())
        throw StudyFileError(fileName, 0, 0, "", "the file is empty");
    StudyDocument d;
    d.headerComment = text.substr(0, headerEnd(text));
    Reader r(fileName, d.keyOrder);
    bool hasObjective = false, hasObjectives = false;
    for (const auto& [k, v] : r.entries(root, "")) {
        const std::string key = k.as<std::string>();
        if (key == "name") {
            d.name = r.string(v, key);
        } else if (key == "description") {
            d.description = r.string(v, key);
        } else if (key == "storage") {
            d.storage = r.string(v, key);
        } else if (key == "task") {
            for (const auto& [tk, tv] : r.entries(v, "task")) {
                const std::string setting = tk.as<std::string>();
                if (setting == "kind")
                    d.taskKind = r.string(tv, "task.kind");
                else
                    d.task[setting] = r.toJson(tv, "task." + setting);
            }
        } else if (key == "space") {
            if (v.IsNull())
                continue;
            for (const auto& [pk, pv] : r.entries(v, "space"))
                d.space.push_back(r.param(pk, pv));
        } else if (key == "objective") {
            if (hasObjectives)
                r.error(k, key, "give either objective or objectives, not both");
            hasObjective = true;
            d.objectives.push_back(r.objective(v, key));
        } else if (key == "objectives") {
            if (hasObjective)
                r.error(k, key, "give either objective or objectives, not both");
            hasObjectives = true;
            if (!v.IsSequence())
                r.error(v, key, "must be a list, e.g. [{metric: val_loss, direction: minimize}]");
            for (std::size_t i = 0; i < v.size(); ++i)
                d.objectives.push_back(r.objective(v[i], key + "[" + std::to_string(i) + "]"));
        } else if (key == "constraints") {
            if (v.IsNull())
                continue;
            if (!v.IsSequence())
                r.error(v, key, "must be a list, e.g. [{metric: latency_ms, max: 20}]");
            for (std::size_t i = 0; i < v.size(); ++i)
                d.constraints.push_back(r.constraint(v[i], key + "[" + std::to_string(i) + "]"));
        } else if (key == "forbidden") {
            d.forbidden = r.toJson(v, key);
        } else if (key == "sampler") {
            r.options(v, key, d.samplerKind, &d.samplerSeed, d.samplerOptions);
        } else if (key == "scheduler") {
            r.options(v, key, d.schedulerKind, nullptr, d.schedulerOptions);
        } else if (key == "budget") {
            for (const auto& [bk, bv] : r.entries(v, key)) {
                const std::string f = bk.as<std::string>();
                if (f == "trials")
                    d.budgetTrials = r.toJson(bv, "budget.trials");
                else if (f == "parallel")
                    d.budgetParallel = r.toJson(bv, "budget.parallel");
                else if (f == "timeout")
                    d.budgetTimeout = r.toJson(bv, "budget.timeout");
                else
                    r.error(bk, "budget." + f, "unknown key (expected trials, parallel, timeout)");
            }
        } else if (key == "executor") {
            if (!v.IsMap())
                r.error(v, key, "must be a mapping (key: value pairs)");
            d.executor = r.toJson(v, key);
        } else {
            d.otherSections.emplace_back(key, r.toJson(v, key));
        }
    }
    return d;
}

std::string StudyDocument::toYaml() const {
    const Writer w(keyOrder);
    std::ostringstream out;
    if (!headerComment.empty()) {
        out << headerComment;
        if (headerComment.back() != '\n')
            out << '\n';
    }
    if (!name.empty())
        out << "name: " << scalarText(name, false) << "\n";
    if (!description.empty())
        out << "description: " << scalarText(description, false) << "\n";
    out << "task:\n";
    if (!taskKind.empty())
        out << "  kind: " << scalarText(taskKind, false) << "\n";
    w.block(out, task, "task", 2);
    if (!space.empty()) {
        out << "space:\n";
        std::size_t width = 0; // the parameters' declarations line up, as the examples do
        for (const auto& p : space) {
            if (p.name.size() <= 28)
                width = std::max(width, scalarText(p.name, false).size());
        }
        for (const auto& p : space) {
            Json fields = Json::object();
            std::vector<std::string> order;
            const auto put = [&](const char* key, const Json& value) {
                if (!value.is_null()) {
                    fields[key] = value;
                    order.push_back(std::string("p.") + key);
                }
            };
            if (!p.type.empty())
                put("type", p.type);
            put("value", p.value);
            if (!p.values.is_array() || !p.values.empty())
                put("values", p.values);
            put("low", p.low);
            put("high", p.high);
            put("log", p.log);
            put("step", p.step);
            if (!p.when.is_object() || !p.when.empty())
                put("when", p.when);
            for (const auto& [k, v] : p.other.items())
                put(k.c_str(), v);
            std::vector<std::string> ranks = order;
            for (const auto& k : keyOrder) // the order of `when`'s parents as written
                if (k.rfind("space." + p.name + ".when.", 0) == 0)
                    ranks.push_back("p.when." + k.substr(p.name.size() + 12));
            const std::string key = scalarText(p.name, false) + ":";
            out << "  " << key << std::string(std::max(width + 1, key.size()) - key.size() + 1, ' ')
                << Writer(ranks).flow(fields, "p") << "\n";
        }
    }
    if (!forbidden.is_null()) {
        Json section = Json::object();
        section["forbidden"] = forbidden;
        w.block(out, section, "", 0);
    }
    if (!constraints.empty()) {
        out << "constraints:\n";
        for (const auto& c : constraints) {
            Json item = {{"metric", c.metric}};
            if (!c.min.is_null())
                item["min"] = c.min;
            if (!c.max.is_null())
                item["max"] = c.max;
            out << "  - " << Writer({"metric", "min", "max"}).flow(item, "") << "\n";
        }
    }
    if (!objectives.empty()) {
        out << "objectives:\n";
        for (const auto& o : objectives) {
            Json item = {{"metric", o.metric}};
            if (!o.direction.empty())
                item["direction"] = o.direction;
            out << "  - " << Writer({"metric", "direction"}).flow(item, "") << "\n";
        }
    }
    Json tail = Json::object(); // the one-line sections, in this order
    std::vector<std::string> tailOrder = {"sampler",       "sampler.kind",    "sampler.seed",
                                          "scheduler",     "scheduler.kind",  "budget",
                                          "budget.trials", "budget.parallel", "budget.timeout",
                                          "executor",      "storage"};
    tailOrder.insert(tailOrder.end(), keyOrder.begin(), keyOrder.end());
    if (!samplerKind.empty() || !samplerSeed.is_null() || !samplerOptions.empty()) {
        Json s = samplerOptions;
        if (!samplerKind.empty())
            s["kind"] = samplerKind;
        if (!samplerSeed.is_null())
            s["seed"] = samplerSeed;
        tail["sampler"] = s;
    }
    if (!schedulerKind.empty() || !schedulerOptions.empty()) {
        Json s = schedulerOptions;
        if (!schedulerKind.empty())
            s["kind"] = schedulerKind;
        tail["scheduler"] = s;
    }
    Json budget = Json::object();
    if (!budgetTrials.is_null())
        budget["trials"] = budgetTrials;
    if (!budgetParallel.is_null())
        budget["parallel"] = budgetParallel;
    if (!budgetTimeout.is_null())
        budget["timeout"] = budgetTimeout;
    if (!budget.empty())
        tail["budget"] = budget;
    if (!executor.is_object() || !executor.empty())
        tail["executor"] = executor;
    if (!storage.empty())
        tail["storage"] = storage;
    Writer(tailOrder).block(out, tail, "", 0);
    for (const auto& [key, value] : otherSections) {
        Json section = Json::object();
        section[key] = value;
        w.block(out, section, "", 0);
    }
    return out.str();
}

Json StudyDocument::taskSetting(const std::string& path) const {
    const Json* found = findSetting(task, path);
    return found ? *found : Json();
}

void StudyDocument::setTaskSetting(const std::string& path, const Json& value) {
    eraseSetting(task, path);
    if (value.is_null())
        return;
    Json* node = &task;
    std::size_t start = 0;
    for (;;) {
        const auto dot = path.find('.', start);
        const std::string prefix = "task." + path.substr(0, dot);
        if (std::find(keyOrder.begin(), keyOrder.end(), prefix) == keyOrder.end())
            keyOrder.push_back(prefix);
        const std::string part = path.substr(start, dot - start);
        if (dot == std::string::npos) {
            (*node)[part] = value;
            return;
        }
        if (!(*node)[part].is_object())
            (*node)[part] = Json::object();
        node = &(*node)[part];
        start = dot + 1;
    }
}

ParamEntry* StudyDocument::findParam(const std::string& paramName) {
    for (auto& p : space) {
        if (p.name == paramName)
            return &p;
    }
    return nullptr;
}

const ParamEntry* StudyDocument::findParam(const std::string& paramName) const {
    return const_cast<StudyDocument*>(this)->findParam(paramName);
}

StudyDocument StudyDocument::newStudyTemplate(const std::string& studyName) {
    // Written as a user would write it, so the template reads like the examples.
    return fromYaml("name: " + scalarText(studyName, false) + R"(
description: an MLP on a Fashion-MNIST subset
task:
  kind: classify
  dataset: {name: fashion-mnist, subset: 6000, val_fraction: 0.2, seed: 0}
  model: {kind: mlp, width: 128, depth: 2}
  optimizer: {kind: adam, lr: 1.0e-3}
  epochs: 3
  device: cpu
space:
  optimizer.lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
  model.width:  {type: categorical, values: [64, 128, 256]}
  model.depth:  {type: int, low: 1, high: 3}
objectives:
  - {metric: val_loss, direction: minimize}
sampler: {kind: tpe, seed: 1, n_startup_trials: 5}
budget: {trials: 20, parallel: 2}
)");
}

} // namespace ps
