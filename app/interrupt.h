// Ctrl-C stops the current answer, not the program: SIGINT sets a flag generation polls.
#pragma once

#include <atomic>

namespace whale::app {

// Installs the handler (idempotent) and returns the flag; reset it before each answer.
std::atomic<bool>& interrupt_flag();

}  // namespace whale::app
