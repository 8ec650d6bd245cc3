// Scalar dequantisers. Each product and difference is its own statement so no compiler contracts
// them into an FMA: ggml and gguf-py round d*sc, then (d*sc)*q, then subtract, and so do we.
#include "whale/kernels/quant/dequantize.h"

#include "whale/core/dtype.h"

namespace whale {

void dequantize_row_q8_0(float* out, const BlockQ8_0* blocks, int64_t n) {
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const float d = f16_to_f32(blocks[b].d);
        for (int64_t j = 0; j < QK8_0; ++j) out[b * QK8_0 + j] = float(blocks[b].qs[j]) * d;
    }
}

void dequantize_row_q4_k(float* out, const BlockQ4_K* blocks, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ4_K& block = blocks[b];
        const float d = f16_to_f32(block.d);
        const float dmin = f16_to_f32(block.dmin);
        float* y = out + b * QK_K;
        for (int chunk = 0; chunk < 4; ++chunk) {
            const uint8_t* q = block.qs + 32 * chunk;
            uint8_t sc, m;
            q4_k_scale_min(2 * chunk, block.scales, &sc, &m);
            const float d_low = d * float(sc), m_low = dmin * float(m);
            q4_k_scale_min(2 * chunk + 1, block.scales, &sc, &m);
            const float d_high = d * float(sc), m_high = dmin * float(m);
            for (int l = 0; l < 32; ++l) {
                const float scaled = d_low * float(q[l] & 0xF);
                y[64 * chunk + l] = scaled - m_low;
            }
            for (int l = 0; l < 32; ++l) {
                const float scaled = d_high * float(q[l] >> 4);
                y[64 * chunk + 32 + l] = scaled - m_high;
            }
        }
    }
}

void dequantize_row_q6_k(float* out, const BlockQ6_K* blocks, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ6_K& block = blocks[b];
        const float d = f16_to_f32(block.d);
        float* y = out + b * QK_K;
        // Two halves of 128 values; each uses 64 bytes of ql, 32 of qh and 8 scales.
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = block.ql + 64 * half;
            const uint8_t* qh = block.qh + 32 * half;
            const int8_t* sc = block.scales + 8 * half;
            float* yh = y + 128 * half;
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                yh[l] = d * float(sc[is + 0]) * float(q1);
                yh[l + 32] = d * float(sc[is + 2]) * float(q2);
                yh[l + 64] = d * float(sc[is + 4]) * float(q3);
                yh[l + 96] = d * float(sc[is + 6]) * float(q4);
            }
        }
    }
}

}  // namespace whale
