// The GPT-2 byte-level alphabet used by DeepSeek's BPE: every byte 0..255 is shown as one printable
// code point (printable Latin-1 bytes as themselves, the other 68 bytes as U+0100..U+0143), so a
// vocabulary of strings can cover arbitrary bytes. Ġ (U+0120) is the space byte, Ċ the newline.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace whale {

// The code point that shows byte `b`.
uint32_t byte_level_char(uint8_t b);

// The byte-level spelling of raw bytes, e.g. " hi" -> "Ġhi" (UTF-8).
std::string byte_level_encode(std::string_view bytes);

// Inverse mapping of one token string: when every character of `token` belongs to the byte-level
// alphabet, appends the bytes they stand for and returns true; otherwise appends nothing and
// returns false (HF's ByteLevel decoder then keeps the token's own UTF-8 bytes).
bool byte_level_decode(std::string_view token, std::string& out);

}  // namespace whale
