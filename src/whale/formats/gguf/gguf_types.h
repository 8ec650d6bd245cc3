// The GGUF v3 vocabulary shared by the reader and the writer (docs/interfaces/gguf.md,
// 'File layout'): metadata value types, ggml tensor type ids and their mapping to Whale's DType,
// and GgufValue, one metadata value kept exactly as stored so a file can be rewritten bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "whale/core/dtype.h"

namespace whale {

constexpr uint32_t gguf_magic = 0x46554747;  // bytes "GGUF" read as a little-endian uint32
constexpr uint32_t gguf_version = 3;
constexpr uint32_t gguf_default_alignment = 32;
constexpr size_t gguf_max_tensor_name = 63;  // ggml's GGML_MAX_NAME is 64 including the NUL
constexpr uint32_t gguf_max_dims = 4;

// Metadata value types, numbered as in the file.
enum class GgufType : uint32_t {
    GgufType_uint8 = 0,
    GgufType_int8 = 1,
    GgufType_uint16 = 2,
    GgufType_int16 = 3,
    GgufType_uint32 = 4,
    GgufType_int32 = 5,
    GgufType_float32 = 6,
    GgufType_bool = 7,
    GgufType_string = 8,
    GgufType_array = 9,
    GgufType_uint64 = 10,
    GgufType_int64 = 11,
    GgufType_float64 = 12,
};

bool gguf_type_is_known(uint32_t type);
std::string gguf_type_name(GgufType type);  // "uint32", "string", "array", ...
size_t gguf_scalar_size(GgufType type);      // bytes of a scalar value; 0 for string and array

// One metadata value. Scalars keep their raw little-endian bytes in `bits` (zero-extended), so
// floats and signed values round-trip exactly; the accessors convert and throw whale::Error when
// the stored type does not fit the request.
struct GgufValue {
    GgufType type = GgufType::GgufType_uint8;
    uint64_t bits = 0;                                    // scalar types
    std::string string;                                   // GgufType_string
    GgufType array_type = GgufType::GgufType_uint8;       // GgufType_array: the element type
    std::vector<GgufValue> array;                         // GgufType_array: elements of array_type

    bool is_integer() const;
    uint64_t as_u64() const;  // any unsigned type, or a non-negative signed one
    int64_t as_i64() const;   // any integer type that fits int64
    double as_f64() const;    // float32 or float64
    bool as_bool() const;
    const std::string& as_string() const;

    bool operator==(const GgufValue& other) const = default;
};

GgufValue gguf_u8(uint8_t v);
GgufValue gguf_i8(int8_t v);
GgufValue gguf_u16(uint16_t v);
GgufValue gguf_i16(int16_t v);
GgufValue gguf_u32(uint32_t v);
GgufValue gguf_i32(int32_t v);
GgufValue gguf_u64(uint64_t v);
GgufValue gguf_i64(int64_t v);
GgufValue gguf_f32(float v);
GgufValue gguf_f64(double v);
GgufValue gguf_bool(bool v);
GgufValue gguf_string(std::string v);
// Every element must have type element_type (checked).
GgufValue gguf_array(GgufType element_type, std::vector<GgufValue> elements);
GgufValue gguf_string_array(const std::vector<std::string>& strings);

// One key/value pair of a file's metadata, in file order.
struct GgufKeyValue {
    std::string key;
    GgufValue value;
};

// ggml tensor type ids Whale maps to a DType (the full list of ids is in docs/interfaces/gguf.md).
enum class GgmlType : uint32_t {
    GgmlType_f32 = 0,
    GgmlType_f16 = 1,
    GgmlType_q8_0 = 8,
    GgmlType_q4_k = 12,
    GgmlType_q6_k = 14,
    GgmlType_i8 = 24,
    GgmlType_i16 = 25,
    GgmlType_i32 = 26,
    GgmlType_i64 = 27,
    GgmlType_f64 = 28,
    GgmlType_bf16 = 30,
};

// False for ids Whale does not read (other quantisations, retired or unknown ids).
bool ggml_type_to_dtype(uint32_t ggml_type, DType* out);
// False for dtypes GGUF cannot hold (FP8, E8M0, unsigned and bool).
bool ggml_type_from_dtype(DType dtype, GgmlType* out);
// "Q4_K", "IQ2_XXS", ... for every id ggml defines; "unknown" otherwise. For error messages.
std::string ggml_type_name(uint32_t ggml_type);

}  // namespace whale
