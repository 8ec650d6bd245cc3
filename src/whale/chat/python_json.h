// JSON text exactly as Python's json.dumps(value, ensure_ascii=False) writes it: ", " and ": "
// separators, keys in their given order, non-ASCII left as UTF-8. DeepSeek's reference encoders
// write tool schemas and non-string tool arguments this way, so byte-identical prompts need it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace whale {

std::string python_json_dumps(const nlohmann::ordered_json& value);

// The body of a JSON string literal (no quotes), escaped as Python does with ensure_ascii=False.
std::string python_json_escape(std::string_view text);

}  // namespace whale
