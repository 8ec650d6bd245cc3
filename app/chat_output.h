// Prints a streamed answer for a person: reasoning visibly marked (dimmed on a terminal, between
// "thinking" and "answer" rules), then the answer, tool calls on their own lines.
#pragma once

#include "whale/chat/chat_parser.h"

namespace whale::app {

class ChatPrinter {
public:
    ChatPrinter();
    void print(const ChatEvent& event);
    void finish();  // ends an open section and the line

private:
    enum class Section { Section_none, Section_reasoning, Section_content, Section_tool };
    void enter(Section section);

    bool color_;
    Section section_ = Section::Section_none;
};

}  // namespace whale::app
