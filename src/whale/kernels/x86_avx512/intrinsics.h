// The intrinsics every AVX-512 kernel in this directory includes. Normally <immintrin.h>, with
// functions carrying target attributes and callers reaching them only through the dispatchers.
// Built with WHALE_SIMD_EMULATED (a test-only library, see src/whale/CMakeLists.txt) the same
// sources use SIMDe's portable AVX-512 under the Intel names instead, the target attributes
// vanish, and each exported kernel takes the suffix _emulated (declared in emulated.h), so the
// tests run every AVX-512 kernel against its scalar twin on machines without AVX-512.
//
// SIMDe 0.7.4 was read against Intel's pseudo-code for the instructions used here:
//   VPDPBUSD, VPDPWSSD: same (zero-extended u8 × sign-extended i8, or i16 × i16, summed into each
//     int32 lane without saturation; int32 overflow cannot occur in these kernels).
//   VDPBF16PS: different. Intel adds the odd pair's product first, then the even pair's, each as
//     an FMA with input denormals treated as zero and output denormals flushed to zero; SIMDe adds
//     the even product first, or (clang) both products before the add, and keeps denormals. The
//     emulated build therefore replaces _mm512_dpbf16_ps with emulated_dpbf16_ps below.
//   _mm512_fmadd_ps: fused, as two _mm256_fmadd_ps when the host has FMA (-mfma).
#pragma once

#ifdef WHALE_SIMD_EMULATED

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "whale/kernels/x86_avx512/emulated.h"

#define WHALE_AVX512_NAME(name) name##_emulated
#define WHALE_AVX512_TARGET(features)

namespace whale::avx512 {

// One f32 step of VDPBF16PS: fma with denormal inputs read as zero and a denormal result flushed.
inline float emulated_dpbf16_step(float acc, float a, float b) {
    auto daz = [](float v) { return std::fpclassify(v) == FP_SUBNORMAL ? std::copysign(0.0f, v) : v; };
    const float r = std::fma(daz(a), daz(b), daz(acc));
    return daz(r);
}

// _mm512_dpbf16_ps as Intel's pseudo-code: lane i += a[2i+1]·b[2i+1], then += a[2i]·b[2i].
inline __m512 emulated_dpbf16_ps(__m512 src, __m512bh a, __m512bh b) {
    float acc[16];
    uint16_t av[32], bv[32];
    std::memcpy(acc, &src, sizeof acc);
    std::memcpy(av, &a, sizeof av);
    std::memcpy(bv, &b, sizeof bv);
    auto value = [](uint16_t h) {
        const uint32_t bits = uint32_t(h) << 16;
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    };
    for (int i = 0; i < 16; ++i) {
        acc[i] = emulated_dpbf16_step(acc[i], value(av[2 * i + 1]), value(bv[2 * i + 1]));
        acc[i] = emulated_dpbf16_step(acc[i], value(av[2 * i]), value(bv[2 * i]));
    }
    __m512 out;
    std::memcpy(&out, acc, sizeof out);
    return out;
}

}  // namespace whale::avx512

#undef _mm512_dpbf16_ps
#define _mm512_dpbf16_ps(src, a, b) whale::avx512::emulated_dpbf16_ps(src, a, b)

#else

// GCC 12.2's AVX-512 intrinsics fill unused lanes from a self-initialised _mm512_undefined_*(),
// which -Wuninitialized reports at every inlined use (GCC PR 105593, fixed in 12.3); silenced for
// the header's own lines only, which must therefore be included here first.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#define WHALE_AVX512_NAME(name) name
#define WHALE_AVX512_TARGET(features) __attribute__((target(features)))

#endif
