// The streaming detokenizer never emits part of a UTF-8 character, and its output adds up to
// Tokenizer::decode of the same ids.
#include <gtest/gtest.h>

#include "tokenizer_test_data.h"
#include "whale/tokenizer/stream_decoder.h"
#include "whale/tokenizer/utf8.h"

namespace whale::test {
namespace {

bool is_valid_utf8(const std::string& s) { return utf8_find_invalid(s) == std::string::npos; }

TEST(StreamDecoder, HoldsBackSplitCharacters) {
    const Tokenizer& tok = tokenizer_named("deepseek-v3");
    // "emoji 🤖!" = emo, ji, Ġ + first 3 bytes of 🤖, last byte of 🤖, !
    // (docs/interfaces/tokenizer.md, 'Reference vectors').
    StreamDecoder stream(tok);
    EXPECT_EQ(stream.push(18872), "emo");
    EXPECT_EQ(stream.push(7063), "ji");
    EXPECT_EQ(stream.push(112838), " ");  // the robot's first bytes are held back
    EXPECT_EQ(stream.push(247), "🤖");
    EXPECT_EQ(stream.push(3), "!");
    EXPECT_EQ(stream.finish(), "");
}

TEST(StreamDecoder, UnfinishedCharacterAtTheEndBecomesReplacement) {
    const Tokenizer& tok = tokenizer_named("deepseek-v3");
    StreamDecoder stream(tok);
    std::string text = stream.push(18872);  // separate statements: operands of + are unordered
    text += stream.push(7063);
    text += stream.push(112838);
    EXPECT_EQ(text, "emoji ");
    EXPECT_EQ(stream.finish(), "\xEF\xBF\xBD");
}

TEST(StreamDecoder, CorpusTokenByTokenEqualsDecodeAndNeverBreaksACharacter) {
    for (const char* name : {"deepseek-v3", "deepseek-v4"}) {
        const Tokenizer& tok = tokenizer_named(name);
        for (const std::string& doc : golden_corpus()) {
            StreamDecoder stream(tok);
            std::string joined;
            for (int32_t id : tok.encode(doc)) {
                const std::string piece = stream.push(id);
                ASSERT_TRUE(is_valid_utf8(piece)) << name;
                joined += piece;
            }
            joined += stream.finish();
            ASSERT_EQ(joined, doc) << name;
        }
    }
}

TEST(StreamDecoder, ArbitraryIdsMatchDecodeIncludingBrokenBytes) {
    const Tokenizer& tok = tokenizer_named("deepseek-v3");
    uint32_t state = 12345;
    for (int round = 0; round < 2000; ++round) {
        std::vector<int32_t> ids;
        for (int i = 0; i < 1 + round % 9; ++i) {
            state = state * 1664525u + 1013904223u;
            // Mostly byte-level single-byte tokens (ids 3..258), which split characters freely.
            ids.push_back(int32_t(round % 3 ? 3 + (state >> 8) % 256 : (state >> 8) % uint32_t(tok.n_ids())));
        }
        for (bool skip : {false, true}) {
            StreamDecoder stream(tok, {.skip_special = skip});
            std::string joined;
            for (int32_t id : ids) {
                const std::string piece = stream.push(id);
                ASSERT_TRUE(is_valid_utf8(piece));
                joined += piece;
            }
            joined += stream.finish();
            ASSERT_EQ(joined, tok.decode(ids, {.skip_special = skip}));
        }
    }
}

}  // namespace
}  // namespace whale::test
