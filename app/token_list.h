// Parsing of "--tokens 1,2,3" lists.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace whale::app {

// Comma-separated non-negative integers; throws whale::Error naming the bad item.
std::vector<int32_t> parse_token_list(const std::string& text);

}  // namespace whale::app
