// Mixed precision: autocast scopes across LibTorch 1.13 (Debian's) and 2.x (a CUDA build), and
// fp16's loss scaling.
#include "core/train/precision_torch.h"

#include <ATen/autocast_mode.h>
#include <stdexcept>
#include <torch/version.h>

namespace ps {

namespace {

// LibTorch 2.4 replaced the per-device autocast functions with ones taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocastEnabled(torch::DeviceType type) {
    return at::autocast::is_autocast_enabled(type);
}
void setAutocast(torch::DeviceType type, bool on) {
    at::autocast::set_autocast_enabled(type, on);
}
torch::ScalarType autocastType(torch::DeviceType type) {
    return at::autocast::get_autocast_dtype(type);
}
void setAutocastType(torch::DeviceType type, torch::ScalarType scalar) {
    at::autocast::set_autocast_dtype(type, scalar);
}
#else
bool autocastEnabled(torch::DeviceType type) {
    return type == torch::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void setAutocast(torch::DeviceType type, bool on) {
    if (type == torch::kCUDA)
        at::autocast::set_enabled(on);
    else
        at::autocast::set_cpu_enabled(on);
}
torch::ScalarType autocastType(torch::DeviceType type) {
    return type == torch::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                                : at::autocast::get_autocast_cpu_dtype();
}
void setAutocastType(torch::DeviceType type, torch::ScalarType scalar) {
    if (type == torch::kCUDA)
        at::autocast::set_autocast_gpu_dtype(scalar);
    else
        at::autocast::set_autocast_cpu_dtype(scalar);
}
#endif

// Whether `device` multiplies bf16 matrices (pre-Ampere GPUs refuse or lack the kernels).
bool computesBf16(const torch::Device& device) {
    try {
        const torch::Tensor a =
            torch::ones({8, 8}, torch::TensorOptions(device).dtype(torch::kBFloat16));
        return torch::mm(a, a).sum().item<double>() == 512.0;
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace

const char* toText(Precision precision) {
    switch (precision) {
    case Precision::Fp32:
        return "fp32";
    case Precision::Bf16:
        return "bf16";
    case Precision::Fp16:
        return "fp16";
    }
    return "?";
}

Precision resolvePrecision(const std::string& name, const torch::Device& device) {
    if (name == "fp32")
        return Precision::Fp32;
    if (name == "bf16")
        return Precision::Bf16;
    if (name == "fp16") {
        if (!device.is_cuda())
            throw std::invalid_argument(
                "setting 'precision': fp16 needs a CUDA device (LibTorch's CPU autocast has only "
                "bf16); this trial runs on " +
                device.str());
        return Precision::Fp16;
    }
    if (name != "auto")
        throw std::invalid_argument("setting 'precision': '" + name +
                                    "' is not one of auto, fp32, bf16, fp16");
    if (!device.is_cuda())
        return Precision::Fp32;
    return computesBf16(device) ? Precision::Bf16 : Precision::Fp16;
}

AutocastScope::AutocastScope(const torch::Device& device, Precision precision) {
    if (precision == Precision::Fp32)
        return;
    m_active = true;
    m_type = device.type();
    m_wasEnabled = autocastEnabled(m_type);
    m_previousType = autocastType(m_type);
    setAutocast(m_type, true);
    setAutocastType(m_type, precision == Precision::Bf16 ? torch::kBFloat16 : torch::kHalf);
    at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
    if (!m_active)
        return;
    // torch.autocast clears the cache of casted weights when the outermost scope ends: the
    // weights change at the next optimizer step.
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
    setAutocast(m_type, m_wasEnabled);
    setAutocastType(m_type, m_previousType);
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) const {
    const torch::NoGradGuard noGrad;
    // one flag on the device, read once: a read per tensor would wait for the GPU each time
    torch::Tensor finite;
    for (const torch::Tensor& p : params) {
        torch::Tensor grad = p.grad();
        if (!grad.defined())
            continue;
        grad.div_(m_scale);
        const torch::Tensor ok = torch::isfinite(grad).all();
        finite = finite.defined() ? finite.logical_and(ok) : ok;
    }
    return !finite.defined() || finite.item<bool>();
}

void LossScaler::update(bool finite) {
    if (!finite) {
        m_scale *= 0.5;
        m_goodSteps = 0;
        ++m_skipped;
        return;
    }
    if (++m_goodSteps >= m_growthInterval) {
        m_scale *= 2.0;
        m_goodSteps = 0;
    }
}

} // namespace ps
