// GGUF value types and ggml type ids: name and size tables, GgufValue conversions and builders.
#include "whale/formats/gguf/gguf_types.h"

#include <cstring>
#include <limits>

#include "whale/core/error.h"

namespace whale {

namespace {

struct GgufTypeInfo {
    const char* name;
    size_t size;  // scalar bytes; 0 for string and array
};

constexpr GgufTypeInfo gguf_type_table[] = {
    {"uint8", 1},   {"int8", 1},    {"uint16", 2}, {"int16", 2},  {"uint32", 4},  {"int32", 4},  {"float32", 4},
    {"bool", 1},    {"string", 0},  {"array", 0},  {"uint64", 8}, {"int64", 8},   {"float64", 8},
};

bool is_signed(GgufType t) {
    return t == GgufType::GgufType_int8 || t == GgufType::GgufType_int16 || t == GgufType::GgufType_int32 ||
           t == GgufType::GgufType_int64;
}

// The stored bits of a signed scalar, sign-extended from its width.
int64_t signed_value(const GgufValue& v) {
    const size_t bits = gguf_scalar_size(v.type) * 8;
    if (bits == 64) return int64_t(v.bits);
    const uint64_t sign = uint64_t(1) << (bits - 1);
    return int64_t((v.bits ^ sign) - sign);
}

GgufValue scalar(GgufType type, uint64_t bits) {
    GgufValue v;
    v.type = type;
    v.bits = bits;
    return v;
}

// ggml type names by id (ggml.h enum); empty slots are retired or never assigned.
constexpr const char* ggml_type_names[] = {
    "F32",     "F16",    "Q4_0",    "Q4_1",  "",       "",      "Q5_0",    "Q5_1",  "Q8_0",  "Q8_1",   "Q2_K",
    "Q3_K",    "Q4_K",   "Q5_K",    "Q6_K",  "Q8_K",   "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S",
    "IQ2_S",   "IQ4_XS", "I8",      "I16",   "I32",    "I64",   "F64",     "IQ1_M", "BF16",  "",       "",
    "",        "TQ1_0",  "TQ2_0",   "",      "",       "",      "MXFP4",   "NVFP4", "Q1_0",  "Q2_0",
};

struct GgmlDType {
    GgmlType ggml;
    DType dtype;
};

constexpr GgmlDType ggml_dtype_table[] = {
    {GgmlType::GgmlType_f32, DType::DType_f32},   {GgmlType::GgmlType_f16, DType::DType_f16},
    {GgmlType::GgmlType_q8_0, DType::DType_q8_0}, {GgmlType::GgmlType_q4_k, DType::DType_q4_k},
    {GgmlType::GgmlType_q6_k, DType::DType_q6_k}, {GgmlType::GgmlType_i8, DType::DType_i8},
    {GgmlType::GgmlType_i16, DType::DType_i16},   {GgmlType::GgmlType_i32, DType::DType_i32},
    {GgmlType::GgmlType_i64, DType::DType_i64},   {GgmlType::GgmlType_f64, DType::DType_f64},
    {GgmlType::GgmlType_bf16, DType::DType_bf16},
};

}  // namespace

bool gguf_type_is_known(uint32_t type) { return type <= uint32_t(GgufType::GgufType_float64); }

std::string gguf_type_name(GgufType type) {
    return gguf_type_is_known(uint32_t(type)) ? gguf_type_table[uint32_t(type)].name
                                              : str_cat("type ", uint32_t(type));
}

size_t gguf_scalar_size(GgufType type) {
    return gguf_type_is_known(uint32_t(type)) ? gguf_type_table[uint32_t(type)].size : 0;
}

bool GgufValue::is_integer() const {
    return gguf_scalar_size(type) != 0 && type != GgufType::GgufType_float32 &&
           type != GgufType::GgufType_float64 && type != GgufType::GgufType_bool;
}

uint64_t GgufValue::as_u64() const {
    WHALE_CHECK(is_integer(), "expected an integer, found ", gguf_type_name(type));
    if (!is_signed(type)) return bits;
    const int64_t v = signed_value(*this);
    WHALE_CHECK(v >= 0, "expected a non-negative integer, found ", v);
    return uint64_t(v);
}

int64_t GgufValue::as_i64() const {
    WHALE_CHECK(is_integer(), "expected an integer, found ", gguf_type_name(type));
    if (is_signed(type)) return signed_value(*this);
    WHALE_CHECK(bits <= uint64_t(std::numeric_limits<int64_t>::max()), "integer ", bits, " does not fit int64");
    return int64_t(bits);
}

double GgufValue::as_f64() const {
    if (type == GgufType::GgufType_float32) return double(f32_from_bits(uint32_t(bits)));
    WHALE_CHECK(type == GgufType::GgufType_float64, "expected float32 or float64, found ", gguf_type_name(type));
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

bool GgufValue::as_bool() const {
    WHALE_CHECK(type == GgufType::GgufType_bool, "expected bool, found ", gguf_type_name(type));
    return bits != 0;
}

const std::string& GgufValue::as_string() const {
    WHALE_CHECK(type == GgufType::GgufType_string, "expected string, found ", gguf_type_name(type));
    return string;
}

GgufValue gguf_u8(uint8_t v) { return scalar(GgufType::GgufType_uint8, v); }
GgufValue gguf_i8(int8_t v) { return scalar(GgufType::GgufType_int8, uint8_t(v)); }
GgufValue gguf_u16(uint16_t v) { return scalar(GgufType::GgufType_uint16, v); }
GgufValue gguf_i16(int16_t v) { return scalar(GgufType::GgufType_int16, uint16_t(v)); }
GgufValue gguf_u32(uint32_t v) { return scalar(GgufType::GgufType_uint32, v); }
GgufValue gguf_i32(int32_t v) { return scalar(GgufType::GgufType_int32, uint32_t(v)); }
GgufValue gguf_u64(uint64_t v) { return scalar(GgufType::GgufType_uint64, v); }
GgufValue gguf_i64(int64_t v) { return scalar(GgufType::GgufType_int64, uint64_t(v)); }
GgufValue gguf_f32(float v) { return scalar(GgufType::GgufType_float32, bits_from_f32(v)); }
GgufValue gguf_bool(bool v) { return scalar(GgufType::GgufType_bool, v ? 1 : 0); }

GgufValue gguf_f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return scalar(GgufType::GgufType_float64, bits);
}

GgufValue gguf_string(std::string v) {
    GgufValue value;
    value.type = GgufType::GgufType_string;
    value.string = std::move(v);
    return value;
}

GgufValue gguf_array(GgufType element_type, std::vector<GgufValue> elements) {
    for (const GgufValue& e : elements)
        WHALE_CHECK(e.type == element_type, "gguf_array: element of type ", gguf_type_name(e.type),
                    " in an array of ", gguf_type_name(element_type));
    GgufValue value;
    value.type = GgufType::GgufType_array;
    value.array_type = element_type;
    value.array = std::move(elements);
    return value;
}

GgufValue gguf_string_array(const std::vector<std::string>& strings) {
    std::vector<GgufValue> elements;
    elements.reserve(strings.size());
    for (const std::string& s : strings) elements.push_back(gguf_string(s));
    return gguf_array(GgufType::GgufType_string, std::move(elements));
}

bool ggml_type_to_dtype(uint32_t ggml_type, DType* out) {
    for (const GgmlDType& entry : ggml_dtype_table) {
        if (uint32_t(entry.ggml) == ggml_type) {
            *out = entry.dtype;
            return true;
        }
    }
    return false;
}

bool ggml_type_from_dtype(DType dtype, GgmlType* out) {
    for (const GgmlDType& entry : ggml_dtype_table) {
        if (entry.dtype == dtype) {
            *out = entry.ggml;
            return true;
        }
    }
    return false;
}

std::string ggml_type_name(uint32_t ggml_type) {
    constexpr size_t n = sizeof ggml_type_names / sizeof ggml_type_names[0];
    if (ggml_type < n && ggml_type_names[ggml_type][0] != '\0') return ggml_type_names[ggml_type];
    return "unknown";
}

}  // namespace whale
