// Scalar reference dot products and the dispatchers. Integer sums are exact, so the SIMD twins
// differ from these only in how the per-block float terms are summed.
#include "whale/kernels/quant/vec_dot.h"

#include "whale/core/cpu_features.h"
#include "whale/core/error.h"
#include "whale/kernels/quant/quantize.h"

namespace whale {

float vec_dot_q8_0_q8_0_scalar(const BlockQ8_0* w, const BlockQ8_0* a, int64_t n) {
    float sum = 0;
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        int32_t isum = 0;
        for (int j = 0; j < QK8_0; ++j) isum += int32_t(w[b].qs[j]) * int32_t(a[b].qs[j]);
        const float scale = f16_to_f32(w[b].d) * f16_to_f32(a[b].d);
        sum += scale * float(isum);
    }
    return sum;
}

float vec_dot_q8_0_f32_scalar(const BlockQ8_0* w, const float* x, int64_t n) {
    float sum = 0;
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        float block = 0;
        for (int j = 0; j < QK8_0; ++j) block += float(w[b].qs[j]) * x[b * QK8_0 + j];
        sum += f16_to_f32(w[b].d) * block;
    }
    return sum;
}

float vec_dot_q4_k_q8_k_scalar(const BlockQ4_K* w, const BlockQ8_K* a, int64_t n) {
    float sum = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ4_K& wb = w[b];
        const BlockQ8_K& ab = a[b];
        int32_t sum_q = 0;    // sum over sub-blocks of sc_j · Σ q4·q8
        int32_t sum_min = 0;  // sum over sub-blocks of m_j · Σ q8
        for (int chunk = 0; chunk < 4; ++chunk) {
            const uint8_t* q4 = wb.qs + 32 * chunk;
            const int8_t* q8 = ab.qs + 64 * chunk;
            int32_t low = 0, high = 0;
            for (int l = 0; l < 32; ++l) {
                low += int32_t(q4[l] & 0xF) * q8[l];
                high += int32_t(q4[l] >> 4) * q8[32 + l];
            }
            uint8_t sc, m;
            q4_k_scale_min(2 * chunk, wb.scales, &sc, &m);
            sum_q += int32_t(sc) * low;
            sum_min += int32_t(m) * (ab.bsums[4 * chunk] + ab.bsums[4 * chunk + 1]);
            q4_k_scale_min(2 * chunk + 1, wb.scales, &sc, &m);
            sum_q += int32_t(sc) * high;
            sum_min += int32_t(m) * (ab.bsums[4 * chunk + 2] + ab.bsums[4 * chunk + 3]);
        }
        const float d = f16_to_f32(wb.d) * ab.d;
        const float dmin = f16_to_f32(wb.dmin) * ab.d;
        const float term = d * float(sum_q);
        const float min_term = dmin * float(sum_min);
        sum += term - min_term;
    }
    return sum;
}

float vec_dot_q6_k_q8_k_scalar(const BlockQ6_K* w, const BlockQ8_K* a, int64_t n) {
    float sum = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ6_K& wb = w[b];
        const BlockQ8_K& ab = a[b];
        int32_t sum_q = 0;
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = wb.ql + 64 * half;
            const uint8_t* qh = wb.qh + 32 * half;
            const int8_t* sc = wb.scales + 8 * half;
            const int8_t* q8 = ab.qs + 128 * half;
            // group[g] sums the 16 products that share the scale sc[g].
            int32_t group[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                group[is + 0] += q1 * q8[l];
                group[is + 2] += q2 * q8[l + 32];
                group[is + 4] += q3 * q8[l + 64];
                group[is + 6] += q4 * q8[l + 96];
            }
            for (int g = 0; g < 8; ++g) sum_q += int32_t(sc[g]) * group[g];
        }
        const float d = f16_to_f32(wb.d) * ab.d;
        sum += d * float(sum_q);
    }
    return sum;
}

namespace {

// The AVX2 twins also convert block scales with F16C.
bool use_avx2() {
    static const bool yes = cpu_features().avx2 && cpu_features().fma && cpu_features().f16c;
    return yes;
}

// The AVX-512 VNNI twins also use AVX2, FMA and F16C instructions.
bool use_avx512_vnni() {
    static const bool yes =
        use_avx2() && cpu_features().avx512f && cpu_features().avx512bw && cpu_features().avx512_vnni;
    return yes;
}

}  // namespace

float vec_dot_q8_0_q8_0(const BlockQ8_0* w, const BlockQ8_0* a, int64_t n) {
    return use_avx2() ? vec_dot_q8_0_q8_0_avx2(w, a, n) : vec_dot_q8_0_q8_0_scalar(w, a, n);
}

float vec_dot_q8_0_f32(const BlockQ8_0* w, const float* x, int64_t n) {
    return use_avx2() ? vec_dot_q8_0_f32_avx2(w, x, n) : vec_dot_q8_0_f32_scalar(w, x, n);
}

float vec_dot_q4_k_q8_k(const BlockQ4_K* w, const BlockQ8_K* a, int64_t n) {
    if (use_avx512_vnni()) return vec_dot_q4_k_q8_k_avx512_vnni(w, a, n);
    return use_avx2() ? vec_dot_q4_k_q8_k_avx2(w, a, n) : vec_dot_q4_k_q8_k_scalar(w, a, n);
}

float vec_dot_q6_k_q8_k(const BlockQ6_K* w, const BlockQ8_K* a, int64_t n) {
    if (use_avx512_vnni()) return vec_dot_q6_k_q8_k_avx512_vnni(w, a, n);
    return use_avx2() ? vec_dot_q6_k_q8_k_avx2(w, a, n) : vec_dot_q6_k_q8_k_scalar(w, a, n);
}

size_t quant_activation_bytes(DType weight_dtype, int64_t n) {
    switch (weight_dtype) {
        case DType::DType_q8_0: return size_t(n / QK8_0) * sizeof(BlockQ8_0);
        case DType::DType_q4_k:
        case DType::DType_q6_k: return size_t(n / QK_K) * sizeof(BlockQ8_K);
        default: fail("quant_activation_bytes: ", dtype_name(weight_dtype), " is not a block-quantised type");
    }
}

void quantize_activation(void* out, DType weight_dtype, const float* x, int64_t n) {
    switch (weight_dtype) {
        case DType::DType_q8_0:
            if (use_avx2()) return quantize_row_q8_0_avx2(static_cast<BlockQ8_0*>(out), x, n);
            return quantize_row_q8_0(static_cast<BlockQ8_0*>(out), x, n);
        case DType::DType_q4_k:
        case DType::DType_q6_k: return quantize_row_q8_k(static_cast<BlockQ8_K*>(out), x, n);
        default: fail("quantize_activation: ", dtype_name(weight_dtype), " is not a block-quantised type");
    }
}

float vec_dot_quant(DType weight_dtype, const void* w_row, const void* activation, int64_t n) {
    switch (weight_dtype) {
        case DType::DType_q8_0:
            return vec_dot_q8_0_q8_0(static_cast<const BlockQ8_0*>(w_row), static_cast<const BlockQ8_0*>(activation), n);
        case DType::DType_q4_k:
            return vec_dot_q4_k_q8_k(static_cast<const BlockQ4_K*>(w_row), static_cast<const BlockQ8_K*>(activation), n);
        case DType::DType_q6_k:
            return vec_dot_q6_k_q8_k(static_cast<const BlockQ6_K*>(w_row), static_cast<const BlockQ8_K*>(activation), n);
        default: fail("vec_dot_quant: ", dtype_name(weight_dtype), " is not a block-quantised type");
    }
}

}  // namespace whale
