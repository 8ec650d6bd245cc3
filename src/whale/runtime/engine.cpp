#include "whale/runtime/engine.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "whale/core/error.h"
#include "whale/core/progress_bar.h"
#include "whale/core/system_memory.h"
#include "whale/core/random_normal.h"
#include "whale/core/thread_pool.h"
#include "whale/model/multi_token_predictor.h"
#include "whale/model/registry.h"
#include "whale/runtime/kv_cache/latent_cache.h"
#include "whale/runtime/generation_config.h"
#include "whale/text/model_text_assets.h"

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

std::unique_ptr<ModelText> load_model_text(const std::string& model_path, const std::string& chat_format,
                                           int64_t vocab_size) {
    auto text = std::make_unique<ModelText>();
    text->tokenizer = std::make_shared<const Tokenizer>(load_model_tokenizer(model_path));
    WHALE_CHECK(text->tokenizer->n_ids() <= vocab_size, model_path, ": tokenizer has ", text->tokenizer->n_ids(),
                " ids but the model's vocabulary is ", vocab_size);
    text->format = chat_format.empty() ? detect_model_chat_format(model_path) : chat_format_from_name(chat_format);
    text->defaults = model_generation_defaults(model_path);
    return text;
}

}  // namespace

void StepBatch::clear() {
    batch_.sequences.clear();
    tokens_.clear();
}

void StepBatch::add(LatentKvStore& cache, int64_t start, std::span<const int32_t> tokens, bool all_logits) {
    WHALE_CHECK(!tokens.empty(), "a batch entry has no tokens");
    WHALE_CHECK(start >= 0 && start + int64_t(tokens.size()) <= cache.capacity(), "batch entry [", start, ", ",
                start + int64_t(tokens.size()), ") outside its cache's ", cache.capacity(), " positions");
    batch_.sequences.push_back({&cache, start, int64_t(tokens.size()), all_logits});
    tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
    batch_.tokens = tokens_.data();
}

void StepBatch::set_options(const AppendOptions& options) {
    batch_.attention = options.attention;
    batch_.on_layer_output = options.on_layer_output;
}

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
    engine->finish_setup(options);
    if (options.load_text)
        engine->text_ = load_model_text(model_path, options.chat_format, engine->model().vocab_size);
    engine->load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return engine;
}

std::unique_ptr<Engine> Engine::create(std::unique_ptr<CausalLM> model, const EngineOptions& options) {
    std::unique_ptr<Engine> engine(new Engine());
    engine->model_ = std::move(model);
    engine->finish_setup(options);
    return engine;
}

void Engine::finish_setup(const EngineOptions& options) {
    pool_ = std::make_unique<ThreadPool>(options.n_threads);
    const int64_t model_max = model_->summary().max_position;
    const int64_t default_max = std::min<int64_t>(model_max > 0 ? model_max : default_max_context, default_max_context);
    max_context_ = options.max_context > 0 ? options.max_context : default_max;
    WHALE_CHECK(model_max <= 0 || max_context_ <= model_max, "context ", max_context_,
                " exceeds the model's max_position_embeddings ", model_max);
}

Engine::~Engine() = default;

const ModelText& Engine::text() const {
    WHALE_CHECK(text_ != nullptr, "this engine was loaded without its tokenizer (EngineOptions::load_text)");
    return *text_;
}

std::unique_ptr<Session> Engine::new_session() const {
    return new_session(std::make_unique<LatentCache>(model_->cache_layout(), max_context_));
}

std::unique_ptr<Session> Engine::new_session(std::unique_ptr<SessionCache> cache) const {
    return std::make_unique<Session>(*this, std::move(cache));
}

void Engine::forward(StepBatch& batch, float* logits, float* final_hidden) const {
    std::lock_guard<std::mutex> lock(compute_mutex_);
    batch.batch_.final_hidden = final_hidden;  // this call's target only
    model_->forward_batch(batch.batch_, logits, *pool_);
    batch.batch_.final_hidden = nullptr;
}

CacheLayout Engine::drafting_cache_layout() const {
    const MultiTokenPredictor* mtp = model_->mtp();
    WHALE_CHECK(mtp != nullptr, "this model has no multi-token-prediction layer (its checkpoint carries no layer ",
                model_->summary().n_layers, " MTP tensors), so it cannot draft tokens");
    return model_->cache_layout().extended_to(mtp->cache_layer() + 1);
}

void Engine::predict(const StepBatch& batch, const float* hidden, float* hidden_out, float* logits) const {
    const MultiTokenPredictor* mtp = model_->mtp();
    WHALE_CHECK(mtp != nullptr, "predict: this model has no multi-token-prediction layer");
    std::lock_guard<std::mutex> lock(compute_mutex_);
    mtp->predict(batch.batch_, hidden, hidden_out, logits, *pool_);
}

void Engine::fill_synthetic(LatentKvStore& cache, const CacheLayout& layout, int64_t from, int64_t to,
                            uint64_t seed) const {
    for (int layer = 0; layer < layout.n_layers(); ++layer)
        for (int64_t p = from; p < to; ++p)
            random_normal_row(cache.row(layer, p), layout.row_width(layer), 1.0f, seed, uint64_t(layer), uint64_t(p));
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
    const int64_t start = position();
    cache_->reserve(start + int64_t(tokens.size()));
    batch_.clear();
    batch_.add(*cache_, start, tokens, options.all_logits);
    batch_.set_options(options);
    logits.resize(static_cast<size_t>(batch_.n_logit_rows() * engine_.model().vocab_size));
    engine_.forward(batch_, logits.data());
    batch_.set_options({});  // the caller's callback may not outlive this call
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

const ModelSummary& Session::model() const { return engine_.model(); }

int64_t Session::cache_bytes_allocated() const { return cache_->bytes_allocated(); }
int64_t Session::cache_bytes_per_token() const { return cache_->bytes_per_token(); }

}  // namespace whale
