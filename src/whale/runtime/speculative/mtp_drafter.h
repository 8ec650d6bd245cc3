// Drafting with the model's own multi-token-prediction layer (docs/models/deepseek_v3.md,
// 'The MTP layer'). Each call first writes the MTP rows of the positions committed since the last call,
// pairing each position's main hidden state with the token that followed it (the newest with the
// pending token); the last of those rows proposes the first draft. Deeper drafts feed the layer its
// own normed output and the draft just chosen, one position further each time (as SGLang chains
// it). Those speculative rows are rewritten by the next call, so rejected drafts leave nothing
// behind.
#pragma once

#include "whale/runtime/speculative/drafter.h"

namespace whale {

class MtpDrafter : public Drafter {
public:
    // The engine must have an MTP layer and its sessions must come from new_drafting_session().
    explicit MtpDrafter(const Engine& engine);

    std::vector<int32_t> propose(const DraftContext& ctx, int n_draft, const ChooseDraft& choose) override;

private:
    const Engine& engine_;
};

}  // namespace whale
