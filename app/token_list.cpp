#include "token_list.h"

#include <charconv>

#include "whale/core/error.h"

namespace whale::app {

std::vector<int32_t> parse_token_list(const std::string& text) {
    std::vector<int32_t> tokens;
    size_t begin = 0;
    while (begin <= text.size()) {
        size_t end = text.find(',', begin);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(begin, end - begin);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        int32_t value = -1;
        auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
        WHALE_CHECK(!item.empty() && ec == std::errc() && ptr == item.data() + item.size() && value >= 0,
                    "--tokens: '", item, "' is not a token id (expected comma-separated non-negative integers)");
        tokens.push_back(value);
        begin = end + 1;
    }
    WHALE_CHECK(!tokens.empty(), "--tokens: no token ids given");
    return tokens;
}

}  // namespace whale::app
