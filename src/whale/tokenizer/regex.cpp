// PCRE2 glue: compile with UTF + UCP, JIT when available, and match with per-thread match data and
// a per-thread JIT stack (large enough for very long whitespace or letter runs).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "whale/tokenizer/regex.h"

#include <pcre2.h>

#include "whale/core/error.h"

namespace whale {

namespace {

std::string pcre2_message(int code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof buffer);
    return reinterpret_cast<const char*>(buffer);
}

// Match state owned by each thread: pcre2 match data is not thread safe, and allocating it per
// call would cost more than many of the matches themselves.
struct MatchScratch {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    pcre2_jit_stack* jit_stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);

    MatchScratch() {
        WHALE_CHECK(data && context && jit_stack, "tokenizer: out of memory creating regex match state");
        pcre2_jit_stack_assign(context, nullptr, jit_stack);
    }
    ~MatchScratch() {
        pcre2_jit_stack_free(jit_stack);
        pcre2_match_context_free(context);
        pcre2_match_data_free(data);
    }
};

MatchScratch& scratch() {
    thread_local MatchScratch s;
    return s;
}

}  // namespace

Regex::Regex(std::string_view pattern, bool literal, const std::string& where) : where_(where) {
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    const uint32_t options = PCRE2_UTF | PCRE2_UCP | (literal ? PCRE2_LITERAL : 0u);
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                                     &error_code, &error_offset, nullptr);
    if (!code)
        fail(where, ": invalid regex at offset ", error_offset, ": ", pcre2_message(error_code), " (pattern: ",
             std::string(pattern), ")");
    // JIT is an optimisation only: without it (unsupported CPU) pcre2_match interprets.
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    code_ = code;
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

Regex::Regex(Regex&& other) noexcept : code_(other.code_), where_(std::move(other.where_)) { other.code_ = nullptr; }

bool Regex::find(std::string_view subject, size_t from, size_t& match_start, size_t& match_end) const {
    MatchScratch& s = scratch();
    const int rc = pcre2_match(static_cast<const pcre2_code*>(code_), reinterpret_cast<PCRE2_SPTR>(subject.data()),
                               subject.size(), from, PCRE2_NO_UTF_CHECK, s.data, s.context);
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc < 0) fail(where_, ": regex match failed: ", pcre2_message(rc));
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(s.data);
    match_start = ovector[0];
    match_end = ovector[1];
    return true;
}

}  // namespace whale
