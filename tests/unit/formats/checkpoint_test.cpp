// Checkpoint directories: single file, sharded through model.safetensors.index.json, and their errors.
#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "whale/core/error.h"
#include "whale/formats/safetensors/checkpoint.h"
#include "whale/formats/safetensors/safetensors_writer.h"

namespace whale {
namespace {

using testing::TempDir;

void write_one(const TempDir& dir, const std::string& file, const std::string& tensor, float value) {
    TensorView v{tensor, DType::DType_f32, {1}, &value, 4};
    write_safetensors(dir.file(file), {v});
}

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(CheckpointTest, ReadsShardsThroughTheIndex) {
    TempDir dir;
    write_one(dir, "model-00001-of-00002.safetensors", "a", 1.0f);
    write_one(dir, "model-00002-of-00002.safetensors", "b", 2.0f);
    dir.write("model.safetensors.index.json",
              R"({"metadata":{"total_size":8},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})");
    Checkpoint checkpoint(dir.path().string());
    EXPECT_EQ(checkpoint.names(), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(*static_cast<const float*>(checkpoint.get("b").data), 2.0f);
    EXPECT_EQ(checkpoint.total_bytes(), 8u);
}

TEST(CheckpointTest, MissingTensorNamesTheTensor) {
    TempDir dir;
    write_one(dir, "model.safetensors", "a", 1.0f);
    Checkpoint checkpoint(dir.path().string());
    std::string message = error_of([&] { checkpoint.get("model.norm.weight"); });
    EXPECT_NE(message.find("tensor 'model.norm.weight' is missing"), std::string::npos) << message;
}

TEST(CheckpointTest, IndexErrorsAreClear) {
    TempDir dir;
    write_one(dir, "model-00001-of-00001.safetensors", "a", 1.0f);
    dir.write("model.safetensors.index.json", R"({"weight_map":{"a":"model-00001-of-00001.safetensors","z":"model-00001-of-00001.safetensors"}})");
    std::string message = error_of([&] { Checkpoint c(dir.path().string()); });
    EXPECT_NE(message.find("'z' is listed in shard"), std::string::npos) << message;

    dir.write("model.safetensors.index.json", R"({"weight_map":{"a":"../escape.safetensors"}})");
    message = error_of([&] { Checkpoint c(dir.path().string()); });
    EXPECT_NE(message.find("plain file name"), std::string::npos) << message;

    dir.write("model.safetensors.index.json", R"({"weight_map":{"a":"model-00009-of-00009.safetensors"}})");
    message = error_of([&] { Checkpoint c(dir.path().string()); });
    EXPECT_NE(message.find("cannot open"), std::string::npos) << message;

    dir.write("model.safetensors.index.json", "{");
    message = error_of([&] { Checkpoint c(dir.path().string()); });
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST(CheckpointTest, EmptyDirectoryIsAnError) {
    TempDir dir;
    std::string message = error_of([&] { Checkpoint c(dir.path().string()); });
    EXPECT_NE(message.find("no model.safetensors"), std::string::npos) << message;
    message = error_of([&] { Checkpoint c(dir.file("nope")); });
    EXPECT_NE(message.find("no such model directory"), std::string::npos) << message;
}

}  // namespace
}  // namespace whale
