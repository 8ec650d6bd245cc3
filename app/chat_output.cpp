#include "chat_output.h"

#include <unistd.h>

#include <cstdio>

namespace whale::app {

namespace {
constexpr const char* dim = "\033[2m";
constexpr const char* reset = "\033[0m";
}  // namespace

ChatPrinter::ChatPrinter() : color_(::isatty(STDOUT_FILENO)) {}

void ChatPrinter::enter(Section section) {
    if (section == section_) return;
    if (section_ == Section::Section_reasoning && color_) std::fputs(reset, stdout);
    if (section_ != Section::Section_none) std::fputs("\n", stdout);
    switch (section) {
        case Section::Section_reasoning:
            std::fputs("── thinking ──\n", stdout);
            if (color_) std::fputs(dim, stdout);
            break;
        case Section::Section_content:
            if (section_ == Section::Section_reasoning) std::fputs("── answer ──\n", stdout);
            break;
        default:
            break;
    }
    section_ = section;
}

void ChatPrinter::print(const ChatEvent& e) {
    switch (e.kind) {
        case ChatEventKind::ChatEventKind_reasoning:
            enter(Section::Section_reasoning);
            std::fputs(e.text.c_str(), stdout);
            break;
        case ChatEventKind::ChatEventKind_content:
            enter(Section::Section_content);
            std::fputs(e.text.c_str(), stdout);
            break;
        case ChatEventKind::ChatEventKind_tool_call_start:
            enter(Section::Section_tool);
            std::printf("[tool call %s] %s(", e.id.c_str(), e.name.c_str());
            break;
        case ChatEventKind::ChatEventKind_tool_call_arguments:
            std::fputs(e.text.c_str(), stdout);
            break;
        case ChatEventKind::ChatEventKind_tool_call_end:
            std::fputs(")\n", stdout);
            break;
    }
    std::fflush(stdout);
}

void ChatPrinter::finish() {
    if (section_ == Section::Section_reasoning && color_) std::fputs(reset, stdout);
    std::fputs("\n", stdout);
    std::fflush(stdout);
    section_ = Section::Section_none;
}

}  // namespace whale::app
