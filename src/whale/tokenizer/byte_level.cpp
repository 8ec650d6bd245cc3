// Tables for the byte-level alphabet, built once.
#include "whale/tokenizer/byte_level.h"

#include <array>

#include "whale/tokenizer/utf8.h"

namespace whale {

namespace {

struct ByteLevelTables {
    std::array<uint32_t, 256> byte_to_char{};
    std::array<int16_t, 324> char_to_byte{};  // indexed by code point; -1 = not in the alphabet

    ByteLevelTables() {
        char_to_byte.fill(-1);
        uint32_t next_extra = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            byte_to_char[b] = printable ? uint32_t(b) : next_extra++;
            char_to_byte[byte_to_char[b]] = int16_t(b);
        }
    }
};

const ByteLevelTables& tables() {
    static const ByteLevelTables t;
    return t;
}

}  // namespace

uint32_t byte_level_char(uint8_t b) { return tables().byte_to_char[b]; }

std::string byte_level_encode(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) utf8_append(out, byte_level_char(uint8_t(c)));
    return out;
}

bool byte_level_decode(std::string_view token, std::string& out) {
    const auto& t = tables();
    const size_t mark = out.size();
    for (size_t i = 0; i < token.size();) {
        const auto lead = uint8_t(token[i]);
        int length = 1;
        // Token strings come from JSON, so they are valid UTF-8 already.
        const uint32_t cp = lead < 0x80 ? lead : utf8_decode_at(token, i, length);
        if (cp >= t.char_to_byte.size() || t.char_to_byte[cp] < 0) {
            out.resize(mark);
            return false;
        }
        out += char(t.char_to_byte[cp]);
        i += size_t(length);
    }
    return true;
}

}  // namespace whale
