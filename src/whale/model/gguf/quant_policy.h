// Which ggml type each tensor gets when Whale writes a GGUF, and the row encoder for it.
// The rule, per tensor:
//   * vectors (norms, exp_probs_b) and the MoE router ffn_gate_inp stay F32 (llama.cpp's
//     converter keeps the router in F32 too: routing decisions are sensitive to its rounding);
//   * matrices get the file type's weight type; q4_k_m follows llama.cpp's Q4_K_M mix: Q6_K for
//     the head (output), the embedding, attn_v_b / attn_kv_b, attn_output, and ffn_down* in the
//     "more bits" layers (first and last eighth, and every third in between), Q4_K elsewhere;
//   * a row length (ne[0]) that is not a multiple of the chosen type's block falls back: K-quants
//     (256 values) to Q8_0 (32 values), Q8_0 to F16, so every tensor gets the closest type that fits.
#pragma once

#include <cstdint>
#include <string>

#include "whale/core/dtype.h"

namespace whale {

enum class GgufFileType { GgufFileType_f32, GgufFileType_bf16, GgufFileType_q8_0, GgufFileType_q4_k_m, GgufFileType_q6_k };

// "f32", "bf16", "q8_0", "q4_k_m", "q6_k"; throws whale::Error listing them for anything else.
GgufFileType gguf_file_type_from_name(const std::string& name);
std::string gguf_file_type_name(GgufFileType type);
// general.file_type's llama_ftype value: 0 ALL_F32, 32 MOSTLY_BF16, 7 MOSTLY_Q8_0, 15 MOSTLY_Q4_K_M, 18 MOSTLY_Q6_K.
uint32_t gguf_file_type_id(GgufFileType type);

// The type for tensor `name` (GGUF name, e.g. "blk.3.ffn_down_exps.weight") with `n_dims` dims,
// rows of `row_length` values, in a model of `n_layers` blocks.
DType gguf_tensor_type(GgufFileType type, const std::string& name, int n_dims, int64_t row_length, int n_layers);

// Encodes one row x [n] f32 into `out` (dtype_row_bytes(dtype, n) bytes). dtype: f32, f16, bf16,
// q8_0, q4_k or q6_k; n a multiple of its block size.
void gguf_encode_row(void* out, DType dtype, const float* x, int64_t n);

}  // namespace whale
