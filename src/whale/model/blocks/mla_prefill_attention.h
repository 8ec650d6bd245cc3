// Explicit-form MLA attention for prefill (docs/models/mla.md, 'Explicit form'), tiled flash-style:
// the cached latents are expanded through kv_b_proj one tile of positions at a time and every query
// keeps an online softmax across tiles, so memory is O(tile · H · (Dn+Dv) + n · H · Dv) whatever
// the context length, where expanding all T positions at once took T · H · (Dn+Dv) floats
// (512 MiB at 32K positions for V2-Lite).
#pragma once

#include <cstdint>

#include "whale/core/thread_pool.h"
#include "whale/model/blocks/mla_attention.h"
#include "whale/model/latent_kv_store.h"

namespace whale {

// Positions per tile. Expanded, a tile is tile · H · (Dn+Dv) floats: 2 MiB for V2-Lite (H = 16),
// and one head's slice of it (128 KiB) stays in L2 for all query blocks. Each tile reads all of
// kv_b_proj once, so smaller tiles would re-read the weight more often per position.
constexpr int64_t mla_prefill_tile = 128;

// o [n, H, Dv] = attention of queries q [n, H, Dn+Dr] (rope slice rotated) at positions
// start .. start+n-1 over the cache positions [0, start + n) of `layer`: causal, and only keys
// that `selection` (if given, [n, start + n]) allows. `tile` positions are expanded at a time.
void mla_attend_explicit(float* o, const float* q, int64_t n, int64_t start, const MlaWeights& w, const MlaShape& s,
                         LatentKvStore& cache, int layer, const KeySelection* selection, int64_t tile,
                         ThreadPool& pool);

}  // namespace whale
