// A one-line progress bar on stderr for long work (loading, converting), drawn only on a terminal,
// followed by a summary line that is always printed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace whale {

class ProgressBar {
public:
    ProgressBar(std::string label, int64_t total, bool enabled);
    void advance(int64_t amount);
    // Clears the bar; the caller prints its own summary.
    void finish();

private:
    void draw();

    std::string label_;
    int64_t total_;
    int64_t done_ = 0;
    bool enabled_;
    int last_permille_ = -1;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace whale
