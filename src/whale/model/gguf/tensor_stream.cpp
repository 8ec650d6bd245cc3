#include "whale/model/gguf/tensor_stream.h"

#include <filesystem>

#include "whale/core/error.h"
#include "whale/core/progress_bar.h"
#include "whale/formats/gguf/gguf_writer.h"
#include "whale/model/gguf/quant_policy.h"

namespace whale {

std::function<void(int64_t, float*)> matrix_rows(const WeightMatrix& w) {
    return [w](int64_t row, float* out) { weight_dequantize_row(out, w, row); };
}

GgufWriteSummary write_gguf_rows(const std::string& path, const std::vector<GgufKeyValue>& metadata,
                                 const std::vector<RowTensor>& tensors, bool show_progress) {
    GgufWriter writer(path);
    for (const GgufKeyValue& kv : metadata) writer.add_value(kv.key, kv.value);
    GgufWriteSummary summary;
    for (const RowTensor& t : tensors) {
        summary.tensor_bytes += writer.add_tensor(t.name, t.type, t.ne);
        int64_t n = 1;
        for (int64_t d : t.ne) n *= d;
        summary.n_values += n;
        ++summary.n_tensors;
    }
    ProgressBar bar("writing " + std::filesystem::path(path).filename().string(), int64_t(summary.tensor_bytes),
                    show_progress);
    writer.set_progress([&bar, last = uint64_t(0)](uint64_t done, uint64_t) mutable {
        bar.advance(int64_t(done - last));
        last = done;
    });
    writer.write_header();
    for (const RowTensor& t : tensors) {
        const int64_t cols = t.ne[0];
        int64_t rows = 1;
        for (size_t i = 1; i < t.ne.size(); ++i) rows *= t.ne[i];
        const int64_t row_bytes = dtype_row_bytes(t.type, cols);
        if (t.raw) {
            writer.write_tensor_data(t.raw, size_t(rows * row_bytes));
            continue;
        }
        std::vector<float> row(static_cast<size_t>(cols));
        // Batch encoded rows into ~1 MiB writes; the writer's progress callback fires per write.
        const int64_t rows_per_write = std::max<int64_t>(1, (int64_t(1) << 20) / std::max<int64_t>(row_bytes, 1));
        std::vector<uint8_t> encoded(size_t(std::min(rows, rows_per_write) * row_bytes));
        for (int64_t r0 = 0; r0 < rows; r0 += rows_per_write) {
            const int64_t n = std::min(rows_per_write, rows - r0);
            for (int64_t r = 0; r < n; ++r) {
                t.row(r0 + r, row.data());
                gguf_encode_row(encoded.data() + r * row_bytes, t.type, row.data(), cols);
            }
            writer.write_tensor_data(encoded.data(), size_t(n * row_bytes));
        }
    }
    writer.finish();
    bar.finish();
    summary.file_bytes = std::filesystem::file_size(path);
    return summary;
}

}  // namespace whale
