// JSON Schema constrained output: what the compiler refuses, what the schema grammar accepts and
// rejects, its closing distance, and a random "model" driven through the token mask always writing
// JSON that has the schema's required members with the right types, within its budget.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "whale/core/error.h"
#include "whale/runtime/sampling/json_constraint.h"
#include "whale/runtime/sampling/json_schema.h"
#include "whale/runtime/sampling/json_schema_grammar.h"

namespace whale {
namespace {

using Json = nlohmann::ordered_json;

const Json person = Json::parse(R"({
  "type": "object", "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "maxLength": 8},
    "age": {"type": "integer", "description": "years"},
    "tags": {"type": "array", "items": {"enum": ["a", "bc", 1, 12]}, "maxItems": 3},
    "pet": {"type": "object", "properties": {"kind": {"type": "string"}, "good": {"type": "boolean"}}, "required": ["good"]},
    "note": {"type": ["string", "null"]}
  },
  "required": ["name", "age", "pet"]})");

bool accepts(const JsonSchema& schema, const std::string& text, SchemaGrammar* out = nullptr) {
    SchemaGrammar g(&schema);
    for (char c : text)
        if (!g.feed(c)) return false;
    if (out) *out = g;
    return true;
}

TEST(JsonSchema, RefusesWhatItCannotEnforce) {
    for (const char* text : {R"({"type": "object", "properties": {"a": {"$ref": "#/x"}}})",
                             R"({"type": "object", "properties": {"a": {"type": "number", "minimum": 1}}})",
                             R"({"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}]}}})",
                             R"({"type": "string"})",
                             R"({"type": "object", "properties": {"a": {"type": ["number", "integer"]}}})",
                             R"({"type": "object", "required": ["missing"]})"})
        EXPECT_THROW(compile_json_schema(Json::parse(text)), Error) << text;
}

TEST(SchemaGrammar, AcceptsValidObjectsInSchemaOrder) {
    const JsonSchema schema = compile_json_schema(person);
    SchemaGrammar g(&schema);
    ASSERT_TRUE(accepts(schema, R"({"name":"Al","age":-3,"tags":["bc",12,1],"pet":{"good":true},"note":null})", &g));
    EXPECT_TRUE(g.complete());
    ASSERT_TRUE(accepts(schema, R"({"name":"","age":0,"pet":{"kind":"cat","good":false}})", &g));
    EXPECT_TRUE(g.complete());
    EXPECT_FALSE(accepts(schema, R"({"age":1)")) << "required 'name' skipped";
    EXPECT_FALSE(accepts(schema, R"({"name":"a","age":1})")) << "required 'pet' missing";
    EXPECT_FALSE(accepts(schema, R"({"name":"a","age":1.5)")) << "integer";
    EXPECT_FALSE(accepts(schema, R"j({"name":"123456789")j")) << "maxLength";
    EXPECT_FALSE(accepts(schema, R"j({"name":"a","age":1,"tags":["b")j")) << "enum";
    EXPECT_FALSE(accepts(schema, R"({"name":"a","age":1,"tags":[1,1,1,1)")) << "maxItems";
    EXPECT_FALSE(accepts(schema, R"j({"name":"a","x")j")) << "unknown key";
    EXPECT_FALSE(accepts(schema, R"({"name":"a","age":1,"pet":{"good":true},"note":7)")) << "string or null";
}

TEST(SchemaGrammar, MinCharsToCloseCountsRequiredMembers) {
    const JsonSchema schema = compile_json_schema(person);
    const std::string shortest = R"({"name":"","age":0,"pet":{"good":true}})";
    const std::pair<std::string, int> cases[] = {
        {"", int(shortest.size())},
        {R"j({"name":"ab)j", int(shortest.size()) - 9},
        {R"j({"name":"","age":0,"pet":{"go)j", 10},
        {R"({"name":"","age":0,"pet":{"good":f)", 6},
        {R"({"name":"","age":0,"pet":{"good":false})", 1},
    };
    for (const auto& [text, expected] : cases) {
        SchemaGrammar g(&schema);
        ASSERT_TRUE(accepts(schema, text, &g)) << text;
        EXPECT_EQ(g.min_chars_to_close(), expected) << text;
    }
}

TEST(SchemaConstraint, RandomModelAlwaysWritesValidJsonWithinBudget) {
    auto schema = std::make_shared<const JsonSchema>(compile_json_schema(person));
    auto vocab = std::make_shared<std::vector<std::string>>();
    vocab->push_back("<｜eos｜>");
    for (char c = 0x20; c < 0x7f; ++c) vocab->push_back(std::string(1, c));
    for (const char* piece : {"{\"", "\":", "\",\"", "true", "null", "12", "name", "\"}", "}}", "],", "pet", "good"})
        vocab->push_back(piece);
    std::mt19937 rng(11);
    const int64_t min = JsonConstraint(vocab, {}, {}, 0, 1000, schema).min_tokens();
    for (int trial = 0; trial < 200; ++trial) {
        const int64_t max_tokens = min + trial % 60;
        JsonConstraint constraint(vocab, {}, {}, 0, max_tokens, schema);
        std::string text;
        bool ended = false;
        for (int64_t step = 0; step < max_tokens && !ended; ++step) {
            std::vector<float> logits(vocab->size());
            for (auto& l : logits) l = std::uniform_real_distribution<float>(0, 1)(rng);
            constraint.mask(logits.data(), int64_t(logits.size()));
            const int32_t best = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
            ASSERT_TRUE(std::isfinite(logits[size_t(best)])) << "the mask left no token after " << text;
            constraint.accept(best);
            if (best == 0) ended = true;
            else text += (*vocab)[size_t(best)];
        }
        ASSERT_TRUE(ended) << "no end-of-sequence within " << max_tokens << " tokens: " << text;
        const Json value = Json::parse(text);
        EXPECT_TRUE(value["name"].is_string() && value["age"].is_number_integer() && value["pet"]["good"].is_boolean()) << text;
    }
}

}  // namespace
}  // namespace whale
