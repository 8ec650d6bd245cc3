// The AVX-512 kernels compiled a second time with SIMDe (WHALE_SIMD_EMULATED, see intrinsics.h)
// into the test-only library whale_kernels_avx512_emulated. Same signatures as the native
// variants declared next to their scalar twins; they need only AVX2+FMA+F16C to run. Tests only:
// the engine never links them.
#pragma once

#include <cstdint>

#include "whale/kernels/quant/blocks.h"

namespace whale {

// kernels/quant/tile_dot.h
void tile_dot_q8_0_avx512_vnni_emulated(float* y, int64_t y_stride, const BlockQ8_0* w, int64_t n_rows,
                                        const BlockQ8_0* a, int64_t n_tokens, int64_t n);

}  // namespace whale
