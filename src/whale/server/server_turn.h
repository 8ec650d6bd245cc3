// How the API handlers open and close a Turn (runtime/turn.h, the one token-to-text path): the
// decoding options of a chat or a raw-completion turn, and what the server keeps once a turn ended
// (the request log's token counts, the metrics, and a chat conversation's exact ids in token memory).
#pragma once

#include <string>
#include <vector>

#include "whale/runtime/turn.h"
#include "whale/server/chat_submit.h"
#include "whale/server/server_context.h"

namespace whale::server {

// A chat turn in the server's chat format, starting in reasoning when the prompt leaves it there.
TurnDecoderOptions chat_turn_options(const ServerContext& context, const PreparedPrompt& prompt,
                                     std::vector<std::string> stops);
// A raw completion: no chat parsing, whatever the model writes is the answer.
TurnDecoderOptions completion_turn_options(std::vector<std::string> stops);

// Call once, when the turn has ended. With `chat_prompt`, a turn that ended normally (not an error,
// not cancelled) is remembered in token memory, so the next turn of the conversation reuses its ids.
void record_turn(ServerContext& context, const Turn& turn, const PreparedPrompt* chat_prompt);

// "call_<random hex>": unique ids for tool calls and responses.
std::string random_id(const std::string& prefix);

}  // namespace whale::server
