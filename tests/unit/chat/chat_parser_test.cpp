// Streaming parser: well-formed completions of every family parse the same however the text is
// split (every character boundary, character by character; the parser is fed whole characters);
// malformed and truncated output keeps all text.
#include <gtest/gtest.h>

#include "whale/chat/chat_parser.h"
#include "whale/chat/special_tokens.h"

namespace whale {
namespace {

namespace t = chat_tokens;

struct Call {
    std::string name, arguments;
    bool operator==(const Call&) const = default;
};

struct Parsed {
    std::string reasoning, content;
    std::vector<Call> calls;
    std::vector<std::string> problems;
};

// Folds events into one result, checking the event protocol as it goes.
void fold(const std::vector<ChatEvent>& events, Parsed& out, bool& open) {
    for (const ChatEvent& e : events) {
        switch (e.kind) {
            case ChatEventKind::ChatEventKind_reasoning: out.reasoning += e.text; break;
            case ChatEventKind::ChatEventKind_content: out.content += e.text; break;
            case ChatEventKind::ChatEventKind_tool_call_start:
                ASSERT_FALSE(open);
                ASSERT_EQ(e.tool_index, int(out.calls.size()));
                ASSERT_EQ(e.id, "call_" + std::to_string(e.tool_index));
                out.calls.push_back({e.name, ""});
                open = true;
                break;
            case ChatEventKind::ChatEventKind_tool_call_arguments:
                ASSERT_TRUE(open);
                ASSERT_EQ(e.tool_index, int(out.calls.size()) - 1);
                out.calls.back().arguments += e.text;
                break;
            case ChatEventKind::ChatEventKind_tool_call_end:
                ASSERT_TRUE(open);
                open = false;
                break;
        }
    }
}

bool valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = s[i];
        const size_t width = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (width == 0 || i + width > s.size()) return false;
        for (size_t k = 1; k < width; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += width;
    }
    return true;
}

Parsed parse_chunks(ChatFormat format, bool in_reasoning, const std::vector<std::string>& chunks) {
    ChatParser parser(format, in_reasoning);
    Parsed out;
    bool open = false;
    for (const std::string& chunk : chunks) {
        auto events = parser.feed(chunk);
        for (const ChatEvent& e : events) EXPECT_TRUE(valid_utf8(e.text)) << "delta splits a character: " << e.text;
        fold(events, out, open);
    }
    fold(parser.finish(), out, open);
    EXPECT_FALSE(open) << "finish() must close an open tool call";
    out.problems = parser.problems();
    return out;
}

struct Case {
    const char* label;
    ChatFormat format;
    bool in_reasoning;
    std::string text;
    std::string reasoning, content;
    std::vector<Call> calls;
};

std::string s(std::string_view v) { return std::string(v); }

std::vector<Case> well_formed_cases() {
    const std::string dsml = s(t::dsml);
    return {
        {"r1 prefilled think", ChatFormat::ChatFormat_r1, true, "Let me add.\n</think>\n\n2" + s(t::eos),
         "Let me add.\n", "\n\n2", {}},
        {"v3 own think block", ChatFormat::ChatFormat_v3, false, "<think>hmm</think>Hello" + s(t::eos), "hmm", "Hello", {}},
        {"v3 legacy tool calls", ChatFormat::ChatFormat_v3, false,
         s(t::tool_calls_begin) + s(t::tool_call_begin) + "function" + s(t::tool_sep) +
             "get_weather\n```json\n{\"city\": \"Paris\"}\n```" + s(t::tool_call_end) + "\n" + s(t::tool_call_begin) +
             "function" + s(t::tool_sep) + "search\n```json\n{}\n```" + s(t::tool_call_end) + s(t::tool_calls_end) +
             s(t::eos),
         "", "", {{"get_weather", "{\"city\": \"Paris\"}"}, {"search", "{}"}}},
        {"v3.1 thinking then tool", ChatFormat::ChatFormat_v3_1, true,
         "Think.</think>Sure." + s(t::tool_calls_begin) + s(t::tool_call_begin) + "get_weather" + s(t::tool_sep) +
             "{\"city\": \"東京\"}" + s(t::tool_call_end) + s(t::tool_call_begin) + "f" + s(t::tool_sep) + "[1]" +
             s(t::tool_call_end) + s(t::tool_calls_end) + s(t::eos),
         "Think.", "Sure.", {{"get_weather", "{\"city\": \"東京\"}"}, {"f", "[1]"}}},
        {"v3.1 non-thinking answer", ChatFormat::ChatFormat_v3_1, false, "2 < 3 and </thin is text" + s(t::eos), "",
         "2 < 3 and </thin is text", {}},
        {"v3.2 dsml", ChatFormat::ChatFormat_v3_2, true,
         "Need weather.</think>\n\n<" + dsml + "function_calls>\n<" + dsml + "invoke name=\"get_weather\">\n<" + dsml +
             "parameter name=\"city\" string=\"true\">Pa\"ris\n</" + dsml + "parameter>\n<" + dsml +
             "parameter name=\"days\" string=\"false\">2</" + dsml + "parameter>\n</" + dsml + "invoke>\n</" + dsml +
             "function_calls>" + s(t::eos),
         "Need weather.", "", {{"get_weather", "{\"city\": \"Pa\\\"ris\\n\", \"days\": 2}"}}},
        {"v4 dsml two invokes", ChatFormat::ChatFormat_v4, false,
         "It is 21°C 🐳\n\n<" + dsml + "tool_calls>\n<" + dsml + "invoke name=\"now\">\n</" + dsml + "invoke>\n<" + dsml +
             "invoke name=\"search\">\n<" + dsml + "parameter name=\"filters\" string=\"false\">{\"lang\": [\"fr\"]}</" +
             dsml + "parameter>\n</" + dsml + "invoke>\n</" + dsml + "tool_calls>" + s(t::eos),
         "", "It is 21°C 🐳", {{"now", "{}"}, {"search", "{\"filters\": {\"lang\": [\"fr\"]}}"}}},
    };
}

void expect_case(const Case& c, const Parsed& got, const std::string& how) {
    EXPECT_EQ(got.reasoning, c.reasoning) << c.label << " " << how;
    EXPECT_EQ(got.content, c.content) << c.label << " " << how;
    EXPECT_EQ(got.calls, c.calls) << c.label << " " << how;
    EXPECT_TRUE(got.problems.empty()) << c.label << " " << how << ": " << got.problems.front();
}

TEST(ChatParser, WellFormedOutputInOneDelta) {
    for (const Case& c : well_formed_cases()) expect_case(c, parse_chunks(c.format, c.in_reasoning, {c.text}), "whole");
}

// The whole characters of `text`, in order.
std::vector<std::string> characters(const std::string& text) {
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (out.empty() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) out.emplace_back();
        out.back() += text[i];
    }
    return out;
}

bool is_character_boundary(const std::string& text, size_t i) {
    return i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
}

TEST(ChatParser, EverySplitPointGivesTheSameResult) {
    for (const Case& c : well_formed_cases())
        for (size_t i = 0; i <= c.text.size(); ++i)
            if (is_character_boundary(c.text, i))
                expect_case(c, parse_chunks(c.format, c.in_reasoning, {c.text.substr(0, i), c.text.substr(i)}),
                            "split at " + std::to_string(i));
}

TEST(ChatParser, CharacterByCharacterStreamGivesTheSameResult) {
    for (const Case& c : well_formed_cases())
        expect_case(c, parse_chunks(c.format, c.in_reasoning, characters(c.text)), "character by character");
}

TEST(ChatParser, UnterminatedThinkKeepsTextAsReasoning) {
    const Parsed got = parse_chunks(ChatFormat::ChatFormat_r1, true, {"still thin", "king </th"});
    EXPECT_EQ(got.reasoning, "still thinking </th");
    EXPECT_EQ(got.content, "");
    ASSERT_EQ(got.problems.size(), 1u);
}

TEST(ChatParser, BrokenToolJsonIsStreamedAndReported) {
    const std::string text = s(t::tool_calls_begin) + s(t::tool_call_begin) + "f" + s(t::tool_sep) + "{\"a\": " +
                             s(t::tool_call_end) + s(t::tool_calls_end);
    const Parsed got = parse_chunks(ChatFormat::ChatFormat_v3_1, false, {text});
    ASSERT_EQ(got.calls.size(), 1u);
    EXPECT_EQ(got.calls[0].arguments, "{\"a\": ");
    ASSERT_FALSE(got.problems.empty());
    EXPECT_NE(got.problems[0].find("not valid JSON"), std::string::npos);
}

TEST(ChatParser, TruncatedToolCallIsClosed) {
    const std::string text = s(t::tool_calls_begin) + s(t::tool_call_begin) + "f" + s(t::tool_sep) + "{\"a\": 1";
    const Parsed got = parse_chunks(ChatFormat::ChatFormat_v3_1, false, {text.substr(0, 7), text.substr(7)});
    ASSERT_EQ(got.calls.size(), 1u);
    EXPECT_EQ(got.calls[0], (Call{"f", "{\"a\": 1"}));
    EXPECT_FALSE(got.problems.empty());
}

TEST(ChatParser, MalformedBlockFallsBackToContent) {
    const std::string text = "Hi" + s(t::tool_calls_begin) + "garbage" + s(t::eos);
    for (size_t i = 0; i <= text.size(); ++i) {
        if (!is_character_boundary(text, i)) continue;
        const Parsed got = parse_chunks(ChatFormat::ChatFormat_v3, false, {text.substr(0, i), text.substr(i)});
        EXPECT_EQ(got.content, "Hi" + s(t::tool_calls_begin) + "garbage") << "split at " << i;
        EXPECT_TRUE(got.calls.empty());
        EXPECT_FALSE(got.problems.empty());
    }
}

TEST(ChatParser, MalformedDsmlKeepsText) {
    const std::string dsml = s(t::dsml);
    const std::string text = "ok\n\n<" + dsml + "tool_calls>\n<" + dsml + "invoke name=\"f\">\n<" + dsml + "bogus>x";
    const Parsed got = parse_chunks(ChatFormat::ChatFormat_v4, false, {text});
    EXPECT_EQ(got.content.substr(0, 2), "ok");
    EXPECT_NE(got.content.find("bogus>x"), std::string::npos);
    EXPECT_FALSE(got.problems.empty());
}

TEST(ChatParser, TextAfterEndOfSentenceIsKept) {
    const Parsed got = parse_chunks(ChatFormat::ChatFormat_v3, false, {"a" + s(t::eos) + "b"});
    EXPECT_EQ(got.content, "ab");
    EXPECT_FALSE(got.problems.empty());
}

TEST(ChatParser, HoldsBackOnlyAPossibleTagPrefix) {
    ChatParser parser(ChatFormat::ChatFormat_r1, true);
    auto events = parser.feed("abc</th");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].text, "abc");
    events = parser.feed("ink>x");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, ChatEventKind::ChatEventKind_content);
    EXPECT_EQ(events[0].text, "x");
}

}  // namespace
}  // namespace whale
