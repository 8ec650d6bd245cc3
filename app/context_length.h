// Context lengths as users type them on the command line: 4096, 32K, 1M (K = 1024, M = 2^20).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace whale::app {

// One length; throws whale::Error naming `flag` for anything that is not a positive length
// (or zero, when allow_zero).
int64_t parse_context_length(const std::string& item, const std::string& flag = "--ctx", bool allow_zero = false);

// A comma-separated list of lengths ("512,4K,32K").
std::vector<int64_t> parse_context_lengths(const std::string& list, const std::string& flag = "--ctx",
                                           bool allow_zero = false);

}  // namespace whale::app
