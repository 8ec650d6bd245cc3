#include "text_model.h"

#include "whale/core/error.h"
#include "whale/text/model_text_assets.h"

namespace whale::app {

TextModel load_text_model(const std::string& model_dir, const std::string& chat_format, int threads, int64_t ctx,
                          bool repack) {
    TextModel m;
    EngineOptions options;
    options.n_threads = threads;
    options.max_context = ctx;
    options.repack_weights = repack;
    m.engine = Engine::load(model_dir, options);
    m.tokenizer = std::make_unique<Tokenizer>(load_model_tokenizer(model_dir));
    WHALE_CHECK(m.tokenizer->n_ids() <= m.engine->model().vocab_size, model_dir, ": tokenizer has ",
                m.tokenizer->n_ids(), " ids but the model's vocabulary is ", m.engine->model().vocab_size);
    m.format = chat_format.empty() ? detect_model_chat_format(model_dir) : chat_format_from_name(chat_format);
    m.defaults = model_generation_defaults(model_dir);
    return m;
}

}  // namespace whale::app
