// The one token-to-text path: TurnDecoder (bytes -> whole characters -> stop strings -> chat events)
// on the real DeepSeek-V3 tokenizer, and Turn around a GenerationStream fed as the scheduler feeds it.
#include <gtest/gtest.h>

#include <thread>

#include "whale/chat/special_tokens.h"
#include "whale/runtime/turn.h"
#include "whale/runtime/turn_decoder.h"
#include "whale/tokenizer/utf8.h"

namespace whale {
namespace {

namespace t = chat_tokens;

const Tokenizer& v3_tokenizer() {
    static const Tokenizer tokenizer = Tokenizer::load(WHALE_TOKENIZER_V3_DIR);
    return tokenizer;
}

struct Decoded {
    std::string reasoning, content, arguments;
    std::vector<std::string> tool_names;
    std::vector<std::string> deltas;  // every text delta, for the whole-character check
};

void fold(const std::vector<ChatEvent>& events, Decoded& out) {
    for (const ChatEvent& e : events) {
        if (!e.text.empty()) out.deltas.push_back(e.text);
        switch (e.kind) {
        case ChatEventKind::ChatEventKind_reasoning: out.reasoning += e.text; break;
        case ChatEventKind::ChatEventKind_content: out.content += e.text; break;
        case ChatEventKind::ChatEventKind_tool_call_start: out.tool_names.push_back(e.name); break;
        case ChatEventKind::ChatEventKind_tool_call_arguments: out.arguments += e.text; break;
        case ChatEventKind::ChatEventKind_tool_call_end: break;
        }
    }
}

// Pushes the ids one at a time (stopping where the decoder says), then finish().
Decoded decode(TurnDecoder& decoder, const std::vector<int32_t>& ids) {
    Decoded out;
    for (int32_t id : ids) {
        fold(decoder.push(id), out);
        if (decoder.stopped()) break;
    }
    fold(decoder.finish(), out);
    return out;
}

TurnDecoderOptions chat_options(ChatFormat format, bool starts_in_reasoning, std::vector<std::string> stop = {}) {
    TurnDecoderOptions options;
    options.format = format;
    options.starts_in_reasoning = starts_in_reasoning;
    options.stop = std::move(stop);
    return options;
}

TurnDecoderOptions raw_options(std::vector<std::string> stop = {}) {
    TurnDecoderOptions options;
    options.parse_chat = false;
    options.stop = std::move(stop);
    return options;
}

GeneratedToken generated(int32_t id) {
    GeneratedToken token;
    token.token = id;
    return token;
}

bool whole_characters(const std::vector<std::string>& deltas) {
    for (const std::string& d : deltas)
        if (utf8_find_invalid(d) != std::string::npos) return false;
    return true;
}

TEST(TurnDecoder, SplitsReasoningContentAndToolCallsTokenByToken) {
    const Tokenizer& tok = v3_tokenizer();
    const std::string text = "Let me think about 🤖.</think>The answer: " + std::string(t::tool_calls_begin) +
                             std::string(t::tool_call_begin) + "get_weather" + std::string(t::tool_sep) +
                             "{\"city\": \"Zürich\"}" + std::string(t::tool_call_end) + std::string(t::tool_calls_end);
    const std::vector<int32_t> ids = tok.encode(text);
    TurnDecoder decoder(tok, chat_options(ChatFormat::ChatFormat_v3_1, true));
    const Decoded got = decode(decoder, ids);
    EXPECT_EQ(got.reasoning, "Let me think about 🤖.");
    EXPECT_EQ(got.content, "The answer: ");
    ASSERT_EQ(got.tool_names, std::vector<std::string>{"get_weather"});
    EXPECT_EQ(got.arguments, "{\"city\": \"Zürich\"}");
    EXPECT_TRUE(whole_characters(got.deltas));
    EXPECT_EQ(decoder.n_tool_calls(), 1);
    EXPECT_EQ(decoder.completion_tokens(), int64_t(ids.size()));
    EXPECT_EQ(decoder.raw_text(), text);
    // Reasoning tokens: exactly those up to and including the one that completes the reasoning.
    const int64_t reasoning_ids = int64_t(tok.encode("Let me think about 🤖.").size());
    EXPECT_GE(decoder.reasoning_tokens(), reasoning_ids);
    EXPECT_LE(decoder.reasoning_tokens(), reasoning_ids + 1);  // + the "</think>" token held back with it
}

TEST(TurnDecoder, CharacterSplitOverByteTokensIsHeldBack) {
    const Tokenizer& tok = v3_tokenizer();
    // "emoji 🤖!" = emo, ji, Ġ + the robot's first 3 bytes, its last byte, "!".
    TurnDecoder decoder(tok, raw_options());
    std::vector<std::string> deltas;
    for (int32_t id : {18872, 7063, 112838, 247, 3})
        for (const ChatEvent& e : decoder.push(id)) deltas.push_back(e.text);
    EXPECT_EQ(deltas, (std::vector<std::string>{"emo", "ji", " ", "🤖", "!"}));
    EXPECT_TRUE(decoder.finish().empty());
}

TEST(TurnDecoder, UnfinishedCharacterAtTheEndBecomesReplacement) {
    const Tokenizer& tok = v3_tokenizer();
    TurnDecoder decoder(tok, raw_options());
    Decoded got = decode(decoder, {18872, 7063, 112838});
    EXPECT_EQ(got.content, "emoji \xEF\xBF\xBD");
}

TEST(TurnDecoder, StopStringAcrossTokensEndsTheTurnBeforeIt) {
    const Tokenizer& tok = v3_tokenizer();
    for (const std::string& stop : {std::string("ji 🤖"), std::string("i 🤖!"), std::string("🤖")}) {
        TurnDecoder decoder(tok, raw_options({"never", stop}));
        const Decoded got = decode(decoder, {18872, 7063, 112838, 247, 3});
        EXPECT_TRUE(decoder.stopped()) << stop;
        EXPECT_EQ(decoder.matched_stop(), stop);
        EXPECT_EQ(got.content, std::string("emoji 🤖!").substr(0, std::string("emoji 🤖!").find(stop))) << stop;
        EXPECT_TRUE(decoder.push(3).empty()) << "nothing after the stop";
    }
}

TEST(TurnDecoder, HeldBackStopPrefixIsReleasedAtTheEnd) {
    const Tokenizer& tok = v3_tokenizer();
    TurnDecoder decoder(tok, chat_options(ChatFormat::ChatFormat_v3, false, {"moji 🤖?"}));
    const Decoded got = decode(decoder, {18872, 7063, 112838, 247, 3});
    EXPECT_FALSE(decoder.stopped());
    EXPECT_EQ(got.content, "emoji 🤖!");
}

TEST(TurnDecoder, StopStringInsideReasoningClosesTheParser) {
    const Tokenizer& tok = v3_tokenizer();
    const std::vector<int32_t> ids = tok.encode("step one STOP step two</think>answer");
    TurnDecoder decoder(tok, chat_options(ChatFormat::ChatFormat_r1, true, {"STOP"}));
    const Decoded got = decode(decoder, ids);
    EXPECT_TRUE(decoder.stopped());
    EXPECT_EQ(got.reasoning, "step one ");
    EXPECT_EQ(got.content, "");
    EXPECT_GT(decoder.reasoning_tokens(), 0);
}

TEST(TurnDecoder, IdsPastTheTokenizerAreCountedAsNoText) {
    const Tokenizer& tok = v3_tokenizer();
    TurnDecoder decoder(tok, raw_options());
    const Decoded got = decode(decoder, {18872, int32_t(tok.n_ids()), int32_t(tok.n_ids()) + 400, 7063});
    EXPECT_EQ(got.content, "emoji");
    EXPECT_EQ(decoder.completion_tokens(), 4);
    EXPECT_EQ(decoder.raw_text(), "emoji");
}

TEST(TurnDecoder, RawCompletionKeepsMarkersAsContent) {
    const Tokenizer& tok = v3_tokenizer();
    const std::string text = "a</think>b" + std::string(t::tool_calls_begin) + "c";
    TurnDecoder decoder(tok, raw_options());
    const Decoded got = decode(decoder, tok.encode(text));
    EXPECT_EQ(got.content, text);
    EXPECT_EQ(got.reasoning, "");
    EXPECT_EQ(decoder.reasoning_tokens(), 0);
    EXPECT_EQ(decoder.n_tool_calls(), 0);
}

// Produces `ids` on a stream from another thread, as the scheduler does, then finishes it.
std::thread produce(std::shared_ptr<GenerationStream> stream, std::vector<int32_t> ids, FinishReason finish) {
    return std::thread([stream, ids, finish] {
        stream->admitted(int64_t(7), 3);
        for (int32_t id : ids) {
            if (stream->cancelled()) return stream->finish(FinishReason::FinishReason_cancelled);
            stream->push(generated(id));
        }
        stream->finish(finish);
    });
}

TEST(Turn, ReadsTheStreamToItsEndWithUsage) {
    const Tokenizer& tok = v3_tokenizer();
    const std::string text = "thinking</think>" + std::string(t::tool_calls_begin) + std::string(t::tool_call_begin) +
                             "f" + std::string(t::tool_sep) + "{}" + std::string(t::tool_call_end) +
                             std::string(t::tool_calls_end);
    const std::vector<int32_t> ids = tok.encode(text);
    auto stream = std::make_shared<GenerationStream>();
    std::thread producer = produce(stream, ids, FinishReason::FinishReason_eos);
    Turn turn(stream, tok, chat_options(ChatFormat::ChatFormat_v3_1, true));
    int updates = 0;
    TurnUpdate all = turn.run_to_end([&](const TurnUpdate&) { ++updates; });
    producer.join();
    EXPECT_EQ(all.end, TurnEnd::TurnEnd_tool_calls);  // a clean end after tool calls
    EXPECT_EQ(turn.finish_reason(), FinishReason::FinishReason_eos);
    EXPECT_EQ(all.tokens.size(), ids.size());
    EXPECT_EQ(turn.generated(), ids);
    EXPECT_EQ(turn.completion_tokens(), int64_t(ids.size()));
    EXPECT_EQ(turn.prompt_tokens(), 7);
    EXPECT_EQ(turn.cached_tokens(), 3);
    EXPECT_EQ(turn.n_tool_calls(), 1);
    EXPECT_GE(updates, 1);
    EXPECT_GE(turn.seconds_to_first_token(), 0.0);
    EXPECT_EQ(turn.poll(std::chrono::milliseconds(0)).end, TurnEnd::TurnEnd_tool_calls) << "an ended turn stays ended";
}

TEST(Turn, StopStringCancelsTheSequence) {
    const Tokenizer& tok = v3_tokenizer();
    auto stream = std::make_shared<GenerationStream>();
    Turn turn(stream, tok, raw_options({"ji"}));
    for (int32_t id : {18872, 7063, 112838}) stream->push(generated(id));  // still running
    TurnUpdate update = turn.poll(std::chrono::milliseconds(100));
    EXPECT_EQ(update.end, TurnEnd::TurnEnd_stop);
    EXPECT_TRUE(stream->cancelled()) << "the scheduler is told to stop";
    EXPECT_EQ(turn.matched_stop(), "ji");
    ASSERT_EQ(update.events.size(), 1u);
    EXPECT_EQ(update.events[0].text, "emo");
    EXPECT_EQ(turn.completion_tokens(), 2) << "tokens after the stop are not counted";
}

TEST(Turn, LengthAndErrorEndsAreReported) {
    const Tokenizer& tok = v3_tokenizer();
    {
        auto stream = std::make_shared<GenerationStream>();
        stream->push(generated(18872));
        stream->finish(FinishReason::FinishReason_length);
        Turn turn(stream, tok, raw_options());
        EXPECT_EQ(turn.run_to_end().end, TurnEnd::TurnEnd_length);
    }
    {
        auto stream = std::make_shared<GenerationStream>();
        stream->finish(FinishReason::FinishReason_error, "forward failed");
        Turn turn(stream, tok, raw_options());
        EXPECT_EQ(turn.run_to_end().end, TurnEnd::TurnEnd_error);
        EXPECT_EQ(turn.error(), "forward failed");
    }
}

TEST(Turn, AbandonedTurnCancelsItsSequence) {
    auto stream = std::make_shared<GenerationStream>();
    { Turn turn(stream, v3_tokenizer(), {}); }
    EXPECT_TRUE(stream->cancelled());
}

}  // namespace
}  // namespace whale
