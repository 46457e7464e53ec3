#pragma once
// Mixed precision for the training tasks: which float type the forward pass runs in, the
// autocast scope that makes it so, and the dynamic loss scaling fp16 needs. Included by
// ps_train's .cpp files (and tests of them) only.

#include <string>
#include <torch/types.h>
#include <vector>

namespace ps {

// fp32: no autocast. bf16: autocast to bfloat16 (CUDA, or the CPU). fp16: autocast to half
// with dynamic loss scaling (CUDA only: LibTorch's CPU autocast has no fp16).
enum class Precision { Fp32, Bf16, Fp16 };

const char* toText(Precision precision);

// The precision setting ("auto", "fp32", "bf16", "fp16") on `device`. "auto" is bf16 on a CUDA
// device that computes in bf16 (Ampere and later), fp16 on older GPUs, fp32 on the CPU, where
// bf16 matrix products are slower than fp32 ones on most processors. Throws
// std::invalid_argument naming the setting for an unknown name or fp16 on the CPU.
Precision resolvePrecision(const std::string& name, const torch::Device& device);

// Autocast on for `device` in `precision` while it lives (nothing for fp32); restores the
// previous state and clears the cast cache at the end, like torch.autocast.
class AutocastScope {
public:
    AutocastScope(const torch::Device& device, Precision precision);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool m_active = false;
    torch::DeviceType m_type = torch::kCPU;
    bool m_wasEnabled = false;
    torch::ScalarType m_previousType = torch::kFloat;
};

// torch.cuda.amp.GradScaler's rule: the loss is multiplied by `scale` before backward; the
// gradients are divided by it before the step; a step whose gradients hold inf or NaN is
// skipped and halves the scale, and `growthInterval` good steps in a row double it.
class LossScaler {
public:
    explicit LossScaler(double initialScale = 65536.0, int growthInterval = 2000)
        : m_scale(initialScale), m_growthInterval(growthInterval) {}

    torch::Tensor scale(const torch::Tensor& loss) const { return loss * m_scale; }
    // Unscales the gradients of `params` in place; false if any is not finite (skip the step).
    bool unscale(const std::vector<torch::Tensor>& params) const;
    // After the step (or the skip): adjusts the scale.
    void update(bool finite);
    double currentScale() const { return m_scale; }
    std::int64_t skippedSteps() const { return m_skipped; }

private:
    double m_scale;
    int m_growthInterval;
    int m_goodSteps = 0;
    std::int64_t m_skipped = 0;
};

} // namespace ps
