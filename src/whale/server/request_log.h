// Per-request facts the handler learns and the access log line reports (tokens, a 499 when the
// client left mid-stream). HTTP handlers and their stream writers run on the request's own thread,
// so a thread-local record is enough.
#pragma once

#include <chrono>
#include <cstdint>

namespace whale::server {

struct RequestRecord {
    std::chrono::steady_clock::time_point start;
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
    int status_override = 0;  // e.g. 499 when the client disconnected after the 200 was sent
};

RequestRecord& current_request();

}  // namespace whale::server
