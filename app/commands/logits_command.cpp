// `whale logits -m MODEL --tokens 1,2,3 -o out.safetensors`: F32 `logits` [T, vocab] for every
// position, the interface golden tests and outside checks use.
#include <cstdio>

#include "commands.h"
#include "token_list.h"
#include "whale/formats/safetensors/safetensors_writer.h"
#include "whale/runtime/engine.h"

namespace whale::app {

CommandRun register_logits_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("logits", "Write the logits of every prompt position to a safetensors file");
    struct Args {
        std::string model, tokens, output;
        int threads = 0;
        std::string attention = "auto";
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("-m,--model", args->model, "Model directory")->required();
    cmd->add_option("--tokens", args->tokens, "Comma-separated token ids")->required();
    cmd->add_option("-o,--output", args->output, "Output .safetensors file (tensor 'logits' [T, vocab] F32)")->required();
    cmd->add_option("-t,--threads", args->threads, "Threads (default: all cores)");
    cmd->add_option("--attention", args->attention, "MLA path: auto, explicit or absorbed")
        ->check(CLI::IsMember({"auto", "explicit", "absorbed"}));
    return [args]() {
        std::vector<int32_t> tokens = parse_token_list(args->tokens);
        EngineOptions options;
        options.n_threads = args->threads;
        auto engine = Engine::load(args->model, options);
        auto session = engine->new_session();
        AppendOptions append;
        append.all_logits = true;
        if (args->attention == "explicit") append.attention = AttentionPath::AttentionPath_explicit;
        if (args->attention == "absorbed") append.attention = AttentionPath::AttentionPath_absorbed;
        std::vector<float> logits = session->append(tokens, append);
        TensorView view;
        view.name = "logits";
        view.dtype = DType::DType_f32;
        view.shape = {int64_t(tokens.size()), engine->model().vocab_size};
        view.data = logits.data();
        view.nbytes = logits.size() * sizeof(float);
        write_safetensors(args->output, {view});
        std::fprintf(stderr, "wrote logits [%zu, %lld] to %s\n", tokens.size(), (long long)engine->model().vocab_size,
                     args->output.c_str());
        return 0;
    };
}

}  // namespace whale::app
