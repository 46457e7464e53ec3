#include "core/space/study_config.h"

namespace ps {

Json taskSettingsFor(const StudyConfig& config, const Json& params) {
    Json settings = config.task;
    for (const auto& [name, value] : params.items()) {
        // "a.b.c" sets settings["a"]["b"]["c"]; parents are created as needed.
        Json* node = &settings;
        std::size_t start = 0;
        for (;;) {
            const std::size_t dot = name.find('.', start);
            const std::string part = name.substr(start, dot - start);
            if (dot == std::string::npos) {
                (*node)[part] = value;
                break;
            }
            Json& child = (*node)[part];
            if (!child.is_object())
                child = Json::object();
            node = &child;
            start = dot + 1;
        }
    }
    return settings;
}

} // namespace ps
