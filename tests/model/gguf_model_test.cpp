// deepseek2 GGUF files written by `whale convert` and read back as models: f32 gives the
// safetensors logits (and transformers' golden logits) on every DeepSeek golden; the other types
// stay within stated normalised-MSE bounds of the f32 logits; rewriting is bit-identical;
// broken files fail with errors naming the key or tensor.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "model/golden_fixture.h"
#include "support/temp_dir.h"
#include "whale/core/error.h"
#include "whale/formats/gguf/gguf_file.h"
#include "whale/model/gguf/requantize.h"
#include "whale/model/registry.h"
#include "whale/runtime/engine.h"

namespace whale {
namespace {

using testing::Golden;
using testing::load_golden;
using testing::max_relative_error;
using testing::TempDir;

std::vector<float> prefill(const std::string& model, const std::vector<int32_t>& tokens, bool repack = true) {
    EngineOptions options;
    options.n_threads = 2;
    options.repack_weights = repack;
    auto engine = Engine::load(model, options);
    auto session = engine->new_session();
    AppendOptions append;
    append.all_logits = true;
    append.attention = AttentionPath::AttentionPath_explicit;
    return session->append(tokens, append);
}

// Σ(a-b)² / Σb²: the error measure for lossy types.
double normalised_mse(const std::vector<float>& actual, const std::vector<float>& expected) {
    double num = 0, den = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        num += double(actual[i] - expected[i]) * double(actual[i] - expected[i]);
        den += double(expected[i]) * double(expected[i]);
    }
    return num / den;
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string convert(const Golden& g, const TempDir& dir, const std::string& type) {
    const std::string out = dir.file(g.name + "-" + type + ".gguf");
    convert_to_gguf(g.model_dir, out, gguf_file_type_from_name(type), false);
    return out;
}

class GgufGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GgufGoldenTest, F32MatchesSafetensorsAndTransformers) {
    TempDir dir;
    const Golden g = load_golden(GetParam());
    const std::vector<float> gguf = prefill(convert(g, dir, "f32"), g.tokens);
    const std::vector<float> safetensors = prefill(g.model_dir, g.tokens);
    EXPECT_LE(max_relative_error(gguf, safetensors), 1e-5);
    EXPECT_LE(max_relative_error(gguf, g.logits), 1e-5);
}

// Bounds on Σ(a-b)²/Σb² against the f32 GGUF's logits, about 3x the values measured here (the
// conversion is deterministic). The goldens are tiny random-weight models whose MoE routing flips
// on small perturbations, so v3 (sigmoid top-4 of 16) loses far more than a trained model would.
// Their rows are 16 to 96 wide, so the K-quant types fall back to Q8_0 / F16 for every matrix
// (quant_policy.h) and q6_k and q4_k_m measure what that fallback gives.
struct LossyBound {
    const char* golden;
    double bf16, quantized;  // quantized: q8_0, q6_k and q4_k_m
};
constexpr LossyBound lossy_bounds[] = {
    {"v2_lite", 1e-4, 1.5e-3}, {"v2", 4e-4, 1.2e-2}, {"v3", 7e-2, 1.2e-1}, {"v3_bf16", 1e-6, 4e-3}, {"v3_fp8", 1e-4, 4e-4},
};

TEST_P(GgufGoldenTest, LossyTypesStayWithinBounds) {
    TempDir dir;
    const Golden g = load_golden(GetParam());
    const LossyBound* bound = nullptr;
    for (const LossyBound& b : lossy_bounds)
        if (g.name == b.golden) bound = &b;
    ASSERT_NE(bound, nullptr);
    const std::vector<float> reference = prefill(convert(g, dir, "f32"), g.tokens);
    const std::pair<const char*, double> bounds[] = {
        {"bf16", bound->bf16}, {"q8_0", bound->quantized}, {"q6_k", bound->quantized}, {"q4_k_m", bound->quantized}};
    for (const auto& [type, limit] : bounds) {
        const double error = normalised_mse(prefill(convert(g, dir, type), g.tokens), reference);
        RecordProperty(std::string("nmse_") + type, std::to_string(error));
        std::printf("%s %s: normalised MSE %.3g (bound %.1e), %.1f KiB\n", g.name.c_str(), type, error, limit,
                    double(std::filesystem::file_size(dir.file(g.name + "-" + type + ".gguf"))) / 1024.0);
        EXPECT_LE(error, limit) << type;
    }
}

INSTANTIATE_TEST_SUITE_P(Goldens, GgufGoldenTest, ::testing::Values("v2_lite", "v2", "v3", "v3_bf16", "v3_fp8"));

// The interleaved Q8_0 copy (kernels/quant/q8_0_x8.h) computes the same integer block sums and
// changes only the float summation order: logits with and without it agree to float rounding.
TEST(GgufModelTest, InterleavedQ8_0MatchesPlainRows) {
    TempDir dir;
    for (const char* name : {"v2_lite", "v3_bf16"}) {
        const Golden g = load_golden(name);
        const std::string file = convert(g, dir, "q8_0");
        const std::vector<float> plain = prefill(file, g.tokens, false), interleaved = prefill(file, g.tokens, true);
        const double error = max_relative_error(interleaved, plain);
        std::printf("%s: interleaved vs plain Q8_0 max relative error %.3g\n", name, error);
        EXPECT_LE(error, 1e-5) << name;
        EXPECT_NE(interleaved, plain) << name << ": the interleaved kernels did not run";
    }
}

TEST(GgufModelTest, ConvertIsDeterministicAndRequantizeToSameTypeIsBitIdentical) {
    TempDir dir;
    const Golden g = load_golden("v3");
    const std::string first = convert(g, dir, "q8_0");
    const std::string again = dir.file("again.gguf");
    convert_to_gguf(g.model_dir, again, GgufFileType::GgufFileType_q8_0, false);
    EXPECT_EQ(read_bytes(first), read_bytes(again));
    const std::string rewritten = dir.file("rewritten.gguf");
    requantize_gguf(first, rewritten, GgufFileType::GgufFileType_q8_0, false);
    EXPECT_EQ(read_bytes(first), read_bytes(rewritten));
}

TEST(GgufModelTest, RequantizeF32ToQ8_0EqualsDirectConversion) {
    TempDir dir;
    const Golden g = load_golden("v2");
    const std::string f32 = convert(g, dir, "f32");
    const std::string direct = convert(g, dir, "q8_0");
    const std::string requantized = dir.file("requantized.gguf");
    requantize_gguf(f32, requantized, GgufFileType::GgufFileType_q8_0, false);
    EXPECT_EQ(read_bytes(direct), read_bytes(requantized));
}

TEST(GgufModelTest, WritesDeepseek2NamesAndTokenizer) {
    TempDir dir;
    const GgufFile file(convert(load_golden("v3"), dir, "q8_0"));
    EXPECT_EQ(file.get_string("general.architecture"), "deepseek2");
    EXPECT_EQ(file.get_u64("deepseek2.attention.head_count_kv"), 1u);
    EXPECT_EQ(file.get_string("tokenizer.ggml.model"), "gpt2");
    EXPECT_EQ(file.find_value("tokenizer.ggml.tokens")->array.size(), 384u);
    for (const char* name : {"token_embd.weight", "blk.0.attn_k_b.weight", "blk.0.attn_v_b.weight",
                             "blk.3.ffn_gate_exps.weight", "blk.3.exp_probs_b.bias", "blk.3.ffn_up_shexp.weight",
                             "output.weight"})
        EXPECT_NE(file.find(name), nullptr) << name;
    EXPECT_EQ(file.find("blk.3.ffn_gate_inp.weight")->dtype, DType::DType_f32);  // the router stays f32
    EXPECT_EQ(file.find("blk.0.attn_k_b.weight")->dtype, DType::DType_f16);     // rows of 16: no Q8_0 block fits
    EXPECT_EQ(file.find("blk.3.ffn_down_exps.weight")->ne, (std::vector<int64_t>{32, 64, 16}));
}

// Rewrites `source` with `edit` applied to its metadata and tensors (raw bytes, shapes as edited).
std::string rewrite(const std::string& source, const TempDir& dir,
                    const std::function<void(std::vector<GgufKeyValue>&, std::vector<RowTensor>&)>& edit) {
    const GgufFile in(source);
    std::vector<GgufKeyValue> metadata = in.metadata();
    std::vector<RowTensor> tensors;
    for (const GgufTensor& t : in.tensors()) {
        RowTensor r;
        r.name = t.name;
        r.ne = t.ne;
        r.type = t.dtype;
        r.raw = t.data;
        tensors.push_back(r);
    }
    edit(metadata, tensors);
    const std::string out = dir.file("edited.gguf");
    write_gguf_rows(out, metadata, tensors, false);
    return out;
}

std::string load_error(const std::string& path) {
    try {
        Engine::load(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(GgufModelTest, MissingMetadataKeyIsNamed) {
    TempDir dir;
    const std::string path = rewrite(convert(load_golden("v2_lite"), dir, "f32"), dir, [](auto& metadata, auto&) {
        std::erase_if(metadata, [](const GgufKeyValue& kv) { return kv.key == "deepseek2.embedding_length"; });
    });
    const std::string error = load_error(path);
    EXPECT_NE(error.find("deepseek2.embedding_length"), std::string::npos) << error;
    EXPECT_NE(error.find("edited.gguf"), std::string::npos) << error;
}

TEST(GgufModelTest, WrongTensorShapeIsNamedWithExpectedShape) {
    TempDir dir;
    const std::string path = rewrite(convert(load_golden("v2_lite"), dir, "f32"), dir, [](auto&, auto& tensors) {
        for (RowTensor& t : tensors)
            if (t.name == "blk.1.attn_output.weight") t.ne = {32, 128};  // was {64, 64}: same bytes, wrong shape
    });
    const std::string error = load_error(path);
    EXPECT_NE(error.find("blk.1.attn_output.weight"), std::string::npos) << error;
    EXPECT_NE(error.find("expected [64, 64]"), std::string::npos) << error;
}

// A file as llama.cpp's converter writes it has no whale.deepseek.* keys: routing, YaRN mscale and
// EOS come from llama.cpp's keys and conventions, and give the same logits on these goldens.
TEST(GgufModelTest, LoadsWithoutWhaleKeysAsLlamaCppWritesThem) {
    for (const char* name : {"v2_lite", "v2", "v3"}) {
        TempDir dir;
        const Golden g = load_golden(name);
        const std::string path = rewrite(convert(g, dir, "f32"), dir, [](auto& metadata, auto&) {
            std::erase_if(metadata, [](const GgufKeyValue& kv) { return kv.key.rfind("whale.", 0) == 0; });
        });
        EXPECT_LE(max_relative_error(prefill(path, g.tokens), g.logits), 1e-5) << name;
    }
}

TEST(GgufModelTest, ConvertRejectsUnknownType) {
    EXPECT_THROW(gguf_file_type_from_name("q2_k"), Error);
}

}  // namespace
}  // namespace whale
