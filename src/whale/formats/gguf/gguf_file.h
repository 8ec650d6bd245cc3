// Reader for one GGUF v3 file: mmap'd, the whole header validated up front, tensors exposed as
// zero-copy pointers into the mapping. Layout (docs/interfaces/gguf.md, 'File layout'): magic,
// version, tensor and metadata counts; metadata key/values; tensor infos; padding to the alignment;
// the data section. Every count and length is checked against the bytes left before anything is
// allocated, so a hostile file fails with a whale::Error naming the file and the field, never with
// a huge allocation or a read past the end.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "whale/core/mapped_file.h"
#include "whale/core/tensor_view.h"
#include "whale/formats/gguf/gguf_types.h"

namespace whale {

struct GgufTensor {
    std::string name;
    DType dtype = DType::DType_f32;
    uint32_t ggml_type = 0;
    std::vector<int64_t> ne;  // ggml order: ne[0] is the contiguous dimension (PyTorch's last)
    uint64_t offset = 0;      // from the start of the data section, a multiple of the alignment
    const void* data = nullptr;
    uint64_t nbytes = 0;

    int64_t numel() const;
    // As a matrix: ne[0] columns (one contiguous row) and the product of the other dims as rows,
    // e.g. a 2-D weight [in, out] in ggml order is `out` rows of `in` values.
    int64_t cols() const { return ne.empty() ? 1 : ne[0]; }
    int64_t rows() const;
    // A view with the shape in PyTorch order (ne reversed), pointing into the mapping.
    TensorView view() const;
};

class GgufFile {
public:
    // Maps `path` and validates it; throws whale::Error naming the file and what is wrong.
    explicit GgufFile(const std::string& path);
    // Validates `size` bytes the caller keeps alive (tests, fuzzing); `label` names it in errors.
    GgufFile(const uint8_t* data, size_t size, std::string label);

    const std::string& path() const { return label_; }
    // Whether tensor data lives in this object's own read-only file mapping (not borrowed memory),
    // so its pages may be released with release_mapped_pages.
    bool is_mapped() const { return file_ != nullptr; }
    uint32_t version() const { return version_; }
    uint32_t alignment() const { return alignment_; }
    uint64_t data_offset() const { return data_offset_; }  // file offset of the data section

    const std::vector<GgufKeyValue>& metadata() const { return metadata_; }
    const GgufValue* find_value(const std::string& key) const;
    // Typed lookups that throw whale::Error naming the file and key when the key is missing or
    // holds a value of another type (integer getters accept any integer type that fits).
    uint64_t get_u64(const std::string& key) const;
    int64_t get_i64(const std::string& key) const;
    double get_f64(const std::string& key) const;
    bool get_bool(const std::string& key) const;
    const std::string& get_string(const std::string& key) const;

    const std::vector<GgufTensor>& tensors() const { return tensors_; }  // file order
    const GgufTensor* find(const std::string& name) const;

    static constexpr size_t max_key_bytes = 65535;
    static constexpr int max_array_depth = 8;  // arrays of arrays nest at most this deep

private:
    void parse(const uint8_t* data, size_t size);
    const GgufValue& value(const std::string& key) const;

    std::unique_ptr<MappedFile> file_;  // null when reading borrowed memory
    std::string label_;
    uint32_t version_ = 0;
    uint32_t alignment_ = gguf_default_alignment;
    uint64_t data_offset_ = 0;
    std::vector<GgufKeyValue> metadata_;
    std::map<std::string, size_t> metadata_index_;
    std::vector<GgufTensor> tensors_;
    std::map<std::string, size_t> tensor_index_;
};

}  // namespace whale
