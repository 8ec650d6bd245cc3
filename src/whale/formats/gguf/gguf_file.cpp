// GGUF parsing: a bounds-checked cursor over the header, value and tensor-info readers, and the
// checks that need the whole header (alignment, data section bounds, overlaps).
#include "whale/formats/gguf/gguf_file.h"

#include <algorithm>
#include <limits>
#include <ostream>

#include "whale/core/error.h"

namespace whale {

namespace {

// Names a header field in error messages, e.g. {"name of tensor", "3"} -> "name of tensor '3'"
// ({"magic", ""} -> "magic").
// Kept as two references and formatted only on failure: the token arrays of a real vocabulary
// have a quarter of a million elements, and building a string per element would dominate loading.
struct Field {
    const char* what;
    const std::string& subject;
};

std::ostream& operator<<(std::ostream& out, const Field& field) {
    out << field.what;
    if (!field.subject.empty()) out << " '" << field.subject << "'";
    return out;
}

// Bounds-checked little-endian reads over the header; every failure names the file, the field
// and the offset.
class HeaderReader {
public:
    HeaderReader(const std::string& label, const uint8_t* data, size_t size) : label_(label), data_(data), size_(size) {}

    size_t pos() const { return pos_; }
    size_t remaining() const { return size_ - pos_; }

    void need(uint64_t n, const Field& field, const char* part = "") const {
        WHALE_CHECK(n <= remaining(), label_, ": truncated header: ", part, field, " at offset ", pos_, " needs ", n,
                    " bytes but only ", remaining(), " remain");
    }
    uint64_t uint(size_t bytes, const Field& field, const char* part = "") {
        need(bytes, field, part);
        uint64_t v = 0;
        for (size_t i = bytes; i-- > 0;) v = (v << 8) | data_[pos_ + i];
        pos_ += bytes;
        return v;
    }
    uint32_t u32(const Field& field) { return uint32_t(uint(4, field)); }
    uint64_t u64(const Field& field) { return uint(8, field); }
    std::string string(const Field& field, uint64_t max_bytes) {
        const uint64_t length = uint(8, field, "length of ");
        WHALE_CHECK(length <= max_bytes, label_, ": ", field, " at offset ", pos_ - 8, " is ", length,
                    " bytes long, the limit is ", max_bytes);
        need(length, field);
        std::string s(reinterpret_cast<const char*>(data_ + pos_), size_t(length));
        pos_ += size_t(length);
        return s;
    }

private:
    const std::string& label_;
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

// The fewest bytes one value of `type` can take, to bound counts before allocating.
uint64_t min_value_bytes(GgufType type) {
    if (type == GgufType::GgufType_string) return 8;     // length
    if (type == GgufType::GgufType_array) return 4 + 8;  // element type + count
    return gguf_scalar_size(type);
}

GgufType read_type(HeaderReader& in, const std::string& label, const Field& field) {
    const size_t at = in.pos();
    const uint32_t type = in.u32(field);
    WHALE_CHECK(gguf_type_is_known(type), label, ": ", field, " at offset ", at, " is ", type,
                ", not a GGUF value type (0..12)");
    return GgufType(type);
}

GgufValue read_value(HeaderReader& in, const std::string& label, const std::string& key, GgufType type, int depth) {
    GgufValue value;
    value.type = type;
    const Field field{"value of", key};
    if (type == GgufType::GgufType_string) {
        value.string = in.string(field, std::numeric_limits<uint64_t>::max());
    } else if (type == GgufType::GgufType_array) {
        WHALE_CHECK(depth < GgufFile::max_array_depth, label, ": '", key, "' nests arrays deeper than ",
                    GgufFile::max_array_depth, " levels");
        value.array_type = read_type(in, label, Field{"array element type of", key});
        const size_t count_at = in.pos();
        const uint64_t count = in.u64(Field{"array length of", key});
        WHALE_CHECK(count <= in.remaining() / min_value_bytes(value.array_type), label, ": '", key, "' claims ", count,
                    " ", gguf_type_name(value.array_type), " elements at offset ", count_at, " but only ",
                    in.remaining(), " bytes remain");
        value.array.reserve(size_t(count));
        for (uint64_t i = 0; i < count; ++i)
            value.array.push_back(read_value(in, label, key, value.array_type, depth + 1));
    } else {
        const size_t at = in.pos();
        value.bits = in.uint(gguf_scalar_size(type), field);
        WHALE_CHECK(type != GgufType::GgufType_bool || value.bits <= 1, label, ": ", field, " at offset ", at,
                    " is a bool with byte ", value.bits, ", expected 0 or 1");
    }
    return value;
}

// One tensor info: name, dims, type, offset. Checks everything that does not need the data
// section's position: limits, the type, whole blocks per row and that the byte size fits.
GgufTensor read_tensor_info(HeaderReader& in, const std::string& label, uint64_t index, uint32_t alignment) {
    GgufTensor t;
    t.name = in.string(Field{"name of tensor", std::to_string(index)}, gguf_max_tensor_name);
    const std::string where = str_cat(label, ": tensor '", t.name, "'");
    const uint32_t n_dims = in.u32(Field{"dimension count of tensor", t.name});
    WHALE_CHECK(n_dims <= gguf_max_dims, where, ": has ", n_dims, " dimensions, at most ", gguf_max_dims, " allowed");
    constexpr uint64_t int64_max = uint64_t(std::numeric_limits<int64_t>::max());
    uint64_t numel = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
        const uint64_t n = in.u64(Field{"a dimension of tensor", t.name});
        WHALE_CHECK(n <= int64_max, where, ": ne[", d, "] = ", n, " is negative");
        WHALE_CHECK(n == 0 || numel <= int64_max / n, where, ": element count overflows");
        numel *= n;
        t.ne.push_back(int64_t(n));
    }
    t.ggml_type = in.u32(Field{"type of tensor", t.name});
    WHALE_CHECK(ggml_type_to_dtype(t.ggml_type, &t.dtype), where, ": unknown or unsupported ggml type ", t.ggml_type,
                " (", ggml_type_name(t.ggml_type), "); Whale reads F32, F16, BF16, F64, I8..I64, Q8_0, Q4_K and Q6_K");
    const int64_t block = dtype_block_elems(t.dtype);
    WHALE_CHECK(t.cols() % block == 0, where, ": ne[0] = ", t.cols(), " is not a multiple of the ",
                dtype_name(t.dtype), " block size ", block);
    const uint64_t n_blocks = numel / uint64_t(block);
    WHALE_CHECK(n_blocks <= std::numeric_limits<uint64_t>::max() / dtype_size(t.dtype), where, ": byte size overflows");
    t.nbytes = n_blocks * dtype_size(t.dtype);
    t.offset = in.u64(Field{"data offset of tensor", t.name});
    WHALE_CHECK(t.offset % alignment == 0, where, ": data offset ", t.offset, " is not a multiple of the alignment ",
                alignment);
    return t;
}

void check_no_overlaps(const std::string& label, const std::vector<GgufTensor>& tensors) {
    std::vector<const GgufTensor*> by_offset;
    for (const GgufTensor& t : tensors)
        if (t.nbytes > 0) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const GgufTensor* a, const GgufTensor* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const GgufTensor& prev = *by_offset[i - 1];
        WHALE_CHECK(by_offset[i]->offset >= prev.offset + prev.nbytes, label, ": tensors '", prev.name, "' and '",
                    by_offset[i]->name, "' overlap in the data section");
    }
}

// Runs a GgufValue accessor, prefixing its type error with the file and key.
template <typename Get>
auto typed_value(const std::string& label, const std::string& key, Get get) -> decltype(get()) {
    try {
        return get();
    } catch (const Error& e) {
        fail(label, ": metadata key '", key, "': ", e.what());
    }
}

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

uint64_t align_up(uint64_t v, uint64_t alignment) { return (v + alignment - 1) / alignment * alignment; }

}  // namespace

int64_t GgufTensor::numel() const {
    int64_t n = 1;
    for (int64_t d : ne) n *= d;
    return n;
}

int64_t GgufTensor::rows() const {
    int64_t n = 1;
    for (size_t i = 1; i < ne.size(); ++i) n *= ne[i];
    return n;
}

TensorView GgufTensor::view() const {
    TensorView v;
    v.name = name;
    v.dtype = dtype;
    v.shape.assign(ne.rbegin(), ne.rend());
    v.data = data;
    v.nbytes = size_t(nbytes);
    return v;
}

GgufFile::GgufFile(const std::string& path) : file_(std::make_unique<MappedFile>(path)), label_(path) {
    parse(file_->data(), file_->size());
}

GgufFile::GgufFile(const uint8_t* data, size_t size, std::string label) : label_(std::move(label)) {
    parse(data, size);
}

void GgufFile::parse(const uint8_t* data, size_t size) {
    HeaderReader in(label_, data, size);
    const std::string& label = label_;
    const std::string none;

    WHALE_CHECK(size >= 4, label, ": truncated: ", size, " bytes, a GGUF file starts with the 4-byte magic 'GGUF'");
    const uint32_t magic = in.u32(Field{"magic", none});
    WHALE_CHECK(magic == gguf_magic, label, ": bad magic: expected 'GGUF' (47 47 55 46), found bytes ",
                std::hex, (magic & 0xff), ' ', ((magic >> 8) & 0xff), ' ', ((magic >> 16) & 0xff), ' ', (magic >> 24));
    version_ = in.u32(Field{"version", none});
    WHALE_CHECK(version_ != 0x03000000 && version_ != 0x02000000, label,
                ": big-endian GGUF files are not supported (version field reads ", version_, ")");
    WHALE_CHECK(version_ == 2 || version_ == 3, label, ": unsupported GGUF version ", version_,
                " (Whale reads versions 2 and 3)");
    const uint64_t tensor_count = in.u64(Field{"tensor count", none});
    const uint64_t kv_count = in.u64(Field{"metadata count", none});
    // Bound both counts by the smallest encoding of one entry before reserving anything.
    constexpr uint64_t min_kv_bytes = 8 + 4 + 1;               // empty key, type, 1-byte value
    constexpr uint64_t min_tensor_info_bytes = 8 + 4 + 4 + 8;  // empty name, n_dims 0, type, offset
    WHALE_CHECK(kv_count <= in.remaining() / min_kv_bytes, label, ": header claims ", kv_count,
                " metadata entries but only ", in.remaining(), " bytes remain");
    WHALE_CHECK(tensor_count <= in.remaining() / min_tensor_info_bytes, label, ": header claims ", tensor_count,
                " tensors but only ", in.remaining(), " bytes remain");

    metadata_.reserve(size_t(kv_count));
    for (uint64_t i = 0; i < kv_count; ++i) {
        GgufKeyValue kv;
        kv.key = in.string(Field{"key of metadata entry", std::to_string(i)}, max_key_bytes);
        WHALE_CHECK(!kv.key.empty(), label, ": metadata entry ", i, " has an empty key");
        WHALE_CHECK(!metadata_index_.count(kv.key), label, ": metadata key '", kv.key, "' appears twice");
        const GgufType type = read_type(in, label, Field{"type of", kv.key});
        kv.value = read_value(in, label, kv.key, type, 0);
        metadata_index_[kv.key] = metadata_.size();
        metadata_.push_back(std::move(kv));
    }

    if (const GgufValue* alignment = find_value("general.alignment")) {
        WHALE_CHECK(alignment->type == GgufType::GgufType_uint32, label, ": general.alignment must be uint32, found ",
                    gguf_type_name(alignment->type));
        WHALE_CHECK(is_power_of_two(alignment->bits), label, ": wrong alignment: general.alignment is ",
                    alignment->bits, ", expected a power of two");
        alignment_ = uint32_t(alignment->bits);
    }

    tensors_.reserve(size_t(tensor_count));
    for (uint64_t i = 0; i < tensor_count; ++i) {
        GgufTensor t = read_tensor_info(in, label, i, alignment_);
        WHALE_CHECK(!tensor_index_.count(t.name), label, ": tensor '", t.name, "' appears twice");
        tensor_index_[t.name] = tensors_.size();
        tensors_.push_back(std::move(t));
    }

    data_offset_ = align_up(in.pos(), alignment_);
    const uint64_t data_size = data_offset_ <= size ? size - data_offset_ : 0;
    for (GgufTensor& t : tensors_) {
        WHALE_CHECK(t.offset <= data_size && t.nbytes <= data_size - t.offset, label, ": tensor '", t.name,
                    "' data [", t.offset, ", ", t.offset + t.nbytes, ") runs past the end of the data section (",
                    data_size, " bytes; truncated tensor data?)");
        // min() only matters for zero-byte tensors in a file that ends before its data section.
        t.data = data + std::min<uint64_t>(size, data_offset_ + t.offset);
    }
    check_no_overlaps(label, tensors_);
}

const GgufValue* GgufFile::find_value(const std::string& key) const {
    auto it = metadata_index_.find(key);
    return it == metadata_index_.end() ? nullptr : &metadata_[it->second].value;
}

const GgufValue& GgufFile::value(const std::string& key) const {
    const GgufValue* v = find_value(key);
    WHALE_CHECK(v, label_, ": missing metadata key '", key, "'");
    return *v;
}

uint64_t GgufFile::get_u64(const std::string& key) const {
    const GgufValue& v = value(key);
    return typed_value(label_, key, [&] { return v.as_u64(); });
}
int64_t GgufFile::get_i64(const std::string& key) const {
    const GgufValue& v = value(key);
    return typed_value(label_, key, [&] { return v.as_i64(); });
}
double GgufFile::get_f64(const std::string& key) const {
    const GgufValue& v = value(key);
    return typed_value(label_, key, [&] { return v.as_f64(); });
}
bool GgufFile::get_bool(const std::string& key) const {
    const GgufValue& v = value(key);
    return typed_value(label_, key, [&] { return v.as_bool(); });
}
const std::string& GgufFile::get_string(const std::string& key) const {
    const GgufValue& v = value(key);
    WHALE_CHECK(v.type == GgufType::GgufType_string, label_, ": metadata key '", key, "': expected string, found ",
                gguf_type_name(v.type));
    return v.string;
}

const GgufTensor* GgufFile::find(const std::string& name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace whale
