#include "whale/formats/safetensors/safetensors_file.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "whale/core/error.h"

namespace whale {

namespace {

using nlohmann::json;

uint64_t read_u64_le(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// Parses the header, rejecting duplicate top-level keys (nlohmann would silently keep the last).
json parse_header(const std::string& path, const char* begin, const char* end) {
    std::set<std::string> top_level_keys;
    std::string duplicate;
    json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::key && depth == 1) {
            std::string key = parsed.get<std::string>();
            if (!top_level_keys.insert(key).second && duplicate.empty()) duplicate = key;
        }
        return true;
    };
    json header;
    try {
        header = json::parse(begin, end, on_event);
    } catch (const json::parse_error& e) {
        fail(path, ": header is not valid JSON (", e.what(), ")");
    }
    if (!duplicate.empty()) fail(path, ": header lists tensor '", duplicate, "' twice");
    if (!header.is_object()) fail(path, ": header must be a JSON object");
    return header;
}

std::vector<int64_t> parse_shape(const std::string& where, const json& shape) {
    WHALE_CHECK(shape.is_array(), where, ": 'shape' must be an array of non-negative integers");
    std::vector<int64_t> dims;
    for (const json& d : shape) {
        WHALE_CHECK(d.is_number_unsigned() || (d.is_number_integer() && d.get<int64_t>() >= 0), where,
                    ": 'shape' must be an array of non-negative integers, got ", shape.dump());
        uint64_t v = d.get<uint64_t>();
        WHALE_CHECK(v < (uint64_t(1) << 48), where, ": dimension ", v, " is too large");
        dims.push_back(int64_t(v));
    }
    return dims;
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::string& path)
    : file_(std::make_unique<MappedFile>(path)), label_(path) {
    parse(file_->data(), file_->size());
}

SafetensorsFile::SafetensorsFile(const uint8_t* data, size_t size, std::string label) : label_(std::move(label)) {
    parse(data, size);
}

void SafetensorsFile::parse(const uint8_t* base, uint64_t file_size) {
    const std::string& path = label_;
    WHALE_CHECK(file_size >= 8, path, ": truncated: ", file_size,
                " bytes, a safetensors file starts with an 8-byte header length");
    const uint64_t header_size = read_u64_le(base);
    WHALE_CHECK(header_size <= max_header_bytes, path, ": header length ", header_size,
                " exceeds the limit of ", max_header_bytes, " bytes");
    WHALE_CHECK(header_size <= file_size - 8, path, ": header length ", header_size,
                " runs past the end of the file (", file_size, " bytes)");
    WHALE_CHECK(header_size >= 2 && base[8] == '{', path, ": header must start with '{'");

    const char* header_begin = reinterpret_cast<const char*>(base + 8);
    json header = parse_header(path, header_begin, header_begin + header_size);

    const uint8_t* data_begin = base + 8 + header_size;
    const uint64_t data_size = file_size - 8 - header_size;
    struct Span {
        uint64_t begin, end;
        std::string name;
    };
    std::vector<Span> spans;

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const json& entry = it.value();
        if (name == "__metadata__") {
            WHALE_CHECK(entry.is_object(), path, ": '__metadata__' must be an object of strings");
            for (auto m = entry.begin(); m != entry.end(); ++m) {
                WHALE_CHECK(m.value().is_string(), path, ": '__metadata__' value for '", m.key(),
                            "' must be a string");
                metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        std::string where = str_cat(path, ": tensor '", name, "'");
        WHALE_CHECK(entry.is_object(), where, ": entry must be an object");
        WHALE_CHECK(entry.contains("dtype") && entry["dtype"].is_string(), where, ": missing 'dtype'");
        WHALE_CHECK(entry.contains("shape"), where, ": missing 'shape'");
        WHALE_CHECK(entry.contains("data_offsets"), where, ": missing 'data_offsets'");
        for (auto field = entry.begin(); field != entry.end(); ++field) {
            WHALE_CHECK(field.key() == "dtype" || field.key() == "shape" || field.key() == "data_offsets",
                        where, ": unexpected field '", field.key(), "'");
        }

        TensorView view;
        view.name = name;
        const std::string dtype_string = entry["dtype"].get<std::string>();
        WHALE_CHECK(dtype_from_safetensors_name(dtype_string, &view.dtype), where, ": unknown dtype '",
                    dtype_string, "' (expected one of F32, F16, BF16, F64, F8_E4M3, F8_E8M0, I8..I64, U8..U64, BOOL)");
        view.shape = parse_shape(where, entry["shape"]);

        const json& offsets = entry["data_offsets"];
        WHALE_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                        offsets[1].is_number_unsigned(),
                    where, ": 'data_offsets' must be [begin, end] with non-negative integers");
        uint64_t begin = offsets[0].get<uint64_t>();
        uint64_t end = offsets[1].get<uint64_t>();
        WHALE_CHECK(begin <= end, where, ": data_offsets [", begin, ", ", end, "] has begin after end");
        WHALE_CHECK(end <= data_size, where, ": data_offsets [", begin, ", ", end,
                    "] run past the end of the data (", data_size, " bytes; file truncated?)");

        uint64_t expected_bytes = dtype_size(view.dtype);
        for (int64_t d : view.shape) {
            WHALE_CHECK(d == 0 || expected_bytes <= std::numeric_limits<uint64_t>::max() / uint64_t(d),
                        where, ": shape ", shape_to_string(view.shape), " overflows");
            expected_bytes *= uint64_t(d);
        }
        WHALE_CHECK(expected_bytes == end - begin, where, ": shape ", shape_to_string(view.shape), " of ",
                    dtype_string, " needs ", expected_bytes, " bytes but data_offsets span ", end - begin);

        view.data = data_begin + begin;
        view.nbytes = size_t(end - begin);
        spans.push_back({begin, end, name});
        index_[name] = tensors_.size();
        tensors_.push_back(std::move(view));
    }

    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    for (size_t i = 1; i < spans.size(); ++i) {
        WHALE_CHECK(spans[i].begin >= spans[i - 1].end, path, ": tensors '", spans[i - 1].name, "' and '",
                    spans[i].name, "' overlap in the data buffer");
    }
}

const TensorView* SafetensorsFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace whale
