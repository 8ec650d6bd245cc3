// Streaming chat-output parser (see chat_parser.h). Each state scans `pending_` for the markers
// that may end it; text before the earliest marker is emitted, text that could still become a
// marker waits. Tool grammars, as the official formats write them:
//   V3/R1/R1-Distill  <｜tool▁calls▁begin｜>(<｜tool▁call▁begin｜>TYPE<｜tool▁sep｜>NAME\n```json\nARGS\n```<｜tool▁call▁end｜>\n?)+<｜tool▁calls▁end｜>
//   V3.1              <｜tool▁calls▁begin｜>(<｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS<｜tool▁call▁end｜>)+<｜tool▁calls▁end｜>
//   V3.2 / V4         \n\n<｜DSML｜BLOCK>\n(<｜DSML｜invoke name="N">\n(<｜DSML｜parameter name="K" string="B">V</｜DSML｜parameter>\n)*</｜DSML｜invoke>\n)+</｜DSML｜BLOCK>
// DSML arguments are rebuilt as the reference decoder does: {"K": V, ...} with string values quoted.
#include "whale/chat/chat_parser.h"

#include <nlohmann/json.hpp>

#include "whale/chat/python_json.h"
#include "whale/chat/special_tokens.h"
#include "whale/core/error.h"

namespace whale {

namespace t = chat_tokens;

namespace {

// Longest names the header states wait for before calling the structure malformed.
constexpr size_t kMaxToolName = 256;

const std::string kDsml(t::dsml);

}  // namespace

ChatParser::ChatParser(ChatFormat format, bool starts_in_reasoning)
    : format_(format),
      dsml_(format == ChatFormat::ChatFormat_v3_2 || format == ChatFormat::ChatFormat_v4),
      dsml_block_(format == ChatFormat::ChatFormat_v4 ? "tool_calls" : "function_calls"),
      state_(starts_in_reasoning ? State::State_reasoning : State::State_content) {}

std::vector<ChatEvent> ChatParser::feed(std::string_view delta) {
    pending_ += delta;
    while (step()) {
    }
    return std::move(events_);
}

std::vector<ChatEvent> ChatParser::finish() {
    final_ = true;
    while (step()) {
    }
    switch (state_) {
        case State::State_reasoning:
            problems_.push_back("output ended inside reasoning (no </think>)");
            break;
        case State::State_content:
        case State::State_done: break;
        case State::State_tool_arguments:
        case State::State_dsml_parameter_value:
            problems_.push_back("output ended inside tool call arguments");
            end_tool_call();
            break;
        default: fall_back("output ended inside a tool-call block"); break;
    }
    return std::move(events_);
}

// ---- scanning primitives -------------------------------------------------------------------

ChatParser::Scan ChatParser::expect(std::string_view literal) {
    const size_t n = std::min(literal.size(), pending_.size());
    if (pending_.compare(0, n, literal, 0, n) != 0) return Scan::Scan_mismatch;
    if (n < literal.size()) return final_ ? Scan::Scan_mismatch : Scan::Scan_need_more;
    consume(literal.size());
    return Scan::Scan_found;
}

ChatParser::Scan ChatParser::read_until(std::string_view literal, size_t max_length, std::string* out) {
    const size_t at = pending_.find(literal);
    if (at == std::string::npos || at > max_length) {
        if (pending_.size() > max_length + literal.size() || final_) return Scan::Scan_mismatch;
        return Scan::Scan_need_more;
    }
    *out = pending_.substr(0, at);
    consume(at + literal.size());
    return Scan::Scan_found;
}

// How much of pending_ can be emitted now: everything except a tail that may be the start of one
// of `markers`. pending_ holds whole characters and every marker starts with one, so the cut never
// splits a character.
size_t ChatParser::safe_length(const std::vector<std::string_view>& markers) const {
    if (final_) return pending_.size();
    size_t hold = 0;
    for (std::string_view m : markers) {
        for (size_t len = std::min(m.size() - 1, pending_.size()); len > hold; --len) {
            if (pending_.compare(pending_.size() - len, len, m, 0, len) == 0) {
                hold = len;
                break;
            }
        }
    }
    return pending_.size() - hold;
}

void ChatParser::consume(size_t n) {
    unrepresented_.append(pending_, 0, n);
    pending_.erase(0, n);
}

void ChatParser::emit_text(ChatEventKind kind, std::string text) {
    if (text.empty()) return;
    if (kind == ChatEventKind::ChatEventKind_content) content_started_ = true;
    if (kind == ChatEventKind::ChatEventKind_tool_call_arguments) arguments_ += text;
    if (!events_.empty() && events_.back().kind == kind && kind != ChatEventKind::ChatEventKind_tool_call_start) {
        events_.back().text += text;
        return;
    }
    ChatEvent event{kind, std::move(text)};
    if (kind == ChatEventKind::ChatEventKind_tool_call_arguments) event.tool_index = n_tool_calls_ - 1;
    events_.push_back(std::move(event));
}

void ChatParser::start_tool_call(std::string name) {
    ChatEvent event{ChatEventKind::ChatEventKind_tool_call_start};
    event.tool_index = n_tool_calls_;
    event.id = "call_" + std::to_string(n_tool_calls_);
    event.name = std::move(name);
    events_.push_back(std::move(event));
    ++n_tool_calls_;
    tool_open_ = true;
    arguments_.clear();
    unrepresented_.clear();
}

void ChatParser::end_tool_call() {
    if (!tool_open_) return;
    if (nlohmann::json::parse(arguments_, nullptr, false).is_discarded())
        problems_.push_back(str_cat("tool call ", n_tool_calls_ - 1, ": arguments are not valid JSON: ", arguments_));
    ChatEvent event{ChatEventKind::ChatEventKind_tool_call_end};
    event.tool_index = n_tool_calls_ - 1;
    events_.push_back(std::move(event));
    tool_open_ = false;
    unrepresented_.clear();
}

// Malformed tool syntax: close any open call and emit the syntax read so far, which no event
// carries, as content; scanning goes on in content (a later well-formed block still parses).
bool ChatParser::fall_back(const std::string& why) {
    problems_.push_back(why);
    std::string syntax = std::move(unrepresented_);
    end_tool_call();
    emit_text(ChatEventKind::ChatEventKind_content, std::move(syntax));
    unrepresented_.clear();
    content_started_ = true;  // a later "<think>" is text, not a reasoning block
    state_ = State::State_content;
    return true;
}

// ---- states ---------------------------------------------------------------------------------

bool ChatParser::step() {
    switch (state_) {
        case State::State_reasoning: return step_text(ChatEventKind::ChatEventKind_reasoning);
        case State::State_content: return step_text(ChatEventKind::ChatEventKind_content);
        case State::State_done:
            if (pending_.empty()) return false;
            problems_.push_back("text after the end-of-sentence marker kept as content");
            emit_text(ChatEventKind::ChatEventKind_content, std::move(pending_));
            pending_.clear();
            return false;
        case State::State_tool_next: return step_tool_next();
        case State::State_tool_header: return step_tool_header();
        case State::State_tool_arguments: return step_tool_arguments();
        case State::State_dsml_next: return step_dsml_next();
        case State::State_dsml_invoke_name: return step_dsml_invoke_name();
        case State::State_dsml_parameter_next: return step_dsml_parameter_next();
        case State::State_dsml_parameter_name: return step_dsml_parameter_name();
        case State::State_dsml_parameter_value: return step_dsml_parameter_value();
    }
    return false;
}

// Reasoning and content: plain text up to the next marker that changes state.
bool ChatParser::step_text(ChatEventKind kind) {
    const bool reasoning = kind == ChatEventKind::ChatEventKind_reasoning;
    const std::string dsml_open = "<" + kDsml + dsml_block_ + ">";
    const std::string dsml_open_spaced = "\n\n" + dsml_open;
    std::vector<std::string_view> markers = {t::eos};
    if (reasoning) {
        markers.push_back(t::think_end);
    } else if (dsml_) {
        markers.push_back(dsml_open_spaced);
        markers.push_back(dsml_open);
    } else {
        markers.push_back(t::tool_calls_begin);
    }
    // A model may open its own reasoning block at the very start of its answer.
    const bool may_open_think = !reasoning && !content_started_;
    if (may_open_think) markers.push_back(t::think_begin);

    size_t best = std::string::npos;
    std::string_view hit;
    for (std::string_view m : markers) {
        const size_t at = pending_.find(m);
        if (at != std::string::npos && (at < best || (at == best && m.size() > hit.size()))) {
            best = at;
            hit = m;
        }
    }
    if (may_open_think && hit == t::think_begin && best != 0) {
        best = std::string::npos;  // "<think>" after some text is just text
        for (std::string_view m : markers) {
            const size_t at = m == t::think_begin ? std::string::npos : pending_.find(m);
            if (at < best) best = at, hit = m;
        }
    }
    if (best == std::string::npos) {
        const size_t n = safe_length(markers);
        emit_text(kind, pending_.substr(0, n));
        pending_.erase(0, n);
        return false;
    }
    emit_text(kind, pending_.substr(0, best));
    pending_.erase(0, best + hit.size());
    unrepresented_.clear();
    if (hit == t::eos) {
        state_ = State::State_done;
    } else if (hit == t::think_end) {
        state_ = State::State_content;
    } else if (hit == t::think_begin) {
        state_ = State::State_reasoning;
    } else {
        unrepresented_ = std::string(hit);
        state_ = dsml_ ? State::State_dsml_next : State::State_tool_next;
    }
    return true;
}

bool ChatParser::step_tool_next() {
    if (!pending_.empty() && pending_[0] == '\n') consume(1);
    if (pending_.empty()) return final_ ? fall_back("output ended inside a tool-call block") : false;
    const Scan call = expect(t::tool_call_begin);
    if (call == Scan::Scan_found) {
        state_ = State::State_tool_header;
        return true;
    }
    const Scan end = expect(t::tool_calls_end);
    if (end == Scan::Scan_found) {
        unrepresented_.clear();
        state_ = State::State_content;
        return true;
    }
    if (call == Scan::Scan_need_more || end == Scan::Scan_need_more) return false;
    return fall_back("expected <｜tool▁call▁begin｜> or <｜tool▁calls▁end｜> in the tool-call block");
}

bool ChatParser::step_tool_header() {
    const bool legacy = format_ != ChatFormat::ChatFormat_v3_1;
    const size_t mark = unrepresented_.size();
    std::string type, name;
    Scan scan = Scan::Scan_found;
    if (legacy) scan = read_until(t::tool_sep, kMaxToolName, &type);
    if (scan == Scan::Scan_found) scan = read_until(legacy ? std::string_view("\n```json\n") : t::tool_sep, kMaxToolName, &name);
    if (scan == Scan::Scan_found) {
        start_tool_call(name);
        state_ = State::State_tool_arguments;
        return true;
    }
    // Give back what was read so the header is scanned again once more text arrives.
    pending_.insert(0, unrepresented_.substr(mark));
    unrepresented_.resize(mark);
    if (scan == Scan::Scan_need_more) return false;
    return fall_back("malformed tool-call header (expected TYPE<｜tool▁sep｜>NAME or NAME<｜tool▁sep｜>)");
}

bool ChatParser::step_tool_arguments() {
    const std::string end = format_ == ChatFormat::ChatFormat_v3_1 ? std::string(t::tool_call_end)
                                                                    : "\n```" + std::string(t::tool_call_end);
    const size_t at = pending_.find(end);
    for (std::string_view stray : {t::tool_calls_end, t::eos, t::tool_call_begin}) {
        const size_t s = pending_.find(stray);
        if (s != std::string::npos && s < at) {
            emit_text(ChatEventKind::ChatEventKind_tool_call_arguments, pending_.substr(0, s));
            pending_.erase(0, s);
            return fall_back(str_cat("tool call arguments interrupted by ", stray));
        }
    }
    if (at == std::string::npos) {
        const size_t n = safe_length({end, t::tool_calls_end, t::eos, t::tool_call_begin});
        emit_text(ChatEventKind::ChatEventKind_tool_call_arguments, pending_.substr(0, n));
        pending_.erase(0, n);
        return false;
    }
    emit_text(ChatEventKind::ChatEventKind_tool_call_arguments, pending_.substr(0, at));
    pending_.erase(0, at + end.size());
    end_tool_call();
    state_ = State::State_tool_next;
    return true;
}

bool ChatParser::step_dsml_next() {
    if (!pending_.empty() && pending_[0] == '\n') consume(1);
    if (pending_.empty()) return final_ ? fall_back("output ended inside a DSML block") : false;
    const Scan invoke = expect("<" + kDsml + "invoke name=\"");
    if (invoke == Scan::Scan_found) {
        state_ = State::State_dsml_invoke_name;
        return true;
    }
    const Scan end = expect("</" + kDsml + dsml_block_ + ">");
    if (end == Scan::Scan_found) {
        unrepresented_.clear();
        state_ = State::State_content;
        return true;
    }
    if (invoke == Scan::Scan_need_more || end == Scan::Scan_need_more) return false;
    return fall_back("expected <｜DSML｜invoke name=\"...\"> or the end of the DSML block");
}

bool ChatParser::step_dsml_invoke_name() {
    std::string name;
    const Scan scan = read_until("\">", kMaxToolName, &name);
    if (scan == Scan::Scan_need_more) return false;
    if (scan == Scan::Scan_mismatch) return fall_back("malformed DSML invoke name");
    start_tool_call(name);
    n_parameters_ = 0;
    state_ = State::State_dsml_parameter_next;
    return true;
}

bool ChatParser::step_dsml_parameter_next() {
    if (!pending_.empty() && pending_[0] == '\n') consume(1);
    if (pending_.empty()) return final_ ? fall_back("output ended inside a DSML invoke") : false;
    const Scan parameter = expect("<" + kDsml + "parameter name=\"");
    if (parameter == Scan::Scan_found) {
        state_ = State::State_dsml_parameter_name;
        return true;
    }
    const Scan end = expect("</" + kDsml + "invoke>");
    if (end == Scan::Scan_found) {
        emit_text(ChatEventKind::ChatEventKind_tool_call_arguments, n_parameters_ ? "}" : "{}");
        end_tool_call();
        state_ = State::State_dsml_next;
        return true;
    }
    if (parameter == Scan::Scan_need_more || end == Scan::Scan_need_more) return false;
    return fall_back("expected <｜DSML｜parameter ...> or </｜DSML｜invoke>");
}

bool ChatParser::step_dsml_parameter_name() {
    const size_t mark = unrepresented_.size();
    std::string key, flag;
    Scan scan = read_until("\" string=\"", kMaxToolName, &key);
    if (scan == Scan::Scan_found) scan = read_until("\">", 5, &flag);
    if (scan == Scan::Scan_found && flag != "true" && flag != "false") scan = Scan::Scan_mismatch;
    if (scan != Scan::Scan_found) {
        pending_.insert(0, unrepresented_.substr(mark));
        unrepresented_.resize(mark);
        return scan == Scan::Scan_need_more ? false : fall_back("malformed DSML parameter header");
    }
    parameter_is_string_ = flag == "true";
    emit_text(ChatEventKind::ChatEventKind_tool_call_arguments, std::string(n_parameters_ ? ", " : "{") + "\"" +
                                                                     python_json_escape(key) + "\": " +
                                                                     (parameter_is_string_ ? "\"" : ""));
    ++n_parameters_;
    unrepresented_.clear();
    state_ = State::State_dsml_parameter_value;
    return true;
}

bool ChatParser::step_dsml_parameter_value() {
    const std::string end = "</" + kDsml + "parameter>";
    const size_t at = pending_.find(end);
    const size_t n = at == std::string::npos ? safe_length({end}) : at;
    std::string value = pending_.substr(0, n);
    emit_text(ChatEventKind::ChatEventKind_tool_call_arguments,
              parameter_is_string_ ? python_json_escape(value) : value);
    pending_.erase(0, n);
    if (at == std::string::npos) return false;
    pending_.erase(0, end.size());
    if (parameter_is_string_) emit_text(ChatEventKind::ChatEventKind_tool_call_arguments, "\"");
    state_ = State::State_dsml_parameter_next;
    return true;
}

}  // namespace whale
