#include "whale/runtime/sampling/json_schema_grammar.h"

#include <algorithm>

namespace whale {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool has(uint64_t mask, size_t i) { return (mask >> i & 1) != 0; }

}  // namespace

// The keys that may come next: from the frame's next property up to and including the first
// required one not yet written (skipping it would make the object invalid).
uint64_t SchemaGrammar::key_candidates(const Frame& frame) const {
    const SchemaNode& object = node(frame.node);
    uint64_t mask = 0;
    for (size_t i = frame.next; i < object.keys.size(); ++i) {
        mask |= uint64_t(1) << i;
        if (has(object.required, i)) break;
    }
    return mask;
}

bool SchemaGrammar::start_value(int id, char c) {
    const SchemaNode& n = node(id);
    node_ = uint16_t(id);
    length_ = 0;
    switch (n.kind) {
    case SchemaNode::Kind::Kind_object:
    case SchemaNode::Kind::Kind_array:
        if (c != (n.kind == SchemaNode::Kind::Kind_object ? '{' : '[') || depth_ == schema_->depth_limit) return false;
        stack_[size_t(depth_++)] = {uint16_t(id), 0};
        mode_ = n.kind == SchemaNode::Kind::Kind_object ? Mode::Mode_object_first : Mode::Mode_array_first;
        return true;
    case SchemaNode::Kind::Kind_string:
        if (c != '"') return false;
        mode_ = Mode::Mode_in_string;
        return true;
    case SchemaNode::Kind::Kind_number:
    case SchemaNode::Kind::Kind_integer:
        if (c != '-' && !is_digit(c)) return false;
        mode_ = Mode::Mode_in_number;
        number_ = c == '-' ? NumberPart::NumberPart_sign : c == '0' ? NumberPart::NumberPart_zero : NumberPart::NumberPart_int;
        length_ = 1;
        return true;
    case SchemaNode::Kind::Kind_literals:
        candidates_ = 0;
        for (size_t i = 0; i < n.literals.size(); ++i)
            if (n.literals[i][0] == c) candidates_ |= uint64_t(1) << i;
        if (!candidates_) return false;
        length_ = 1;
        mode_ = Mode::Mode_in_literal;
        for (size_t i = 0; i < n.literals.size(); ++i)
            if (has(candidates_, i) && n.literals[i].size() > 1) return true;
        mode_ = Mode::Mode_after_value;  // a one-character literal is already whole
        return true;
    case SchemaNode::Kind::Kind_union:
        for (int alternative : n.children)
            if (start_value(alternative, c)) return true;
        return false;
    }
    return false;
}

bool SchemaGrammar::after_value(char c) {
    if (depth_ == 0) return false;
    Frame& top = stack_[size_t(depth_ - 1)];
    const SchemaNode& n = node(top.node);
    bool close = false;
    if (n.kind == SchemaNode::Kind::Kind_object) {
        if (c == ',' && (n.any_keys ? top.next < n.max_items : key_candidates(top) != 0)) return mode_ = Mode::Mode_key, true;
        close = c == '}' && !required_after(n, top.next);
    } else {
        if (c == ',' && top.next < n.max_items) {
            ++top.next;
            mode_ = Mode::Mode_value;
            node_ = uint16_t(n.items);
            return true;
        }
        close = c == ']' && top.next >= n.min_items;
    }
    if (!close) return false;
    --depth_;
    mode_ = depth_ == 0 ? Mode::Mode_done : Mode::Mode_after_value;
    return true;
}

bool SchemaGrammar::feed(char c) {
    switch (mode_) {
    case Mode::Mode_value: return start_value(node_, c);
    case Mode::Mode_object_first:
        if (c == '}') return after_value(c);
        [[fallthrough]];
    case Mode::Mode_key:
        if (c != '"') return false;
        if (!top_node().any_keys) {
            candidates_ = key_candidates(stack_[size_t(depth_ - 1)]);
            if (!candidates_) return false;
        }
        mode_ = Mode::Mode_in_key;
        length_ = 0;
        return true;
    case Mode::Mode_in_key: {
        const SchemaNode& object = top_node();
        if (object.any_keys) return any_key_char(object, c);
        uint64_t next = 0;
        for (size_t i = 0; i < object.keys.size(); ++i) {
            if (!has(candidates_, i)) continue;
            const std::string& key = object.keys[i];
            if (c == '"' ? key.size() == size_t(length_) : key.size() > size_t(length_) && key[size_t(length_)] == c)
                next |= uint64_t(1) << i;
        }
        if (!next) return false;
        if (c != '"') {
            candidates_ = next;
            ++length_;
            return true;
        }
        const int key = __builtin_ctzll(next);  // keys are distinct: one matches exactly
        Frame& frame = stack_[size_t(depth_ - 1)];
        frame.next = uint8_t(key + 1);
        node_ = uint16_t(object.children[size_t(key)]);
        mode_ = Mode::Mode_colon;
        return true;
    }
    case Mode::Mode_colon:
        if (c != ':') return false;
        mode_ = Mode::Mode_value;
        return true;
    case Mode::Mode_array_first: {
        Frame& frame = stack_[size_t(depth_ - 1)];
        const SchemaNode& array = node(frame.node);
        if (c == ']') return after_value(c);
        if (array.max_items == 0) return false;
        frame.next = 1;
        return start_value(array.items, c);
    }
    case Mode::Mode_in_string: {
        const SchemaNode& n = node(node_);
        if (c == '"') {
            if (length_ < n.min_length) return false;
            mode_ = Mode::Mode_after_value;
            return true;
        }
        // Printable ASCII only and no escapes: nothing that re-tokenizes as a chat marker.
        if (c < 0x20 || c > 0x7e || c == '\\' || length_ == n.max_length) return false;
        ++length_;
        return true;
    }
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
        if (c == '.' && node(node_).kind == SchemaNode::Kind::Kind_number &&
            (number_ == NumberPart::NumberPart_zero || number_ == NumberPart::NumberPart_int) &&
            length_ + 1 < max_number) {  // room for a digit after the point
            number_ = NumberPart::NumberPart_dot;
            ++length_;
            return true;
        }
        return can_end && after_value(c);
    }
    case Mode::Mode_in_literal: {
        const SchemaNode& n = node(node_);
        uint64_t next = 0;
        bool whole = false;
        for (size_t i = 0; i < n.literals.size(); ++i) {
            if (!has(candidates_, i)) continue;
            const std::string& text = n.literals[i];
            if (text.size() > size_t(length_) && text[size_t(length_)] == c) next |= uint64_t(1) << i;
            whole = whole || text.size() == size_t(length_);
        }
        if (!next) return whole && after_value(c);  // e.g. 1 of [1, 12] followed by ','
        candidates_ = next;
        ++length_;
        for (size_t i = 0; i < n.literals.size(); ++i)
            if (has(candidates_, i) && n.literals[i].size() > size_t(length_)) return true;
        mode_ = Mode::Mode_after_value;
        return true;
    }
    case Mode::Mode_after_value: return after_value(c);
    case Mode::Mode_done: return false;
    }
    return false;
}

// A character of a key in an object that takes any keys; '"' ends the key and counts the member.
bool SchemaGrammar::any_key_char(const SchemaNode& object, char c) {
    if (c == '"') {
        ++stack_[size_t(depth_ - 1)].next;
        node_ = uint16_t(object.children[0]);
        mode_ = Mode::Mode_colon;
        return true;
    }
    // Printable ASCII only and no escapes, as in strings.
    if (c < 0x20 || c > 0x7e || c == '\\' || length_ == object.max_length) return false;
    ++length_;
    return true;
}

bool SchemaGrammar::required_after(const SchemaNode& object, int from) {
    return from < 64 && (object.required >> from) != 0;
}

int SchemaGrammar::member_chars(const SchemaNode& object, int key) const {
    return int(object.keys[size_t(key)].size()) + 3 + node(object.children[size_t(key)]).min_chars;  // "key":value
}

// Characters for the required members from `from` on and the closing '}'.
int SchemaGrammar::required_rest(const SchemaNode& object, int from, bool comma_first) const {
    int chars = 1;
    bool comma = comma_first;
    for (size_t i = size_t(from); i < object.keys.size(); ++i) {
        if (!has(object.required, i)) continue;
        chars += (comma ? 1 : 0) + member_chars(object, int(i));
        comma = true;
    }
    return chars;
}

// What the lowest `frames` containers still need once their current member or item is written.
int SchemaGrammar::frames_rest(int frames) const {
    int chars = 0;
    for (int d = 0; d < frames; ++d) {
        const Frame& frame = stack_[size_t(d)];
        const SchemaNode& n = node(frame.node);
        if (n.kind == SchemaNode::Kind::Kind_object) {
            chars += required_rest(n, frame.next, true);
        } else {
            const int missing = std::max(0, n.min_items - int(frame.next));
            chars += missing * (node(n.items).min_chars + 1) + 1;
        }
    }
    return chars;
}

int SchemaGrammar::min_chars_to_close() const {
    switch (mode_) {
    case Mode::Mode_value: return node(node_).min_chars + frames_rest(depth_);
    case Mode::Mode_object_first: return required_rest(top_node(), 0, false) + frames_rest(depth_ - 1);
    case Mode::Mode_key:
    case Mode::Mode_in_key: {
        // The member just begun (its key partly written) and then the required ones after it.
        const SchemaNode& object = top_node();
        const int written = mode_ == Mode::Mode_key ? 0 : length_ + 1;
        // Any key: the key may end at once, so the member needs its quotes and colon still to come
        // ('"' and ':' once the key has begun) and the shortest value.
        if (object.any_keys)
            return (mode_ == Mode::Mode_key ? 3 : 2) + node(object.children[0]).min_chars + 1 + frames_rest(depth_ - 1);
        const uint64_t candidates = mode_ == Mode::Mode_key ? key_candidates(stack_[size_t(depth_ - 1)]) : candidates_;
        int best = 1 << 30;
        for (size_t i = 0; i < object.keys.size(); ++i)
            if (has(candidates, i)) best = std::min(best, member_chars(object, int(i)) - written + required_rest(object, int(i) + 1, true));
        return best + frames_rest(depth_ - 1);
    }
    case Mode::Mode_colon: return 1 + node(node_).min_chars + frames_rest(depth_);
    case Mode::Mode_array_first: {
        const SchemaNode& array = top_node();
        return 1 + array.min_items * node(array.items).min_chars + std::max(0, array.min_items - 1) + frames_rest(depth_ - 1);
    }
    case Mode::Mode_in_string: return std::max(0, node(node_).min_length - length_) + 1 + frames_rest(depth_);
    case Mode::Mode_in_number:
        return (number_ == NumberPart::NumberPart_sign || number_ == NumberPart::NumberPart_dot ? 1 : 0) + frames_rest(depth_);
    case Mode::Mode_in_literal: {
        const SchemaNode& n = node(node_);
        int best = 1 << 30;
        for (size_t i = 0; i < n.literals.size(); ++i)
            if (has(candidates_, i)) best = std::min(best, int(n.literals[i].size()) - length_);
        return best + frames_rest(depth_);
    }
    case Mode::Mode_after_value: return frames_rest(depth_);
    case Mode::Mode_done: return 0;
    }
    return 0;
}

}  // namespace whale
