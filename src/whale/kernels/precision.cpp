#include "whale/kernels/precision.h"

#include <atomic>

namespace whale {

namespace {
std::atomic<bool> bf16_activations{false};
}  // namespace

void set_bf16_activations(bool allowed) { bf16_activations.store(allowed, std::memory_order_relaxed); }

bool bf16_activations_allowed() { return bf16_activations.load(std::memory_order_relaxed); }

}  // namespace whale
