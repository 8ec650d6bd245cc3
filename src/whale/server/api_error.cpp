#include "whale/server/api_error.h"

namespace whale::server {

std::string api_error_type(ApiFlavor flavor, int status) {
    const bool anthropic = flavor == ApiFlavor::ApiFlavor_anthropic;
    switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return anthropic ? "request_too_large" : "invalid_request_error";
    case 429: return anthropic ? "rate_limit_error" : "rate_limit_exceeded";
    case 499: return "request_cancelled";
    case 503: return anthropic ? "overloaded_error" : "server_overloaded";
    default: return status >= 500 ? (anthropic ? "api_error" : "server_error") : "invalid_request_error";
    }
}

nlohmann::json api_error_body(ApiFlavor flavor, int status, const std::string& message, const std::string& param) {
    const std::string type = api_error_type(flavor, status);
    if (flavor == ApiFlavor::ApiFlavor_anthropic)
        return {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
    return {{"error",
             {{"message", message},
              {"type", type},
              {"param", param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param)},
              {"code", nullptr}}}};
}

}  // namespace whale::server
