#include "whale/kernels/matmul.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "whale/core/error.h"
#include "whale/core/scratch.h"
#include "whale/kernels/dot.h"
#include "whale/kernels/precision.h"
#include "whale/kernels/quant/q8_0_x8.h"
#include "whale/kernels/quant/tile_dot.h"
#include "whale/kernels/quant/vec_dot.h"

namespace whale {

namespace {

// Rows per task: small enough that six 1408-row experts give each of two threads many tasks to
// balance, large enough that a task's weight rows (64 · 2 KiB for Q8_0 at 2048 columns) stay in
// L2 while every token chunk passes over them.
constexpr int64_t rows_per_task = 64;
// Tokens per pass over a task's rows: their quantised activations (64 · 2 KiB) also stay in L2.
constexpr int64_t tokens_per_pass = 64;

// Scratch of matmul_batch, reused across calls so steady-state decode does not allocate; the
// calling thread's, its per-chunk slices handed to the workers (whale/core/scratch.h).
thread_local std::vector<float> activation_storage;  // float storage keeps Q8_K blocks aligned
thread_local std::vector<float> row_scratch;          // [chunks, rows_per_task · cols]

// Returns row `row` of w as f32, either in place (f32 weights) or dequantised into `scratch`.
const float* weight_row_f32(const WeightMatrix& w, int64_t row, float* scratch) {
    if (w.dtype == DType::DType_f32) return static_cast<const float*>(w.data) + row * w.cols;
    weight_dequantize_row(scratch, w, row);
    return scratch;
}

void check_quantized_cols(const WeightMatrix& w) {
    WHALE_CHECK(w.cols % dtype_block_elems(w.dtype) == 0, "matmul: ", dtype_name(w.dtype), " weight with ", w.cols,
                " columns, expected a multiple of ", dtype_block_elems(w.dtype));
}

// Weight rows [row_begin, row_end) of w against n_tokens tokens: y[t * y_stride + r - row_begin].
// `a` is the quantised activations (token_bytes apart) or null for unquantised weights, whose rows
// are dequantised to f32 into scratch [rows_per_task · w.cols] (unused for f32) and dotted with
// x [n_tokens, w.cols].
void run_rows(float* y, int64_t y_stride, const WeightMatrix& w, const float* x, int64_t n_tokens, const uint8_t* a,
              size_t token_bytes, int64_t row_begin, int64_t row_end, float* scratch) {
    if (w.dtype == DType::DType_q8_0) {
        const int64_t nb = w.cols / QK8_0;
        // Whole groups of 8 rows from the interleaved copy where there is one (matmul's tasks start
        // at multiples of rows_per_task, hence of 8), the rest from the plain rows.
        const int64_t packed_end =
            w.q8_0_x8 && row_begin % 8 == 0 ? std::max(row_begin, std::min(row_end, w.rows / 8 * 8)) : row_begin;
        for (int64_t t = 0; t < n_tokens; t += tokens_per_pass) {
            const BlockQ8_0* act = reinterpret_cast<const BlockQ8_0*>(a + size_t(t) * token_bytes);
            const int64_t pass = std::min(tokens_per_pass, n_tokens - t);
            if (packed_end > row_begin)
                tile_dot_q8_0_x8(y + t * y_stride, y_stride, w.q8_0_x8 + row_begin / 8 * nb, (packed_end - row_begin) / 8,
                                 act, pass, w.cols);
            if (row_end > packed_end)
                tile_dot_q8_0(y + t * y_stride + (packed_end - row_begin), y_stride,
                              static_cast<const BlockQ8_0*>(w.data) + packed_end * nb, row_end - packed_end, act, pass,
                              w.cols);
        }
        return;
    }
    if (a) {
        const uint8_t* data = static_cast<const uint8_t*>(w.data);
        for (int64_t r = row_begin; r < row_end; ++r)
            for (int64_t t = 0; t < n_tokens; ++t)
                y[t * y_stride + r - row_begin] =
                    vec_dot_quant(w.dtype, data + r * w.row_bytes(), a + size_t(t) * token_bytes, w.cols);
        return;
    }
    // bf16 weights where AVX-512 BF16 runs natively and the user allowed bf16 activations
    // (kernels/precision.h): rows read in place, each token pass rounded to bf16 once for all of
    // this call's rows (dot_many_bf16); otherwise the exact f32 path below.
    if (w.dtype == DType::DType_bf16 && dot_many_bf16_is_native() && bf16_activations_allowed()) {
        const uint16_t* data = static_cast<const uint16_t*>(w.data);
        // [tokens_per_pass, w.cols] bf16 fits in the rows_per_task · w.cols floats of scratch.
        uint16_t* xb = reinterpret_cast<uint16_t*>(scratch);
        const uint16_t* rows[rows_per_task];
        for (int64_t t = 0; t < n_tokens; t += tokens_per_pass) {
            const int64_t m_tokens = std::min(tokens_per_pass, n_tokens - t);
            round_to_bf16(xb, x + t * w.cols, m_tokens * w.cols);
            for (int64_t r0 = row_begin; r0 < row_end; r0 += rows_per_task) {
                const int64_t m = std::min(rows_per_task, row_end - r0);
                for (int64_t j = 0; j < m; ++j) rows[j] = data + (r0 + j) * w.cols;
                dot_many_bf16(y + t * y_stride + (r0 - row_begin), y_stride, xb, w.cols, m_tokens, rows, m, w.cols);
            }
        }
        return;
    }
    // Unquantised weights: up to rows_per_task rows as f32 (in place, or dequantised once into
    // scratch), then tiles of tokens × rows with dot_many_f32 over token passes that fit in L2.
    const float* rows[rows_per_task];
    for (int64_t r0 = row_begin; r0 < row_end; r0 += rows_per_task) {
        const int64_t m = std::min(rows_per_task, row_end - r0);
        for (int64_t j = 0; j < m; ++j) rows[j] = weight_row_f32(w, r0 + j, scratch ? scratch + j * w.cols : nullptr);
        for (int64_t t = 0; t < n_tokens; t += tokens_per_pass)
            dot_many_f32(y + t * y_stride + (r0 - row_begin), y_stride, x + t * w.cols, w.cols,
                         std::min(tokens_per_pass, n_tokens - t), rows, m, w.cols);
    }
}

// Where each job's quantised activations live in activation_storage; jobs reading the same x
// with the same activation format share one copy. Its vectors are reused from call to call.
struct ActivationPlan {
    std::vector<size_t> offset;       // [n_jobs] byte offset, or SIZE_MAX for unquantised weights
    std::vector<size_t> token_bytes;  // [n_jobs]
    std::vector<int64_t> owner;       // [n_jobs] the job whose x is quantised into that copy
    size_t total = 0;
};

void plan_activations(ActivationPlan& p, const MatmulJob* jobs, int64_t n_jobs) {
    p.offset.assign(size_t(n_jobs), SIZE_MAX);
    p.token_bytes.assign(size_t(n_jobs), 0);
    p.owner.assign(size_t(n_jobs), -1);
    p.total = 0;
    for (int64_t j = 0; j < n_jobs; ++j) {
        const WeightMatrix& w = *jobs[j].w;
        if (!dtype_is_quantized(w.dtype)) continue;
        check_quantized_cols(w);
        p.token_bytes[size_t(j)] = quant_activation_bytes(w.dtype, w.cols);
        for (int64_t k = 0; k < j; ++k) {
            const WeightMatrix& v = *jobs[k].w;
            if (p.owner[size_t(k)] == k && jobs[k].x == jobs[j].x && jobs[k].n_tokens == jobs[j].n_tokens &&
                v.cols == w.cols && quant_activation_bytes(v.dtype, v.cols) == p.token_bytes[size_t(j)] &&
                (v.dtype == DType::DType_q8_0) == (w.dtype == DType::DType_q8_0)) {
                p.offset[size_t(j)] = p.offset[size_t(k)];
                p.owner[size_t(j)] = k;
                break;
            }
        }
        if (p.owner[size_t(j)] >= 0) continue;
        p.owner[size_t(j)] = j;
        p.offset[size_t(j)] = p.total;
        // Rounded to floats so every copy starts float-aligned.
        p.total += (size_t(jobs[j].n_tokens) * p.token_bytes[size_t(j)] + sizeof(float) - 1) / sizeof(float) * sizeof(float);
    }
}

// Quantises every owned copy; in parallel over tokens when there are many (prefill).
void quantize_activations(const MatmulJob* jobs, int64_t n_jobs, const ActivationPlan& p, uint8_t* base,
                          ThreadPool& pool) {
    thread_local std::vector<std::pair<int64_t, int64_t>> units_storage;
    // A reference: the workers running `run` must see this thread's units, not their own.
    std::vector<std::pair<int64_t, int64_t>>& units = units_storage;  // (job, token)
    units.clear();
    for (int64_t j = 0; j < n_jobs; ++j)
        if (p.owner[size_t(j)] == j)
            for (int64_t t = 0; t < jobs[j].n_tokens; ++t) units.emplace_back(j, t);
    auto run = [&](int64_t begin, int64_t end) {
        for (int64_t u = begin; u < end; ++u) {
            const auto [j, t] = units[size_t(u)];
            const WeightMatrix& w = *jobs[j].w;
            quantize_activation(base + p.offset[size_t(j)] + size_t(t) * p.token_bytes[size_t(j)], w.dtype,
                                jobs[j].x + t * w.cols, w.cols);
        }
    };
    if (units.size() < 16)
        run(0, int64_t(units.size()));
    else
        pool.parallel_for(int64_t(units.size()), run);
}

}  // namespace

void matmul_batch(const MatmulJob* jobs, int64_t n_jobs, ThreadPool& pool) {
    thread_local ActivationPlan plan_storage;
    thread_local std::vector<int64_t> first_task_storage;
    // References: the workers must see this thread's plan, not their own (empty) thread_locals.
    ActivationPlan& plan = plan_storage;
    std::vector<int64_t>& first_task = first_task_storage;  // [n_jobs + 1] prefix sums of tasks
    plan_activations(plan, jobs, n_jobs);
    uint8_t* base = reinterpret_cast<uint8_t*>(scratch(activation_storage, plan.total / sizeof(float) + 1));
    quantize_activations(jobs, n_jobs, plan, base, pool);

    first_task.assign(size_t(n_jobs) + 1, 0);
    int64_t row_floats = 0;  // f32 rows a chunk dequantises at once: rows_per_task of the widest such job
    for (int64_t j = 0; j < n_jobs; ++j) {
        const WeightMatrix& w = *jobs[j].w;
        const int64_t tasks = jobs[j].n_tokens > 0 ? (w.rows + rows_per_task - 1) / rows_per_task : 0;
        first_task[size_t(j) + 1] = first_task[size_t(j)] + tasks;
        if (w.dtype != DType::DType_f32 && !dtype_is_quantized(w.dtype))
            row_floats = std::max(row_floats, rows_per_task * w.cols);
    }
    const int64_t n_tasks = first_task.back();
    // One index per chunk (n_chunks <= pool.size()), so a chunk's index picks its scratch slice.
    const int64_t n_chunks = std::min<int64_t>(pool.size(), n_tasks);
    float* rows_f32 = scratch(row_scratch, size_t(n_chunks * row_floats));
    std::atomic<int64_t> next{0};
    pool.parallel_for(n_chunks, [&](int64_t chunk, int64_t) {
        float* chunk_scratch = row_floats > 0 ? rows_f32 + chunk * row_floats : nullptr;
        int64_t j = 0;
        for (int64_t task = next.fetch_add(1); task < n_tasks; task = next.fetch_add(1)) {
            while (first_task[size_t(j) + 1] <= task) ++j;  // tasks are handed out in increasing order
            const MatmulJob& job = jobs[j];
            const int64_t row_begin = (task - first_task[size_t(j)]) * rows_per_task;
            const int64_t row_end = std::min(row_begin + rows_per_task, job.w->rows);
            const uint8_t* a = plan.offset[size_t(j)] == SIZE_MAX ? nullptr : base + plan.offset[size_t(j)];
            run_rows(job.y + row_begin, job.w->rows, *job.w, job.x, job.n_tokens, a, plan.token_bytes[size_t(j)],
                     row_begin, row_end, chunk_scratch);
        }
    });
}

void matmul(float* y, const float* x, int64_t n_tokens, const WeightMatrix& w, ThreadPool& pool) {
    const MatmulJob job{y, x, n_tokens, &w};
    matmul_batch(&job, 1, pool);
}

int64_t matvec_scratch_floats(const WeightMatrix& w) {
    if (w.dtype == DType::DType_f32) return 0;
    if (dtype_is_quantized(w.dtype))  // quantised x for matvec_rows, one dequantised row for the transposed product
        return std::max<int64_t>(int64_t(quant_activation_bytes(w.dtype, w.cols) / sizeof(float)) + 1, w.cols);
    return rows_per_task * w.cols;
}

void matvec_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin, int64_t row_end, float* scratch) {
    const uint8_t* a = nullptr;
    size_t token_bytes = 0;
    if (dtype_is_quantized(w.dtype)) {
        check_quantized_cols(w);
        token_bytes = quant_activation_bytes(w.dtype, w.cols);
        quantize_activation(scratch, w.dtype, x, w.cols);
        a = reinterpret_cast<const uint8_t*>(scratch);
    }
    run_rows(y, 0, w, x, 1, a, token_bytes, row_begin, row_end, a ? nullptr : scratch);
}

void matvec_transposed_rows(float* y, const float* x, const WeightMatrix& w, int64_t row_begin, int64_t row_end,
                            float* scratch) {
    for (int64_t k = 0; k < w.cols; ++k) y[k] = 0.0f;
    for (int64_t r = row_begin; r < row_end; ++r) axpy_f32(y, x[r - row_begin], weight_row_f32(w, r, scratch), w.cols);
}

}  // namespace whale
