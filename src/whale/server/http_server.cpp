#include "whale/server/http_server.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "whale/core/error.h"
#include "whale/server/anthropic_messages.h"
#include "whale/server/api_error.h"
#include "whale/server/chat_submit.h"
#include "whale/server/openai_chat.h"
#include "whale/server/openai_completions.h"
#include "whale/server/openai_responses.h"
#include "whale/server/request_fields.h"
#include "whale/server/request_log.h"

namespace whale::server {

namespace {

ApiFlavor flavor_of(const std::string& path) {
    return path.rfind("/v1/messages", 0) == 0 ? ApiFlavor::ApiFlavor_anthropic : ApiFlavor::ApiFlavor_openai;
}

void set_error(httplib::Response& response, const std::string& path, int status, const std::string& message,
               const std::string& param = {}) {
    response.status = status;
    response.set_content(json_text(api_error_body(flavor_of(path), status, message, param)), "application/json");
}

// Runs a handler, turning what it throws into the route's error body.
httplib::Server::Handler guarded(ServerContext& context,
                                 void (*handler)(ServerContext&, const httplib::Request&, httplib::Response&)) {
    return [&context, handler](const httplib::Request& request, httplib::Response& response) {
        try {
            handler(context, request, response);
        } catch (const ApiError& e) {
            set_error(response, request.path, e.status(), e.what(), e.param());
        } catch (const Error& e) {
            set_error(response, request.path, 400, e.what());
        } catch (const std::exception& e) {
            set_error(response, request.path, 500, std::string("internal error: ") + e.what());
        }
    };
}

bool constant_time_equal(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size(); ++i) diff |= uint8_t(a[i] ^ b[i % std::max<size_t>(b.size(), 1)]);
    return diff == 0;
}

}  // namespace

HttpServer::HttpServer(ServerContext& context) : context_(context) {
    const int threads = context.options.http_threads;
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
    server_.set_payload_max_length(size_t(context.options.max_body_bytes));
    server_.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
        current_request() = RequestRecord{std::chrono::steady_clock::now()};
        bool handled = false;
        check_api_key(request, response, &handled);
        return handled ? httplib::Server::HandlerResponse::Handled : httplib::Server::HandlerResponse::Unhandled;
    });
    server_.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty() || response.is_chunked_content_provider_) return;
        const int status = response.status;
        set_error(response, request.path, status,
                  status == 413 ? "request body is larger than the server's limit"
                  : status == 404 ? "no route for " + request.method + " " + request.path
                                  : "request failed with HTTP status " + std::to_string(status));
    });
    server_.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
        const RequestRecord& record = current_request();
        const int status = record.status_override ? record.status_override : response.status;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - record.start).count();
        std::fprintf(stderr, "%s %s %d prompt_tokens=%lld completion_tokens=%lld %.3fs\n", request.method.c_str(),
                     request.path.c_str(), status, static_cast<long long>(record.prompt_tokens),
                     static_cast<long long>(record.completion_tokens), seconds);
        context_.metrics.record_request(status);
    });
    add_routes();
}

void HttpServer::check_api_key(const httplib::Request& request, httplib::Response& response, bool* handled) const {
    const std::string& key = context_.options.api_key;
    if (key.empty() || request.path == "/health") return;
    std::string given = request.get_header_value("x-api-key");
    const std::string authorization = request.get_header_value("Authorization");
    if (given.empty() && authorization.rfind("Bearer ", 0) == 0) given = authorization.substr(7);
    if (constant_time_equal(given, key)) return;
    set_error(response, request.path, 401, given.empty() ? "missing API key" : "invalid API key");
    *handled = true;
}

void HttpServer::add_routes() {
    server_.Get("/health", [this](const httplib::Request&, httplib::Response& response) {
        response.set_content(context_.draining.load() ? R"({"status":"shutting_down"})" : R"({"status":"ok"})",
                             "application/json");
        if (context_.draining.load()) response.status = 503;
    });
    server_.Get("/v1/models", [this](const httplib::Request&, httplib::Response& response) {
        Json model = {{"id", context_.model_name}, {"object", "model"}, {"created", context_.created_unix},
                      {"owned_by", "whale"}, {"context_length", context_.context_length}};
        response.set_content(json_text({{"object", "list"}, {"data", Json::array({model})}}), "application/json");
    });
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
        response.set_content(context_.metrics.render(context_.scheduler->stats()), "text/plain; version=0.0.4");
    });
    server_.Post("/v1/chat/completions", guarded(context_, handle_chat_completions));
    server_.Post("/v1/completions", guarded(context_, handle_completions));
    server_.Post("/v1/responses", guarded(context_, handle_responses));
    server_.Post("/v1/messages", guarded(context_, handle_messages));
    server_.Post("/v1/messages/count_tokens", guarded(context_, handle_count_tokens));
}

int HttpServer::bind() {
    const std::string& host = context_.options.host;
    const int port = context_.options.port;
    const int bound = port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
    WHALE_CHECK(bound > 0, "cannot listen on ", host, ":", port, " (address in use or not available)");
    return bound;
}

void HttpServer::run() { server_.listen_after_bind(); }

}  // namespace whale::server
