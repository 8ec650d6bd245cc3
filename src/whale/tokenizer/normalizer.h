// The tokenizer.json "normalizer": text rewriting applied to the text between added tokens before
// pre-tokenization. DeepSeek's is null or an empty Sequence; the simple string rewrites of other
// byte-level tokenizers (Prepend, Replace with a literal) are supported too, and anything else
// (Unicode NFC/NFKC, Lowercase, regex Replace) is rejected at load with the type named.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace whale {

enum class NormalizerKind { NormalizerKind_prepend, NormalizerKind_replace };

struct NormalizerStep {
    NormalizerKind kind;
    std::string pattern;  // replace: the literal to find
    std::string content;  // prepend: the prefix; replace: the replacement
};

class Normalizer {
public:
    // `node` is the value of "normalizer" (may be null); `where` names it for error messages.
    static Normalizer from_json(const nlohmann::json& node, const std::string& where);

    bool empty() const { return steps_.empty(); }
    std::string apply(std::string_view text) const;

private:
    void add(const nlohmann::json& node, const std::string& where);
    std::vector<NormalizerStep> steps_;
};

}  // namespace whale
