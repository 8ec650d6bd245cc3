// GGUF reader and writer: a file written by Whale reads back with every value and tensor intact and
// rewrites bit-identically; every kind of malformed header fails with a whale::Error that says what
// is wrong (hand-built byte streams make each defect precise).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

#include "whale/core/error.h"
#include "whale/formats/gguf/gguf_file.h"
#include "whale/formats/gguf/gguf_writer.h"

namespace whale {
namespace {

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("whale_gguf_test_" + std::to_string(getpid()) + "_" + name)).string();
}

std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Tensor payloads for the round trip: deterministic bytes of the right size per dtype.
std::vector<uint8_t> payload(uint64_t nbytes, uint8_t seed) {
    std::vector<uint8_t> bytes(static_cast<size_t>(nbytes));
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(seed + i * 31 + (i >> 7));
    return bytes;
}

struct TensorSpec {
    std::string name;
    DType dtype;
    std::vector<int64_t> ne;
};

const std::vector<TensorSpec> round_trip_tensors = {
    {"token_embd.weight", DType::DType_f32, {7, 3}},
    {"blk.0.attn_norm.weight", DType::DType_f16, {5}},
    {"blk.0.ffn_gate_inp.weight", DType::DType_bf16, {3, 2, 2}},
    {"blk.0.attn_q_a.weight", DType::DType_q8_0, {64, 3}},
    {"blk.0.ffn_up_exps.weight", DType::DType_q4_k, {256, 2, 3}},
    {"blk.0.ffn_down_exps.weight", DType::DType_q6_k, {512, 1, 1, 2}},
    {"empty", DType::DType_i32, {0, 4}},
    {"scalar", DType::DType_f64, {}},
    {"ids", DType::DType_i8, {9}},
};

std::vector<GgufKeyValue> round_trip_metadata() {
    return {
        {"general.architecture", gguf_string("deepseek2")},
        {"general.quantization_version", gguf_u32(2)},
        {"test.u8", gguf_u8(250)},
        {"test.i8", gguf_i8(-7)},
        {"test.u16", gguf_u16(65000)},
        {"test.i16", gguf_i16(-30000)},
        {"test.i32", gguf_i32(-123456)},
        {"test.f32", gguf_f32(-0.0f)},
        {"test.bool", gguf_bool(true)},
        {"test.u64", gguf_u64(std::numeric_limits<uint64_t>::max())},
        {"test.i64", gguf_i64(std::numeric_limits<int64_t>::min())},
        {"test.f64", gguf_f64(0.1)},
        {"test.empty_string", gguf_string("")},
        {"tokenizer.ggml.tokens", gguf_string_array({"<｜begin▁of▁sentence｜>", "a", "", "\n"})},
        {"tokenizer.ggml.token_type", gguf_array(GgufType::GgufType_int32, {gguf_i32(3), gguf_i32(1), gguf_i32(1)})},
        {"test.nested", gguf_array(GgufType::GgufType_array,
                                   {gguf_array(GgufType::GgufType_float32, {gguf_f32(1.5f)}),
                                    gguf_array(GgufType::GgufType_float32, {})})},
        {"test.empty_array", gguf_array(GgufType::GgufType_uint64, {})},
    };
}

// Writes metadata and tensors, streaming each tensor's data in chunks of `chunk` bytes.
void write_file(const std::string& path, const std::vector<GgufKeyValue>& metadata,
                const std::vector<TensorSpec>& tensors, size_t chunk, uint64_t* progress_calls = nullptr) {
    GgufWriter writer(path);
    for (const GgufKeyValue& kv : metadata) writer.add_value(kv.key, kv.value);
    std::vector<uint64_t> sizes;
    for (const TensorSpec& t : tensors) sizes.push_back(writer.add_tensor(t.name, t.dtype, t.ne));
    uint64_t last_done = 0;
    writer.set_progress([&](uint64_t done, uint64_t total) {
        EXPECT_GE(done, last_done);
        EXPECT_LE(done, total);
        last_done = done;
        if (progress_calls) ++*progress_calls;
    });
    writer.write_header();
    for (size_t i = 0; i < tensors.size(); ++i) {
        const std::vector<uint8_t> data = payload(sizes[i], uint8_t(i));
        for (size_t at = 0; at < data.size(); at += chunk)
            writer.write_tensor_data(data.data() + at, std::min(chunk, data.size() - at));
    }
    writer.finish();
}

TEST(GgufRoundTrip, ValuesAndTensorsReadBackAndRewriteBitIdentical) {
    const std::string path = temp_path("round_trip.gguf");
    uint64_t progress_calls = 0;
    write_file(path, round_trip_metadata(), round_trip_tensors, 100, &progress_calls);
    EXPECT_GT(progress_calls, round_trip_tensors.size());

    const GgufFile file(path);
    EXPECT_EQ(file.version(), 3u);
    EXPECT_EQ(file.alignment(), 32u);
    EXPECT_EQ(file.data_offset() % 32, 0u);
    const std::vector<GgufKeyValue> metadata = round_trip_metadata();
    ASSERT_EQ(file.metadata().size(), metadata.size());
    for (size_t i = 0; i < metadata.size(); ++i) {
        EXPECT_EQ(file.metadata()[i].key, metadata[i].key);
        EXPECT_TRUE(file.metadata()[i].value == metadata[i].value) << metadata[i].key;
    }
    EXPECT_EQ(file.get_string("general.architecture"), "deepseek2");
    EXPECT_EQ(file.get_u64("general.quantization_version"), 2u);
    EXPECT_EQ(file.get_i64("test.i8"), -7);
    EXPECT_EQ(file.get_i64("test.i64"), std::numeric_limits<int64_t>::min());
    EXPECT_EQ(file.get_u64("test.u64"), std::numeric_limits<uint64_t>::max());
    EXPECT_EQ(file.get_f64("test.f64"), 0.1);
    EXPECT_TRUE(std::signbit(file.get_f64("test.f32")));
    EXPECT_TRUE(file.get_bool("test.bool"));
    EXPECT_EQ(file.find_value("tokenizer.ggml.tokens")->array[0].as_string(), "<｜begin▁of▁sentence｜>");

    ASSERT_EQ(file.tensors().size(), round_trip_tensors.size());
    for (size_t i = 0; i < round_trip_tensors.size(); ++i) {
        const TensorSpec& spec = round_trip_tensors[i];
        const GgufTensor* t = file.find(spec.name);
        ASSERT_NE(t, nullptr) << spec.name;
        EXPECT_EQ(t->dtype, spec.dtype) << spec.name;
        EXPECT_EQ(t->ne, spec.ne) << spec.name;
        EXPECT_EQ(t->offset % 32, 0u) << spec.name;
        const std::vector<uint8_t> want = payload(t->nbytes, uint8_t(i));
        if (!want.empty()) {
            EXPECT_EQ(0, std::memcmp(t->data, want.data(), want.size())) << spec.name;
        }
    }
    const GgufTensor* q4 = file.find("blk.0.ffn_up_exps.weight");
    EXPECT_EQ(q4->nbytes, 6u * 144u);
    EXPECT_EQ(q4->cols(), 256);
    EXPECT_EQ(q4->rows(), 6);
    EXPECT_EQ(q4->view().shape, (std::vector<int64_t>{3, 2, 256}));
    EXPECT_EQ(file.find("missing"), nullptr);

    // Rewrite from what was read, in one chunk per tensor: the bytes must match exactly.
    const std::string copy = temp_path("round_trip_copy.gguf");
    {
        GgufWriter writer(copy);
        for (const GgufKeyValue& kv : file.metadata()) writer.add_value(kv.key, kv.value);
        for (const GgufTensor& t : file.tensors()) writer.add_tensor(t.name, t.dtype, t.ne);
        writer.write_header();
        for (const GgufTensor& t : file.tensors()) writer.write_tensor_data(t.data, size_t(t.nbytes));
        writer.finish();
    }
    EXPECT_EQ(read_bytes(path), read_bytes(copy));
    std::filesystem::remove(path);
    std::filesystem::remove(copy);
}

TEST(GgufRoundTrip, CustomAlignmentIsHonoured) {
    const std::string path = temp_path("align64.gguf");
    write_file(path, {{"general.alignment", gguf_u32(64)}},
               {{"a", DType::DType_f32, {3}}, {"b", DType::DType_q8_0, {32}}}, 1 << 20);
    const GgufFile file(path);
    EXPECT_EQ(file.alignment(), 64u);
    EXPECT_EQ(file.data_offset() % 64, 0u);
    EXPECT_EQ(file.find("b")->offset, 64u);
    std::filesystem::remove(path);
}

TEST(GgufRoundTrip, TypedGettersNameTheKey) {
    const std::string path = temp_path("getters.gguf");
    write_file(path, round_trip_metadata(), {}, 1);
    const GgufFile file(path);
    try {
        file.get_u64("general.architecture");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("general.architecture"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("expected an integer"), std::string::npos) << e.what();
    }
    EXPECT_THROW(file.get_u64("test.i8"), Error);  // negative
    EXPECT_THROW(file.get_string("no.such.key"), Error);
    std::filesystem::remove(path);
}

TEST(GgufWriter, RejectsInvalidDeclarations) {
    const std::string path = temp_path("writer_errors.gguf");
    GgufWriter writer(path);
    writer.add_value("a", gguf_u32(1));
    EXPECT_THROW(writer.add_value("a", gguf_u32(2)), Error);
    EXPECT_THROW(writer.add_value("", gguf_u32(2)), Error);
    EXPECT_THROW(writer.add_value("general.alignment", gguf_u32(12)), Error);
    GgufValue mixed = gguf_array(GgufType::GgufType_uint32, {gguf_u32(1)});
    mixed.array.push_back(gguf_string("x"));
    EXPECT_THROW(writer.add_value("mixed", mixed), Error);
    EXPECT_THROW(writer.add_tensor("q", DType::DType_q4_k, {100}), Error);      // not a whole block
    EXPECT_THROW(writer.add_tensor("e", DType::DType_f8_e4m3, {4}), Error);     // no GGUF type
    EXPECT_THROW(writer.add_tensor(std::string(64, 'x'), DType::DType_f32, {1}), Error);
    EXPECT_THROW(writer.add_tensor("d", DType::DType_f32, {1, 1, 1, 1, 1}), Error);
    writer.add_tensor("t", DType::DType_f32, {2});
    EXPECT_THROW(writer.add_tensor("t", DType::DType_f32, {2}), Error);
    writer.write_header();
    const float data[3] = {1, 2, 3};
    EXPECT_THROW(writer.write_tensor_data(data, sizeof data), Error);  // 12 bytes for an 8-byte tensor
    std::filesystem::remove(path);
}

TEST(GgufWriter, FinishRequiresAllTensorData) {
    const std::string path = temp_path("writer_short.gguf");
    GgufWriter writer(path);
    writer.add_tensor("t", DType::DType_f32, {4});
    writer.write_header();
    const float data[2] = {1, 2};
    writer.write_tensor_data(data, sizeof data);
    try {
        writer.finish();
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("got 8 of its 16 bytes"), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
}

// ---- malformed files --------------------------------------------------------------------------

// Builds GGUF bytes field by field so a test can break exactly one thing.
struct RawTensor {
    std::string name = "w";
    uint32_t n_dims = 2;
    std::vector<uint64_t> ne = {32, 2};
    uint32_t type = 0;  // F32
    uint64_t offset = 0;
};

struct RawFile {
    uint32_t magic = gguf_magic;
    uint32_t version = 3;
    int64_t tensor_count = -1;  // -1: the real count
    int64_t kv_count = -1;
    std::vector<std::vector<uint8_t>> kvs;  // each one encoded key/value pair
    std::vector<RawTensor> tensors = {RawTensor{}};
    uint32_t alignment = 32;
    int64_t data_bytes = -1;  // -1: exactly what the tensors need, padded
};

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void put_string(std::vector<uint8_t>& out, const std::string& s) {
    put_u64(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}
std::vector<uint8_t> kv_u32(const std::string& key, uint32_t v) {
    std::vector<uint8_t> out;
    put_string(out, key);
    put_u32(out, uint32_t(GgufType::GgufType_uint32));
    put_u32(out, v);
    return out;
}
std::vector<uint8_t> kv_string(const std::string& key, const std::string& v) {
    std::vector<uint8_t> out;
    put_string(out, key);
    put_u32(out, uint32_t(GgufType::GgufType_string));
    put_string(out, v);
    return out;
}

std::vector<uint8_t> build(const RawFile& f) {
    std::vector<uint8_t> out;
    put_u32(out, f.magic);
    put_u32(out, f.version);
    put_u64(out, f.tensor_count >= 0 ? uint64_t(f.tensor_count) : f.tensors.size());
    put_u64(out, f.kv_count >= 0 ? uint64_t(f.kv_count) : f.kvs.size());
    for (const std::vector<uint8_t>& kv : f.kvs) out.insert(out.end(), kv.begin(), kv.end());
    uint64_t data_end = 0;
    for (const RawTensor& t : f.tensors) {
        put_string(out, t.name);
        put_u32(out, t.n_dims);
        for (uint64_t d : t.ne) put_u64(out, d);
        put_u32(out, t.type);
        put_u64(out, t.offset);
        uint64_t n = 4;
        for (uint64_t d : t.ne) n *= d;
        data_end = std::max(data_end, t.offset + n);
    }
    while (out.size() % f.alignment) out.push_back(0);
    const uint64_t data_bytes = f.data_bytes >= 0 ? uint64_t(f.data_bytes) : data_end;
    out.resize(out.size() + size_t(data_bytes), 0x5a);
    return out;
}

// Parses `bytes` and expects a whale::Error whose message contains `expected`.
void expect_rejected(const std::vector<uint8_t>& bytes, const std::string& expected) {
    try {
        GgufFile file(bytes.data(), bytes.size(), "bad.gguf");
        ADD_FAILURE() << "accepted a file that should fail with '" << expected << "'";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("bad.gguf"), std::string::npos) << message;
        EXPECT_NE(message.find(expected), std::string::npos) << "want '" << expected << "' in: " << message;
    }
}

TEST(GgufReader, AcceptsTheBaselineFile) {
    const std::vector<uint8_t> bytes = build(RawFile{});
    const GgufFile file(bytes.data(), bytes.size(), "good.gguf");
    ASSERT_EQ(file.tensors().size(), 1u);
    EXPECT_EQ(file.tensors()[0].nbytes, 256u);
}

TEST(GgufReader, RejectsBadMagic) {
    RawFile f;
    f.magic = 0x46554748;
    expect_rejected(build(f), "bad magic");
    expect_rejected({'G', 'G'}, "truncated");
}

TEST(GgufReader, RejectsUnsupportedVersions) {
    RawFile f;
    f.version = 1;
    expect_rejected(build(f), "unsupported GGUF version 1");
    f.version = 0x03000000;
    expect_rejected(build(f), "big-endian");
}

TEST(GgufReader, RejectsLyingCounts) {
    RawFile f;
    f.tensor_count = int64_t(1) << 40;
    expect_rejected(build(f), "claims 1099511627776 tensors");
    f = RawFile{};
    f.kv_count = 1000;
    expect_rejected(build(f), "claims 1000 metadata entries");
    // A count the remaining bytes could hold, but the file ends after the first tensor info.
    f = RawFile{};
    f.tensor_count = 2;
    f.kvs = {kv_string("general.name", std::string(40, 'x'))};
    std::vector<uint8_t> bytes = build(f);
    bytes.resize(24 + 72 + 8 + 1 + 4 + 16 + 4 + 8);
    expect_rejected(bytes, "truncated header: length of name of tensor '1'");
}

TEST(GgufReader, RejectsLyingStringAndArrayLengths) {
    RawFile f;
    std::vector<uint8_t> kv;
    put_string(kv, "general.name");
    put_u32(kv, uint32_t(GgufType::GgufType_string));
    put_u64(kv, uint64_t(1) << 62);  // string length far beyond the file
    f.kvs = {kv};
    expect_rejected(build(f), "truncated header");

    kv.clear();
    put_string(kv, "tokenizer.ggml.tokens");
    put_u32(kv, uint32_t(GgufType::GgufType_array));
    put_u32(kv, uint32_t(GgufType::GgufType_string));
    put_u64(kv, uint64_t(1) << 50);
    f.kvs = {kv};
    expect_rejected(build(f), "claims 1125899906842624 string elements");

    kv.clear();
    put_string(kv, std::string(70000, 'k'));  // keys are limited to 65535 bytes
    put_u32(kv, uint32_t(GgufType::GgufType_uint8));
    kv.push_back(1);
    f.kvs = {kv};
    expect_rejected(build(f), "the limit is 65535");
}

TEST(GgufReader, RejectsBadValues) {
    RawFile f;
    std::vector<uint8_t> kv;
    put_string(kv, "x");
    put_u32(kv, 13);  // no such value type
    put_u32(kv, 0);
    f.kvs = {kv};
    expect_rejected(build(f), "not a GGUF value type");

    kv.clear();
    put_string(kv, "flag");
    put_u32(kv, uint32_t(GgufType::GgufType_bool));
    kv.push_back(2);
    f.kvs = {kv};
    expect_rejected(build(f), "expected 0 or 1");

    f.kvs = {kv_u32("dup", 1), kv_u32("dup", 2)};
    expect_rejected(build(f), "'dup' appears twice");

    // Arrays nested deeper than the limit.
    kv.clear();
    put_string(kv, "deep");
    put_u32(kv, uint32_t(GgufType::GgufType_array));
    for (int i = 0; i < 20; ++i) {
        put_u32(kv, uint32_t(GgufType::GgufType_array));
        put_u64(kv, 1);
    }
    f.kvs = {kv};
    expect_rejected(build(f), "nests arrays deeper");
}

TEST(GgufReader, RejectsWrongAlignment) {
    RawFile f;
    f.kvs = {kv_u32("general.alignment", 12)};
    expect_rejected(build(f), "wrong alignment");
    f.kvs = {kv_u32("general.alignment", 0)};
    expect_rejected(build(f), "wrong alignment");
    f.kvs = {kv_string("general.alignment", "32")};
    expect_rejected(build(f), "general.alignment must be uint32");

    f = RawFile{};
    f.tensors[0].offset = 16;  // inside the data section but not on a 32-byte boundary
    expect_rejected(build(f), "data offset 16 is not a multiple of the alignment 32");
}

TEST(GgufReader, RejectsTruncatedTensorData) {
    RawFile f;
    f.data_bytes = 255;  // one byte short of 32·2 f32
    expect_rejected(build(f), "runs past the end of the data section");
    f.data_bytes = 0;
    std::vector<uint8_t> bytes = build(f);
    bytes.resize(bytes.size() - 8);  // cut into the padding before the data section, too
    expect_rejected(bytes, "runs past the end");
}

TEST(GgufReader, RejectsTensorOffsetPastTheEnd) {
    RawFile f;
    f.tensors[0].offset = uint64_t(1) << 40;
    f.data_bytes = 256;
    expect_rejected(build(f), "runs past the end of the data section");
    f.tensors[0].offset = std::numeric_limits<uint64_t>::max() - 31;  // offset + size wraps around
    expect_rejected(build(f), "runs past the end of the data section");
}

TEST(GgufReader, RejectsUnknownAndUnsupportedTypes) {
    RawFile f;
    f.tensors[0].type = 77;
    expect_rejected(build(f), "unknown or unsupported ggml type 77 (unknown)");
    f.tensors[0].type = 2;
    expect_rejected(build(f), "ggml type 2 (Q4_0)");
}

TEST(GgufReader, RejectsShapesThatDoNotFitTheType) {
    RawFile f;
    f.tensors[0].type = uint32_t(GgmlType::GgmlType_q4_k);
    f.tensors[0].ne = {100, 2};  // Q4_K rows must be whole 256-value blocks
    expect_rejected(build(f), "is not a multiple of the Q4_K block size 256");
    f = RawFile{};
    f.tensors[0].n_dims = 5;
    f.tensors[0].ne = {1, 1, 1, 1, 1};
    expect_rejected(build(f), "at most 4 allowed");
    f = RawFile{};
    f.tensors[0].ne = {uint64_t(1) << 40, uint64_t(1) << 40};
    expect_rejected(build(f), "element count overflows");
    f = RawFile{};
    f.tensors[0].ne = {uint64_t(1) << 63, 1};
    expect_rejected(build(f), "is negative");
}

TEST(GgufReader, RejectsOverlapsAndDuplicateNames) {
    RawFile f;
    RawTensor second;
    second.name = "v";
    second.offset = 224;  // starts inside the first tensor's 256 bytes
    f.tensors.push_back(second);
    expect_rejected(build(f), "overlap");
    f.tensors[1].name = "w";
    f.tensors[1].offset = 256;
    expect_rejected(build(f), "tensor 'w' appears twice");
    f.tensors[1].name = std::string(64, 'n');
    expect_rejected(build(f), "the limit is 63");
}

TEST(GgufReader, ReadsFromAPathAndNamesMissingFiles) {
    const std::vector<uint8_t> bytes = build(RawFile{});
    const std::string path = temp_path("from_path.gguf");
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    EXPECT_EQ(GgufFile(path).tensors().size(), 1u);
    std::filesystem::remove(path);
    EXPECT_THROW(GgufFile(temp_path("does_not_exist.gguf")), Error);
}

}  // namespace
}  // namespace whale
