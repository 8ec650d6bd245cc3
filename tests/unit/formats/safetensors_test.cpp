// The safetensors reader on valid files and on every kind of malformed header: each must give one
// clear error naming the file (and tensor) and what was expected, never a crash.
#include <gtest/gtest.h>

#include <cstring>

#include "support/temp_dir.h"
#include "whale/core/error.h"
#include "whale/formats/safetensors/safetensors_file.h"
#include "whale/formats/safetensors/safetensors_writer.h"

namespace whale {
namespace {

using testing::TempDir;

// The raw bytes of a safetensors file: u64 header length, header, data.
std::string file_bytes(const std::string& header, size_t data_bytes, uint64_t declared_length = UINT64_MAX) {
    uint64_t n = declared_length == UINT64_MAX ? header.size() : declared_length;
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
    return out + header + std::string(data_bytes, '\x01');
}

// Expects opening `bytes` to fail with a message containing every fragment.
void expect_rejected(const std::string& bytes, std::initializer_list<const char*> fragments) {
    TempDir dir;
    std::string path = dir.write("bad.safetensors", bytes);
    try {
        SafetensorsFile file(path);
        FAIL() << "accepted a malformed file";
    } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("bad.safetensors"), std::string::npos) << message;
        for (const char* fragment : fragments) EXPECT_NE(message.find(fragment), std::string::npos) << message;
    }
}

TEST(SafetensorsTest, ReadsWhatTheWriterWrites) {
    TempDir dir;
    std::vector<float> a = {1, 2, 3, 4, 5, 6};
    std::vector<uint16_t> b = {0x3f80, 0x4000};
    TensorView va{"a", DType::DType_f32, {2, 3}, a.data(), a.size() * 4};
    TensorView vb{"b.weight", DType::DType_bf16, {2}, b.data(), b.size() * 2};
    write_safetensors(dir.file("ok.safetensors"), {vb, va}, {{"format", "pt"}});
    SafetensorsFile file(dir.file("ok.safetensors"));
    ASSERT_EQ(file.tensors().size(), 2u);
    const TensorView* ra = file.find("a");
    ASSERT_NE(ra, nullptr);
    EXPECT_EQ(ra->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(std::memcmp(ra->data, a.data(), 24), 0);
    EXPECT_EQ(file.find("b.weight")->dtype, DType::DType_bf16);
    EXPECT_EQ(file.metadata().at("format"), "pt");
    EXPECT_EQ(file.find("missing"), nullptr);
}

TEST(SafetensorsTest, AcceptsScalarsAndEmptyTensors) {
    std::string header = R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}})";
    TempDir dir;
    SafetensorsFile file(dir.write("ok.safetensors", file_bytes(header, 4)));
    EXPECT_EQ(file.find("s")->numel(), 1);
    EXPECT_EQ(file.find("e")->numel(), 0);
}

TEST(SafetensorsTest, RejectsTruncatedFile) { expect_rejected("abc", {"truncated"}); }

TEST(SafetensorsTest, RejectsHeaderLengthBeyondFile) {
    expect_rejected(file_bytes("{}", 0, 1000), {"header length 1000", "past the end"});
}

TEST(SafetensorsTest, RejectsOversizedHeader) {
    expect_rejected(file_bytes("{}", 0, 200'000'000), {"exceeds the limit"});
}

TEST(SafetensorsTest, RejectsNonJsonHeader) {
    expect_rejected(file_bytes("{not json", 0), {"not valid JSON"});
    expect_rejected(file_bytes("[1, 2]", 0), {"must start with '{'"});
}

TEST(SafetensorsTest, RejectsOutOfRangeOffsets) {
    std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
    expect_rejected(file_bytes(header, 8), {"'w'", "past the end of the data"});
}

TEST(SafetensorsTest, RejectsOverlappingTensors) {
    std::string header =
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
    expect_rejected(file_bytes(header, 12), {"overlap", "'a'", "'b'"});
}

TEST(SafetensorsTest, RejectsShapeThatDisagreesWithByteLength) {
    std::string header = R"({"w":{"dtype":"BF16","shape":[3,4],"data_offsets":[0,16]}})";
    expect_rejected(file_bytes(header, 16), {"'w'", "[3, 4]", "needs 24 bytes", "span 16"});
}

TEST(SafetensorsTest, RejectsUnknownDtype) {
    std::string header = R"({"w":{"dtype":"Q17","shape":[1],"data_offsets":[0,1]}})";
    expect_rejected(file_bytes(header, 1), {"'w'", "unknown dtype 'Q17'"});
}

TEST(SafetensorsTest, RejectsDuplicateTensorNames) {
    std::string header =
        R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})";
    expect_rejected(file_bytes(header, 2), {"'w' twice"});
}

TEST(SafetensorsTest, RejectsMalformedEntries) {
    expect_rejected(file_bytes(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", 0), {"'w'", "non-negative"});
    expect_rejected(file_bytes(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4), {"begin after end"});
    expect_rejected(file_bytes(R"({"w":{"dtype":"F32","shape":[1]}})", 4), {"missing 'data_offsets'"});
    expect_rejected(file_bytes(R"({"__metadata__":{"k":1}})", 0), {"__metadata__"});
}

}  // namespace
}  // namespace whale
