// Server-sent events over a chunked HTTP response. The handler's step function is called again
// and again on the request's thread; it writes events and returns false to abort (the client went
// away: the request is logged as 499 and its generation cancelled when the step state is freed).
// While nothing happens a ": keep-alive" comment goes out every second, which clients ignore and
// which finds a disconnected client even while its request is still queued.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <string>

namespace whale::server {

class SseWriter {
public:
    explicit SseWriter(httplib::DataSink& sink) : sink_(sink) {}
    bool data(const std::string& json);                             // "data: json\n\n"
    bool event(const std::string& name, const std::string& json);   // "event: name\ndata: json\n\n"
    bool keep_alive();
    bool finish();  // ends the response; the step function is not called again

private:
    bool write(const std::string& text);
    httplib::DataSink& sink_;
};

void stream_sse(httplib::Response& response, std::function<bool(SseWriter&)> step);

}  // namespace whale::server
