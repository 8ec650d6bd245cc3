// A tokenizer rebuilt from a GGUF file's tokenizer.ggml.* keys (written the way `whale convert`
// and llama.cpp's converter write them) must give the same ids as the tokenizer.json it came from,
// so a lone .gguf file serves text as well as a checkpoint directory.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "tokenizer_test_data.h"
#include "whale/core/error.h"
#include "whale/formats/gguf/gguf_file.h"
#include "whale/formats/gguf/gguf_writer.h"
#include "whale/model/gguf/tokenizer_metadata.h"

namespace whale {
namespace {

// A metadata-only GGUF holding `keys`; returns its path.
std::string write_metadata_gguf(const std::string& name, const std::vector<GgufKeyValue>& keys) {
    const std::string path = testing::TempDir() + "/" + name;
    GgufWriter writer(path);
    for (const GgufKeyValue& kv : keys) writer.add_value(kv.key, kv.value);
    writer.write_header();
    writer.finish();
    return path;
}

std::vector<GgufKeyValue> v3_tokenizer_keys() {
    DeepseekConfig c;
    c.model_type = "deepseek_v3";
    c.vocab_size = 129280;
    c.bos_token_id = 0;
    c.eos_token_ids = {1};
    return tokenizer_metadata(WHALE_TOKENIZER_V3_DIR, c);
}

TEST(GgufTokenizer, RebuiltFromMetadataEncodesTheCorpusLikeTokenizerJson) {
    const GgufFile file(write_metadata_gguf("v3_tokenizer.gguf", v3_tokenizer_keys()));
    const Tokenizer rebuilt = Tokenizer::from_json_text(tokenizer_json_from_gguf(file), file.path());
    const Tokenizer& original = test::tokenizer_named("deepseek-v3");
    ASSERT_EQ(rebuilt.n_ids(), original.n_ids());

    const auto& corpus = test::golden_corpus();
    const auto special = test::golden_ids("deepseek-v3", "special");
    const auto plain = test::golden_ids("deepseek-v3", "plain");
    ASSERT_EQ(corpus.size(), special.size());
    for (size_t i = 0; i < corpus.size(); ++i) {
        ASSERT_EQ(rebuilt.encode(corpus[i]), special[i]) << "document " << i;
        ASSERT_EQ(rebuilt.encode(corpus[i], {.parse_special = false}), plain[i]) << "document " << i;
        ASSERT_EQ(rebuilt.decode(special[i]), original.decode(special[i])) << "document " << i;
    }
    for (int32_t id = 0; id < original.n_ids(); ++id) {
        ASSERT_EQ(rebuilt.is_special(id), original.is_special(id)) << "id " << id;
        ASSERT_EQ(rebuilt.is_added(id), original.is_added(id)) << "id " << id;
    }
}

TEST(GgufTokenizer, ChatTemplateTravelsInTheConfig) {
    const GgufFile file(write_metadata_gguf("v3_template.gguf", v3_tokenizer_keys()));
    std::ifstream in(std::string(WHALE_TOKENIZER_V3_DIR) + "/tokenizer_config.json");
    const nlohmann::json original = nlohmann::json::parse(in);
    const nlohmann::json rebuilt = nlohmann::json::parse(tokenizer_config_json_from_gguf(file));
    EXPECT_EQ(rebuilt.at("chat_template"), original.at("chat_template"));
    EXPECT_EQ(rebuilt.at("add_bos_token"), original.value("add_bos_token", true));
}

TEST(GgufTokenizer, UnknownPreTokenizerOrMissingKeysSayWhatToDo) {
    std::vector<GgufKeyValue> keys = v3_tokenizer_keys();
    for (GgufKeyValue& kv : keys)
        if (kv.key == "tokenizer.ggml.pre") kv.value = gguf_string("deepseek-llm");
    const GgufFile v2_style(write_metadata_gguf("v2_pre.gguf", keys));
    try {
        tokenizer_json_from_gguf(v2_style);
        FAIL() << "a pre-tokenizer Whale cannot rebuild was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("deepseek-llm"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("tokenizer.json next to"), std::string::npos) << e.what();
    }

    std::vector<GgufKeyValue> no_merges;
    for (const GgufKeyValue& kv : v3_tokenizer_keys())
        if (kv.key != "tokenizer.ggml.merges") no_merges.push_back(kv);
    const GgufFile missing(write_metadata_gguf("no_merges.gguf", no_merges));
    EXPECT_THROW(
        {
            try {
                tokenizer_json_from_gguf(missing);
            } catch (const Error& e) {
                EXPECT_NE(std::string(e.what()).find("tokenizer.ggml.merges"), std::string::npos) << e.what();
                throw;
            }
        },
        Error);
}

}  // namespace
}  // namespace whale
