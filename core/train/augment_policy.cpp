// The augmentation policy's declared settings and its parser (no LibTorch: the study-file
// parser and the GUI use these without the code that applies them). The parser checks keys
// against augmentSettings(), so the two cannot drift apart.

#include "core/train/augment.h"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace ps {

namespace {

using T = SettingType;

SettingSpec setting(const std::string& block, const std::string& key, T type, Json def,
                    std::optional<double> min, std::optional<double> max, std::string help) {
    return makeSetting("augment." + block + "." + key, type, std::move(def), min, max,
                       std::move(help));
}

SettingSpec enabled(const std::string& block, const std::string& what) {
    return setting(block, "enabled", T::Bool, false, std::nullopt, std::nullopt,
                   what + "; on when the block is given, unless this is false");
}

std::string blockOf(const std::string& path) { // "augment.flip.p" -> "flip"
    const auto first = path.find('.');
    const auto second = path.find('.', first + 1);
    return path.substr(first + 1, second - first - 1);
}

std::string keyOf(const std::string& path) {
    return path.substr(path.rfind('.') + 1);
}

// Bounds as people write them: 0 and 1, not 0.0 and 1.0.
std::string numberText(double v) {
    if (v == std::floor(v) && std::abs(v) < 1e15)
        return std::to_string(static_cast<long long>(v));
    return Json(v).dump();
}

void check(const SettingSpec& spec, const Json& value) {
    const auto fail = [&](const std::string& why) {
        throw std::invalid_argument(spec.path + ": " + why + ", not " + value.dump());
    };
    switch (spec.type) {
    case T::Bool:
        if (!value.is_boolean())
            fail("must be true or false");
        return;
    case T::Int:
        if (!value.is_number() ||
            (value.is_number_float() && value.get<double>() != std::floor(value.get<double>())))
            fail("must be an integer");
        break;
    case T::Float:
        if (!value.is_number() || !std::isfinite(value.get<double>()))
            fail("must be a finite number");
        break;
    case T::String:
    case T::Map:
    case T::StringList:
    case T::StringMap:
        return; // none declared
    }
    const double v = value.get<double>();
    if (spec.min && v < *spec.min)
        fail("must be >= " + numberText(*spec.min));
    if (spec.max && v > *spec.max)
        fail("must be <= " + numberText(*spec.max));
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& n : names)
        text += (text.empty() ? "" : ", ") + n;
    return text;
}

} // namespace

bool AugmentPolicy::anyImageAugment() const {
    return flip.enabled || rotation.enabled || rot90.enabled || translateScale.enabled ||
           noise.enabled || blur.enabled || erasing.enabled || brightnessContrast.enabled ||
           invert.enabled;
}

std::vector<SettingSpec> augmentSettings() {
    std::vector<SettingSpec> s;
    const auto probability = [&](const std::string& block, double def, const std::string& of) {
        s.push_back(setting(block, "p", T::Float, def, 0.0, 1.0, "probability " + of));
    };

    s.push_back(enabled("flip", "random flips"));
    probability("flip", 0.5, "of each flip");
    s.push_back(setting("flip", "horizontal", T::Bool, true, std::nullopt, std::nullopt,
                        "flip left-right"));
    s.push_back(setting("flip", "vertical", T::Bool, false, std::nullopt, std::nullopt,
                        "flip upside-down"));

    s.push_back(enabled("rotation", "random rotation (bilinear, fill 0)"));
    s.push_back(setting("rotation", "degrees", T::Float, 15.0, 0.0, 180.0,
                        "angle drawn uniformly from [-degrees, degrees]"));

    s.push_back(enabled("rot90", "random quarter turns"));
    probability("rot90", 0.5, "of turning an image");
    s.push_back(setting("rot90", "k", T::Int, 0, 0.0, 3.0,
                        "counter-clockwise quarter turns; 0: drawn from {1, 2, 3} (non-square "
                        "images: half turns only)"));

    s.push_back(enabled("translate_scale", "random shift and zoom (RandomAffine, fill 0)"));
    s.push_back(setting("translate_scale", "translate", T::Float, 0.1, 0.0, 1.0,
                        "largest shift, as a share of the width and of the height"));
    s.push_back(
        setting("translate_scale", "scale_min", T::Float, 0.9, 0.05, 10.0, "smallest zoom factor"));
    s.push_back(
        setting("translate_scale", "scale_max", T::Float, 1.1, 0.05, 10.0, "largest zoom factor"));

    s.push_back(enabled("noise", "additive Gaussian noise, clamped to [0, 1]"));
    s.push_back(setting("noise", "std", T::Float, 0.1, 0.0, 1.0, "standard deviation"));

    s.push_back(enabled("blur", "random Gaussian blur (GaussianBlur)"));
    probability("blur", 0.5, "of blurring an image");
    s.push_back(setting("blur", "sigma_min", T::Float, 0.1, 0.0, 10.0, "smallest sigma, pixels"));
    s.push_back(setting("blur", "sigma_max", T::Float, 2.0, 0.0, 10.0, "largest sigma, pixels"));

    s.push_back(enabled("erasing", "cutout / random erasing (RandomErasing)"));
    probability("erasing", 0.5, "of erasing a rectangle");
    s.push_back(setting("erasing", "scale_min", T::Float, 0.02, 0.0, 1.0,
                        "smallest share of the image erased"));
    s.push_back(setting("erasing", "scale_max", T::Float, 0.33, 0.0, 1.0,
                        "largest share of the image erased"));
    s.push_back(setting("erasing", "ratio_min", T::Float, 0.3, 0.01, 100.0,
                        "smallest aspect ratio (height / width), log-uniform"));
    s.push_back(setting("erasing", "ratio_max", T::Float, 3.3, 0.01, 100.0,
                        "largest aspect ratio (height / width)"));
    s.push_back(setting("erasing", "value", T::Float, 0.0, 0.0, 1.0, "value erased pixels get"));

    s.push_back(enabled("brightness_contrast", "random brightness and contrast (ColorJitter)"));
    s.push_back(setting("brightness_contrast", "brightness", T::Float, 0.2, 0.0, 10.0,
                        "brightness factor drawn from [max(0, 1 - b), 1 + b]"));
    s.push_back(setting("brightness_contrast", "contrast", T::Float, 0.2, 0.0, 10.0,
                        "contrast factor drawn from [max(0, 1 - c), 1 + c]"));

    s.push_back(enabled("invert", "random inversion x -> 1 - x (RandomInvert)"));
    probability("invert", 0.5, "of inverting an image");

    s.push_back(enabled("mixup", "mixup of image pairs and their targets"));
    s.push_back(
        setting("mixup", "alpha", T::Float, 0.2, 0.01, 100.0, "lambda ~ Beta(alpha, alpha)"));
    return s;
}

AugmentPolicy parseAugmentPolicy(const Json& augment) {
    AugmentPolicy policy;
    if (augment.is_null())
        return policy;
    if (!augment.is_object())
        throw std::invalid_argument("augment: must be a mapping of augmentations, not " +
                                    augment.dump());

    const std::vector<SettingSpec> specs = augmentSettings();
    std::map<std::string, const SettingSpec*> byPath;
    std::map<std::string, std::vector<std::string>> keysOf; // block -> keys
    std::vector<std::string> blocks;
    for (const auto& spec : specs) {
        byPath[spec.path] = &spec;
        const std::string block = blockOf(spec.path);
        if (!keysOf.contains(block))
            blocks.push_back(block);
        keysOf[block].push_back(keyOf(spec.path));
    }

    for (const auto& [block, body] : augment.items()) {
        const std::string path = "augment." + block;
        if (!keysOf.contains(block))
            throw std::invalid_argument(path + ": unknown augmentation (known: " + joined(blocks) +
                                        ")");
        if (!body.is_object())
            throw std::invalid_argument(path + ": must be a mapping of settings, not " +
                                        body.dump());
        for (const auto& [key, value] : body.items()) {
            const auto spec = byPath.find(path + "." + key);
            if (spec == byPath.end())
                throw std::invalid_argument(
                    path + "." + key + ": unknown setting (known: " + joined(keysOf[block]) + ")");
            check(*spec->second, value);
        }
    }

    // Checked above, so the reads below only pick the value or the declared default.
    const auto value = [&](const std::string& block, const std::string& key) -> Json {
        if (augment.contains(block) && augment[block].contains(key))
            return augment[block][key];
        return byPath.at("augment." + block + "." + key)->defaultValue;
    };
    const auto on = [&](const std::string& block) {
        return augment.contains(block) && augment[block].value("enabled", true);
    };
    const auto num = [&](const std::string& block, const std::string& key) {
        return value(block, key).get<double>();
    };
    const auto flag = [&](const std::string& block, const std::string& key) {
        return value(block, key).get<bool>();
    };
    const auto ordered = [&](const std::string& block, const std::string& low,
                             const std::string& high) {
        if (num(block, low) > num(block, high))
            throw std::invalid_argument("augment." + block + "." + low + ": must be <= " + high +
                                        " (" + numberText(num(block, high)) + "), not " +
                                        numberText(num(block, low)));
    };

    policy.flip = {on("flip"), num("flip", "p"), flag("flip", "horizontal"),
                   flag("flip", "vertical")};
    policy.rotation = {on("rotation"), num("rotation", "degrees")};
    policy.rot90 = {on("rot90"), num("rot90", "p"), static_cast<int>(num("rot90", "k"))};
    ordered("translate_scale", "scale_min", "scale_max");
    policy.translateScale = {on("translate_scale"), num("translate_scale", "translate"),
                             num("translate_scale", "scale_min"),
                             num("translate_scale", "scale_max")};
    policy.noise = {on("noise"), num("noise", "std")};
    ordered("blur", "sigma_min", "sigma_max");
    policy.blur = {on("blur"), num("blur", "p"), num("blur", "sigma_min"),
                   num("blur", "sigma_max")};
    ordered("erasing", "scale_min", "scale_max");
    ordered("erasing", "ratio_min", "ratio_max");
    policy.erasing = {on("erasing"),
                      num("erasing", "p"),
                      num("erasing", "scale_min"),
                      num("erasing", "scale_max"),
                      num("erasing", "ratio_min"),
                      num("erasing", "ratio_max"),
                      num("erasing", "value")};
    policy.brightnessContrast = {on("brightness_contrast"),
                                 num("brightness_contrast", "brightness"),
                                 num("brightness_contrast", "contrast")};
    policy.invert = {on("invert"), num("invert", "p")};
    policy.mixup = {on("mixup"), num("mixup", "alpha")};
    return policy;
}

} // namespace ps
