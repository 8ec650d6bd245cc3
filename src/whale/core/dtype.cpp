#include "whale/core/dtype.h"

#include <cmath>

namespace whale {

namespace {

struct DTypeInfo {
    DType type;
    const char* name;
    size_t size;              // bytes per element, or per block for block types
    int64_t block_elems = 1;  // values per block
};

constexpr DTypeInfo dtype_table[] = {
    {DType::DType_f32, "F32", 4},          {DType::DType_f16, "F16", 2},
    {DType::DType_bf16, "BF16", 2},        {DType::DType_f64, "F64", 8},
    {DType::DType_f8_e4m3, "F8_E4M3", 1},  {DType::DType_f8_e8m0, "F8_E8M0", 1},
    {DType::DType_i8, "I8", 1},            {DType::DType_u8, "U8", 1},
    {DType::DType_i16, "I16", 2},          {DType::DType_u16, "U16", 2},
    {DType::DType_i32, "I32", 4},          {DType::DType_u32, "U32", 4},
    {DType::DType_i64, "I64", 8},          {DType::DType_u64, "U64", 8},
    {DType::DType_bool, "BOOL", 1},
    {DType::DType_q8_0, "Q8_0", 34, 32},   {DType::DType_q4_k, "Q4_K", 144, 256},
    {DType::DType_q6_k, "Q6_K", 210, 256},
};

const DTypeInfo& dtype_info(DType t) {
    for (const DTypeInfo& info : dtype_table)
        if (info.type == t) return info;
    return dtype_table[0];
}

}  // namespace

size_t dtype_size(DType t) { return dtype_info(t).size; }
std::string_view dtype_name(DType t) { return dtype_info(t).name; }

bool dtype_from_safetensors_name(std::string_view name, DType* out) {
    for (const DTypeInfo& info : dtype_table) {
        if (name == info.name && info.block_elems == 1) {
            *out = info.type;
            return true;
        }
    }
    return false;
}

bool dtype_is_float(DType t) {
    return t == DType::DType_f32 || t == DType::DType_f16 || t == DType::DType_bf16 ||
           t == DType::DType_f64 || t == DType::DType_f8_e4m3;
}

bool dtype_is_quantized(DType t) { return dtype_info(t).block_elems > 1; }
int64_t dtype_block_elems(DType t) { return dtype_info(t).block_elems; }

float f16_to_f32(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0) {
        // Subnormal half: value = mantissa * 2^-24, exact in f32.
        float magnitude = float(mantissa) * 5.9604644775390625e-8f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) return f32_from_bits(sign | 0x7f800000u | (mantissa << 13));
    return f32_from_bits(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t f32_to_f16(float f) {
    uint32_t bits = bits_from_f32(f);
    uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
    uint32_t abs_bits = bits & 0x7fffffffu;
    if (abs_bits > 0x7f800000u) return sign | 0x7e00u;
    if (abs_bits >= 0x477ff000u) return sign | 0x7c00u;  // rounds to >= 65520: infinity
    if (abs_bits < 0x38800000u) {
        // Result is subnormal (or zero) in half: round value / 2^-24 to nearest even.
        float magnitude = f32_from_bits(abs_bits);
        return sign | uint16_t(std::nearbyint(magnitude * 16777216.0f));
    }
    uint32_t rounded = abs_bits + 0xfffu + ((abs_bits >> 13) & 1u);
    return sign | uint16_t((rounded - (112u << 23)) >> 13);
}

float e4m3_to_f32(uint8_t v) {
    uint32_t sign = v >> 7;
    uint32_t exponent = (v >> 3) & 0xfu;
    uint32_t mantissa = v & 0x7u;
    float magnitude;
    if (exponent == 0xf && mantissa == 0x7) return f32_from_bits(0x7fc00000u);
    if (exponent == 0)
        magnitude = float(mantissa) * 0.001953125f;  // (m/8) * 2^-6
    else
        magnitude = std::ldexp(1.0f + float(mantissa) / 8.0f, int(exponent) - 7);
    return sign ? -magnitude : magnitude;
}

uint8_t f32_to_e4m3(float f) {
    if (std::isnan(f)) return 0x7f;
    uint8_t sign = std::signbit(f) ? 0x80 : 0x00;
    float magnitude = std::fabs(f);
    if (magnitude >= 448.0f) return sign | 0x7e;
    // Search the 127 non-negative finite codes for the nearest; ties go to the even code.
    uint8_t best = 0;
    float best_error = magnitude;
    for (uint8_t code = 1; code <= 0x7e; ++code) {
        float error = std::fabs(e4m3_to_f32(code) - magnitude);
        if (error < best_error || (error == best_error && (code & 1) == 0)) {
            best = code;
            best_error = error;
        }
    }
    return sign | best;
}

}  // namespace whale
