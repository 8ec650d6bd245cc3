// Id-for-id parity with Hugging Face `tokenizers` on the committed corpus (> 1 MB, many scripts,
// code, emoji, whitespace and special-token cases), for each DeepSeek tokenizer and both modes:
// "special" = HF encode(text, add_special_tokens=False), "plain" = HF with every added token
// removed, which is what parse_special=false must give. Also decode parity and round trips.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tokenizer_test_data.h"
#include "whale/core/error.h"

namespace whale::test {
namespace {

struct ParityCase {
    std::string tokenizer;
    std::string mode;
};

std::string show_ids(const std::vector<int32_t>& ids, size_t from) {
    std::string out;
    for (size_t i = from; i < ids.size() && i < from + 8; ++i) out += std::to_string(ids[i]) + " ";
    return out;
}

class TokenizerParity : public ::testing::TestWithParam<ParityCase> {};

TEST_P(TokenizerParity, EveryCorpusDocumentMatchesHuggingFace) {
    const Tokenizer& tok = tokenizer_named(GetParam().tokenizer);
    const auto& docs = golden_corpus();
    const auto expected = golden_ids(GetParam().tokenizer, GetParam().mode);
    ASSERT_EQ(docs.size(), expected.size());
    const EncodeOptions options{.parse_special = GetParam().mode == "special"};
    size_t mismatched = 0, tokens = 0, bytes = 0;
    for (size_t d = 0; d < docs.size(); ++d) {
        const std::vector<int32_t> ids = tok.encode(docs[d], options);
        tokens += expected[d].size();
        bytes += docs[d].size();
        if (ids == expected[d]) continue;
        if (++mismatched > 5) continue;
        size_t at = 0;
        while (at < ids.size() && at < expected[d].size() && ids[at] == expected[d][at]) ++at;
        ADD_FAILURE() << "document " << d << " (" << docs[d].size() << " bytes) differs at token " << at
                      << ": expected " << show_ids(expected[d], at) << "got " << show_ids(ids, at);
    }
    EXPECT_EQ(mismatched, 0u);
    std::printf("parity %s/%s: %zu documents, %zu bytes, %zu tokens, %zu mismatched documents\n",
                GetParam().tokenizer.c_str(), GetParam().mode.c_str(), docs.size(), bytes, tokens, mismatched);
}

TEST_P(TokenizerParity, DecodeOfEncodeGivesTheTextBack) {
    const Tokenizer& tok = tokenizer_named(GetParam().tokenizer);
    const EncodeOptions options{.parse_special = GetParam().mode == "special"};
    for (const std::string& doc : golden_corpus()) ASSERT_EQ(tok.decode(tok.encode(doc, options)), doc);
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, TokenizerParity,
                         ::testing::Values(ParityCase{"deepseek-v3", "special"}, ParityCase{"deepseek-v3", "plain"},
                                           ParityCase{"deepseek-v4", "special"}, ParityCase{"deepseek-v4", "plain"}),
                         [](const auto& info) {
                             std::string name = info.param.tokenizer + "_" + info.param.mode;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

class DecodeParity : public ::testing::TestWithParam<std::string> {};

// Random id lists, many of which split UTF-8 characters: HF replaces the broken bytes with U+FFFD.
TEST_P(DecodeParity, RandomIdListsDecodeLikeHuggingFace) {
    const Tokenizer& tok = tokenizer_named(GetParam());
    const auto cases = nlohmann::json::parse(read_binary_file(golden_path("decode-" + GetParam() + ".json")));
    ASSERT_GT(cases.size(), 100u);
    for (const auto& c : cases) {
        const auto ids = c["ids"].get<std::vector<int32_t>>();
        const DecodeOptions options{.skip_special = c["skip_special"].get<bool>()};
        EXPECT_EQ(tok.decode(ids, options), c["text"].get<std::string>()) << c["ids"].dump();
    }
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, DecodeParity, ::testing::Values("deepseek-v3", "deepseek-v4"),
                         [](const auto& info) {
                             std::string name = info.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

}  // namespace
}  // namespace whale::test
