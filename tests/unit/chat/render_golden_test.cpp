// Every golden in tests/golden/chat/<family>/ (rendered by the official templates and reference
// encoders, see scripts/make_chat_goldens.py) must come out of render_chat byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "whale/chat/render_chat.h"

namespace whale {
namespace {

nlohmann::ordered_json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::ordered_json::parse(text.str());
}

ChatOptions options_from(const nlohmann::ordered_json& o) {
    ChatOptions options;
    options.thinking = o.at("thinking").get<bool>();
    options.add_generation_prompt = o.at("add_generation_prompt").get<bool>();
    if (!o.at("reasoning_effort").is_null())
        options.reasoning_effort = reasoning_effort_from_name(o.at("reasoning_effort").get<std::string>());
    return options;
}

// Shows where two prompts first differ, which a plain EXPECT_EQ of 5 KB strings hides.
std::string first_difference(const std::string& want, const std::string& got) {
    size_t i = 0;
    while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
    const size_t from = i > 40 ? i - 40 : 0;
    return "at byte " + std::to_string(i) + "\n want: ..." + want.substr(from, 100) + "\n  got: ..." +
           got.substr(from, 100);
}

TEST(ChatRenderGolden, EveryGoldenMatchesByteForByte) {
    const std::filesystem::path root(WHALE_CHAT_GOLDEN_DIR);
    std::map<std::string, int> per_family;
    for (const auto& family_dir : std::filesystem::directory_iterator(root)) {
        const ChatFormat format = chat_format_from_name(family_dir.path().filename().string());
        for (const auto& file : std::filesystem::directory_iterator(family_dir.path())) {
            const auto golden = read_json(file.path());
            SCOPED_TRACE(file.path().string());
            const ChatRequest request = parse_chat_request(golden.at("request"));
            const std::string want = golden.at("prompt").get<std::string>();
            const std::string got = render_chat(format, request, options_from(golden.at("options")));
            EXPECT_TRUE(want == got) << first_difference(want, got);
            ++per_family[family_dir.path().filename().string()];
        }
    }
    EXPECT_EQ(per_family.size(), 6u);
    for (const auto& [family, count] : per_family) EXPECT_GE(count, 10) << family;
}

}  // namespace
}  // namespace whale
