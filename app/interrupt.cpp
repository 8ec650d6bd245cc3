#include "interrupt.h"

#include <csignal>

namespace whale::app {

namespace {
std::atomic<bool> interrupted{false};
void on_sigint(int) { interrupted.store(true); }
}  // namespace

std::atomic<bool>& interrupt_flag() {
    static const bool installed = [] {
        struct sigaction action {};
        action.sa_handler = on_sigint;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, nullptr);
        return true;
    }();
    (void)installed;
    return interrupted;
}

}  // namespace whale::app
