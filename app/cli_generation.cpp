#include "cli_generation.h"

#include "chat_output.h"
#include "interrupt.h"
#include "whale/core/error.h"

namespace whale::app {

EngineOptions text_engine_options(int threads, int64_t ctx, const KernelFlags& kernel, const std::string& chat_format) {
    EngineOptions options;
    options.n_threads = threads;
    options.max_context = ctx;
    options.repack_weights = !kernel.no_repack;
    options.load_text = true;
    options.chat_format = chat_format;
    return options;
}

std::unique_ptr<Scheduler> cli_scheduler(const Engine& engine, int n_draft) {
    SchedulerOptions options;
    options.max_running = 1;
    options.n_draft = n_draft;
    // Small blocks: a chat's next turn finds all but the last few tokens of the last one cached.
    options.block_positions = 4;
    options.n_blocks = (engine.max_context() + options.block_positions - 1) / options.block_positions;
    // A prompt is one forward, as one sequence at a time leaves nothing to interleave it with.
    options.max_batch_tokens = engine.max_context();
    return std::make_unique<Scheduler>(engine, options);
}

FinishReason read_stream(GenerationStream& stream, const std::function<void(const GeneratedToken&)>& on_token) {
    std::atomic<bool>& interrupted = interrupt_flag();
    interrupted.store(false);
    std::vector<GeneratedToken> tokens;
    FinishReason finish = FinishReason::FinishReason_none;
    while (finish == FinishReason::FinishReason_none) {
        if (interrupted.exchange(false)) stream.cancel();
        tokens.clear();
        finish = stream.next(tokens, std::chrono::milliseconds(50));
        for (const GeneratedToken& t : tokens) on_token(t);
    }
    if (finish == FinishReason::FinishReason_error) fail(stream.error());
    return finish;
}

PrintedTurn print_turn(Turn& turn) {
    std::atomic<bool>& interrupted = interrupt_flag();
    interrupted.store(false);
    ChatPrinter printer;
    PrintedTurn printed;
    while (printed.end == TurnEnd::TurnEnd_running) {
        if (interrupted.exchange(false)) turn.cancel();
        const TurnUpdate update = turn.poll(std::chrono::milliseconds(50));
        for (const ChatEvent& e : update.events) {
            printer.print(e);
            if (e.kind == ChatEventKind::ChatEventKind_reasoning) printed.reasoning += e.text;
            if (e.kind == ChatEventKind::ChatEventKind_content) printed.content += e.text;
        }
        printed.end = update.end;
    }
    printer.finish();
    if (printed.end == TurnEnd::TurnEnd_error) fail(turn.error());
    return printed;
}

size_t generated_tokens(const Turn& turn) {
    return turn.generated().size() + (turn.finish_reason() == FinishReason::FinishReason_eos ? 1 : 0);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace whale::app
