// How much memory the machine has, for decisions that trade memory for speed (pre-faulting and
// re-laying out weights only pay when the model fits).
#pragma once

#include <cstdint>

namespace whale {

// Physical memory in bytes, or 0 when the system does not say.
uint64_t physical_memory_bytes();

// Whether `bytes` of weights leave a fifth of physical memory for everything else.
bool fits_in_memory(uint64_t bytes);

}  // namespace whale
