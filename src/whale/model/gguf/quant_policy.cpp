#include "whale/model/gguf/quant_policy.h"

#include <cstring>

#include "whale/core/error.h"
#include "whale/kernels/quant/quantize.h"

namespace whale {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The block index from "blk.N.…", or -1.
int block_index(const std::string& name) {
    if (name.rfind("blk.", 0) != 0) return -1;
    return std::atoi(name.c_str() + 4);
}

// llama.cpp's use_more_bits(i, n): the first and last eighth of the layers and every third between.
bool more_bits_layer(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

DType q4_k_m_type(const std::string& name, int n_layers) {
    if (name == "output.weight" || name == "token_embd.weight") return DType::DType_q6_k;
    if (contains(name, ".attn_v_b.") || contains(name, ".attn_kv_b.") || contains(name, ".attn_output."))
        return DType::DType_q6_k;
    if (contains(name, ".ffn_down") && more_bits_layer(block_index(name), n_layers)) return DType::DType_q6_k;
    return DType::DType_q4_k;
}

}  // namespace

GgufFileType gguf_file_type_from_name(const std::string& name) {
    if (name == "f32") return GgufFileType::GgufFileType_f32;
    if (name == "bf16") return GgufFileType::GgufFileType_bf16;
    if (name == "q8_0") return GgufFileType::GgufFileType_q8_0;
    if (name == "q4_k_m") return GgufFileType::GgufFileType_q4_k_m;
    if (name == "q6_k") return GgufFileType::GgufFileType_q6_k;
    throw Error(str_cat("unknown GGUF type '", name, "', expected f32, bf16, q8_0, q4_k_m or q6_k"));
}

std::string gguf_file_type_name(GgufFileType type) {
    switch (type) {
        case GgufFileType::GgufFileType_f32: return "f32";
        case GgufFileType::GgufFileType_bf16: return "bf16";
        case GgufFileType::GgufFileType_q8_0: return "q8_0";
        case GgufFileType::GgufFileType_q4_k_m: return "q4_k_m";
        case GgufFileType::GgufFileType_q6_k: return "q6_k";
    }
    return "?";
}

uint32_t gguf_file_type_id(GgufFileType type) {
    switch (type) {
        case GgufFileType::GgufFileType_f32: return 0;
        case GgufFileType::GgufFileType_bf16: return 32;
        case GgufFileType::GgufFileType_q8_0: return 7;
        case GgufFileType::GgufFileType_q4_k_m: return 15;
        case GgufFileType::GgufFileType_q6_k: return 18;
    }
    return 0;
}

DType gguf_tensor_type(GgufFileType type, const std::string& name, int n_dims, int64_t row_length, int n_layers) {
    if (n_dims < 2 || contains(name, ".ffn_gate_inp.") || !ends_with(name, ".weight")) return DType::DType_f32;
    DType wanted = DType::DType_f32;
    switch (type) {
        case GgufFileType::GgufFileType_f32: return DType::DType_f32;
        case GgufFileType::GgufFileType_bf16: return DType::DType_bf16;
        case GgufFileType::GgufFileType_q8_0: wanted = DType::DType_q8_0; break;
        case GgufFileType::GgufFileType_q4_k_m: wanted = q4_k_m_type(name, n_layers); break;
        case GgufFileType::GgufFileType_q6_k: wanted = DType::DType_q6_k; break;
    }
    if (row_length % dtype_block_elems(wanted) == 0) return wanted;
    if (row_length % dtype_block_elems(DType::DType_q8_0) == 0) return DType::DType_q8_0;
    return DType::DType_f16;
}

void gguf_encode_row(void* out, DType dtype, const float* x, int64_t n) {
    switch (dtype) {
        case DType::DType_f32: std::memcpy(out, x, size_t(n) * sizeof(float)); return;
        case DType::DType_f16: {
            auto* h = static_cast<uint16_t*>(out);
            for (int64_t i = 0; i < n; ++i) h[i] = f32_to_f16(x[i]);
            return;
        }
        case DType::DType_bf16: {
            auto* h = static_cast<uint16_t*>(out);
            for (int64_t i = 0; i < n; ++i) h[i] = f32_to_bf16(x[i]);
            return;
        }
        case DType::DType_q8_0: quantize_row_q8_0(static_cast<BlockQ8_0*>(out), x, n); return;
        case DType::DType_q4_k: quantize_row_q4_k(static_cast<BlockQ4_K*>(out), x, n); return;
        case DType::DType_q6_k: quantize_row_q6_k(static_cast<BlockQ6_K*>(out), x, n); return;
        default: throw Error(str_cat("cannot encode a GGUF row as ", dtype_name(dtype)));
    }
}

}  // namespace whale
