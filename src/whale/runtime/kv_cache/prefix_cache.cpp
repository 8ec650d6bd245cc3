#include "whale/runtime/kv_cache/prefix_cache.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "whale/core/error.h"

namespace whale {

namespace {

// Version 2: the header names the cache layout by its signature (kinds and widths of every layer).
constexpr char disk_magic[8] = {'W', 'H', 'K', 'V', 'B', 'L', 'K', '2'};

// What a disk block must agree on with the running server before its rows can be reused.
struct DiskHeader {
    char magic[8];
    int64_t block_positions;
    uint64_t layout_signature;  // CacheLayout::signature()
    uint64_t parent;
    uint64_t fingerprint;
};

uint64_t fnv1a(uint64_t hash, const void* data, size_t n) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ull;
    return hash;
}

}  // namespace

PrefixCache::PrefixCache(BlockPool& pool, std::string disk_dir, std::string model_fingerprint)
    : pool_(pool), disk_dir_(std::move(disk_dir)), fingerprint_(std::move(model_fingerprint)) {
    if (!disk_dir_.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(disk_dir_, ec);
        WHALE_CHECK(!ec, "cannot create KV disk directory ", disk_dir_, ": ", ec.message());
    }
}

uint64_t PrefixCache::chain_hash(uint64_t parent, const int32_t* tokens, int64_t n) {
    uint64_t hash = fnv1a(0xcbf29ce484222325ull, &parent, sizeof(parent));
    return fnv1a(hash, tokens, size_t(n) * sizeof(int32_t));
}

PrefixCache::Entry* PrefixCache::find(uint64_t hash, uint64_t parent, const int32_t* tokens) {
    auto it = entries_.find(hash);
    // The stored parent and tokens make a 64-bit hash collision harmless: it reads as a miss.
    if (it == entries_.end() || it->second.parent != parent ||
        std::memcmp(it->second.tokens.data(), tokens, it->second.tokens.size() * sizeof(int32_t)) != 0)
        return nullptr;
    return &it->second;
}

std::vector<BlockId> PrefixCache::match(const std::vector<int32_t>& tokens, int64_t max_blocks) {
    const int64_t bp = pool_.block_positions();
    std::vector<BlockId> blocks;
    std::vector<uint64_t> hashes;
    uint64_t parent = 0;
    for (int64_t b = 0; b < max_blocks && (b + 1) * bp <= int64_t(tokens.size()); ++b) {
        const int32_t* block_tokens = tokens.data() + b * bp;
        const uint64_t hash = chain_hash(parent, block_tokens, bp);
        Entry* entry = find(hash, parent, block_tokens);
        if (!entry) entry = load_from_disk(hash, parent, block_tokens);
        if (!entry) break;
        pool_.retain(entry->block);
        blocks.push_back(entry->block);
        hashes.push_back(hash);
        parent = hash;
    }
    // Refreshed tail first, so the head of a chain is the most recent: eviction then trims chains
    // from their ends instead of orphaning every block after an evicted head.
    for (auto it = hashes.rbegin(); it != hashes.rend(); ++it) {
        Entry& entry = entries_.at(*it);
        lru_.splice(lru_.end(), lru_, entry.lru);
    }
    return blocks;
}

void PrefixCache::insert(const std::vector<int32_t>& tokens, const std::vector<BlockId>& blocks) {
    const int64_t bp = pool_.block_positions();
    uint64_t parent = 0;
    std::vector<uint64_t> hashes;
    for (size_t b = 0; b < blocks.size() && int64_t(b + 1) * bp <= int64_t(tokens.size()); ++b) {
        const int32_t* block_tokens = tokens.data() + int64_t(b) * bp;
        const uint64_t hash = chain_hash(parent, block_tokens, bp);
        if (!find(hash, parent, block_tokens)) {
            // A different block under the same hash (collision) is replaced only when unreferenced.
            auto old = entries_.find(hash);
            if (old != entries_.end()) {
                if (pool_.ref_count(old->second.block) > 1) break;
                pool_.release(old->second.block);
                lru_.erase(old->second.lru);
                entries_.erase(old);
            }
            pool_.retain(blocks[b]);
            remember(hash, parent, block_tokens, blocks[b]);
        }
        hashes.push_back(hash);
        parent = hash;
    }
    for (auto it = hashes.rbegin(); it != hashes.rend(); ++it) {
        Entry& entry = entries_.at(*it);
        lru_.splice(lru_.end(), lru_, entry.lru);
    }
}

void PrefixCache::remember(uint64_t hash, uint64_t parent, const int32_t* tokens, BlockId block) {
    Entry entry{block, parent, std::vector<int32_t>(tokens, tokens + pool_.block_positions()), {}};
    entry.lru = lru_.insert(lru_.end(), hash);
    entries_.emplace(hash, std::move(entry));
}

BlockId PrefixCache::allocate() {
    BlockId block = pool_.allocate();
    while (block < 0 && evict_one()) block = pool_.allocate();
    return block;
}

bool PrefixCache::evict_one() {
    for (auto it = lru_.begin(); it != lru_.end(); ++it) {
        auto entry = entries_.find(*it);
        if (pool_.ref_count(entry->second.block) != 1) continue;  // a sequence still reads it
        if (!disk_dir_.empty()) write_to_disk(entry->first, entry->second);
        pool_.release(entry->second.block);
        lru_.erase(it);
        entries_.erase(entry);
        return true;
    }
    return false;
}

int64_t PrefixCache::n_evictable() const {
    int64_t n = 0;
    for (const auto& [hash, entry] : entries_) n += pool_.ref_count(entry.block) == 1;
    return n;
}

void PrefixCache::persist_all() {
    if (disk_dir_.empty()) return;
    for (const auto& [hash, entry] : entries_) write_to_disk(hash, entry);
}

std::string PrefixCache::disk_path(uint64_t hash) const {
    char name[32];
    std::snprintf(name, sizeof(name), "%016llx.kvblock", static_cast<unsigned long long>(hash));
    return disk_dir_ + "/" + name;
}

void PrefixCache::write_to_disk(uint64_t hash, const Entry& entry) {
    const std::string path = disk_path(hash);
    if (std::filesystem::exists(path)) return;  // chained hashes name immutable contents
    DiskHeader header{};
    std::memcpy(header.magic, disk_magic, sizeof(disk_magic));
    header.block_positions = pool_.block_positions();
    header.layout_signature = pool_.layout().signature();
    header.parent = entry.parent;
    header.fingerprint = fnv1a(0xcbf29ce484222325ull, fingerprint_.data(), fingerprint_.size());
    // Written under a temporary name and renamed, so a crash never leaves a torn block behind.
    const std::string tmp = path + ".tmp";
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&header), sizeof(header));
    out.write(reinterpret_cast<const char*>(entry.tokens.data()), std::streamsize(entry.tokens.size() * sizeof(int32_t)));
    out.write(reinterpret_cast<const char*>(pool_.block_data(entry.block)), std::streamsize(pool_.block_floats() * sizeof(float)));
    out.close();
    std::error_code ec;
    if (out) std::filesystem::rename(tmp, path, ec);
    else std::filesystem::remove(tmp, ec);
}

PrefixCache::Entry* PrefixCache::load_from_disk(uint64_t hash, uint64_t parent, const int32_t* tokens) {
    if (disk_dir_.empty()) return nullptr;
    std::ifstream in(disk_path(hash), std::ios::binary);
    if (!in) return nullptr;
    DiskHeader header{};
    const int64_t bp = pool_.block_positions();
    std::vector<int32_t> disk_tokens(size_t(bp), 0);
    in.read(reinterpret_cast<char*>(&header), sizeof(header));
    in.read(reinterpret_cast<char*>(disk_tokens.data()), std::streamsize(bp * sizeof(int32_t)));
    if (!in || std::memcmp(header.magic, disk_magic, sizeof(disk_magic)) != 0 ||
        header.block_positions != bp || header.layout_signature != pool_.layout().signature() ||
        header.parent != parent ||
        header.fingerprint != fnv1a(0xcbf29ce484222325ull, fingerprint_.data(), fingerprint_.size()) ||
        std::memcmp(disk_tokens.data(), tokens, size_t(bp) * sizeof(int32_t)) != 0)
        return nullptr;
    const BlockId block = allocate();
    if (block < 0) return nullptr;
    in.read(reinterpret_cast<char*>(pool_.block_data(block)), std::streamsize(pool_.block_floats() * sizeof(float)));
    if (!in) {
        pool_.release(block);
        return nullptr;
    }
    // The cache holds the allocation's reference; match() adds the caller's.
    remember(hash, parent, tokens, block);
    ++n_loaded_from_disk_;
    return &entries_.at(hash);
}

}  // namespace whale
