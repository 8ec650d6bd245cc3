// Flags that trade memory or precision for kernel speed, shared by the commands that load a model
// (run, chat, serve, bench): `--no-repack` and `--bf16-activations`.
#pragma once

#include <CLI/CLI.hpp>

namespace whale::app {

struct KernelFlags {
    bool no_repack = false;         // keep Q8_0 weights only as laid out in the file
    bool bf16_activations = false;  // allow VDPBF16PS for bf16 weights (kernels/precision.h)
};

void add_kernel_options(CLI::App* cmd, KernelFlags& flags);

// Applies the process-wide part (the precision policy); call before loading the model.
void apply_kernel_options(const KernelFlags& flags);

}  // namespace whale::app
