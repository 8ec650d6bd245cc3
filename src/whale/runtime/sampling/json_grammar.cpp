#include "whale/runtime/sampling/json_grammar.h"

#include <cstring>

namespace whale {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool JsonGrammar::open(char close) {
    if (depth_ == max_depth) return false;
    stack_[size_t(depth_++)] = {close, 0};
    mode_ = close == '}' ? Mode::Mode_object_first : Mode::Mode_array_first;
    return true;
}

bool JsonGrammar::start_value(char c) {
    length_ = 0;
    if (c == '{') return open('}');
    if (c == '[') return open(']');
    if (c == '"') return mode_ = Mode::Mode_in_string, true;
    if (c == '-' || is_digit(c)) {
        mode_ = Mode::Mode_in_number;
        number_ = c == '-' ? NumberPart::NumberPart_sign : c == '0' ? NumberPart::NumberPart_zero : NumberPart::NumberPart_int;
        length_ = 1;
        return true;
    }
    for (const char* word : {"true", "false", "null"})
        if (c == word[0]) {
            literal_ = word + 1;
            mode_ = Mode::Mode_in_literal;
            return true;
        }
    return false;
}

bool JsonGrammar::after_value(char c) {
    Frame& top = stack_[size_t(depth_ - 1)];
    if (c == top.close) {
        --depth_;
        mode_ = depth_ == 0 ? Mode::Mode_done : Mode::Mode_after_value;
        return true;
    }
    if (c != ',' || top.members + 1 >= max_members) return false;
    ++top.members;
    mode_ = top.close == '}' ? Mode::Mode_key : Mode::Mode_value;
    return true;
}

bool JsonGrammar::feed(char c) {
    switch (mode_) {
    case Mode::Mode_start: return c == '{' && open('}');
    case Mode::Mode_value: return start_value(c);
    case Mode::Mode_object_first:
        if (c == '}') return after_value(c);
        [[fallthrough]];
    case Mode::Mode_key:
        if (c != '"') return false;
        mode_ = Mode::Mode_in_key;
        length_ = 0;
        return true;
    case Mode::Mode_array_first:
        if (c == ']') return after_value(c);
        return start_value(c);
    case Mode::Mode_in_key:
    case Mode::Mode_in_string:
        if (c == '"') {
            mode_ = mode_ == Mode::Mode_in_key ? Mode::Mode_colon : Mode::Mode_after_value;
            return true;
        }
        // Printable ASCII only and no escapes: nothing that re-tokenizes as a chat marker.
        if (c < 0x20 || c > 0x7e || c == '\\' || length_ == max_string) return false;
        ++length_;
        return true;
    case Mode::Mode_colon:
        if (c != ':') return false;
        mode_ = Mode::Mode_value;
        return true;
    case Mode::Mode_in_number: {
        const bool can_end = number_ == NumberPart::NumberPart_zero || number_ == NumberPart::NumberPart_int ||
                             number_ == NumberPart::NumberPart_frac;
        if (is_digit(c) && length_ < max_number) {
            if (number_ == NumberPart::NumberPart_zero) return false;  // no leading zeros
            number_ = number_ == NumberPart::NumberPart_sign ? (c == '0' ? NumberPart::NumberPart_zero : NumberPart::NumberPart_int)
                      : number_ == NumberPart::NumberPart_dot ? NumberPart::NumberPart_frac
                                                              : number_;
            ++length_;
            return true;
        }
        if (c == '.' && (number_ == NumberPart::NumberPart_zero || number_ == NumberPart::NumberPart_int) &&
            length_ + 1 < max_number) {  // room for a digit after the point
            number_ = NumberPart::NumberPart_dot;
            ++length_;
            return true;
        }
        return can_end && after_value(c);
    }
    case Mode::Mode_in_literal:
        if (c != *literal_) return false;
        if (*++literal_ == '\0') mode_ = Mode::Mode_after_value;
        return true;
    case Mode::Mode_after_value: return after_value(c);
    case Mode::Mode_done: return false;
    }
    return false;
}

int JsonGrammar::min_chars_to_close() const {
    const int close = depth_;  // one bracket per open container
    switch (mode_) {
    case Mode::Mode_start: return 2;
    case Mode::Mode_value: return 1 + close;
    case Mode::Mode_object_first:
    case Mode::Mode_array_first:
    case Mode::Mode_after_value: return close;
    case Mode::Mode_key: return 4 + close;     // "":0
    case Mode::Mode_in_key: return 3 + close;  // ":0
    case Mode::Mode_colon: return 2 + close;
    case Mode::Mode_in_string: return 1 + close;
    case Mode::Mode_in_number:
        return (number_ == NumberPart::NumberPart_sign || number_ == NumberPart::NumberPart_dot ? 1 : 0) + close;
    case Mode::Mode_in_literal: return int(std::strlen(literal_)) + close;
    case Mode::Mode_done: return 0;
    }
    return 0;
}

}  // namespace whale
