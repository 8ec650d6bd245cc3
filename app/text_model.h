// What `run` and `chat` load together: the engine, the tokenizer next to the weights, the chat
// family and the model's default sampling.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "whale/chat/chat_format.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/generation_config.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale::app {

struct TextModel {
    std::unique_ptr<Engine> engine;
    std::unique_ptr<Tokenizer> tokenizer;
    ChatFormat format = ChatFormat::ChatFormat_v3;
    GenerationDefaults defaults;
};

// chat_format: a name to override detection, or empty.
// repack: EngineOptions::repack_weights.
TextModel load_text_model(const std::string& model_dir, const std::string& chat_format, int threads, int64_t ctx,
                          bool repack);

}  // namespace whale::app
