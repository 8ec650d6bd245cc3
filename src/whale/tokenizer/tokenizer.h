// Whale's tokenizer: text <-> token ids for the DeepSeek family, read from a Hugging Face
// tokenizer.json (byte-level BPE) and matching HF `tokenizers` id for id.
//
//   Tokenizer tok = Tokenizer::load("path/to/model");          // dir or tokenizer.json
//   tok.encode(rendered_template);                               // added tokens recognised
//   tok.encode(user_text, {.parse_special = false});             // all of it plain text
//   tok.decode(ids);
//
// encode() is HF `encode(text, add_special_tokens=False)`: no BOS is added (chat templates write
// it as text). With parse_special=false no added token is matched, not even the non-special ones
// (<｜User｜>, <think>): text from users must never turn into control tokens. (HF's
// split_special_tokens still matches non-special added tokens; that would let a user open a turn.)
// A Tokenizer is immutable after load and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace whale {

struct EncodeOptions {
    bool parse_special = true;  // match added/special tokens in the text (trusted text only)
};

struct DecodeOptions {
    bool skip_special = false;  // drop tokens whose added-token entry has special=true
};

class Tokenizer {
public:
    // `path` is a model directory holding tokenizer.json, or the tokenizer.json file itself.
    // Throws whale::Error naming the file and field for anything malformed or unsupported.
    static Tokenizer load(const std::string& path);
    // Parses tokenizer.json text; `source` names it in error messages.
    static Tokenizer from_json_text(std::string_view json_text, const std::string& source);

    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;
    ~Tokenizer();

    // Text must be valid UTF-8; otherwise whale::Error names the byte offset of the first bad byte.
    std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options = {}) const;
    // Appending form, for callers that build one id buffer from several pieces.
    void encode_append(std::string_view text, const EncodeOptions& options, std::vector<int32_t>& out) const;

    // Byte-level decoding; ill-formed UTF-8 (from ids that split a character) becomes U+FFFD.
    // Throws whale::Error for an id that names no token.
    std::string decode(std::span<const int32_t> ids, const DecodeOptions& options = {}) const;

    // The raw bytes that `id` stands for (may be part of a UTF-8 character).
    std::string_view token_bytes(int32_t id) const;
    // The token's string as written in tokenizer.json (byte-level alphabet for vocabulary tokens).
    const std::string& id_to_token(int32_t id) const;
    std::optional<int32_t> token_to_id(std::string_view token) const;
    bool is_special(int32_t id) const;
    bool is_added(int32_t id) const;
    // One past the largest id that names a token (vocabulary and added tokens).
    int32_t n_ids() const;

private:
    struct Impl;
    explicit Tokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace whale
