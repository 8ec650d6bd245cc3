// Loading tokenizer.json into its parts, and the encode / decode pipelines:
//   encode: validate UTF-8 -> cut at raw added tokens -> normalize -> cut at normalized added
//           tokens -> pre-tokenize -> BPE per piece;
//   decode: concatenate each token's bytes (precomputed at load) -> repair ill-formed UTF-8.
#include "whale/tokenizer/tokenizer.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "whale/core/error.h"
#include "whale/tokenizer/added_tokens.h"
#include "whale/tokenizer/bpe_model.h"
#include "whale/tokenizer/byte_level.h"
#include "whale/tokenizer/json_fields.h"
#include "whale/tokenizer/normalizer.h"
#include "whale/tokenizer/pre_tokenizer.h"
#include "whale/tokenizer/utf8.h"

namespace whale {

namespace {

enum TokenFlag : uint8_t { TokenFlag_known = 1, TokenFlag_added = 2, TokenFlag_special = 4 };

std::vector<AddedToken> parse_added_tokens(const nlohmann::json& root, const std::string& source) {
    std::vector<AddedToken> tokens;
    auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null()) return tokens;
    WHALE_CHECK(it->is_array(), source, ": added_tokens: expected an array, got ", it->type_name());
    for (size_t i = 0; i < it->size(); ++i) {
        const nlohmann::json& node = (*it)[i];
        const std::string where = str_cat(source, ": added_tokens[", i, "]");
        AddedToken token;
        const int64_t id = json_int(node, "id", where);
        WHALE_CHECK(id >= 0 && id < (int64_t(1) << 30), where, ".id: expected a non-negative id, got ", id);
        token.id = int32_t(id);
        token.content = json_string(node, "content", where);
        WHALE_CHECK(!token.content.empty(), where, ".content: expected a non-empty string");
        token.special = json_bool(node, "special", where, false);
        token.lstrip = json_bool(node, "lstrip", where, false);
        token.rstrip = json_bool(node, "rstrip", where, false);
        token.single_word = json_bool(node, "single_word", where, false);
        token.normalized = json_bool(node, "normalized", where, !token.special);
        tokens.push_back(std::move(token));
    }
    return tokens;
}

void check_decoder(const nlohmann::json& root, const std::string& source) {
    auto it = root.find("decoder");
    WHALE_CHECK(it != root.end() && it->is_object(), source, ": decoder: expected a ByteLevel decoder object");
    const std::string type = json_string(*it, "type", source + ": decoder");
    WHALE_CHECK(type == "ByteLevel", source, ": decoder.type: only \"ByteLevel\" is supported, got \"", type, "\"");
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    WHALE_CHECK(in, "cannot open tokenizer file ", path);
    std::ostringstream text;
    text << in.rdbuf();
    WHALE_CHECK(in.good() || in.eof(), "cannot read tokenizer file ", path);
    return std::move(text).str();
}

}  // namespace

struct Tokenizer::Impl {
    std::string source;
    Normalizer normalizer;
    PreTokenizer pre_tokenizer;
    std::unique_ptr<BpeModel> bpe;
    std::vector<AddedToken> added;
    std::unordered_map<std::string, int32_t> added_by_content;
    AddedTokenMatcher raw_matcher;         // normalized=false tokens, matched in the raw text
    AddedTokenMatcher normalized_matcher;  // normalized=true tokens, matched after the normalizer
    std::vector<std::string> token_strings;  // by id: added token content or vocabulary string
    std::vector<uint8_t> flags;              // by id: TokenFlag bits
    std::string bytes_arena;                 // decoded bytes of every token, back to back
    std::vector<uint32_t> bytes_offset;      // by id, n_ids + 1 entries

    Impl(const nlohmann::json& root, std::string source_name)
        : source(std::move(source_name)),
          normalizer(Normalizer::from_json(root.value("normalizer", nlohmann::json()), source + ": normalizer")),
          pre_tokenizer(PreTokenizer::from_json(json_field(root, "pre_tokenizer", source), source + ": pre_tokenizer")),
          bpe(std::make_unique<BpeModel>(json_object(root, "model", source), source + ": model")),
          added(parse_added_tokens(root, source)),
          raw_matcher(added, false),
          normalized_matcher(added, true) {
        check_decoder(root, source);
        build_id_tables();
    }

    void build_id_tables() {
        int32_t n = bpe->n_ids();
        for (const AddedToken& token : added) n = std::max(n, token.id + 1);
        token_strings.assign(size_t(n), std::string());
        flags.assign(size_t(n), 0);
        for (int32_t id = 0; id < bpe->n_ids(); ++id) {
            token_strings[size_t(id)] = bpe->id_to_token(id);
            if (!token_strings[size_t(id)].empty()) flags[size_t(id)] = TokenFlag_known;
        }
        // Added tokens take precedence over the vocabulary, as in HF's id_to_token.
        for (const AddedToken& token : added) {
            token_strings[size_t(token.id)] = token.content;
            flags[size_t(token.id)] = TokenFlag_known | TokenFlag_added | (token.special ? TokenFlag_special : 0);
            added_by_content.emplace(token.content, token.id);
        }
        bytes_offset.assign(size_t(n) + 1, 0);
        for (size_t id = 0; id < size_t(n); ++id) {
            bytes_offset[id] = uint32_t(bytes_arena.size());
            // HF's ByteLevel decoder keeps a token's own bytes when it has a character outside the
            // byte-level alphabet (e.g. the fullwidth bars of <｜User｜>).
            if (!byte_level_decode(token_strings[id], bytes_arena)) bytes_arena += token_strings[id];
        }
        bytes_offset[size_t(n)] = uint32_t(bytes_arena.size());
    }

    void check_id(int32_t id) const {
        WHALE_CHECK(id >= 0 && size_t(id) < flags.size() && (flags[size_t(id)] & TokenFlag_known), source,
                    ": token id ", id, " names no token (valid ids are below ", flags.size(), ")");
    }

    // Normalized text without added tokens -> ids.
    void encode_plain(std::string_view text, std::vector<int32_t>& out) const {
        thread_local PieceBuffer pieces;
        pieces.clear();
        pre_tokenizer.split(text, pieces);
        for (std::string_view piece : pieces.pieces) bpe->encode_piece(piece, out);
    }

    // Raw text that holds no normalized=false added token -> ids.
    void encode_unnormalized(std::string_view text, bool parse_special, std::vector<int32_t>& out) const {
        std::string normalized_storage;
        if (!normalizer.empty()) normalized_storage = normalizer.apply(text);
        const std::string_view normalized = normalizer.empty() ? text : std::string_view(normalized_storage);
        if (!parse_special || normalized_matcher.empty()) return encode_plain(normalized, out);
        std::vector<TextSegment> segments;
        normalized_matcher.split(normalized, segments);
        for (const TextSegment& s : segments) {
            if (s.id >= 0) out.push_back(s.id);
            else encode_plain(normalized.substr(s.start, s.end - s.start), out);
        }
    }
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::load(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string file = fs::is_directory(path, ec) ? (fs::path(path) / "tokenizer.json").string() : path;
    WHALE_CHECK(fs::is_regular_file(file, ec), "tokenizer not found: ", file,
                " (expected a model directory holding tokenizer.json, or the tokenizer.json file)");
    return from_json_text(read_file(file), file);
}

Tokenizer Tokenizer::from_json_text(std::string_view json_text, const std::string& source) {
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(json_text.begin(), json_text.end());
    } catch (const nlohmann::json::exception& e) {
        fail(source, ": not valid JSON (truncated or corrupt file?): ", e.what());
    }
    WHALE_CHECK(root.is_object(), source, ": expected a JSON object at the top level, got ", root.type_name());
    return Tokenizer(std::make_unique<Impl>(root, source));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
    std::vector<int32_t> ids;
    ids.reserve(text.size() / 3 + 4);
    encode_append(text, options, ids);
    return ids;
}

void Tokenizer::encode_append(std::string_view text, const EncodeOptions& options, std::vector<int32_t>& out) const {
    const size_t bad = utf8_find_invalid(text);
    WHALE_CHECK(bad == std::string_view::npos, "tokenizer: input text is not valid UTF-8: byte 0x", std::hex,
                int(uint8_t(text[bad])), std::dec, " at offset ", bad);
    const Impl& m = *impl_;
    if (!options.parse_special || m.raw_matcher.empty()) return m.encode_unnormalized(text, options.parse_special, out);
    std::vector<TextSegment> segments;
    m.raw_matcher.split(text, segments);
    for (const TextSegment& s : segments) {
        if (s.id >= 0) out.push_back(s.id);
        else m.encode_unnormalized(text.substr(s.start, s.end - s.start), true, out);
    }
}

std::string Tokenizer::decode(std::span<const int32_t> ids, const DecodeOptions& options) const {
    std::string bytes;
    for (int32_t id : ids) {
        impl_->check_id(id);
        if (options.skip_special && (impl_->flags[size_t(id)] & TokenFlag_special)) continue;
        bytes += token_bytes(id);
    }
    std::string text;
    text.reserve(bytes.size());
    utf8_append_lossy(text, bytes);
    return text;
}

std::string_view Tokenizer::token_bytes(int32_t id) const {
    impl_->check_id(id);
    const uint32_t begin = impl_->bytes_offset[size_t(id)], end = impl_->bytes_offset[size_t(id) + 1];
    return std::string_view(impl_->bytes_arena).substr(begin, end - begin);
}

const std::string& Tokenizer::id_to_token(int32_t id) const {
    impl_->check_id(id);
    return impl_->token_strings[size_t(id)];
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
    auto it = impl_->added_by_content.find(std::string(token));
    if (it != impl_->added_by_content.end()) return it->second;
    return impl_->bpe->token_to_id(token);
}

bool Tokenizer::is_special(int32_t id) const {
    impl_->check_id(id);
    return impl_->flags[size_t(id)] & TokenFlag_special;
}

bool Tokenizer::is_added(int32_t id) const {
    impl_->check_id(id);
    return impl_->flags[size_t(id)] & TokenFlag_added;
}

int32_t Tokenizer::n_ids() const { return int32_t(impl_->flags.size()); }

}  // namespace whale
