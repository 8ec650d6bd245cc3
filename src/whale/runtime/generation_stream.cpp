#include "whale/runtime/generation_stream.h"

namespace whale {

FinishReason GenerationStream::next(std::vector<GeneratedToken>& out, std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait_for(lock, wait, [&] { return !pending_.empty() || finish_ != FinishReason::FinishReason_none; });
    for (auto& token : pending_) out.push_back(std::move(token));
    pending_.clear();
    return finish_;
}

std::string GenerationStream::error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
}

void GenerationStream::admitted(int64_t prompt_tokens, int64_t cached_tokens) {
    prompt_tokens_.store(prompt_tokens);
    if (cached_tokens_.load() < 0) cached_tokens_.store(cached_tokens);  // a resume after preemption is not a hit
}

void GenerationStream::push(GeneratedToken token) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_.push_back(std::move(token));
    }
    ready_.notify_all();
}

void GenerationStream::finish(FinishReason reason, std::string error, int32_t eos_token) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (finish_ != FinishReason::FinishReason_none) return;
        finish_ = reason;
        eos_token_.store(eos_token);
        error_ = std::move(error);
    }
    ready_.notify_all();
}

bool GenerationStream::finished() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return finish_ != FinishReason::FinishReason_none;
}

}  // namespace whale
