#include "whale/runtime/engine.h"

#include <algorithm>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "whale/core/error.h"
#include "whale/core/progress_bar.h"
#include "whale/core/thread_pool.h"
#include "whale/model/registry.h"
#include "whale/runtime/kv_cache/latent_cache.h"

namespace whale {

namespace {

uint64_t physical_memory_bytes() {
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page_size > 0 ? uint64_t(pages) * uint64_t(page_size) : 0;
}

uint64_t safetensors_bytes_under(const std::string& model_path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_regular_file(model_path, ec)) return fs::file_size(model_path, ec);
    uint64_t total = 0;
    for (const auto& entry : fs::directory_iterator(model_path, ec))
        if (entry.path().extension() == ".safetensors") total += entry.file_size(ec);
    return total;
}

}  // namespace

std::unique_ptr<Engine> Engine::load(const std::string& model_path, const EngineOptions& options) {
    auto start = std::chrono::steady_clock::now();
    std::unique_ptr<Engine> engine(new Engine());
    const uint64_t checkpoint_bytes = safetensors_bytes_under(model_path);
    ProgressBar bar("loading", int64_t(checkpoint_bytes), options.show_progress);
    LoadOptions load;
    // Pre-faulting pays off only when everything fits; past that it would evict what it just read.
    load.prefetch = options.show_progress && checkpoint_bytes < physical_memory_bytes() / 10 * 8;
    load.progress = [&bar, last = uint64_t(0)](uint64_t done, uint64_t) mutable {
        bar.advance(int64_t(done - last));
        last = done;
    };
    engine->model_ = load_causal_lm(model_path, load);
    bar.finish();
    engine->pool_ = std::make_unique<ThreadPool>(options.n_threads);
    const int64_t model_max = engine->model_->summary().max_position;
    const int64_t default_max = std::min<int64_t>(model_max > 0 ? model_max : 32768, 32768);
    engine->max_context_ = options.max_context > 0 ? options.max_context : default_max;
    WHALE_CHECK(model_max <= 0 || engine->max_context_ <= model_max, "context ", engine->max_context_,
                " exceeds the model's max_position_embeddings ", model_max);
    engine->load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return engine;
}

Engine::~Engine() = default;

std::unique_ptr<Session> Engine::new_session() const { return std::make_unique<Session>(*this); }

Session::Session(const Engine& engine)
    : engine_(engine), cache_(std::make_unique<LatentCache>(engine.model_->cache_layout(), engine.max_context_)) {}

Session::~Session() = default;

std::vector<float> Session::append(const std::vector<int32_t>& tokens, const AppendOptions& options) {
    WHALE_CHECK(!tokens.empty(), "append: no tokens given");
    const int64_t start = position();
    cache_->reserve(start + int64_t(tokens.size()));
    ForwardRequest request;
    request.tokens = tokens.data();
    request.n_tokens = int64_t(tokens.size());
    request.start_position = start;
    request.attention = options.attention;
    request.all_logits = options.all_logits;
    request.on_layer_output = options.on_layer_output;
    const int64_t vocab = engine_.model_->summary().vocab_size;
    std::vector<float> logits(size_t((options.all_logits ? request.n_tokens : 1) * vocab));
    {
        std::lock_guard<std::mutex> lock(engine_.compute_mutex_);
        engine_.model_->forward(request, *cache_, logits.data(), *engine_.pool_);
    }
    tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
    return logits;
}

void Session::rewind(int64_t position) {
    WHALE_CHECK(position >= 0 && position <= this->position(), "rewind to ", position, " outside [0, ",
                this->position(), "]");
    tokens_.resize(size_t(position));
}

int64_t Session::cache_bytes_allocated() const { return cache_->bytes_allocated(); }
int64_t Session::cache_bytes_per_token() const { return cache_->bytes_per_token(); }

}  // namespace whale
