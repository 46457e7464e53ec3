#pragma once
// An editable study file: what the user wrote, section by section, before any default is
// filled in or anything is checked. The study editor's forms read and change it, and it
// writes the same YAML back. parseStudyText on toYaml() is what checks it: a document may
// hold anything a user can type (a bound that is not a number, an unknown option), so that
// the parser, not the forms, says what is wrong and where.
//
// The round trip is semantic: parsing toYaml(fromYaml(text)) gives the same StudyConfig as
// parsing `text`. Comments are not kept (yaml-cpp drops them), except the header comment
// block above the first key; commentLines() says how many would be lost.
//
// Plain value type, no Qt; any thread.

#include "core/study/trial.h"

#include <string>
#include <utility>
#include <vector>

namespace ps {

// One entry of `space:`. Fields hold the values as written (null: absent), so a bound the
// user typed as text stays text and the parser refuses it with its line.
struct ParamEntry {
    std::string name;            // dotted setting path, e.g. "optimizer.lr"
    std::string type = "float";  // float, int, categorical, ordinal, fixed (as written)
    Json low, high, step, log;   // float, int
    Json values = Json::array(); // categorical, ordinal
    Json value;                  // fixed
    Json when = Json::object();  // {parent: value or [values]}
    Json other = Json::object(); // keys the parser does not know, kept so it can say so
};

struct ObjectiveEntry {
    std::string metric;
    std::string direction = "minimize";
};

struct ConstraintEntry {
    std::string metric;
    Json min, max; // null: absent
};

struct StudyDocument {
    std::string headerComment; // the comment lines above the first key, with their '#'
    std::string name;
    std::string description;
    std::string taskKind;
    // The task section less kind, only what the file sets, nested as the file nests it
    // ({"dataset": {"name": ...}}; a dotted key "a.b" is read as well).
    Json task = Json::object();
    std::vector<ParamEntry> space;
    Json forbidden; // the `forbidden:` list as written; null when absent
    std::vector<ObjectiveEntry> objectives;
    std::vector<ConstraintEntry> constraints;
    std::string samplerKind;              // "" with no kind given (the parser's default: random)
    Json samplerSeed;                     // null: absent
    Json samplerOptions = Json::object(); // only the options the file sets
    std::string schedulerKind;            // "" with no scheduler section
    Json schedulerOptions = Json::object();
    Json budgetTrials, budgetParallel, budgetTimeout; // null: absent
    Json executor = Json::object();                   // the `executor:` keys as written
    std::string storage;                              // "" when absent
    // Top-level sections this model does not know, in file order, kept so nothing is lost
    // (the parser refuses unknown sections, so validation points at them).
    std::vector<std::pair<std::string, Json>> otherSections;
    // The order keys of mappings appeared in ("task.dataset", "task.dataset.name",
    // "sampler.n_startup_trials", ...), so that toYaml() keeps the file's order; keys not
    // listed follow in alphabetical order. setTaskSetting appends what it adds.
    std::vector<std::string> keyOrder;

    // Reads `text`; throws StudyFileError (file `fileName`, line, key) on YAML it cannot hold:
    // a syntax error, a root or section of the wrong shape. Checks nothing else.
    static StudyDocument fromYaml(const std::string& text, const std::string& fileName = "");
    // The study file: header comment, then the sections in a fixed order, parameters and
    // small groups of settings in flow style.
    std::string toYaml() const;

    // A task setting by dotted path: what the file sets, or null.
    Json taskSetting(const std::string& path) const;
    // Sets it (nested under its groups); a null `value` removes it, and groups left empty.
    void setTaskSetting(const std::string& path, const Json& value);

    ParamEntry* findParam(const std::string& name);
    const ParamEntry* findParam(const std::string& name) const;

    // A new study to start from: the classify task on Fashion-MNIST, a small space, TPE.
    static StudyDocument newStudyTemplate(const std::string& name);
};

// The JSON value a plain scalar reads as in a study file: true/false as booleans, numbers as
// numbers, anything else as a string (the study-file parser's rule).
Json scalarFromText(const std::string& text);
// A value as YAML flow text ("[a, b]", "0.001", "\"9\"") that scalarFromText / fromYaml read
// back as the same value; for forms that edit lists and maps in one line.
std::string toYamlFlow(const Json& value);
// A one-line YAML value ("[python3, train.py]", "{A: \"1\"}", "0.3") as JSON; throws
// StudyFileError (key `key`) when it is not YAML.
Json fromYamlFlow(const std::string& text, const std::string& key = "");
// How many lines of `text` hold a comment that toYaml() would not keep (the header block
// excepted).
int commentLines(const std::string& text);

} // namespace ps
