#include "whale/kernels/dot.h"

#include <cmath>

#include "whale/core/cpu_features.h"
#include "whale/core/dtype.h"

namespace whale {

float dot_f32_scalar(const float* a, const float* b, int64_t n) {
    // Four partial sums, like the SIMD twin's lanes, keep rounding error comparable.
    float sum[4] = {0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; ++j) sum[j] += a[i + j] * b[i + j];
    for (; i < n; ++i) sum[0] += a[i] * b[i];
    return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

void axpy_f32_scalar(float* y, float alpha, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void dot_many_f32_scalar(float* out, int64_t out_stride, const float* queries, int64_t query_stride, int64_t n_queries,
                         const float* const* rows, int64_t n_rows, int64_t n) {
    for (int64_t q = 0; q < n_queries; ++q)
        for (int64_t j = 0; j < n_rows; ++j) out[q * out_stride + j] = dot_f32_scalar(queries + q * query_stride, rows[j], n);
}

void axpy_rows_f32_scalar(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        float sum = y[i];
        for (int64_t j = 0; j < n_rows; ++j) sum += alpha[j] * rows[j][i];
        y[i] = sum;
    }
}

void round_to_bf16_scalar(uint16_t* out, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = f32_to_bf16(x[i]);
}

namespace {

// One step of VDPBF16PS (Intel SDM): an FMA, exact product (bf16 · bf16 fits in f32) and one
// rounding to nearest even, with denormal inputs read as zero and a denormal result flushed.
float bf16_dot_step(float acc, uint16_t a, uint16_t b) {
    auto flush = [](float v) { return std::fpclassify(v) == FP_SUBNORMAL ? std::copysign(0.0f, v) : v; };
    return flush(std::fma(flush(bf16_to_f32(a)), flush(bf16_to_f32(b)), flush(acc)));
}

// One (query, row) pair as the AVX-512 BF16 kernel computes it; columns past n count as zero.
float dot_bf16_lanes(const uint16_t* a, const uint16_t* b, int64_t n) {
    float lane[16] = {};
    for (int64_t i = 0; i < n; i += 32)
        for (int l = 0; l < 16; ++l) {
            const int64_t odd = i + 2 * l + 1, even = i + 2 * l;
            lane[l] = bf16_dot_step(lane[l], odd < n ? a[odd] : 0, odd < n ? b[odd] : 0);
            lane[l] = bf16_dot_step(lane[l], even < n ? a[even] : 0, even < n ? b[even] : 0);
        }
    // The kernel's horizontal_sum: lanes l + 8, then l + 4, then l + 2, then the last two.
    float eight[8], four[4];
    for (int l = 0; l < 8; ++l) eight[l] = lane[l] + lane[l + 8];
    for (int l = 0; l < 4; ++l) four[l] = eight[l] + eight[l + 4];
    return (four[0] + four[2]) + (four[1] + four[3]);
}

}  // namespace

void dot_many_bf16_scalar(float* out, int64_t out_stride, const uint16_t* queries, int64_t query_stride,
                          int64_t n_queries, const uint16_t* const* rows, int64_t n_rows, int64_t n) {
    for (int64_t q = 0; q < n_queries; ++q)
        for (int64_t j = 0; j < n_rows; ++j)
            out[q * out_stride + j] = dot_bf16_lanes(queries + q * query_stride, rows[j], n);
}

namespace {

bool use_avx2() {
    static const bool yes = cpu_features().avx2 && cpu_features().fma;
    return yes;
}

// The AVX-512 kernels also use AVX2 and FMA instructions.
bool use_avx512f() {
    static const bool yes = use_avx2() && cpu_features().avx512f;
    return yes;
}

bool use_avx512bw() {
    static const bool yes = use_avx512f() && cpu_features().avx512bw;
    return yes;
}

}  // namespace

float dot_f32(const float* a, const float* b, int64_t n) {
    return use_avx2() ? dot_f32_avx2(a, b, n) : dot_f32_scalar(a, b, n);
}

void axpy_f32(float* y, float alpha, const float* x, int64_t n) {
    if (use_avx2())
        axpy_f32_avx2(y, alpha, x, n);
    else
        axpy_f32_scalar(y, alpha, x, n);
}

void axpy_rows_f32(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n) {
    if (use_avx2())
        axpy_rows_f32_avx2(y, alpha, rows, n_rows, n);
    else
        axpy_rows_f32_scalar(y, alpha, rows, n_rows, n);
}

void dot_many_f32(float* out, int64_t out_stride, const float* queries, int64_t query_stride, int64_t n_queries,
                  const float* const* rows, int64_t n_rows, int64_t n) {
    if (use_avx512f())
        dot_many_f32_avx512(out, out_stride, queries, query_stride, n_queries, rows, n_rows, n);
    else if (use_avx2())
        dot_many_f32_avx2(out, out_stride, queries, query_stride, n_queries, rows, n_rows, n);
    else
        dot_many_f32_scalar(out, out_stride, queries, query_stride, n_queries, rows, n_rows, n);
}

void round_to_bf16(uint16_t* out, const float* x, int64_t n) {
    if (use_avx512bw())
        round_to_bf16_avx512(out, x, n);
    else
        round_to_bf16_scalar(out, x, n);
}

bool dot_many_bf16_is_native() {
    static const bool yes = use_avx512bw() && cpu_features().avx512_bf16;
    return yes;
}

void dot_many_bf16(float* out, int64_t out_stride, const uint16_t* queries, int64_t query_stride, int64_t n_queries,
                   const uint16_t* const* rows, int64_t n_rows, int64_t n) {
    if (dot_many_bf16_is_native())
        dot_many_bf16_avx512_bf16(out, out_stride, queries, query_stride, n_queries, rows, n_rows, n);
    else
        dot_many_bf16_scalar(out, out_stride, queries, query_stride, n_queries, rows, n_rows, n);
}

}  // namespace whale
