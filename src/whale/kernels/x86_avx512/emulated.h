// The AVX-512 kernels compiled a second time with SIMDe (WHALE_SIMD_EMULATED, see intrinsics.h)
// into the test-only library whale_kernels_avx512_emulated. Same signatures as the native
// variants declared next to their scalar twins; they need only AVX2+FMA+F16C to run. Tests only:
// the engine never links them.
#pragma once

#include <cstdint>

#include "whale/kernels/quant/blocks.h"

namespace whale {

// kernels/dot.h
void dot_many_f32_avx512_emulated(float* out, int64_t out_stride, const float* queries, int64_t query_stride,
                                  int64_t n_queries, const float* const* rows, int64_t n_rows, int64_t n);
void round_to_bf16_avx512_emulated(uint16_t* out, const float* x, int64_t n);
void dot_many_bf16_avx512_bf16_emulated(float* out, int64_t out_stride, const uint16_t* queries,
                                        int64_t query_stride, int64_t n_queries, const uint16_t* const* rows,
                                        int64_t n_rows, int64_t n);

// kernels/quant/vec_dot.h
float vec_dot_q4_k_q8_k_avx512_vnni_emulated(const BlockQ4_K* w, const BlockQ8_K* a, int64_t n);
float vec_dot_q6_k_q8_k_avx512_vnni_emulated(const BlockQ6_K* w, const BlockQ8_K* a, int64_t n);

// kernels/quant/q8_0_x8.h
void tile_dot_q8_0_x8_avx512_vnni_emulated(float* y, int64_t y_stride, const BlockQ8_0x8* w, int64_t n_groups,
                                           const BlockQ8_0* a, int64_t n_tokens, int64_t n);

// kernels/quant/tile_dot.h
void tile_dot_q8_0_avx512_vnni_emulated(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows,
                                        const BlockQ8_0* a, int64_t n_tokens, int64_t n);

}  // namespace whale
