// The hand-off between the scheduler thread, which produces a request's tokens, and the thread that
// serves the request, which consumes them: a small locked queue plus a finish reason and a
// cancellation flag. The consumer cancels when its client goes away or a stop string matched; the
// scheduler notices before its next step and frees the sequence's cache blocks.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace whale {

enum class FinishReason {
    FinishReason_none,       // still running
    FinishReason_eos,        // an end-of-sequence token (not reported as a token)
    FinishReason_length,     // max_tokens or the context limit
    FinishReason_cancelled,  // the consumer cancelled
    FinishReason_error,      // see error()
};

struct GeneratedToken {
    int32_t token = 0;
    float logprob = 0.0f;                         // log-probability under the model (when asked)
    std::vector<std::pair<int32_t, float>> top;   // most likely alternatives, best first (when asked)
};

class GenerationStream {
public:
    // Consumer: waits up to `wait` for tokens or the finish, moves what arrived into `out`.
    // Returns the finish reason once every token before it has been taken.
    FinishReason next(std::vector<GeneratedToken>& out, std::chrono::milliseconds wait);
    void cancel() { cancelled_.store(true); }
    bool cancelled() const { return cancelled_.load(); }
    std::string error() const;

    // Set when the scheduler first admits the request.
    int64_t prompt_tokens() const { return prompt_tokens_.load(); }
    int64_t cached_tokens() const { return cached_tokens_.load(); }
    // The end-of-sequence token that finished the stream (FinishReason_eos), else -1.
    int32_t eos_token() const { return eos_token_.load(); }

    // Producer (scheduler thread).
    void admitted(int64_t prompt_tokens, int64_t cached_tokens);
    void push(GeneratedToken token);
    void finish(FinishReason reason, std::string error = {}, int32_t eos_token = -1);
    bool finished() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<GeneratedToken> pending_;
    FinishReason finish_ = FinishReason::FinishReason_none;
    std::string error_;
    std::atomic<bool> cancelled_{false};
    std::atomic<int64_t> prompt_tokens_{0};
    std::atomic<int64_t> cached_tokens_{-1};
    std::atomic<int32_t> eos_token_{-1};
};

}  // namespace whale
