// Stop strings matched across arbitrary splits of the streamed text.
#include <gtest/gtest.h>

#include "whale/runtime/stop_strings.h"

namespace whale {
namespace {

// Feeds `text` in pieces cut at the given positions; returns (shown text, stopped).
std::pair<std::string, bool> stream(const std::vector<std::string>& stops, const std::string& text,
                                    const std::vector<size_t>& cuts) {
    StopStringMatcher matcher(stops);
    std::string shown;
    size_t begin = 0;
    for (size_t i = 0; i <= cuts.size(); ++i) {
        size_t end = i < cuts.size() ? cuts[i] : text.size();
        StopStringMatcher::Step step = matcher.feed(std::string_view(text).substr(begin, end - begin));
        shown += step.text;
        if (step.stopped) return {shown, true};
        begin = end;
    }
    return {shown + matcher.flush(), false};
}

TEST(StopStringsTest, EverySplitOfTheTextGivesTheSameResult) {
    const std::string text = "Hello <|user|> world";
    for (size_t a = 0; a <= text.size(); ++a) {
        for (size_t b = a; b <= text.size(); ++b) {
            auto [shown, stopped] = stream({"<|user|>", "STOP"}, text, {a, b});
            EXPECT_TRUE(stopped);
            EXPECT_EQ(shown, "Hello ") << a << "," << b;
        }
    }
}

TEST(StopStringsTest, NearMissesAreReleased) {
    auto [shown, stopped] = stream({"</end>"}, "a </en b </e", {3, 6, 9});
    EXPECT_FALSE(stopped);
    EXPECT_EQ(shown, "a </en b </e");
}

TEST(StopStringsTest, EarliestStopWins) {
    auto [shown, stopped] = stream({"cd", "bcde"}, "abcdef", {});
    EXPECT_TRUE(stopped);
    EXPECT_EQ(shown, "a");  // "bcde" starts first
}

TEST(StopStringsTest, NoStopsPassesEverythingThrough) {
    StopStringMatcher matcher({});
    EXPECT_EQ(matcher.feed("abc").text, "abc");
    EXPECT_EQ(matcher.flush(), "");
}

}  // namespace
}  // namespace whale
