// The literal marker strings of DeepSeek's chat formats, shared by the renderers and the parser.
// They are text here: the tokenizer turns each into its single added token when it encodes a prompt.
#pragma once

#include <string_view>

namespace whale::chat_tokens {

inline constexpr std::string_view bos = "<｜begin▁of▁sentence｜>";
inline constexpr std::string_view eos = "<｜end▁of▁sentence｜>";
inline constexpr std::string_view user = "<｜User｜>";
inline constexpr std::string_view assistant = "<｜Assistant｜>";
inline constexpr std::string_view think_begin = "<think>";
inline constexpr std::string_view think_end = "</think>";

inline constexpr std::string_view tool_calls_begin = "<｜tool▁calls▁begin｜>";
inline constexpr std::string_view tool_calls_end = "<｜tool▁calls▁end｜>";
inline constexpr std::string_view tool_call_begin = "<｜tool▁call▁begin｜>";
inline constexpr std::string_view tool_call_end = "<｜tool▁call▁end｜>";
inline constexpr std::string_view tool_sep = "<｜tool▁sep｜>";
inline constexpr std::string_view tool_outputs_begin = "<｜tool▁outputs▁begin｜>";
inline constexpr std::string_view tool_outputs_end = "<｜tool▁outputs▁end｜>";
inline constexpr std::string_view tool_output_begin = "<｜tool▁output▁begin｜>";
inline constexpr std::string_view tool_output_end = "<｜tool▁output▁end｜>";

// DSML (V3.2, V4): XML-like tool calls built around one "｜DSML｜" marker.
inline constexpr std::string_view dsml = "｜DSML｜";

}  // namespace whale::chat_tokens
