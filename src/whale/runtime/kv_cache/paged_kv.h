// The scheduler's KV caches behind one mutating method: the shared block pool, the prefix cache
// (with its --kv-disk-dir store) and every sequence's block table change only through apply(),
// as llama.cpp's llama_memory_i has its memory change only through apply(). The model's forward
// writes rows inside blocks a sequence already holds; which blocks a sequence holds, and what the
// prefix cache remembers, is decided here and nowhere else: admission (a cached prefix restored),
// growth, speculative rollback, and the end of a sequence (finished or preempted).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "whale/model/cache_layout.h"
#include "whale/runtime/kv_cache/block_pool.h"
#include "whale/runtime/kv_cache/paged_latent_cache.h"
#include "whale/runtime/kv_cache/prefix_cache.h"

namespace whale {

struct CacheChange {
    enum class Kind {
        CacheChange_restore_prefix,  // take the cached blocks holding the longest prefix of tokens[0, n)
                                     // (whole blocks only, at most n / block_positions of them)
        CacheChange_grow,            // make positions [0, n) addressable; fails when no block can be freed
        CacheChange_rollback,        // keep positions [0, n), give back the blocks past them
        CacheChange_release,         // remember the full blocks of tokens[0, n), then give back every block
    };
    Kind kind = Kind::CacheChange_grow;
    int64_t n = 0;
    const std::vector<int32_t>* tokens = nullptr;  // restore_prefix and release: the sequence's tokens
};

class PagedKv {
public:
    // model_fingerprint names the weights; disk blocks of other weights are never read.
    PagedKv(const CacheLayout& layout, int64_t block_positions, int64_t n_blocks, std::string disk_dir,
            std::string model_fingerprint);

    // An empty cache for a sequence that may grow to max_positions (its block table is reserved, so
    // growing allocates nothing).
    std::unique_ptr<PagedLatentCache> new_cache(int64_t max_positions);
    // The one place the caches change. Returns false only when CacheChange_grow found no block;
    // the cache then holds what it held before plus the blocks it did get.
    bool apply(PagedLatentCache& cache, const CacheChange& change);
    // Writes every remembered block to the disk directory (no-op without one).
    void persist_all() { prefix_.persist_all(); }

    const CacheLayout& layout() const { return pool_.layout(); }
    int64_t block_positions() const { return pool_.block_positions(); }
    int64_t n_blocks() const { return pool_.n_blocks(); }
    int64_t n_free() const { return pool_.n_free(); }
    int64_t n_cached() const { return prefix_.n_cached(); }

private:
    BlockPool pool_;
    PrefixCache prefix_;
};

}  // namespace whale
