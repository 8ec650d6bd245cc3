// What every endpoint handler shares: the serve options, the model facts the API reports, the
// scheduler that runs generation, the text <-> token seam, the chat format and the metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "whale/chat/chat_format.h"
#include "whale/runtime/scheduler.h"
#include "whale/server/metrics.h"
#include "whale/server/text_codec.h"
#include "whale/server/token_memory.h"

namespace whale::server {

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string api_key;             // empty: no authentication
    std::string served_model_name;
    int64_t max_body_bytes = 8 << 20;
    int64_t default_max_tokens = 512;
    int http_threads = 0;            // 0: derived from --parallel
};

struct ServerContext {
    ServeOptions options;
    std::string model_name;
    int64_t context_length = 0;
    int64_t vocab_size = 0;
    ChatFormat chat_format = ChatFormat::ChatFormat_v3;
    TextCodec codec;
    TokenMemory token_memory;
    int32_t eos_token = -1;
    std::shared_ptr<const std::vector<std::string>> vocab_text;  // every token's text, for grammar masks
    Scheduler* scheduler = nullptr;
    Metrics metrics;
    std::atomic<bool> draining{false};  // SIGTERM: new requests get 503
    int64_t created_unix = 0;
};

}  // namespace whale::server
