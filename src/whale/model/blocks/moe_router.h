// Expert selection for DeepSeek MoE layers (docs/models/moe_routing.md): V2 softmax with greedy or
// group-limited-greedy top-k, V3 sigmoid "noaux_tc" with a selection-only correction bias.
#pragma once

#include <cstdint>

namespace whale {

enum class RouterScoring { RouterScoring_softmax, RouterScoring_sigmoid };
enum class RouterSelection {
    RouterSelection_greedy,               // plain top-K of the scores
    RouterSelection_group_limited_greedy, // V2: groups ranked by their best score
    RouterSelection_noaux_tc,             // V3: biased scores, groups ranked by their best two
};

struct RouterSettings {
    int64_t n_experts = 0;      // E
    int64_t top_k = 0;          // K
    int64_t n_group = 1;
    int64_t topk_group = 1;
    RouterScoring scoring = RouterScoring::RouterScoring_softmax;
    RouterSelection selection = RouterSelection::RouterSelection_greedy;
    bool normalize = false;     // renormalise the K weights to sum 1 (before scaling)
    float scale = 1.0f;         // routed_scaling_factor
};

// Chooses K experts for one token. logits [E] f32 router output; bias [E] or nullptr (noaux_tc).
// Writes expert ids [K] and weights [K]. scratch needs 2·E floats.
void route_token(int32_t* experts, float* weights, const float* logits, const float* bias,
                 const RouterSettings& settings, float* scratch);

}  // namespace whale
