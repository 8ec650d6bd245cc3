// Constrained decoding to JSON: a token mask built by running each vocabulary token's text through
// the schema grammar, over the request's JSON Schema or over any JSON object. Optionally framed by forced token sequences (a tool call's opening markers and
// name before the arguments object, its closing markers after), then end-of-sequence. A token is
// allowed only if the object can still be closed within the tokens left after it, so the output
// always parses, even from a random-weight model.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "whale/runtime/sampling/token_constraint.h"
#include "whale/runtime/sampling/json_schema_grammar.h"

namespace whale {

class JsonConstraint : public TokenConstraint {
public:
    // vocab_text[id]: the text of every token. max_tokens: the request's generation budget.
    // schema: null for any JSON object, else the output follows it.
    JsonConstraint(std::shared_ptr<const std::vector<std::string>> vocab_text, std::vector<int32_t> prefix,
                   std::vector<int32_t> suffix, int32_t eos_token, int64_t max_tokens,
                   std::shared_ptr<const JsonSchema> schema = nullptr);

    void mask(float* logits, int64_t vocab_size) override;
    void accept(int32_t token) override;

    // Tokens the shortest constrained output needs (prefix, the shortest value, suffix, end-of-sequence).
    int64_t min_tokens() const;

private:
    static std::shared_ptr<const JsonSchema> any_object();
    bool allowed(int32_t token, int64_t budget) const;
    static void force(float* logits, int64_t vocab_size, int32_t token);

    std::shared_ptr<const std::vector<std::string>> vocab_text_;
    std::vector<int32_t> prefix_;
    std::vector<int32_t> suffix_;
    int32_t eos_;
    int64_t remaining_;  // tokens still allowed, counting the suffix and end-of-sequence
    size_t forced_ = 0;  // position in prefix_ (then in suffix_)
    bool in_json_ = false;
    std::shared_ptr<const JsonSchema> schema_;  // kept alive for grammar_
    SchemaGrammar grammar_;
};

}  // namespace whale
