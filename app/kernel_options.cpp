#include "kernel_options.h"

#include "whale/kernels/precision.h"

namespace whale::app {

void add_kernel_options(CLI::App* cmd, KernelFlags& flags) {
    cmd->add_flag("--no-repack", flags.no_repack,
                  "Keep quantised weights as laid out in the file instead of also re-laying them out for the "
                  "kernels (less memory, slower)");
    cmd->add_flag("--bf16-activations", flags.bf16_activations,
                  "On CPUs with AVX-512 BF16, round activations to bf16 for bf16 weights (faster prefill, "
                  "logits no longer exact to the reference)");
}

void apply_kernel_options(const KernelFlags& flags) { set_bf16_activations(flags.bf16_activations); }

}  // namespace whale::app
