// UTF-8 scanning by the Unicode "maximal subpart" rule (Unicode 15, section 3.9, table 3-7).
#include "whale/tokenizer/utf8.h"

namespace whale {

namespace {

// What one step of scanning found at a position: `length` bytes that are either a whole valid
// character, or an ill-formed subpart, or (when `incomplete`) a valid but truncated sequence.
struct Utf8Step {
    int length;
    bool valid;
    bool incomplete;
};

Utf8Step utf8_step(const uint8_t* p, size_t n) {
    const uint8_t b = p[0];
    if (b < 0x80) return {1, true, false};
    int need;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
        need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2;
        if (b == 0xE0) lo = 0xA0;  // overlong
        if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3;
        if (b == 0xF0) lo = 0x90;  // overlong
        if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return {1, false, false};
    }
    for (int k = 1; k <= need; ++k) {
        if (size_t(k) >= n) return {k, false, true};
        const uint8_t c = p[k];
        const bool ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
        if (!ok) return {k, false, false};
    }
    return {need + 1, true, false};
}

}  // namespace

size_t utf8_find_invalid(std::string_view text) {
    const auto* p = reinterpret_cast<const uint8_t*>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        // ASCII fast path, 8 bytes at a time.
        while (i + 8 <= n) {
            uint64_t word;
            __builtin_memcpy(&word, p + i, 8);
            if (word & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        const Utf8Step step = utf8_step(p + i, n - i);
        if (!step.valid) return i;
        i += size_t(step.length);
    }
    return std::string_view::npos;
}

void utf8_append_lossy(std::string& out, std::string_view bytes) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    const size_t n = bytes.size();
    size_t i = 0, run_start = 0;
    while (i < n) {
        const Utf8Step step = utf8_step(p + i, n - i);
        if (step.valid) {
            i += size_t(step.length);
            continue;
        }
        out.append(bytes.data() + run_start, i - run_start);
        out.append("\xEF\xBF\xBD");
        i += size_t(step.length);
        run_start = i;
    }
    out.append(bytes.data() + run_start, n - run_start);
}

size_t utf8_complete_prefix(std::string_view bytes) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    const size_t n = bytes.size();
    // Only the last 3 bytes can start an unfinished sequence.
    for (size_t back = 1; back <= 3 && back <= n; ++back) {
        const size_t start = n - back;
        if ((p[start] & 0xC0) == 0x80) continue;  // continuation byte, look further back
        const Utf8Step step = utf8_step(p + start, back);
        return step.incomplete ? start : n;
    }
    return n;
}

uint32_t utf8_decode_at(std::string_view text, size_t pos, int& length) {
    const auto* p = reinterpret_cast<const uint8_t*>(text.data()) + pos;
    if (p[0] < 0x80) return length = 1, p[0];
    if (p[0] < 0xE0) return length = 2, uint32_t(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    if (p[0] < 0xF0) return length = 3, uint32_t(p[0] & 0x0F) << 12 | uint32_t(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    length = 4;
    return uint32_t(p[0] & 0x07) << 18 | uint32_t(p[1] & 0x3F) << 12 | uint32_t(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
}

uint32_t utf8_decode_last(std::string_view text, int& length) {
    size_t start = text.size() - 1;
    while (start > 0 && (uint8_t(text[start]) & 0xC0) == 0x80) --start;
    return utf8_decode_at(text, start, length);
}

void utf8_append(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

}  // namespace whale
