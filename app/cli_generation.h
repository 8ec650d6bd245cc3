// The generation loop as the CLI commands run it: in process, on the same Scheduler the server
// uses, one sequence at a time (max_running = 1). Its block pool covers the engine's whole context,
// and the prefix cache keeps what a finished request computed, so a chat's next turn starts from it.
// Text commands (run, chat) read the answer through a Turn and print it with ChatPrinter.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "kernel_options.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/scheduler.h"
#include "whale/runtime/turn.h"

namespace whale::app {

// The engine options of a command that speaks text: tokenizer, chat format and defaults loaded.
EngineOptions text_engine_options(int threads, int64_t ctx, const KernelFlags& kernel, const std::string& chat_format);

// n_draft: SchedulerOptions::n_draft (speculative_options.h draft_tokens()).
std::unique_ptr<Scheduler> cli_scheduler(const Engine& engine, int n_draft = 0);

// Reads `stream` to its end, handing each token to on_token as it arrives; Ctrl-C cancels the
// request. Returns the finish reason; a stream that ended in error throws its message.
FinishReason read_stream(GenerationStream& stream, const std::function<void(const GeneratedToken&)>& on_token);

struct PrintedTurn {
    TurnEnd end = TurnEnd::TurnEnd_running;
    std::string reasoning, content;  // the texts printed
};
// Prints `turn` as it arrives (ChatPrinter) until it ends; Ctrl-C cancels it. An error throws.
PrintedTurn print_turn(Turn& turn);

// Tokens the model generated, counting the end-of-sequence token that finished the turn.
size_t generated_tokens(const Turn& turn);

// Seconds from `start` to now.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace whale::app
