// ggml's block layouts for the quantised types Whale reads and writes, byte for byte as llama.cpp
// stores them (ggml-common.h; docs/interfaces/gguf.md, 'Block layouts'), plus Q8_K, the activation
// format the K-quant dot products use. fp16 fields are raw IEEE half bits; every struct is packed
// by construction (only uint8/int8/uint16/int16/float members in an order with no padding), checked
// below.
#pragma once

#include <cstdint>

namespace whale {

constexpr int64_t QK8_0 = 32;  // values per Q8_0 block
constexpr int64_t QK_K = 256;  // values per K-quant super-block

// x[j] = d * qs[j]
struct BlockQ8_0 {
    uint16_t d;          // fp16 scale
    int8_t qs[QK8_0];
};

// 8 sub-blocks of 32 values; sub-block j has a 6-bit scale sc_j and 6-bit min m_j packed in
// `scales` (see q4_k_scale_min); x = d*sc_j*q - dmin*m_j with q a 4-bit value. qs holds four
// 64-value chunks: chunk c's 32 bytes carry values 64c..64c+31 in the low nibbles and
// 64c+32..64c+63 in the high nibbles.
struct BlockQ4_K {
    uint16_t d;          // fp16 super-block scale for the sub-block scales
    uint16_t dmin;       // fp16 super-block scale for the sub-block mins
    uint8_t scales[12];  // 8 scales + 8 mins, 6 bits each
    uint8_t qs[QK_K / 2];
};

// 16 sub-blocks of 16 values with int8 scales; x = d*scales[g]*(q - 32) with q a 6-bit value whose
// low 4 bits live in ql and high 2 bits in qh (layout in dequantize_row_q6_k).
struct BlockQ6_K {
    uint8_t ql[QK_K / 2];
    uint8_t qh[QK_K / 4];
    int8_t scales[QK_K / 16];
    uint16_t d;          // fp16 super-block scale
};

// Activations for the K-quant dots: x[j] ≈ d * qs[j], and bsums[g] = sum of qs[16g..16g+15]
// so the Q4_K min term needs no pass over the values.
struct BlockQ8_K {
    float d;
    int8_t qs[QK_K];
    int16_t bsums[QK_K / 16];
};

// Block b of 8 consecutive Q8_0 rows, interleaved for the matmul kernels (kernels/quant/q8_0_x8.h):
// the 8 rows' scales, then their values in 4-byte groups, qs[32 k + 4 r + i] = row r's value
// 4 k + i. One 32-byte load then holds 4 values of every row, so a kernel multiplies 8 rows at once
// against one broadcast group of activations and ends with the 8 row sums in the 8 lanes of one
// register. Same bytes per value as Q8_0 (272 per 256 values).
struct BlockQ8_0x8 {
    uint16_t d[8];       // fp16 scales of rows 0..7
    int8_t qs[8 * QK8_0];
};

static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block must be 34 bytes");
static_assert(sizeof(BlockQ8_0x8) == 8 * sizeof(BlockQ8_0), "Q8_0x8 block must be 272 bytes");
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K block must be 144 bytes");
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K block must be 210 bytes");
static_assert(sizeof(BlockQ8_K) == 292, "Q8_K block must be 292 bytes");
static_assert(alignof(BlockQ8_0) == 2 && alignof(BlockQ4_K) == 2 && alignof(BlockQ6_K) == 2,
              "weight blocks need only 2-byte alignment so GGUF tensor data can be used in place");

// Sub-block j's (6-bit scale, 6-bit min) from Q4_K's 12 packed bytes: bytes 0-3 hold scales 0-3 in
// their low 6 bits, bytes 4-7 mins 0-3; bytes 8-11 hold the low 4 bits of scales 4-7 (low nibble)
// and mins 4-7 (high nibble), whose top 2 bits sit in the spare high bits of bytes 0-3 / 4-7.
inline void q4_k_scale_min(int j, const uint8_t* scales, uint8_t* sc, uint8_t* m) {
    if (j < 4) {
        *sc = scales[j] & 63;
        *m = scales[j + 4] & 63;
    } else {
        *sc = uint8_t((scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4));
        *m = uint8_t((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));
    }
}

}  // namespace whale
