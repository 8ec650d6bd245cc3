// A compiled PCRE2 pattern for the pre-tokenizer's Split steps. Patterns from tokenizer.json are
// written for Oniguruma (HF tokenizers); the ones DeepSeek uses (\p{..} classes, \s, lookahead)
// mean the same in PCRE2 with UTF + UCP. Patterns are JIT-compiled when the platform allows.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace whale {

class Regex {
public:
    // Compiles `pattern` (a regex, or a literal string when `literal`); `where` names its place in
    // tokenizer.json for the error message when it does not compile.
    Regex(std::string_view pattern, bool literal, const std::string& where);
    ~Regex();
    Regex(Regex&& other) noexcept;
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;
    Regex& operator=(Regex&&) = delete;

    // Finds the first match in subject[from, end) that starts at or after `from`; the subject's
    // ends bound lookarounds. Subject must be valid UTF-8. Returns false when there is none.
    bool find(std::string_view subject, size_t from, size_t& match_start, size_t& match_end) const;

private:
    void* code_ = nullptr;  // pcre2_code_8*
    std::string where_;
};

}  // namespace whale
