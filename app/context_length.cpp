#include "context_length.h"

#include <cctype>
#include <cmath>

#include "whale/core/error.h"

namespace whale::app {

int64_t parse_context_length(const std::string& item, const std::string& flag, bool allow_zero) {
    WHALE_CHECK(!item.empty(), flag, ": empty length");
    int64_t scale = 1;
    std::string digits = item;
    const char suffix = char(std::toupper(item.back()));
    if (suffix == 'K' || suffix == 'M') {
        scale = suffix == 'K' ? 1024 : 1024 * 1024;  // 1M = 2^20 tokens, as the spec's figures use
        digits.pop_back();
    }
    size_t used = 0;
    double value = 0;
    try {
        value = std::stod(digits, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    WHALE_CHECK(used == digits.size() && (value > 0 || (allow_zero && value == 0)), flag, ": '", item, "' is not a length like 4096, 32K or 1M");
    return int64_t(std::llround(value * double(scale)));
}

std::vector<int64_t> parse_context_lengths(const std::string& list, const std::string& flag, bool allow_zero) {
    std::vector<int64_t> out;
    size_t begin = 0;
    while (begin <= list.size()) {
        size_t end = list.find(',', begin);
        if (end == std::string::npos) end = list.size();
        out.push_back(parse_context_length(list.substr(begin, end - begin), flag, allow_zero));
        begin = end + 1;
    }
    return out;
}

}  // namespace whale::app
