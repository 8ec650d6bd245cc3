// Reader for one .safetensors file: mmap'd, header validated, tensors exposed as zero-copy views.
// Layout (docs/interfaces/safetensors.md): u64 little-endian header length N, N bytes of JSON, then
// the data buffer; offsets in the header are relative to the data buffer and must tile it without
// overlap.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "whale/core/mapped_file.h"
#include "whale/core/tensor_view.h"

namespace whale {

class SafetensorsFile {
public:
    // Validates the whole header up front so later lookups cannot fail on malformed data.
    // Throws whale::Error naming the file and the tensor at fault.
    explicit SafetensorsFile(const std::string& path);
    // Validates `size` bytes the caller keeps alive (tests, fuzzing); `label` names it in errors.
    SafetensorsFile(const uint8_t* data, size_t size, std::string label);

    const std::string& path() const { return label_; }
    const std::vector<TensorView>& tensors() const { return tensors_; }
    const TensorView* find(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    static constexpr uint64_t max_header_bytes = 100'000'000;

private:
    void parse(const uint8_t* base, uint64_t file_size);

    std::unique_ptr<MappedFile> file_;  // null when reading borrowed memory
    std::string label_;
    std::vector<TensorView> tensors_;
    std::map<std::string, size_t> index_;
    std::map<std::string, std::string> metadata_;
};

}  // namespace whale
