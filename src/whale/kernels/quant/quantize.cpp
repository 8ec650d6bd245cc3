// Scalar reference quantisers. The search loops follow ggml-quants.c's reference functions step by
// step (same weights, same candidate scales, same tie-breaking) so that, on the same input, our
// blocks match llama.cpp's reference output up to float summation order.
#include "whale/kernels/quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "whale/core/dtype.h"

namespace whale {

namespace {

// Round to nearest, ties to even, for |x| < 2^22: adding 1.5·2^23 leaves the rounded integer in
// the low mantissa bits (ggml's nearest_int). Defined for any input, unlike a float-to-int cast.
int nearest_int(float x) {
    const float shifted = x + 12582912.0f;
    int32_t bits;
    std::memcpy(&bits, &shifted, sizeof bits);
    return (bits & 0x007fffff) - 0x00400000;
}

// Below this magnitude a group counts as all zeros (ggml's GROUP_MAX_EPS).
constexpr float group_max_eps = 1e-15f;

// Fits x ≈ scale·L + min (min <= 0) over n values with L in [0, nmax], minimising the weighted
// squared error: start from the min/max grid, then try nstep+1 widened grids and keep the best
// least-squares refit. Returns scale; *neg_min = -min. (ggml make_qkx2_quants, use_mad = false.)
float fit_scale_min(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* neg_min,
                    float rmin, float rdelta, int nstep) {
    float min = x[0], max = x[0];
    float sum_w = weights[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        min = std::min(min, x[i]);
        max = std::max(max, x[i]);
        sum_w += weights[i];
        sum_x += weights[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        std::fill(L, L + n, uint8_t(0));
        *neg_min = -min;
        return 0.0f;
    }
    float iscale = float(nmax) / (max - min);
    float scale = 1.0f / iscale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        L[i] = uint8_t(std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax));
        const float diff = scale * float(L[i]) + min - x[i];
        best_error += weights[i] * diff * diff;
    }
    uint8_t candidate[32];
    for (int step = 0; step <= nstep; ++step) {
        iscale = (rmin + rdelta * float(step) + float(nmax)) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax);
            candidate[i] = uint8_t(l);
            sum_l += weights[i] * float(l);
            sum_l2 += weights[i] * float(l * l);
            sum_xl += weights[i] * float(l) * x[i];
        }
        const float det = sum_w * sum_l2 - sum_l * sum_l;
        if (det <= 0) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (this_min > 0) {
            this_min = 0;
            this_scale = sum_xl / sum_l2;
        }
        float error = 0;
        for (int i = 0; i < n; ++i) {
            const float diff = this_scale * float(candidate[i]) + this_min - x[i];
            error += weights[i] * diff * diff;
        }
        if (error < best_error) {
            std::copy(candidate, candidate + n, L);
            best_error = error;
            scale = this_scale;
            min = this_min;
        }
    }
    *neg_min = -min;
    return scale;
}

// Symmetric fit x ≈ scale·(L - nmax), L in [0, 2·nmax): seeds the scale so the largest-magnitude
// value maps to -nmax, then tries 18 nearby scales, keeping the one with the best x²-weighted
// least-squares fit. Returns scale (may be negative). (ggml make_qx_quants, rmse_type = 1.)
float fit_scale_symmetric(int n, int nmax, const float* x, int8_t* L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    if (amax < group_max_eps) {
        std::fill(L, L + n, int8_t(0));
        return 0.0f;
    }
    auto quantize = [&](float iscale, int i) { return std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1); };
    float iscale = -float(nmax) / max;
    float sum_lx = 0, sum_l2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = quantize(iscale, i);
        L[i] = int8_t(l + nmax);
        const float w = x[i] * x[i];
        sum_lx += w * x[i] * float(l);
        sum_l2 += w * float(l * l);
    }
    float scale = sum_l2 != 0 ? sum_lx / sum_l2 : 0.0f;
    float best = scale * sum_lx;
    for (int step = -9; step <= 9; ++step) {
        if (step == 0) continue;
        iscale = -(float(nmax) + 0.1f * float(step)) / max;
        sum_lx = sum_l2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = quantize(iscale, i);
            const float w = x[i] * x[i];
            sum_lx += w * x[i] * float(l);
            sum_l2 += w * float(l * l);
        }
        if (sum_l2 > 0 && sum_lx * sum_lx > best * sum_l2) {
            for (int i = 0; i < n; ++i) L[i] = int8_t(nmax + quantize(iscale, i));
            scale = sum_lx / sum_l2;
            best = scale * sum_lx;
        }
    }
    return scale;
}

void quantize_block_q4_k(BlockQ4_K* out, const float* x) {
    uint8_t L[QK_K];
    float scales[8], mins[8], weights[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
        const float* xs = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
        // Errors on large values matter more: weight each value by RMS + |x|.
        const float rms = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = rms + std::fabs(xs[l]);
        scales[j] = fit_scale_min(32, 15, xs, weights, L + 32 * j, &mins[j], -1.0f, 0.1f, 20);
        max_scale = std::max(max_scale, scales[j]);
        max_min = std::max(max_min, mins[j]);
    }

    const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
    std::memset(out->scales, 0, sizeof out->scales);
    for (int j = 0; j < 8; ++j) {
        const uint8_t ls = uint8_t(std::min(63, nearest_int(inv_scale * scales[j])));
        const uint8_t lm = uint8_t(std::min(63, nearest_int(inv_min * mins[j])));
        if (j < 4) {
            out->scales[j] = ls;
            out->scales[j + 4] = lm;
        } else {
            out->scales[j + 4] = uint8_t((ls & 0xF) | ((lm & 0xF) << 4));
            out->scales[j - 4] |= uint8_t((ls >> 4) << 6);
            out->scales[j] |= uint8_t((lm >> 4) << 6);
        }
    }
    out->d = f32_to_f16(max_scale / 63.0f);
    out->dmin = f32_to_f16(max_min / 63.0f);

    // Requantise against the scales as stored (6-bit, fp16) so rounding there is compensated.
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        q4_k_scale_min(j, out->scales, &sc, &m);
        const float d = f16_to_f32(out->d) * float(sc);
        if (d == 0.0f) continue;
        const float dm = f16_to_f32(out->dmin) * float(m);
        for (int l = 0; l < 32; ++l) L[32 * j + l] = uint8_t(std::clamp(nearest_int((x[32 * j + l] + dm) / d), 0, 15));
    }
    for (int chunk = 0; chunk < 4; ++chunk)
        for (int l = 0; l < 32; ++l)
            out->qs[32 * chunk + l] = uint8_t(L[64 * chunk + l] | (L[64 * chunk + 32 + l] << 4));
}

void quantize_block_q6_k(BlockQ6_K* out, const float* x) {
    int8_t L[QK_K];
    float scales[16];
    float max_scale = 0, max_abs_scale = 0;
    for (int g = 0; g < 16; ++g) {
        scales[g] = fit_scale_symmetric(16, 32, x + 16 * g, L + 16 * g);
        if (std::fabs(scales[g]) > max_abs_scale) {
            max_abs_scale = std::fabs(scales[g]);
            max_scale = scales[g];
        }
    }
    std::memset(out, 0, sizeof *out);
    if (max_abs_scale < group_max_eps) return;  // all zeros: d = 0 (fp16 0 is all-zero bits)

    // The group scale of largest magnitude maps to -128 so every group scale fits in int8.
    const float iscale = -128.0f / max_scale;
    out->d = f32_to_f16(1.0f / iscale);
    for (int g = 0; g < 16; ++g) out->scales[g] = int8_t(std::min(127, nearest_int(iscale * scales[g])));

    for (int g = 0; g < 16; ++g) {
        const float d = f16_to_f32(out->d) * float(out->scales[g]);
        if (d == 0.0f) continue;
        for (int l = 0; l < 16; ++l) L[16 * g + l] = int8_t(std::clamp(nearest_int(x[16 * g + l] / d), -32, 31) + 32);
    }
    for (int half = 0; half < 2; ++half) {
        const int8_t* Lh = L + 128 * half;
        uint8_t* ql = out->ql + 64 * half;
        uint8_t* qh = out->qh + 32 * half;
        for (int l = 0; l < 32; ++l) {
            ql[l] = uint8_t((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
            ql[l + 32] = uint8_t((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
            qh[l] = uint8_t((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) | ((Lh[l + 96] >> 4) << 6));
        }
    }
}

}  // namespace

void quantize_row_q8_0(BlockQ8_0* out, const float* x, int64_t n) {
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const float* xb = x + b * QK8_0;
        float amax = 0;
        for (int64_t j = 0; j < QK8_0; ++j) amax = std::max(amax, std::fabs(xb[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        out[b].d = f32_to_f16(d);
        for (int64_t j = 0; j < QK8_0; ++j) out[b].qs[j] = int8_t(std::round(xb[j] * id));
    }
}

void quantize_row_q4_k(BlockQ4_K* out, const float* x, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) quantize_block_q4_k(out + b, x + b * QK_K);
}

void quantize_row_q6_k(BlockQ6_K* out, const float* x, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) quantize_block_q6_k(out + b, x + b * QK_K);
}

void quantize_row_q8_k(BlockQ8_K* out, const float* x, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float* xb = x + b * QK_K;
        BlockQ8_K& block = out[b];
        float max = 0, amax = 0;
        for (int64_t j = 0; j < QK_K; ++j) {
            if (std::fabs(xb[j]) > amax) {
                amax = std::fabs(xb[j]);
                max = xb[j];
            }
        }
        if (amax == 0.0f) {
            std::memset(&block, 0, sizeof block);
            continue;
        }
        // -127 rather than -128 keeps every q in [-127, 127], so SIMD kernels may negate it freely.
        const float iscale = -127.0f / max;
        for (int64_t j = 0; j < QK_K; ++j) block.qs[j] = int8_t(std::min(127, nearest_int(iscale * xb[j])));
        for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += block.qs[16 * g + l];
            block.bsums[g] = int16_t(sum);
        }
        block.d = 1.0f / iscale;
    }
}

}  // namespace whale
