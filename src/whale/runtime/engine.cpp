#include "whale/runtime/engine.h"

#include <algorithm>

#include <chrono>
#include <filesystem>

#include "whale/core/error.h"
#include "whale/core/progress_bar.h"
#include "whale/core/system_memory.h"
#include "whale/core/thread_pool.h"
#include "whale/model/bench/random_weights.h"
#include "whale/model/multi_token_predictor.h"
#include "whale/model/registry.h"
#include "whale/runtime/kv_cache/latent_cache.h"

namespace whale {

namespace {

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
    load.prefetch = options.show_progress && fits_in_memory(checkpoint_bytes);
    load.interleave_q8_0 = options.repack_weights;
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

std::unique_ptr<Session> Engine::new_session() const {
    return new_session(std::make_unique<LatentCache>(model_->cache_layout(), max_context_));
}

std::unique_ptr<Session> Engine::new_session(std::unique_ptr<SessionCache> cache) const {
    return std::make_unique<Session>(*this, std::move(cache));
}

std::vector<std::vector<float>> Engine::step(const std::vector<BatchEntry>& entries, const AppendOptions& options) const {
    ForwardBatch batch;
    std::vector<int32_t> tokens;
    for (const BatchEntry& e : entries) {
        WHALE_CHECK(e.session != nullptr && &e.session->engine_ == this, "step: session belongs to another engine");
        WHALE_CHECK(!e.tokens.empty(), "step: an entry has no tokens");
        const int64_t start = e.session->position();
        e.session->cache_->reserve(start + int64_t(e.tokens.size()));
        batch.sequences.push_back({e.session->cache_.get(), start, int64_t(e.tokens.size()), e.all_logits});
        tokens.insert(tokens.end(), e.tokens.begin(), e.tokens.end());
    }
    batch.tokens = tokens.data();
    batch.attention = options.attention;
    batch.on_layer_output = options.on_layer_output;
    if (options.final_hidden) {
        options.final_hidden->resize(static_cast<size_t>(batch.n_tokens() * model_->summary().hidden_size));
        batch.final_hidden = options.final_hidden->data();
    }
    const int64_t vocab = model_->summary().vocab_size;
    std::vector<float> logits(size_t(batch.n_logit_rows() * vocab));
    forward(batch, logits.data());
    std::vector<std::vector<float>> out;
    size_t offset = 0;
    for (const BatchEntry& e : entries) {
        const size_t rows = e.all_logits ? e.tokens.size() : 1;
        out.emplace_back(logits.begin() + long(offset), logits.begin() + long(offset + rows * size_t(vocab)));
        offset += rows * size_t(vocab);
        e.session->tokens_.insert(e.session->tokens_.end(), e.tokens.begin(), e.tokens.end());
    }
    return out;
}

void Engine::forward(const ForwardBatch& batch, float* logits) const {
    std::lock_guard<std::mutex> lock(compute_mutex_);
    model_->forward_batch(batch, logits, *pool_);
}

CacheLayout Engine::drafting_cache_layout() const {
    const MultiTokenPredictor* mtp = model_->mtp();
    WHALE_CHECK(mtp != nullptr, "this model has no multi-token-prediction layer (its checkpoint carries no layer ",
                model_->summary().n_layers, " MTP tensors), so it cannot draft tokens");
    return model_->cache_layout().extended_to(mtp->cache_layer() + 1);
}

std::unique_ptr<Session> Engine::new_drafting_session() const {
    return new_session(std::make_unique<LatentCache>(drafting_cache_layout(), max_context_));
}

std::vector<Engine::PredictOutput> Engine::predict(const std::vector<PredictEntry>& entries) const {
    const MultiTokenPredictor* mtp = model_->mtp();
    WHALE_CHECK(mtp != nullptr, "predict: this model has no multi-token-prediction layer");
    const int64_t d = model_->summary().hidden_size, vocab = model_->summary().vocab_size;
    ForwardBatch batch;
    std::vector<int32_t> tokens;
    std::vector<float> hidden;  // [N, D] the entries' input rows, concatenated
    for (const PredictEntry& e : entries) {
        WHALE_CHECK(e.session != nullptr && &e.session->engine_ == this, "predict: session belongs to another engine");
        WHALE_CHECK(!e.tokens.empty() && e.hidden != nullptr, "predict: an entry has no rows");
        WHALE_CHECK(e.start >= 0, "predict: MTP rows from negative position ", e.start);
        SessionCache& cache = *e.session->cache_;
        const int64_t n = int64_t(e.tokens.size());
        cache.reserve(e.start + n);
        batch.sequences.push_back({&cache, e.start, n, e.all_logits});
        tokens.insert(tokens.end(), e.tokens.begin(), e.tokens.end());
        hidden.insert(hidden.end(), e.hidden, e.hidden + n * d);
    }
    batch.tokens = tokens.data();
    std::vector<float> logits(static_cast<size_t>(batch.n_logit_rows() * vocab)), hidden_out(hidden.size());
    {
        std::lock_guard<std::mutex> lock(compute_mutex_);
        mtp->predict(batch, hidden.data(), hidden_out.data(), logits.data(), *pool_);
    }
    std::vector<PredictOutput> out;
    size_t logit_offset = 0, hidden_offset = 0;
    for (const PredictEntry& e : entries) {
        const size_t rows = e.all_logits ? e.tokens.size() : 1, n = e.tokens.size() * size_t(d);
        PredictOutput o;
        o.logits.assign(logits.begin() + long(logit_offset), logits.begin() + long(logit_offset + rows * size_t(vocab)));
        o.hidden.assign(hidden_out.begin() + long(hidden_offset), hidden_out.begin() + long(hidden_offset + n));
        logit_offset += rows * size_t(vocab);
        hidden_offset += n;
        out.push_back(std::move(o));
    }
    return out;
}

Session::Session(const Engine& engine, std::unique_ptr<SessionCache> cache) : engine_(engine), cache_(std::move(cache)) {}

Session::~Session() = default;

std::vector<float> Session::append(const std::vector<int32_t>& tokens, const AppendOptions& options) {
    std::vector<float> logits;
    append(tokens, logits, options);
    return logits;
}

void Session::append(std::span<const int32_t> tokens, std::vector<float>& logits, const AppendOptions& options) {
    WHALE_CHECK(!tokens.empty(), "append: no tokens given");
    const int64_t start = position(), n = int64_t(tokens.size());
    cache_->reserve(start + n);
    batch_.tokens = tokens.data();
    batch_.sequences.assign(1, SequenceInBatch{cache_.get(), start, n, options.all_logits});
    batch_.attention = options.attention;
    batch_.on_layer_output = options.on_layer_output;
    batch_.final_hidden = nullptr;
    if (options.final_hidden) {
        options.final_hidden->resize(static_cast<size_t>(n * engine_.model().hidden_size));
        batch_.final_hidden = options.final_hidden->data();
    }
    logits.resize(static_cast<size_t>(batch_.n_logit_rows() * engine_.model().vocab_size));
    engine_.forward(batch_, logits.data());
    batch_.on_layer_output = nullptr;  // the caller's callback may not outlive this call
    tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
}

void Session::reserve(int64_t n) {
    cache_->reserve(n);
    tokens_.reserve(static_cast<size_t>(n));
}

void Session::rewind(int64_t position) {
    WHALE_CHECK(position >= 0 && position <= this->position(), "rewind to ", position, " outside [0, ",
                this->position(), "]");
    tokens_.resize(size_t(position));
}

void Session::append_synthetic(int64_t n, int32_t token, uint64_t seed) {
    WHALE_CHECK(n >= 0, "append_synthetic: negative count ", n);
    const int64_t start = position();
    cache_->reserve(start + n);
    const CacheLayout layout = engine_.cache_layout();
    for (int layer = 0; layer < layout.n_layers(); ++layer)
        for (int64_t p = start; p < start + n; ++p)
            random_normal_row(cache_->row(layer, p), layout.row_width(layer), 1.0f, seed, uint64_t(layer), uint64_t(p));
    tokens_.insert(tokens_.end(), size_t(n), token);
}

const ModelSummary& Session::model() const { return engine_.model(); }

int64_t Session::cache_bytes_allocated() const { return cache_->bytes_allocated(); }
int64_t Session::cache_bytes_per_token() const { return cache_->bytes_per_token(); }

}  // namespace whale
