#include "whale/core/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace whale {

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total > 0 ? total : 1),
      enabled_(enabled && ::isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::advance(int64_t amount) {
    done_ += amount;
    if (done_ > total_) done_ = total_;
    draw();
}

void ProgressBar::draw() {
    if (!enabled_) return;
    int permille = int(done_ * 1000 / total_);
    if (permille == last_permille_) return;
    last_permille_ = permille;
    constexpr int width = 30;
    int filled = permille * width / 1000;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%% %6.1fs", label_.c_str(), filled,
                 "==============================", width - filled, "", permille / 10.0, seconds);
    std::fflush(stderr);
}

void ProgressBar::finish() {
    if (!enabled_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
}

}  // namespace whale
