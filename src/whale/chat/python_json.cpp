// Python-compatible JSON writer (see python_json.h).
#include "whale/chat/python_json.h"

#include <cstdio>

namespace whale {

std::string python_json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string python_json_dumps(const nlohmann::ordered_json& value) {
    if (value.is_string()) return "\"" + python_json_escape(value.get_ref<const std::string&>()) + "\"";
    if (value.is_array()) {
        std::string out = "[";
        for (size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + python_json_dumps(value[i]);
        return out + "]";
    }
    if (value.is_object()) {
        std::string out = "{";
        bool first = true;
        for (auto it = value.begin(); it != value.end(); ++it) {
            out += (first ? "\"" : ", \"") + python_json_escape(it.key()) + "\": " + python_json_dumps(it.value());
            first = false;
        }
        return out + "}";
    }
    // Numbers, booleans and null print the same in both (shortest round-trip floats, "1.0" kept).
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace whale
