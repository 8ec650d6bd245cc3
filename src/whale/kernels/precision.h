// Process-wide numeric policy of the kernels. By default every product accumulates f32
// activations against the weights' exact values, so a bf16 checkpoint gives the reference logits
// (transformers upcasts bf16 weights the same way). On CPUs with AVX-512 BF16, VDPBF16PS is about
// twice the f32 rate for compute-bound prefill but rounds each activation to bf16 (relative error
// 2^-9): it is used only when the user asks (`--bf16-activations`), as llama.cpp always does.
#pragma once

namespace whale {

// Set once at start-up, before any forward; read by the matmul dispatcher.
void set_bf16_activations(bool allowed);
bool bf16_activations_allowed();

}  // namespace whale
