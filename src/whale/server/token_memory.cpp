#include "whale/server/token_memory.h"

namespace whale::server {

void TokenMemory::remember(std::string text, std::vector<int32_t> tokens) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
        if (it->text == text) {
            entries_.erase(it);
            break;
        }
    entries_.push_front({std::move(text), std::move(tokens)});
    if (entries_.size() > capacity_) entries_.pop_back();
}

std::vector<int32_t> TokenMemory::encode(const std::string& text,
                                         const std::function<std::vector<int32_t>(size_t)>& encode_from) {
    std::vector<int32_t> tokens;
    size_t used = 0;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto best = entries_.end();
        for (auto it = entries_.begin(); it != entries_.end(); ++it)
            if (it->text.size() > used && text.compare(0, it->text.size(), it->text) == 0) {
                best = it;
                used = it->text.size();
            }
        if (best != entries_.end()) {
            tokens = best->tokens;
            entries_.splice(entries_.begin(), entries_, best);
        }
    }
    if (used < text.size()) {
        std::vector<int32_t> rest = encode_from(used);
        tokens.insert(tokens.end(), rest.begin(), rest.end());
    }
    return tokens;
}

}  // namespace whale::server
