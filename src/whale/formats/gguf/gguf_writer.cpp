// GGUF writing: declarations are validated as they are added, the header is serialised in one
// buffer, and tensor bytes stream straight to the file with zero padding after each tensor.
#include "whale/formats/gguf/gguf_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "whale/core/error.h"

namespace whale {

namespace {

uint64_t align_up(uint64_t v, uint64_t alignment) { return (v + alignment - 1) / alignment * alignment; }

template <typename T>
void append_le(std::vector<uint8_t>& out, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) out.push_back(uint8_t(uint64_t(v) >> (8 * i)));
}

void append_string(std::vector<uint8_t>& out, const std::string& s) {
    append_le<uint64_t>(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

void append_value(std::vector<uint8_t>& out, const GgufValue& value) {
    switch (value.type) {
        case GgufType::GgufType_string: append_string(out, value.string); return;
        case GgufType::GgufType_array:
            append_le<uint32_t>(out, uint32_t(value.array_type));
            append_le<uint64_t>(out, value.array.size());
            for (const GgufValue& e : value.array) append_value(out, e);
            return;
        default:
            for (size_t i = 0; i < gguf_scalar_size(value.type); ++i) out.push_back(uint8_t(value.bits >> (8 * i)));
    }
}

// Arrays must hold only elements of their declared type, recursively (GgufValue is a plain struct,
// so a hand-built value can break this).
bool value_is_consistent(const GgufValue& value) {
    if (!gguf_type_is_known(uint32_t(value.type))) return false;
    if (value.type != GgufType::GgufType_array) return true;
    for (const GgufValue& e : value.array)
        if (e.type != value.array_type || !value_is_consistent(e)) return false;
    return true;
}

}  // namespace

GgufWriter::GgufWriter(const std::string& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "wb");
    WHALE_CHECK(file_, path, ": cannot open for writing: ", std::strerror(errno));
}

GgufWriter::~GgufWriter() {
    if (file_) std::fclose(file_);
}

void GgufWriter::add_value(const std::string& key, GgufValue value) {
    WHALE_CHECK(!header_written_, path_, ": metadata '", key, "' added after the header was written");
    WHALE_CHECK(!key.empty() && key.size() <= 65535, path_, ": metadata key must be 1..65535 bytes long");
    WHALE_CHECK(!keys_.count(key), path_, ": metadata key '", key, "' added twice");
    WHALE_CHECK(value_is_consistent(value), path_, ": metadata '", key, "' has array elements of the wrong type");
    if (key == "general.alignment") {
        WHALE_CHECK(value.type == GgufType::GgufType_uint32 && value.bits != 0 && (value.bits & (value.bits - 1)) == 0,
                    path_, ": general.alignment must be a uint32 power of two");
        WHALE_CHECK(tensors_.empty(), path_, ": general.alignment must be set before tensors are added");
        alignment_ = uint32_t(value.bits);
    }
    keys_[key] = metadata_.size();
    metadata_.push_back({key, std::move(value)});
}

uint64_t GgufWriter::add_tensor(const std::string& name, DType dtype, const std::vector<int64_t>& ne) {
    WHALE_CHECK(!header_written_, path_, ": tensor '", name, "' added after the header was written");
    WHALE_CHECK(name.size() <= gguf_max_tensor_name, path_, ": tensor name '", name, "' is longer than ",
                gguf_max_tensor_name, " bytes");
    WHALE_CHECK(!tensor_names_.count(name), path_, ": tensor '", name, "' added twice");
    WHALE_CHECK(ne.size() <= gguf_max_dims, path_, ": tensor '", name, "' has ", ne.size(), " dimensions, at most ",
                gguf_max_dims, " allowed");
    GgmlType type;
    WHALE_CHECK(ggml_type_from_dtype(dtype, &type), path_, ": tensor '", name, "': dtype ", dtype_name(dtype),
                " cannot be stored in GGUF");
    int64_t numel = 1;
    for (int64_t d : ne) {
        WHALE_CHECK(d >= 0, path_, ": tensor '", name, "' has a negative dimension");
        numel *= d;
    }
    const int64_t block = dtype_block_elems(dtype);
    const int64_t cols = ne.empty() ? 1 : ne[0];
    WHALE_CHECK(cols % block == 0, path_, ": tensor '", name, "': ne[0] = ", cols, " is not a multiple of the ",
                dtype_name(dtype), " block size ", block);
    const uint64_t nbytes = uint64_t(numel / block) * dtype_size(dtype);
    const uint64_t offset = tensors_.empty() ? 0 : align_up(tensors_.back().offset + tensors_.back().nbytes, alignment_);
    tensor_names_[name] = tensors_.size();
    tensors_.push_back({name, type, ne, offset, nbytes});
    data_total_ += nbytes;
    return nbytes;
}

void GgufWriter::write_bytes(const void* data, size_t n) {
    WHALE_CHECK(std::fwrite(data, 1, n, file_) == n, path_, ": write failed: ", std::strerror(errno));
}

void GgufWriter::write_padding(uint64_t n) {
    static const uint8_t zeros[64] = {};
    while (n > 0) {
        const size_t chunk = size_t(std::min<uint64_t>(n, sizeof zeros));
        write_bytes(zeros, chunk);
        n -= chunk;
    }
}

void GgufWriter::write_header() {
    WHALE_CHECK(!header_written_, path_, ": header written twice");
    std::vector<uint8_t> header;
    append_le<uint32_t>(header, gguf_magic);
    append_le<uint32_t>(header, gguf_version);
    append_le<uint64_t>(header, tensors_.size());
    append_le<uint64_t>(header, metadata_.size());
    for (const GgufKeyValue& kv : metadata_) {
        append_string(header, kv.key);
        append_le<uint32_t>(header, uint32_t(kv.value.type));
        append_value(header, kv.value);
    }
    for (const TensorInfo& t : tensors_) {
        append_string(header, t.name);
        append_le<uint32_t>(header, uint32_t(t.ne.size()));
        for (int64_t d : t.ne) append_le<uint64_t>(header, uint64_t(d));
        append_le<uint32_t>(header, uint32_t(t.type));
        append_le<uint64_t>(header, t.offset);
    }
    write_bytes(header.data(), header.size());
    write_padding(align_up(header.size(), alignment_) - header.size());
    header_written_ = true;
}

void GgufWriter::write_tensor_data(const void* data, size_t nbytes) {
    WHALE_CHECK(header_written_, path_, ": tensor data written before the header");
    const uint8_t* bytes = static_cast<const uint8_t*>(data);
    while (nbytes > 0) {
        WHALE_CHECK(current_tensor_ < tensors_.size(), path_, ": ", nbytes, " bytes of tensor data beyond the last tensor");
        const TensorInfo& t = tensors_[current_tensor_];
        const size_t chunk = size_t(std::min<uint64_t>(nbytes, t.nbytes - current_written_));
        write_bytes(bytes, chunk);
        bytes += chunk;
        nbytes -= chunk;
        current_written_ += chunk;
        data_written_ += chunk;
        if (current_written_ == t.nbytes) {
            write_padding(align_up(t.nbytes, alignment_) - t.nbytes);
            ++current_tensor_;
            current_written_ = 0;
        }
    }
    // Zero-byte tensors need no data; step over them so the next call fills the right tensor.
    while (current_tensor_ < tensors_.size() && tensors_[current_tensor_].nbytes == 0) ++current_tensor_;
    if (progress_) progress_(data_written_, data_total_);
}

void GgufWriter::finish() {
    WHALE_CHECK(header_written_, path_, ": finish() before the header was written");
    while (current_tensor_ < tensors_.size() && tensors_[current_tensor_].nbytes == 0) ++current_tensor_;
    WHALE_CHECK(current_tensor_ == tensors_.size(), path_, ": tensor '", tensors_[current_tensor_].name, "' got ",
                current_written_, " of its ", tensors_[current_tensor_].nbytes, " bytes");
    const int flushed = std::fflush(file_);
    const int closed = std::fclose(file_);
    file_ = nullptr;
    WHALE_CHECK(flushed == 0 && closed == 0, path_, ": write failed: ", std::strerror(errno));
}

}  // namespace whale
