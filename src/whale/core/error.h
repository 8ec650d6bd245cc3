// Whale's one error type and the checks that raise it.
// Every failure a user can cause (bad file, bad config, bad argument) becomes a whale::Error whose
// message names the file, tensor or field and says what was expected; the CLI prints it on one line.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace whale {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Concatenates any streamable values into one string: str_cat("layer ", 3, ": ", name).
template <typename... Args>
std::string str_cat(const Args&... args) {
    std::ostringstream out;
    (out << ... << args);
    return out.str();
}

template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
    throw Error(str_cat(args...));
}

}  // namespace whale

// Raises whale::Error with the streamed message when the condition is false.
#define WHALE_CHECK(cond, ...)                 \
    do {                                       \
        if (!(cond)) ::whale::fail(__VA_ARGS__); \
    } while (0)
