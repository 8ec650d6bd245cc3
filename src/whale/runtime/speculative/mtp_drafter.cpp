#include "whale/runtime/speculative/mtp_drafter.h"

#include "whale/core/error.h"

namespace whale {

MtpDrafter::MtpDrafter(const Engine& engine) : engine_(engine) {
    engine.drafting_cache_layout();  // throws, naming the reason, when the model has no MTP layer
}

std::vector<int32_t> MtpDrafter::propose(const DraftContext& ctx, int n_draft, const ChooseDraft& choose) {
    std::vector<int32_t> drafts;
    if (n_draft <= 0) return drafts;
    const std::vector<int32_t>& committed = ctx.session.tokens();
    const int64_t position = int64_t(committed.size()), start = position - ctx.n_new;
    WHALE_CHECK(ctx.n_new > 0 && start >= 0, "MTP drafter: needs the hidden states of the newest committed positions");
    // Row i pairs h_i with t_{i+1}: the committed tokens after `start`, then the pending one.
    Engine::PredictEntry catch_up{&ctx.session, start, {}, ctx.new_hidden, false};
    catch_up.tokens.assign(committed.begin() + long(start + 1), committed.end());
    catch_up.tokens.push_back(ctx.next_token);
    Engine::PredictOutput out = engine_.predict({catch_up}).front();
    const int64_t d = engine_.model().hidden_size;
    std::vector<float> hidden(out.hidden.end() - long(d), out.hidden.end());  // [1, D] the newest row's output
    drafts.push_back(choose(out.logits.data()));
    for (int depth = 1; depth < n_draft; ++depth) {
        // The draft just made sits at position `position + depth`; the row before it predicts the next.
        Engine::PredictEntry chained{&ctx.session, position + depth - 1, {drafts.back()}, hidden.data(), false};
        out = engine_.predict({chained}).front();
        hidden = out.hidden;
        drafts.push_back(choose(out.logits.data()));
    }
    return drafts;
}

}  // namespace whale
