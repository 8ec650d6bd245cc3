// Errors that reach an API client: an HTTP status plus the error body in the shape the client's
// SDK parses. OpenAI-style routes answer {"error": {message, type, param, code}}; the Anthropic
// route answers {"type": "error", "error": {type, message}}. Handlers throw ApiError; the HTTP
// layer turns it (and any whale::Error, as a 400) into the right body for the route.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace whale::server {

enum class ApiFlavor { ApiFlavor_openai, ApiFlavor_anthropic };

class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string message, std::string param = {})
        : std::runtime_error(message), status_(status), param_(std::move(param)) {}
    int status() const { return status_; }
    const std::string& param() const { return param_; }

private:
    int status_;
    std::string param_;
};

// The error body for a status, in the route's flavour.
nlohmann::json api_error_body(ApiFlavor flavor, int status, const std::string& message, const std::string& param = {});

// "invalid_request_error", "authentication_error", ... as each API names the class of a status.
std::string api_error_type(ApiFlavor flavor, int status);

}  // namespace whale::server
