// UTF-8 helpers: validation offsets, maximal-subpart replacement, streaming hold-back.
#include <gtest/gtest.h>

#include "whale/tokenizer/utf8.h"

namespace whale {
namespace {

std::string lossy(std::string_view bytes) {
    std::string out;
    utf8_append_lossy(out, bytes);
    return out;
}

TEST(Utf8, FindInvalid) {
    EXPECT_EQ(utf8_find_invalid("plain ascii text that is long"), std::string_view::npos);
    EXPECT_EQ(utf8_find_invalid("中文 😀 é"), std::string_view::npos);
    EXPECT_EQ(utf8_find_invalid("abcdefghij\x80"), 10u);
    EXPECT_EQ(utf8_find_invalid("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
    EXPECT_EQ(utf8_find_invalid("a\xe0\x80\x80"), 1u);     // overlong
}

TEST(Utf8, LossyReplacesMaximalSubparts) {
    EXPECT_EQ(lossy("a\xe4\xb8" "b"), "a\xEF\xBF\xBD" "b");            // one U+FFFD for a truncated character
    EXPECT_EQ(lossy("\xff\xfe"), "\xEF\xBF\xBD\xEF\xBF\xBD");          // one per bad byte
    EXPECT_EQ(lossy("\xf0\x9f\x98"), "\xEF\xBF\xBD");                  // truncated emoji at the end
    EXPECT_EQ(lossy("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate: 3 subparts
}

TEST(Utf8, CompletePrefixHoldsBackOnlyUnfinishedCharacters) {
    EXPECT_EQ(utf8_complete_prefix("ab"), 2u);
    EXPECT_EQ(utf8_complete_prefix("a\xe4"), 1u);
    EXPECT_EQ(utf8_complete_prefix("a\xe4\xb8"), 1u);
    EXPECT_EQ(utf8_complete_prefix("a\xe4\xb8\xad"), 4u);
    EXPECT_EQ(utf8_complete_prefix("a\xf0\x9f\x98"), 1u);
    EXPECT_EQ(utf8_complete_prefix("a\xe4" "b"), 3u);  // already broken: nothing to wait for
    EXPECT_EQ(utf8_complete_prefix("\x80\x80\x80\x80"), 4u);
}

}  // namespace
}  // namespace whale
