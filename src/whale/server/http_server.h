// The HTTP side of `whale serve`: routes, API-key checks, body-size limit, API-shaped errors for
// everything that goes wrong (the flavour follows the route: Anthropic under /v1/messages, OpenAI
// elsewhere), and one access-log line per request (method, path, status, tokens, latency).
#pragma once

#include <httplib.h>

#include "whale/server/server_context.h"

namespace whale::server {

class HttpServer {
public:
    explicit HttpServer(ServerContext& context);
    // Binds host:port (port 0 picks a free one); throws whale::Error when it cannot.
    int bind();
    // Serves until stop(); returns after in-flight handlers have finished.
    void run();
    void stop() { server_.stop(); }

private:
    void add_routes();
    void check_api_key(const httplib::Request& request, httplib::Response& response, bool* handled) const;

    ServerContext& context_;
    httplib::Server server_;
};

}  // namespace whale::server
