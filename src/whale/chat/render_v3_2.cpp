// DeepSeek-V3.2, following its reference encoder (encoding_dsv32.py): no Jinja template. A user turn
// always carries the assistant opener ("<｜Assistant｜>" + "<think>" for the last user turn in
// thinking mode, else "</think>"); tool results follow the calling assistant turn inside
// <function_results> with no role tokens; reasoning is written only for assistant turns after the
// last user message (in thinking mode), so earlier reasoning is dropped.
#include "whale/chat/dsml.h"
#include "whale/chat/renderers.h"
#include "whale/chat/special_tokens.h"
#include "whale/core/error.h"

namespace whale::chat_detail {

namespace t = chat_tokens;

namespace {

// Blank lines as in the hub encoder; vLLM's copy drops them
// (docs/interfaces/chat_formats.md, 'V3.2 and DSML').
constexpr const char* kToolsHead = R"(## Tools

You have access to a set of tools you can use to answer the user's question.
You can invoke functions by writing a "<｜DSML｜function_calls>" block like the following as part of your reply to the user:
<｜DSML｜function_calls>
<｜DSML｜invoke name="$FUNCTION_NAME">
<｜DSML｜parameter name="$PARAMETER_NAME" string="true|false">$PARAMETER_VALUE</｜DSML｜parameter>
...
</｜DSML｜invoke>
<｜DSML｜invoke name="$FUNCTION_NAME2">
...
</｜DSML｜invoke>
</｜DSML｜function_calls>

String and scalar parameters should be specified as is without any escaping or quotes, while lists and objects should use JSON format. The "string" attribute should be set to "true" for string type parameters and "false" for other types (numbers, booleans, arrays, objects).

If the thinking_mode is enabled, then after function results you should strongly consider outputting a thinking block. Here is an example:

<｜DSML｜function_calls>
...
</｜DSML｜function_calls>

<function_results>
...
</function_results>

<think>...thinking about results</think>

Here are the functions available in JSONSchema format:
<functions>
)";

int last_user_index(const std::vector<ChatMessage>& messages) {
    for (int i = int(messages.size()) - 1; i >= 0; --i)
        if (messages[i].role == ChatRole::ChatRole_user) return i;
    return -1;
}

}  // namespace

std::string render_v3_2(const ChatRequest& request, const ChatOptions& options) {
    const bool prefill = chat_request_is_prefill(request);
    const std::vector<ChatMessage>& messages = request.messages;
    const bool has_tools = !request.tools.empty();
    const bool tools_need_system = has_tools && messages.front().role != ChatRole::ChatRole_system;
    const std::string tools_block = has_tools ? "\n\n" + std::string(kToolsHead) + dsml_tool_schemas(request.tools) +
                                                    "\n</functions>\n"
                                              : "";
    const int last_user = last_user_index(messages);
    const int n = int(messages.size());

    std::string out(t::bos);
    if (tools_need_system) out += tools_block;
    for (int i = 0; i < n; ++i) {
        const ChatMessage& m = messages[i];
        const bool is_last = i == n - 1;
        switch (m.role) {
            case ChatRole::ChatRole_system:
                out += *m.content;
                if (i == 0) out += tools_block;
                break;
            case ChatRole::ChatRole_user:
                out += std::string(t::user) + *m.content;
                if (!is_last || options.add_generation_prompt)
                    out += std::string(t::assistant) +
                           std::string(i == last_user && options.thinking ? t::think_begin : t::think_end);
                break;
            case ChatRole::ChatRole_tool: {
                int caller = i - 1;
                while (caller >= 0 && messages[caller].role == ChatRole::ChatRole_tool) --caller;
                WHALE_CHECK(caller >= 0 && messages[caller].role == ChatRole::ChatRole_assistant &&
                                int(messages[caller].tool_calls.size()) >= i - caller,
                            "chat format v3.2: messages[", i, "] is a tool result with no matching tool call in a "
                            "preceding assistant message (expected one result per call, right after the call)");
                const int order = i - caller;
                if (order == 1) out += "\n\n<function_results>";
                out += "\n<result>" + *m.content + "</result>";
                if (order == int(messages[caller].tool_calls.size())) {
                    out += "\n</function_results>";
                    if (!is_last || options.add_generation_prompt)
                        out += "\n\n" + std::string(i >= last_user && options.thinking ? t::think_begin : t::think_end);
                }
                break;
            }
            case ChatRole::ChatRole_assistant: {
                if (options.thinking && i > last_user) {
                    WHALE_CHECK(!m.reasoning_content.empty() || !m.tool_calls.empty(), "chat format v3.2: messages[", i,
                                "] is an assistant turn after the last user message in thinking mode; the format "
                                "needs its reasoning_content or tool_calls");
                    out += m.reasoning_content + std::string(t::think_end);
                }
                out += m.content.value_or("");
                if (!m.tool_calls.empty()) out += "\n\n" + dsml_tool_calls(m.tool_calls, "function_calls");
                if (!(prefill && is_last)) out += t::eos;
                break;
            }
        }
    }
    return out;
}

}  // namespace whale::chat_detail
