// DSML, the XML-like tool-call syntax of DeepSeek-V3.2 and V4, as their reference encoders write it:
//   <｜DSML｜invoke name="NAME">\n<｜DSML｜parameter name="K" string="true|false">V</｜DSML｜parameter>\n...</｜DSML｜invoke>
// String arguments are written raw (string="true"); every other value as Python JSON text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "whale/chat/chat_request.h"

namespace whale::chat_detail {

// "<｜DSML｜BLOCK>\n" + invokes joined by "\n" + "\n</｜DSML｜BLOCK>", BLOCK = function_calls | tool_calls.
std::string dsml_tool_calls(const std::vector<ChatToolCall>& calls, const char* block_name);

// The tool schemas (each tool's "function" object), one Python-JSON line each, joined by "\n".
std::string dsml_tool_schemas(const nlohmann::ordered_json& tools);

}  // namespace whale::chat_detail
