// The "any JSON object" schema grammar and the token mask built on it: accepted prefixes, rejected characters, the
// closing distance, and a random "model" driven through the mask always producing parseable JSON
// within its budget, framed by forced tool-call tokens.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "whale/runtime/sampling/json_constraint.h"
#include "whale/runtime/sampling/json_schema.h"
#include "whale/runtime/sampling/json_schema_grammar.h"

namespace whale {
namespace {

const JsonSchema& any_object() {
    static const JsonSchema schema = any_json_object_schema();
    return schema;
}

bool accepts(const std::string& text, SchemaGrammar* out = nullptr) {
    SchemaGrammar g(&any_object());
    for (char c : text)
        if (!g.feed(c)) return false;
    if (out) *out = g;
    return true;
}

TEST(AnyJsonObject, AcceptsCompactObjectsAndRejectsWhatCouldNotComplete) {
    SchemaGrammar g(&any_object());
    ASSERT_TRUE(accepts(R"({"a":1,"b":[true,null,-0.5,"x"],"c":{}})", &g));
    EXPECT_TRUE(g.complete());
    EXPECT_FALSE(accepts("[1]")) << "top level is an object";
    EXPECT_FALSE(accepts("{ }")) << "no whitespace: it could go on forever";
    EXPECT_FALSE(accepts(R"({"a":01})"));
    EXPECT_FALSE(accepts(R"({"a":"\n"})"));
    EXPECT_FALSE(accepts(R"({"a":1}})"));
    EXPECT_FALSE(accepts(R"({"a":tru})"));
    EXPECT_FALSE(accepts(R"({"a":12345678901.)")) << "no room left for a digit after the point";
    EXPECT_TRUE(accepts(R"({"a":1234567890.1)"));
}

TEST(AnyJsonObject, BoundsKeepEveryGenerationFinite) {
    EXPECT_TRUE(accepts(R"({"a":[[[[{}]]]]})")) << "6 containers deep";
    EXPECT_FALSE(accepts(R"({"a":[[[[{"b":)" "[")) << "a 7th";
    EXPECT_TRUE(accepts(R"({"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8})"));
    EXPECT_FALSE(accepts(R"({"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,)")) << "a 9th member";
    EXPECT_TRUE(accepts(R"({"a":[1,2,3,4,5,6,7,8]})"));
    EXPECT_FALSE(accepts(R"({"a":[1,2,3,4,5,6,7,8,)")) << "a 9th item";
    EXPECT_TRUE(accepts("{\"" + std::string(32, 'k') + "\":\"" + std::string(32, 's') + "\"}"));
    EXPECT_FALSE(accepts("{\"" + std::string(33, 'k')));
    EXPECT_FALSE(accepts("{\"k\":\"" + std::string(33, 's')));
}

TEST(AnyJsonObject, MinCharsToCloseCountsTheShortestCompletion) {
    const std::pair<const char*, int> cases[] = {{"", 2}, {"{", 1}, {R"({"k)", 4}, {R"({"k":)", 2}, {R"({"k":[)", 2},
                                                 {R"({"k":-)", 2}, {R"({"k":1)", 1}, {R"({"k":1,)", 5}, {R"({"k":nu)", 3}};
    for (const auto& [text, expected] : cases) {
        SchemaGrammar g(&any_object());
        ASSERT_TRUE(accepts(text, &g)) << text;
        EXPECT_EQ(g.min_chars_to_close(), expected) << text;
    }
}

// A toy vocabulary: single characters, some multi-character pieces, and "special" tokens.
std::shared_ptr<std::vector<std::string>> toy_vocab() {
    auto vocab = std::make_shared<std::vector<std::string>>();
    // Markers carry non-ASCII like DeepSeek's (<｜end▁of▁sentence｜>), so no JSON string may hold them.
    vocab->push_back("<｜eos｜>");
    vocab->push_back("<｜call｜>");
    vocab->push_back("</｜call｜>");
    for (char c = 0x20; c < 0x7f; ++c) vocab->push_back(std::string(1, c));
    for (const char* piece : {"{\"", "\":", "\",\"", "true", "null", "12", "ab", "\"}", "}}", "],", "[[", "{}", " {"})
        vocab->push_back(piece);
    return vocab;
}

TEST(JsonConstraint, RandomModelAlwaysWritesParseableJsonWithinBudget) {
    auto vocab = toy_vocab();
    std::mt19937 rng(5);
    for (int trial = 0; trial < 200; ++trial) {
        const int64_t max_tokens = 8 + trial % 40;
        JsonConstraint constraint(vocab, {1}, {2}, 0, max_tokens);
        std::string text;
        std::vector<int32_t> tokens;
        for (int64_t step = 0; step < max_tokens; ++step) {
            std::vector<float> logits(vocab->size());
            for (auto& l : logits) l = std::uniform_real_distribution<float>(0, 1)(rng);
            constraint.mask(logits.data(), int64_t(logits.size()));
            int32_t best = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
            ASSERT_TRUE(std::isfinite(logits[size_t(best)])) << "the mask left no token";
            constraint.accept(best);
            tokens.push_back(best);
            if (best == 0) break;
            if (best > 2) text += (*vocab)[size_t(best)];
        }
        ASSERT_EQ(tokens.front(), 1) << "forced prefix";
        ASSERT_EQ(tokens.back(), 0) << "ended with end-of-sequence within " << max_tokens << " tokens: " << text;
        ASSERT_EQ(tokens[tokens.size() - 2], 2) << "forced suffix";
        EXPECT_TRUE(nlohmann::json::parse(text).is_object()) << text;
    }
}

}  // namespace
}  // namespace whale
