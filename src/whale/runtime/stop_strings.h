// Detects stop strings in streamed text even when a stop string is split across tokens.
// Text that could still be the start of a stop string is held back until it is decided, so a
// stream never shows part of a stop string and never loses text that turned out not to be one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace whale {

class StopStringMatcher {
public:
    explicit StopStringMatcher(std::vector<std::string> stops);

    struct Step {
        std::string text;      // safe to show now
        bool stopped = false;  // a stop string completed; `text` ends just before it
        std::string matched;   // which stop string
    };
    Step feed(std::string_view delta);
    // End of generation: releases what was held back.
    std::string flush();

private:
    std::vector<std::string> stops_;
    std::string pending_;
    bool stopped_ = false;
};

}  // namespace whale
