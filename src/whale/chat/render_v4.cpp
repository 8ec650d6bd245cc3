// DeepSeek-V4, following its reference encoder (encoding_dsv4.py). There is no tool role: tool
// results become <tool_result> blocks of a user turn (consecutive user/tool messages merge into one
// turn, blocks joined by "\n\n", results sorted into the order of the preceding calls). The
// assistant opener ("<｜Assistant｜>" + think token) follows a user turn only when an assistant turn
// or the end follows. Reasoning of turns before the last user message is dropped, unless the
// request has tools (then every turn keeps it). reasoning_effort "max" prepends a fixed paragraph.
#include <algorithm>

#include "whale/chat/dsml.h"
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

namespace {

constexpr const char* kReasoningEffortMax =
    "Reasoning Effort: Absolute maximum with no shortcuts permitted.\n"
    "You MUST be very thorough in your thinking and comprehensively decompose the problem to resolve the root cause, "
    "rigorously stress-testing your logic against all potential paths, edge cases, and adversarial scenarios.\n"
    "Explicitly write out your entire deliberation process, documenting every intermediate step, considered "
    "alternative, and rejected hypothesis to ensure absolutely no assumption is left unchecked.\n\n";

constexpr const char* kToolsHead = R"(## Tools

You have access to a set of tools to help answer the user's question. You can invoke tools by writing a "<｜DSML｜tool_calls>" block like the following:

<｜DSML｜tool_calls>
<｜DSML｜invoke name="$TOOL_NAME">
<｜DSML｜parameter name="$PARAMETER_NAME" string="true|false">$PARAMETER_VALUE</｜DSML｜parameter>
...
</｜DSML｜invoke>
<｜DSML｜invoke name="$TOOL_NAME2">
...
</｜DSML｜invoke>
</｜DSML｜tool_calls>

String parameters should be specified as is and set `string="true"`. For all other types (numbers, booleans, arrays, objects), pass the value in JSON format and set `string="false"`.

If thinking_mode is enabled (triggered by <think>), you MUST output your complete reasoning inside <think>...</think> BEFORE any tool calls or final response.

Otherwise, output directly after </think> with tool calls or final response.

### Available Tool Schemas

)";

constexpr const char* kToolsTail = "\n\nYou MUST strictly follow the above defined tool name and parameter schemas to invoke tool calls.\n";

struct Block {
    bool is_tool_result = false;
    std::string text;
    std::string tool_call_id;
};

// One V4 turn: a system, assistant or (merged) user message.
struct Turn {
    ChatRole role;
    const ChatMessage* message = nullptr;  // system / assistant
    std::vector<Block> blocks;             // user
};

std::vector<Turn> merge_tool_results(const std::vector<ChatMessage>& messages) {
    std::vector<Turn> turns;
    for (const ChatMessage& m : messages) {
        if (m.role == ChatRole::ChatRole_tool || m.role == ChatRole::ChatRole_user) {
            Block block{m.role == ChatRole::ChatRole_tool, *m.content, m.tool_call_id};
            if (turns.empty() || turns.back().role != ChatRole::ChatRole_user)
                turns.push_back(Turn{ChatRole::ChatRole_user, nullptr, {}});
            turns.back().blocks.push_back(std::move(block));
        } else {
            turns.push_back(Turn{m.role, &m, {}});
        }
    }
    return turns;
}

// Tool results go in the order of the calls of the latest assistant turn with tool calls
// (a stable sort; ids it does not know sort as position 0, as in the reference).
void sort_tool_results(std::vector<Turn>& turns) {
    const ChatMessage* caller = nullptr;
    for (Turn& turn : turns) {
        if (turn.role == ChatRole::ChatRole_assistant && !turn.message->tool_calls.empty()) caller = turn.message;
        if (turn.role != ChatRole::ChatRole_user || !caller) continue;
        auto position = [&](const Block& b) {
            for (size_t i = 0; i < caller->tool_calls.size(); ++i)
                if (!b.tool_call_id.empty() && caller->tool_calls[i].id == b.tool_call_id) return int(i);
            return 0;
        };
        std::vector<Block> results;
        for (const Block& b : turn.blocks)
            if (b.is_tool_result) results.push_back(b);
        if (results.size() < 2) continue;
        std::stable_sort(results.begin(), results.end(),
                         [&](const Block& a, const Block& b) { return position(a) < position(b); });
        size_t next = 0;
        for (Block& b : turn.blocks)
            if (b.is_tool_result) b = results[next++];
    }
}

std::string render_user(const Turn& turn) {
    std::string out(t::user);
    for (size_t i = 0; i < turn.blocks.size(); ++i) {
        if (i) out += "\n\n";
        const Block& b = turn.blocks[i];
        out += b.is_tool_result ? "<tool_result>" + b.text + "</tool_result>" : b.text;
    }
    return out;
}

}  // namespace

std::string render_v4(const ChatRequest& request, const ChatOptions& options) {
    const bool prefill = chat_request_is_prefill(request);
    const bool has_tools = !request.tools.empty();
    const std::string tools_block =
        has_tools ? "\n\n" + std::string(kToolsHead) + dsml_tool_schemas(request.tools) + kToolsTail : "";
    // An empty system message carries the tools when the conversation does not start with one.
    const ChatMessage tools_system{ChatRole::ChatRole_system, std::string(), {}, {}, {}, {}, false};
    std::vector<Turn> turns = merge_tool_results(request.messages);
    if (has_tools && turns.front().role != ChatRole::ChatRole_system)
        turns.insert(turns.begin(), Turn{ChatRole::ChatRole_system, &tools_system, {}});
    sort_tool_results(turns);

    const bool drop_thinking = !has_tools;
    int last_user = -1;
    for (int i = int(turns.size()) - 1; i >= 0 && last_user < 0; --i)
        if (turns[i].role == ChatRole::ChatRole_user) last_user = i;

    std::string out(t::bos);
    const int n = int(turns.size());
    for (int i = 0; i < n; ++i) {
        const Turn& turn = turns[i];
        const bool is_last = i == n - 1;
        if (i == 0 && options.thinking && options.reasoning_effort == ReasoningEffort::ReasoningEffort_max)
            out += kReasoningEffortMax;
        switch (turn.role) {
            case ChatRole::ChatRole_system:
                out += *turn.message->content;
                if (i == 0) out += tools_block;
                break;
            case ChatRole::ChatRole_user: out += render_user(turn); break;
            case ChatRole::ChatRole_assistant: {
                const ChatMessage& m = *turn.message;
                if (options.thinking && (!drop_thinking || i > last_user))
                    out += m.reasoning_content + std::string(t::think_end);
                out += m.content.value_or("");
                if (!m.tool_calls.empty()) out += "\n\n" + dsml_tool_calls(m.tool_calls, "tool_calls");
                if (!(prefill && is_last)) out += t::eos;
                break;
            }
            case ChatRole::ChatRole_tool: break;  // merged into user turns above
        }
        const bool next_is_assistant = !is_last && turns[i + 1].role == ChatRole::ChatRole_assistant;
        if (turn.role == ChatRole::ChatRole_user && (next_is_assistant || (is_last && options.add_generation_prompt))) {
            out += t::assistant;
            out += options.thinking && (!drop_thinking || i >= last_user) ? t::think_begin : t::think_end;
        }
    }
    return out;
}

}  // namespace whale::chat_detail
