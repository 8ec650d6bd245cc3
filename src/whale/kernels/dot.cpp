#include "whale/kernels/dot.h"

#include "whale/core/cpu_features.h"

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

namespace {

bool use_avx2() {
    static const bool yes = cpu_features().avx2 && cpu_features().fma;
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
    if (use_avx2())
        dot_many_f32_avx2(out, out_stride, queries, query_stride, n_queries, rows, n_rows, n);
    else
        dot_many_f32_scalar(out, out_stride, queries, query_stride, n_queries, rows, n_rows, n);
}

}  // namespace whale
