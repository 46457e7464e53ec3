// `paramscope-worker augment-grid`: the settings come from a JSON file (the task's settings
// object) or a study file, the parameters go on top as a trial's do (taskSettingsFor), and
// the grid is written as PGM/PPM.

#include "app/worker/augment_grid_command.h"

#include "core/execution/builtin_tasks.h"
#include "core/execution/task.h"
#include "core/space/setting_pointer.h"
#include "core/space/study_config.h"
#include "core/space/study_file.h"
#include "core/train/augment_grid.h"
#include "core/train/train_tasks.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace ps {

namespace {

// A mistake in what the command was given (an argument, a setting): exit code 2.
class UsageError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

void printUsage(FILE* out) {
    std::fputs(
        "usage: paramscope-worker augment-grid --settings FILE [--params JSON] [--rows N]\n"
        "                                      [--cols K] [--seed S] --out PATH.pgm\n\n"
        "Writes what the classify task's augmentations do to its own training images: one row\n"
        "per image (the first N of the training split its dataset.* settings choose), the\n"
        "image itself, then K independent augmented draws (binary PGM, or PPM for colour).\n\n"
        "  --settings FILE  the task's settings as JSON (missing ones take their defaults, so\n"
        "                   an augmentation is on only with enabled: true), or a study file\n"
        "                   (.yaml, .yml) of a classify task\n"
        "  --params JSON    a trial's parameters on top, as dotted setting names, e.g.\n"
        "                   '{\"augment.rotation.degrees\": 30}'; a study's fixed parameters\n"
        "                   are added, and what it searches keeps its task: value unless given\n"
        "  --rows N         source images (default 8)\n"
        "  --cols K         augmented draws per image (default 8)\n"
        "  --seed S         seed of the augmentations (default 0); same seed, same bytes\n"
        "  --out PATH       the file to write\n",
        out);
}

template <typename T>
T parseNumber(const std::string& flag, const std::string& text, T min, T max) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
        value > max)
        throw UsageError(flag + ": '" + text + "' is not a whole number in " + std::to_string(min) +
                         ".." + std::to_string(max));
    return value;
}

Json parseJson(const std::string& text, const std::string& what) {
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& error) {
        throw UsageError(what + ": not JSON: " + error.what());
    }
}

bool isSettingGroup(const TaskSpec& spec, const std::string& path) {
    return std::any_of(spec.settings.begin(), spec.settings.end(),
                       [&](const SettingSpec& s) { return s.path.rfind(path + ".", 0) == 0; });
}

// Every entry of a settings object must be a setting of the task (or a group of them), as in
// a study file: a misspelt key is refused rather than silently left at its default.
void checkKnown(const Json& node, const std::string& prefix, const TaskSpec& spec,
                const std::string& where) {
    for (const auto& [key, value] : node.items()) {
        const std::string path = prefix.empty() ? key : prefix + "." + key;
        if (spec.find(path))
            continue;
        if (value.is_object() && isSettingGroup(spec, path)) {
            checkKnown(value, path, spec, where);
            continue;
        }
        throw UsageError(where + ": '" + path + "' is not a setting of the " + spec.kind + " task");
    }
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError("--settings: cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The task's settings as the study-file parser would hand them over: defaults first, the
// file's values on top, file names relative to the file's folder.
StudyConfig configFromJson(const std::string& path, const TaskSpec& spec) {
    Json file = parseJson(readFile(path), "--settings " + path);
    if (!file.is_object())
        throw UsageError("--settings " + path + ": must be a JSON object of task settings");
    if (file.contains("kind")) {
        if (file["kind"] != spec.kind)
            throw UsageError("--settings " + path + ": kind is " + file["kind"].dump() +
                             "; augmentation grids are of the " + spec.kind + " task");
        file.erase("kind");
    }
    checkKnown(file, "", spec, "--settings " + path);
    StudyConfig config;
    config.taskKind = spec.kind;
    config.baseDir = std::filesystem::absolute(path).parent_path().lexically_normal().string();
    config.task = std::move(file);
    for (const auto& s : spec.settings) {
        const Json::json_pointer at = settingPointer(s.path);
        if (!config.task.contains(at))
            config.task[at] = s.defaultValue;
    }
    for (const auto& key : spec.pathSettings) {
        const Json::json_pointer at = settingPointer(key);
        if (config.task.contains(at) && config.task.at(at).is_string() &&
            !config.task.at(at).get<std::string>().empty() &&
            std::filesystem::path(config.task.at(at).get<std::string>()).is_relative())
            config.task[at] =
                (std::filesystem::path(config.baseDir) / config.task.at(at).get<std::string>())
                    .lexically_normal()
                    .string();
    }
    return config;
}

bool isStudyFile(const std::string& path) {
    const std::string ext = std::filesystem::path(path).extension().string();
    return ext == ".yaml" || ext == ".yml";
}

std::string joined(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& p : parts)
        text += (text.empty() ? "" : ", ") + p;
    return text;
}

int run(int argc, char** argv) {
    std::string settingsPath, paramsText, outPath;
    AugmentGridOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            printUsage(stdout);
            return 0;
        }
        if (a != "--settings" && a != "--params" && a != "--rows" && a != "--cols" &&
            a != "--seed" && a != "--out")
            throw UsageError("unknown argument '" + a + "'");
        if (i + 1 >= argc)
            throw UsageError(a + " needs a value");
        const std::string value = argv[++i];
        if (a == "--settings")
            settingsPath = value;
        else if (a == "--params")
            paramsText = value;
        else if (a == "--rows")
            options.rows = parseNumber<int>(a, value, 1, 256);
        else if (a == "--cols")
            options.draws = parseNumber<int>(a, value, 0, 256);
        else if (a == "--seed")
            options.seed =
                parseNumber<std::uint64_t>(a, value, 0, std::numeric_limits<std::uint64_t>::max());
        else
            outPath = value;
    }
    if (settingsPath.empty())
        throw UsageError("--settings FILE is missing");
    if (outPath.empty())
        throw UsageError("--out PATH is missing");

    TaskCatalog catalog = TaskCatalog::withBuiltins();
    registerTrainTasks(catalog);
    const TaskSpec spec = classifyTaskSpec();
    StudyConfig config;
    if (isStudyFile(settingsPath)) {
        config = parseStudyFile(settingsPath, catalog);
        if (config.taskKind != spec.kind)
            throw UsageError("--settings " + settingsPath + ": its task is " + config.taskKind +
                             "; augmentation grids are of the " + spec.kind + " task");
    } else {
        config = configFromJson(settingsPath, spec);
    }
    Json params = Json::object();
    if (!paramsText.empty()) {
        params = parseJson(paramsText, "--params");
        if (!params.is_object())
            throw UsageError("--params: must be a JSON object of dotted setting names, e.g. "
                             "'{\"augment.rotation.degrees\": 30}'");
        for (const auto& [name, value] : params.items())
            if (!spec.find(name))
                throw UsageError("--params: '" + name + "' is not a setting of the " + spec.kind +
                                 " task");
    }
    // A study's fixed parameters are part of every trial's parameters (where their conditions
    // hold), so they are here too unless given.
    for (const ParamSpec& p : config.space.params)
        if (p.fixed && !p.choices.empty() && !params.contains(p.name) &&
            SearchSpace::isActive(p, params))
            params[p.name] = p.choices.front();
    // The settings a trial with these parameters gets (worker_loop.cpp does the same).
    const Json settings = taskSettingsFor(config, params);
    if (spec.checkData) {
        // The data files are there (a study file was checked as it was parsed). A setting of
        // the wrong type is left to the task's own reading, which names it.
        std::string key;
        std::string message;
        try {
            message = spec.checkData(settings, key);
        } catch (const Json::exception&) {
        }
        if (!message.empty())
            throw UsageError("setting '" + key + "': " + message);
    }

    AugmentGrid grid;
    try {
        grid = renderAugmentGrid(settings, options);
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
    writePnm(grid, outPath);
    std::printf("wrote %s (%s, %dx%d): %d %s training images (%dx%d), each with %d augmented "
                "draws (seed %llu); augmentations: %s\n",
                outPath.c_str(), grid.channels == 1 ? "PGM" : "PPM", grid.width, grid.height,
                grid.rows, grid.dataset.c_str(), grid.tileWidth, grid.tileHeight, grid.draws,
                static_cast<unsigned long long>(options.seed),
                grid.augmenting.empty() ? "none (a block is on only with enabled: true)"
                                        : joined(grid.augmenting).c_str());
    return 0;
}

} // namespace

int augmentGridCommand(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "paramscope-worker augment-grid: %s\n", e.what());
        std::fputs("(paramscope-worker augment-grid --help for the usage)\n", stderr);
        return 2;
    } catch (const StudyFileError& e) {
        std::fprintf(stderr, "paramscope-worker augment-grid: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "paramscope-worker augment-grid: %s\n", e.what());
        return 1;
    }
}

} // namespace ps
