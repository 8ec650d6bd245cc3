// Bad input is a clear whale::Error, never a crash: invalid UTF-8 text, unknown ids, missing,
// truncated or malformed tokenizer.json (bad regex, bad merges, unsupported parts).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tokenizer_test_data.h"
#include "whale/core/error.h"

namespace whale::test {
namespace {

// A complete, tiny byte-level tokenizer.json that the tests below break one field at a time.
nlohmann::json tiny_tokenizer() {
    nlohmann::json vocab = nlohmann::json::object();
    int id = 0;
    for (char c = '!'; c <= '~'; ++c) vocab[std::string(1, c)] = id++;
    // The remaining byte symbols: ¡..¬, ®..ÿ and Ā..Ń.
    for (uint32_t cp : {0xA1u, 0xAEu, 0x100u}) {
        const uint32_t end = cp == 0xA1 ? 0xAD : cp == 0xAE ? 0x100 : 0x144;
        for (uint32_t c = cp; c < end; ++c) {
            std::string s;
            s += char(0xC0 | (c >> 6));
            s += char(0x80 | (c & 0x3F));
            vocab[s] = id++;
        }
    }
    vocab["he"] = id++;
    vocab["ll"] = id++;
    vocab["hell"] = id++;
    return {
        {"version", "1.0"},
        {"added_tokens", nlohmann::json::array({{{"id", id}, {"content", "<eos>"}, {"special", true},
                                                 {"lstrip", false}, {"rstrip", false}, {"single_word", false},
                                                 {"normalized", false}}})},
        {"normalizer", nullptr},
        {"pre_tokenizer",
         {{"type", "Sequence"},
          {"pretokenizers",
           nlohmann::json::array({{{"type", "Split"}, {"pattern", {{"Regex", "\\p{N}{1,3}"}}},
                                   {"behavior", "Isolated"}, {"invert", false}},
                                  {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}})}}},
        {"decoder", {{"type", "ByteLevel"}}},
        {"model",
         {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array({"h e", nlohmann::json::array({"l", "l"}), "he ll"})}}},
    };
}

Tokenizer load_json(const nlohmann::json& j) { return Tokenizer::from_json_text(j.dump(), "test tokenizer.json"); }

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(TokenizerErrors, TinyTokenizerWorksWithBothMergeSpellings) {
    const Tokenizer tok = load_json(tiny_tokenizer());
    const auto hell = tok.token_to_id("hell");
    ASSERT_TRUE(hell.has_value());
    EXPECT_EQ(tok.encode("hello<eos>"), (std::vector<int32_t>{*hell, *tok.token_to_id("o"), *tok.token_to_id("<eos>")}));
    EXPECT_EQ(tok.decode(tok.encode("hello world 12345")), "hello world 12345");
}

TEST(TokenizerErrors, InvalidUtf8NamesTheOffset) {
    const Tokenizer& tok = tokenizer_named("deepseek-v3");
    EXPECT_NE(error_of([&] { tok.encode("abc\xff" "def"); }).find("offset 3"), std::string::npos);
    EXPECT_NE(error_of([&] { tok.encode("ok \xe4\xb8"); }).find("offset 3"), std::string::npos);  // truncated 中
    EXPECT_NE(error_of([&] { tok.encode("\xed\xa0\x80"); }).find("offset 0"), std::string::npos);  // surrogate
    EXPECT_NE(error_of([&] { tok.encode("\xc0\xaf", {.parse_special = false}); }).find("not valid UTF-8"),
              std::string::npos);  // overlong
}

TEST(TokenizerErrors, UnknownIdsAreRejected) {
    const Tokenizer& tok = tokenizer_named("deepseek-v3");
    EXPECT_NE(error_of([&] { tok.decode(std::vector<int32_t>{19923, 128815}); }).find("token id 128815"),
              std::string::npos);
    EXPECT_NE(error_of([&] { tok.decode(std::vector<int32_t>{-1}); }).find("token id -1"), std::string::npos);
}

TEST(TokenizerErrors, MissingOrTruncatedFile) {
    EXPECT_NE(error_of([] { Tokenizer::load("/nonexistent/model"); }).find("tokenizer not found"), std::string::npos);
    const std::string text = tiny_tokenizer().dump();
    for (size_t cut : {size_t(0), size_t(1), text.size() / 2, text.size() - 1}) {
        const std::string message = error_of([&] { Tokenizer::from_json_text(text.substr(0, cut), "cut.json"); });
        EXPECT_NE(message.find("cut.json: not valid JSON"), std::string::npos) << message;
    }
}

TEST(TokenizerErrors, BadRegexNamesTheField) {
    nlohmann::json j = tiny_tokenizer();
    j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\p{N}{1,3}(";
    const std::string message = error_of([&] { load_json(j); });
    EXPECT_NE(message.find("pre_tokenizer.pretokenizers[0].pattern: invalid regex"), std::string::npos) << message;
}

TEST(TokenizerErrors, MalformedPartsNameTheField) {
    auto expect_error = [](nlohmann::json j, const std::string& needle) {
        const std::string message = error_of([&] { load_json(j); });
        EXPECT_NE(message.find(needle), std::string::npos) << message;
    };
    nlohmann::json j = tiny_tokenizer();
    j["model"]["merges"].push_back("h");
    expect_error(j, "model.merges[3]: expected \"left right\"");
    j = tiny_tokenizer();
    j["model"]["merges"].push_back("he zz");
    expect_error(j, "model.merges[3]");
    j = tiny_tokenizer();
    j["model"]["type"] = "Unigram";
    expect_error(j, "only \"BPE\"");
    j = tiny_tokenizer();
    j["normalizer"] = {{"type", "NFKC"}};
    expect_error(j, "unsupported normalizer type \"NFKC\"");
    j = tiny_tokenizer();
    j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Sideways";
    expect_error(j, "unknown split behavior \"Sideways\"");
    j = tiny_tokenizer();
    j["model"]["vocab"].erase("!");
    expect_error(j, "no token for byte 0x21");
    j = tiny_tokenizer();
    j["added_tokens"][0]["id"] = "seven";
    expect_error(j, "added_tokens[0].id: expected an integer");
    j = tiny_tokenizer();
    j.erase("model");
    expect_error(j, "missing field \"model\"");
}

}  // namespace
}  // namespace whale::test
