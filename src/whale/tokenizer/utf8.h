// UTF-8 rules shared by encoding and decoding: strict validation of input text (encode rejects
// invalid bytes with their offset), lossy repair of decoded bytes (each maximal invalid subpart
// becomes one U+FFFD, as Rust's String::from_utf8_lossy does in HF tokenizers), and the length of a
// byte prefix that is safe to emit while a multi-byte character may still be arriving.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace whale {

// Byte offset of the first byte that is not part of a well-formed UTF-8 sequence (overlongs,
// surrogates and code points above U+10FFFF are ill-formed), or npos when `text` is valid.
size_t utf8_find_invalid(std::string_view text);

// Appends `bytes` to `out`, replacing every maximal ill-formed subpart with U+FFFD.
void utf8_append_lossy(std::string& out, std::string_view bytes);

// Length of the longest prefix of `bytes` that does not end inside a sequence that could still be
// completed by more bytes; the rest (at most 3 bytes) must be held back by a streaming decoder.
size_t utf8_complete_prefix(std::string_view bytes);

// Decodes the code point that starts at `text[pos]` (text must be valid UTF-8); sets `length`.
uint32_t utf8_decode_at(std::string_view text, size_t pos, int& length);

// Decodes the last code point of non-empty valid `text`; sets `length`.
uint32_t utf8_decode_last(std::string_view text, int& length);

// Appends the UTF-8 encoding of code point `cp` to `out`.
void utf8_append(std::string& out, uint32_t cp);

}  // namespace whale
