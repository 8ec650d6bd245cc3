// Element types Whale reads from checkpoints, their sizes, names and scalar conversions to f32.
// The conversions here are the reference definitions; SIMD kernels must agree with them bit for bit.
// Block-quantised types (ggml's Q8_0, Q4_K, Q6_K) store a fixed number of values per block; their
// "size" is the bytes of one block, and a row of n values takes n / block_elems blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace whale {

enum class DType : uint8_t {
    DType_f32,
    DType_f16,
    DType_bf16,
    DType_f64,
    DType_f8_e4m3,  // torch float8_e4m3fn: bias 7, no infinities, max 448
    DType_f8_e8m0,  // power-of-two scale 2^(b-127), 255 = NaN
    DType_i8,
    DType_u8,
    DType_i16,
    DType_u16,
    DType_i32,
    DType_u32,
    DType_i64,
    DType_u64,
    DType_bool,
    DType_q8_0,  // ggml block: 32 values in 34 bytes (fp16 scale + 32 int8)
    DType_q4_k,  // ggml super-block: 256 values in 144 bytes (4-bit, 6-bit sub-block scales and mins)
    DType_q6_k,  // ggml super-block: 256 values in 210 bytes (6-bit, 8-bit sub-block scales)
};

size_t dtype_size(DType t);  // bytes per element; for block-quantised types, bytes per block
std::string_view dtype_name(DType t);  // safetensors spelling: "F32", "BF16", "F8_E4M3", ...; ggml's "Q4_K"
// Parses a safetensors dtype string; returns false for names Whale does not know (and for the
// block-quantised types, which safetensors cannot hold).
bool dtype_from_safetensors_name(std::string_view name, DType* out);
bool dtype_is_float(DType t);
bool dtype_is_quantized(DType t);      // a block type: q8_0, q4_k, q6_k
int64_t dtype_block_elems(DType t);    // values per block: 32 (q8_0), 256 (q4_k, q6_k), 1 otherwise
// Bytes of a row of n values; n must be a multiple of dtype_block_elems(t) (callers check).
inline int64_t dtype_row_bytes(DType t, int64_t n) { return n / dtype_block_elems(t) * int64_t(dtype_size(t)); }

inline float f32_from_bits(uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

inline uint32_t bits_from_f32(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    return bits;
}

inline float bf16_to_f32(uint16_t h) { return f32_from_bits(uint32_t(h) << 16); }

// Round-to-nearest-even, as torch's .to(torch.bfloat16); NaN stays NaN.
inline uint16_t f32_to_bf16(float f) {
    uint32_t bits = bits_from_f32(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return uint16_t((bits >> 16) | 0x40);
    uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
    return uint16_t((bits + rounding) >> 16);
}

float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float e4m3_to_f32(uint8_t v);
uint8_t f32_to_e4m3(float f);  // round-to-nearest-even, saturating to +-448
inline float e8m0_to_f32(uint8_t e) {
    if (e == 255) return f32_from_bits(0x7fc00000u);
    if (e == 0) return f32_from_bits(0x00400000u);  // 2^-127 is subnormal in f32
    return f32_from_bits(uint32_t(e) << 23);
}

}  // namespace whale
