// Prefix caching over the block pool: every full block of a finished (or preempted) sequence is
// remembered under a hash chained from its parent block's hash and its own tokens, so a later
// request whose prompt starts with the same tokens reuses those blocks instead of recomputing them.
//
// The cache holds one reference on each block it remembers; a block whose only holder is the cache
// is unreferenced and evictable, least recently used first. With a disk directory, evicted blocks
// and, at shutdown, every remembered block are written there (one file per chained hash) and read
// back on a miss, so prefixes survive eviction and restarts. Single-threaded: the scheduler owns it.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "whale/runtime/kv_cache/block_pool.h"

namespace whale {

class PrefixCache {
public:
    // model_fingerprint identifies the weights; disk blocks written under another one are ignored.
    PrefixCache(BlockPool& pool, std::string disk_dir = {}, std::string model_fingerprint = {});

    // The cached blocks that hold tokens[0, n·block_positions) for the largest n <= max_blocks,
    // each retained once for the caller.
    std::vector<BlockId> match(const std::vector<int32_t>& tokens, int64_t max_blocks);
    // Remembers the full blocks of a sequence: blocks[i] holds tokens[i·bp, (i+1)·bp).
    void insert(const std::vector<int32_t>& tokens, const std::vector<BlockId>& blocks);
    // A block from the pool, evicting unreferenced cached blocks as needed; -1 when every block is
    // held by a sequence.
    BlockId allocate();
    // Writes every remembered block to the disk directory (no-op without one).
    void persist_all();

    int64_t n_cached() const { return int64_t(entries_.size()); }
    int64_t n_evictable() const;
    int64_t n_loaded_from_disk() const { return n_loaded_from_disk_; }

private:
    struct Entry {
        BlockId block;
        uint64_t parent;
        std::vector<int32_t> tokens;  // [block_positions]
        std::list<uint64_t>::iterator lru;
    };

    static uint64_t chain_hash(uint64_t parent, const int32_t* tokens, int64_t n);
    Entry* find(uint64_t hash, uint64_t parent, const int32_t* tokens);
    Entry* load_from_disk(uint64_t hash, uint64_t parent, const int32_t* tokens);
    void remember(uint64_t hash, uint64_t parent, const int32_t* tokens, BlockId block);
    bool evict_one();
    std::string disk_path(uint64_t hash) const;
    void write_to_disk(uint64_t hash, const Entry& entry);

    BlockPool& pool_;
    std::string disk_dir_;
    std::string fingerprint_;
    std::unordered_map<uint64_t, Entry> entries_;
    std::list<uint64_t> lru_;  // front = least recently used
    int64_t n_loaded_from_disk_ = 0;
};

}  // namespace whale
