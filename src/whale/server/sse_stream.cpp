#include "whale/server/sse_stream.h"

#include <memory>

#include "whale/server/request_log.h"

namespace whale::server {

namespace {

// The last write per request thread, for keep-alive pacing.
std::chrono::steady_clock::time_point& last_write() {
    static thread_local std::chrono::steady_clock::time_point t;
    return t;
}

}  // namespace

bool SseWriter::write(const std::string& text) {
    last_write() = std::chrono::steady_clock::now();
    if (sink_.write(text.data(), text.size())) return true;
    current_request().status_override = 499;
    return false;
}

bool SseWriter::data(const std::string& json) { return write("data: " + json + "\n\n"); }

bool SseWriter::event(const std::string& name, const std::string& json) {
    return write("event: " + name + "\ndata: " + json + "\n\n");
}

bool SseWriter::keep_alive() {
    if (std::chrono::steady_clock::now() - last_write() < std::chrono::seconds(1)) return true;
    return write(": keep-alive\n\n");
}

bool SseWriter::finish() {
    sink_.done();
    return true;
}

void stream_sse(httplib::Response& response, std::function<bool(SseWriter&)> step) {
    last_write() = std::chrono::steady_clock::now();
    response.set_header("Cache-Control", "no-cache");
    response.set_chunked_content_provider("text/event-stream", [step = std::move(step)](size_t, httplib::DataSink& sink) {
        SseWriter writer(sink);
        return step(writer);
    });
}

}  // namespace whale::server
