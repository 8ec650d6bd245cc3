// AVX2+FMA twins of kernels/dot.cpp. This file alone is compiled with -mavx2 -mfma; callers reach
// it only through the dispatchers after checking cpu_features().
#include <immintrin.h>

#include "whale/kernels/dot.h"
#include "whale/kernels/x86_avx2/horizontal_sum.h"

namespace whale {

using avx2::horizontal_sum;

namespace {

// Q queries × J rows: Q·J accumulators, Q + J loads per 8 columns.
template <int Q, int J>
void dot_tile(float* out, int64_t out_stride, const float* queries, int64_t query_stride, const float* const* rows,
              int64_t n) {
    __m256 acc[Q][J];
    for (int q = 0; q < Q; ++q)
        for (int j = 0; j < J; ++j) acc[q][j] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 r[J];
        for (int j = 0; j < J; ++j) r[j] = _mm256_loadu_ps(rows[j] + i);
        for (int q = 0; q < Q; ++q) {
            const __m256 x = _mm256_loadu_ps(queries + q * query_stride + i);
            for (int j = 0; j < J; ++j) acc[q][j] = _mm256_fmadd_ps(x, r[j], acc[q][j]);
        }
    }
    for (int q = 0; q < Q; ++q)
        for (int j = 0; j < J; ++j) {
            float sum = horizontal_sum(acc[q][j]);
            for (int64_t k = i; k < n; ++k) sum += queries[q * query_stride + k] * rows[j][k];
            out[q * out_stride + j] = sum;
        }
}

}  // namespace

float dot_f32_avx2(const float* a, const float* b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    __m256 acc = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_movehdup_ps(half));
    float sum = _mm_cvtss_f32(half);
    for (; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

void axpy_f32_avx2(float* y, float alpha, const float* x, int64_t n) {
    const __m256 a = _mm256_set1_ps(alpha);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += alpha * x[i];
}

void axpy_rows_f32_avx2(float* y, const float* alpha, const float* const* rows, int64_t n_rows, int64_t n) {
    int64_t i = 0;
    // 32 columns at a time: four independent accumulator chains per row.
    for (; i + 32 <= n; i += 32) {
        __m256 acc0 = _mm256_loadu_ps(y + i), acc1 = _mm256_loadu_ps(y + i + 8);
        __m256 acc2 = _mm256_loadu_ps(y + i + 16), acc3 = _mm256_loadu_ps(y + i + 24);
        for (int64_t j = 0; j < n_rows; ++j) {
            const __m256 a = _mm256_set1_ps(alpha[j]);
            const float* x = rows[j] + i;
            acc0 = _mm256_fmadd_ps(a, _mm256_loadu_ps(x), acc0);
            acc1 = _mm256_fmadd_ps(a, _mm256_loadu_ps(x + 8), acc1);
            acc2 = _mm256_fmadd_ps(a, _mm256_loadu_ps(x + 16), acc2);
            acc3 = _mm256_fmadd_ps(a, _mm256_loadu_ps(x + 24), acc3);
        }
        _mm256_storeu_ps(y + i, acc0);
        _mm256_storeu_ps(y + i + 8, acc1);
        _mm256_storeu_ps(y + i + 16, acc2);
        _mm256_storeu_ps(y + i + 24, acc3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 acc = _mm256_loadu_ps(y + i);
        for (int64_t j = 0; j < n_rows; ++j) acc = _mm256_fmadd_ps(_mm256_set1_ps(alpha[j]), _mm256_loadu_ps(rows[j] + i), acc);
        _mm256_storeu_ps(y + i, acc);
    }
    for (; i < n; ++i) {
        float sum = y[i];
        for (int64_t j = 0; j < n_rows; ++j) sum += alpha[j] * rows[j][i];
        y[i] = sum;
    }
}

void dot_many_f32_avx2(float* out, int64_t out_stride, const float* queries, int64_t query_stride, int64_t n_queries,
                       const float* const* rows, int64_t n_rows, int64_t n) {
    // 4 queries × 2 rows: 8 accumulators and 6 loads per 8 columns fit the 16 registers.
    for (int64_t j = 0; j < n_rows; j += 2) {
        const bool pair = j + 1 < n_rows;
        int64_t q = 0;
        for (; q + 4 <= n_queries; q += 4) {
            float* o = out + q * out_stride + j;
            const float* x = queries + q * query_stride;
            if (pair)
                dot_tile<4, 2>(o, out_stride, x, query_stride, rows + j, n);
            else
                dot_tile<4, 1>(o, out_stride, x, query_stride, rows + j, n);
        }
        for (; q < n_queries; ++q) {
            float* o = out + q * out_stride + j;
            const float* x = queries + q * query_stride;
            if (pair)
                dot_tile<1, 2>(o, out_stride, x, query_stride, rows + j, n);
            else
                dot_tile<1, 1>(o, out_stride, x, query_stride, rows + j, n);
        }
    }
}

}  // namespace whale
