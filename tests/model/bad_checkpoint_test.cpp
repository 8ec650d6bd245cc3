// Loading broken or unusual model directories: every problem is one clear error naming the
// tensor or field and what was expected; unusual-but-valid layouts load and give the same logits.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/golden_fixture.h"
#include "support/temp_dir.h"
#include "whale/core/error.h"
#include "whale/formats/safetensors/safetensors_file.h"
#include "whale/formats/safetensors/safetensors_writer.h"
#include "whale/runtime/engine.h"

namespace whale {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Copies golden `name`'s model into `dir`, passing its tensors through `edit` and its config
// through `edit_config` before writing a single model.safetensors.
void copy_model(const std::string& name, const TempDir& dir,
                const std::function<void(std::vector<TensorView>&, std::vector<std::vector<uint8_t>>&)>& edit,
                const std::function<void(nlohmann::json&)>& edit_config = nullptr) {
    const std::string source = std::string(WHALE_GOLDEN_DIR) + "/" + name + "/model";
    nlohmann::json config = nlohmann::json::parse(std::ifstream(source + "/config.json"));
    if (edit_config) edit_config(config);
    std::ofstream(dir.file("config.json")) << config.dump(2);
    std::vector<std::unique_ptr<SafetensorsFile>> files;
    std::vector<TensorView> tensors;
    for (const auto& entry : fs::directory_iterator(source)) {
        if (entry.path().extension() != ".safetensors") continue;
        files.push_back(std::make_unique<SafetensorsFile>(entry.path().string()));
        for (const TensorView& t : files.back()->tensors()) tensors.push_back(t);
    }
    std::vector<std::vector<uint8_t>> storage;
    edit(tensors, storage);
    write_safetensors(dir.file("model.safetensors"), tensors);
}

std::string load_error(const std::string& path) {
    try {
        Engine::load(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

void expect_contains(const std::string& message, std::initializer_list<const char*> fragments) {
    ASSERT_FALSE(message.empty()) << "load succeeded";
    for (const char* f : fragments) EXPECT_NE(message.find(f), std::string::npos) << message;
}

TEST(BadCheckpointTest, WrongShapeNamesTensorAndExpectedShape) {
    TempDir dir;
    copy_model("v2_lite", dir, [](std::vector<TensorView>& tensors, auto&) {
        for (TensorView& t : tensors)
            if (t.name == "model.layers.0.self_attn.kv_b_proj.weight") t.shape = {t.shape[1], t.shape[0]};
    });
    expect_contains(load_error(dir.path().string()),
                    {"model.layers.0.self_attn.kv_b_proj.weight", "has shape [32, 128]", "expected [128, 32]"});
}

TEST(BadCheckpointTest, MissingTensorIsNamed) {
    TempDir dir;
    copy_model("v3", dir, [](std::vector<TensorView>& tensors, auto&) {
        std::erase_if(tensors, [](const TensorView& t) { return t.name == "model.layers.2.mlp.experts.7.up_proj.weight"; });
    });
    expect_contains(load_error(dir.path().string()), {"'model.layers.2.mlp.experts.7.up_proj.weight' is missing"});
}

TEST(BadCheckpointTest, Fp8WeightWithoutScaleIsNamed) {
    TempDir dir;
    copy_model("v3_fp8", dir, [](std::vector<TensorView>& tensors, auto&) {
        std::erase_if(tensors, [](const TensorView& t) { return t.name == "model.layers.0.self_attn.o_proj.weight_scale_inv"; });
    });
    expect_contains(load_error(dir.path().string()), {"model.layers.0.self_attn.o_proj.weight", "weight_scale_inv", "[2, 1]"});
}

TEST(BadCheckpointTest, UnsupportedDtypeForAWeightIsNamed) {
    TempDir dir;
    copy_model("v2_lite", dir, [](std::vector<TensorView>& tensors, auto&) {
        for (TensorView& t : tensors)
            if (t.name == "lm_head.weight") t.dtype = DType::DType_i32;
    });
    expect_contains(load_error(dir.path().string()), {"lm_head.weight", "dtype I32", "expected F32, F16, BF16 or F8_E4M3"});
}

TEST(BadCheckpointTest, UnsupportedModelTypeListsSupported) {
    TempDir dir;
    copy_model("v2_lite", dir, [](auto&, auto&) {}, [](nlohmann::json& c) { c["model_type"] = "mistral"; });
    expect_contains(load_error(dir.path().string()), {"model_type", "'mistral'", "deepseek_v2, deepseek_v3, deepseek_v32, qwen2, llama, qwen3"});
}

TEST(BadCheckpointTest, MissingConfigFieldIsNamed) {
    TempDir dir;
    copy_model("v2", dir, [](auto&, auto&) {}, [](nlohmann::json& c) { c.erase("kv_lora_rank"); });
    expect_contains(load_error(dir.path().string()), {"config.json", "'kv_lora_rank' is required"});
}

TEST(BadCheckpointTest, ConfigThatDisagreesWithTheWeightsIsCaught) {
    TempDir dir;
    copy_model("v2", dir, [](auto&, auto&) {}, [](nlohmann::json& c) { c["moe_intermediate_size"] = 40; });
    expect_contains(load_error(dir.path().string()), {"experts.0.gate_proj.weight", "expected [40, 64]"});
}

TEST(BadCheckpointTest, TokenOutsideVocabularyIsAnError) {
    auto engine = Engine::load(testing::load_golden("v2_lite").model_dir);
    auto session = engine->new_session();
    try {
        session->append({1, 2, int32_t(engine->model().vocab_size)});
        FAIL() << "accepted an out-of-vocabulary token";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("outside the vocabulary"), std::string::npos);
    }
    EXPECT_EQ(session->position(), 0);  // nothing was committed to the timeline
    EXPECT_NO_THROW(session->append({1, 2}));
}

TEST(BadCheckpointTest, ContextLimitIsEnforcedWithoutCorruption) {
    EngineOptions options;
    options.max_context = 8;
    auto engine = Engine::load(testing::load_golden("v2_lite").model_dir, options);
    auto session = engine->new_session();
    session->append({1, 2, 3, 4, 5, 6});
    try {
        session->append({7, 8, 9});
        FAIL() << "exceeded the context";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("exceeds the limit of 8"), std::string::npos) << e.what();
    }
    EXPECT_EQ(session->position(), 6);
    EXPECT_NO_THROW(session->append({7, 8}));
}

// transformers' in-memory layout stacks experts: gate_up_proj [E, 2·Ie, D] and down_proj [E, D, Ie].
TEST(UnusualCheckpointTest, FusedExpertLayoutGivesTheSameLogits) {
    testing::Golden golden = testing::load_golden("v2_lite");
    TempDir dir;
    copy_model("v2_lite", dir, [](std::vector<TensorView>& tensors, std::vector<std::vector<uint8_t>>& storage) {
        std::map<std::string, const TensorView*> by_name;
        for (const TensorView& t : tensors) by_name[t.name] = &t;
        std::vector<TensorView> fused;
        storage.reserve(64);
        for (int layer = 1; layer < 3; ++layer) {
            const std::string prefix = "model.layers." + std::to_string(layer) + ".mlp.experts.";
            std::vector<uint8_t> gate_up, down;
            int64_t n = 0, width = 0, d = 0;
            for (;; ++n) {
                auto g = by_name.find(prefix + std::to_string(n) + ".gate_proj.weight");
                if (g == by_name.end()) break;
                const TensorView* u = by_name[prefix + std::to_string(n) + ".up_proj.weight"];
                const TensorView* dn = by_name[prefix + std::to_string(n) + ".down_proj.weight"];
                width = g->second->shape[0];
                d = g->second->shape[1];
                for (const TensorView* t : {g->second, u})
                    gate_up.insert(gate_up.end(), (const uint8_t*)t->data, (const uint8_t*)t->data + t->nbytes);
                down.insert(down.end(), (const uint8_t*)dn->data, (const uint8_t*)dn->data + dn->nbytes);
            }
            storage.push_back(std::move(gate_up));
            fused.push_back({prefix + "gate_up_proj", DType::DType_f32, {n, 2 * width, d}, storage.back().data(),
                             storage.back().size()});
            storage.push_back(std::move(down));
            fused.push_back({prefix + "down_proj", DType::DType_f32, {n, d, width}, storage.back().data(),
                             storage.back().size()});
        }
        std::erase_if(tensors, [](const TensorView& t) { return t.name.find(".mlp.experts.") != std::string::npos; });
        tensors.insert(tensors.end(), fused.begin(), fused.end());
    });
    auto engine = Engine::load(dir.path().string());
    auto session = engine->new_session();
    AppendOptions options;
    options.all_logits = true;
    EXPECT_LE(testing::max_relative_error(session->append(golden.tokens, options), golden.logits), 1e-5);
}

}  // namespace
}  // namespace whale
