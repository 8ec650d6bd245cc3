// The reference vectors of docs/interfaces/tokenizer.md ('Reference vectors'), computed with HF
// tokenizers on the original DeepSeek-V3 tokenizer.json; the V4 file shares the base vocabulary and
// merges.
#include <gtest/gtest.h>

#include "tokenizer_test_data.h"

namespace whale::test {
namespace {

struct Vector {
    const char* text;
    std::vector<int32_t> ids;
};

const std::vector<Vector>& spec_vectors() {
    static const std::vector<Vector> vectors = {
        {"Hello! 毕老师！1 + 1 = 2 ĠÑĤÐ²ÑĬÑĢ",
         {19923, 3, 223, 5464, 5008, 1175, 19, 940, 223, 19, 438, 223, 20, 6113, 257, 76589, 131, 100, 76032, 1628, 76589,
          131, 108, 76589, 131, 98}},
        {"Hello World", {19923, 4495}},
        {"Hello, my dog is cute", {19923, 14, 1026, 6397, 344, 33125}},
        {"1234567 apples", {6895, 18009, 25, 37679}},
        {"12345678901", {6895, 18009, 25744, 2616}},
        {"x = 3.14159;", {90, 438, 223, 21, 16, 9926, 3318, 29}},
        {"  leading spaces", {223, 6646, 13564}},
        {"trailing spaces   ", {19660, 7400, 13564, 361}},
        {"a\n\nb\r\nc", {67, 271, 68, 204, 201, 69}},
        {"   \n  \n", {14320, 2143}},
        {"tab\there", {14278, 200, 1036}},
        {"你好世界，こんにちはカタカナ", {30594, 3427, 303, 4549, 7245, 2298, 12457, 2841, 15961, 11767, 15961, 27071}},
        {"日本語のテキスト", {88768, 1576, 17383, 20367, 24552}},
        {"中文，English混合", {21134, 303, 17530, 14769}},
        {"안녕하세요", {31404, 11939, 246, 4567, 73527}},
        {"user_name.append(x)", {5265, 7907, 10108, 4042, 11}},
        {"  def foo(x):\n    return x.append(1)\n\n", {223, 1351, 52735, 4042, 3395, 361, 1354, 1527, 10108, 10, 19, 868}},
        {"emoji 🤖!", {18872, 7063, 112838, 247, 3}},
        {"ÉCOLE naïve café 😀", {16462, 5055, 4392, 112752, 57664, 53769, 225}},
        {"<｜User｜>Hi<｜Assistant｜>", {128803, 23166, 128804}},
        {"<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\": \"Paris\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
         {128806, 128808, 1133, 65, 50219, 128814, 24313, 37399, 3362, 582, 51119, 62773, 128809, 128807}},
    };
    return vectors;
}

TEST(TokenizerVectors, SpecVectorsV3) {
    const Tokenizer& tok = tokenizer_named("deepseek-v3");
    for (const Vector& v : spec_vectors()) EXPECT_EQ(tok.encode(v.text), v.ids) << v.text;
    // In the V3 file <think> is not a token; in V4 it is.
    EXPECT_EQ(tok.encode("<think>\nok\n</think>"), (std::vector<int32_t>{30, 37947, 1018, 633, 201, 1718, 37947, 32}));
    EXPECT_EQ(tok.encode("<｜begin▁of▁sentence｜><｜User｜>Hi<｜Assistant｜></think>"),
              (std::vector<int32_t>{0, 128803, 23166, 128804, 1718, 37947, 32}));
    EXPECT_EQ(tok.n_ids(), 128815);
}

TEST(TokenizerVectors, V4SharesTheBaseVocabularyAndKnowsItsOwnTokens) {
    const Tokenizer& tok = tokenizer_named("deepseek-v4");
    EXPECT_EQ(tok.encode(spec_vectors()[0].text), spec_vectors()[0].ids);
    EXPECT_EQ(tok.token_to_id("<think>"), 128821);
    EXPECT_EQ(tok.token_to_id("</think>"), 128822);
    EXPECT_EQ(tok.token_to_id("｜DSML｜"), 128825);
    EXPECT_EQ(tok.token_to_id("<｜latest_reminder｜>"), 128828);
    EXPECT_EQ(tok.encode("<think>ok</think>"), (std::vector<int32_t>{128821, 633, 128822}));
}

TEST(TokenizerVectors, DecodeKeepsOrSkipsSpecialTokens) {
    const Tokenizer& tok = tokenizer_named("deepseek-v3");
    const std::vector<int32_t> ids = {0, 19923, 3, 1};
    EXPECT_EQ(tok.decode(ids), "<｜begin▁of▁sentence｜>Hello!<｜end▁of▁sentence｜>");
    EXPECT_EQ(tok.decode(ids, {.skip_special = true}), "Hello!");
    // <｜User｜> is an added token but not special: kept even when skipping specials.
    EXPECT_EQ(tok.decode(std::vector<int32_t>{128803, 23166}, {.skip_special = true}), "<｜User｜>Hi");
    EXPECT_TRUE(tok.is_special(1));
    EXPECT_FALSE(tok.is_special(128803));
    EXPECT_TRUE(tok.is_added(128803));
    EXPECT_EQ(tok.id_to_token(223), "Ġ");
    EXPECT_EQ(tok.token_bytes(223), " ");
}

}  // namespace
}  // namespace whale::test
