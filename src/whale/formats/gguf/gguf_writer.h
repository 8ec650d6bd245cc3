// Streaming GGUF v3 writer, producing files llama.cpp and GgufFile read: declare metadata and tensor
// infos, write the header, then stream each tensor's bytes in declaration order (in as many chunks
// as the caller likes, so a converter never holds more than one tensor, or part of one, in memory).
// Tensor data is placed at offsets aligned to general.alignment (32 unless that key is set) and
// padded with zeros, as ggml's own writer does, so a file read back and rewritten is bit-identical.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "whale/formats/gguf/gguf_types.h"

namespace whale {

class GgufWriter {
public:
    // Called after every chunk of tensor data: bytes of tensor data written so far and in total.
    using Progress = std::function<void(uint64_t bytes_done, uint64_t bytes_total)>;

    // Opens (truncates) `path` for writing; throws whale::Error naming the path on failure.
    explicit GgufWriter(const std::string& path);
    ~GgufWriter();  // closes without finishing: an unfinished file is incomplete
    GgufWriter(const GgufWriter&) = delete;
    GgufWriter& operator=(const GgufWriter&) = delete;

    // Metadata in the order it will appear. Keys must be unique and non-empty; general.alignment,
    // if given, must be a uint32 power of two and sets the data alignment.
    void add_value(const std::string& key, GgufValue value);
    // Declares the next tensor: ne in ggml order (ne[0] contiguous, a multiple of the block size),
    // dtype one GGUF can hold. Returns the tensor's byte size.
    uint64_t add_tensor(const std::string& name, DType dtype, const std::vector<int64_t>& ne);
    void set_progress(Progress progress) { progress_ = std::move(progress); }

    // Writes magic, counts, metadata, tensor infos and the padding up to the data section.
    void write_header();
    // Appends bytes to the current tensor, moving on to the next one when it is complete.
    void write_tensor_data(const void* data, size_t nbytes);
    // Checks every tensor got all its bytes, then flushes and closes the file.
    void finish();

private:
    struct TensorInfo {
        std::string name;
        GgmlType type;
        std::vector<int64_t> ne;
        uint64_t offset;  // within the data section
        uint64_t nbytes;
    };

    void write_bytes(const void* data, size_t n);
    void write_padding(uint64_t n);

    std::string path_;
    std::FILE* file_ = nullptr;
    uint32_t alignment_ = gguf_default_alignment;
    std::vector<GgufKeyValue> metadata_;
    std::map<std::string, size_t> keys_;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, size_t> tensor_names_;
    bool header_written_ = false;
    size_t current_tensor_ = 0;     // the tensor write_tensor_data fills next
    uint64_t current_written_ = 0;  // bytes of it written so far
    uint64_t data_written_ = 0;
    uint64_t data_total_ = 0;
    Progress progress_;
};

}  // namespace whale
