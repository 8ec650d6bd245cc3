// Block pool reference counting, the paged latent cache's block-table addressing, and the prefix
// cache: chained-hash matching, LRU eviction of unreferenced blocks only, and disk persistence.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "whale/runtime/kv_cache/block_pool.h"
#include "whale/runtime/kv_cache/paged_latent_cache.h"
#include "whale/runtime/kv_cache/prefix_cache.h"

namespace whale {
namespace {

const CacheLayout layout{2, 3};  // 2 layers, rows of 3 floats

std::vector<int32_t> iota_tokens(int n, int32_t first = 100) {
    std::vector<int32_t> tokens(static_cast<size_t>(n));
    std::iota(tokens.begin(), tokens.end(), first);
    return tokens;
}

// Fills a sequence's cache the way the model would: one distinct value per (layer, position).
void write_rows(PagedLatentCache& cache, int64_t n, float base) {
    for (int layer = 0; layer < layout.n_layers; ++layer)
        for (int64_t p = 0; p < n; ++p)
            for (int64_t i = 0; i < layout.row_width; ++i) cache.row(layer, p)[i] = base + float(layer * 1000 + p * 10 + i);
}

TEST(BlockPool, AllocatesUntilEmptyAndReusesReleasedBlocks) {
    BlockPool pool(layout, 4, 3);
    BlockId a = pool.allocate(), b = pool.allocate(), c = pool.allocate();
    EXPECT_GE(a, 0);
    EXPECT_GE(c, 0);
    EXPECT_EQ(pool.allocate(), -1);
    pool.retain(b);
    pool.release(b);
    EXPECT_EQ(pool.n_free(), 0);
    pool.release(b);
    EXPECT_EQ(pool.n_free(), 1);
    EXPECT_EQ(pool.allocate(), b);
    pool.release(a);
    EXPECT_THROW(pool.release(a), std::exception) << "a double release is a bug, never silent";
}

TEST(PagedLatentCache, RowsGoThroughTheBlockTableWithoutCopying) {
    BlockPool pool(layout, 4, 8);
    PagedLatentCache cache(pool);
    EXPECT_EQ(cache.blocks_needed(9), 3);
    for (int i = 0; i < 3; ++i) cache.append_block(pool.allocate());
    EXPECT_EQ(cache.capacity(), 12);
    write_rows(cache, 9, 0.0f);
    float* first = cache.row(1, 2);
    cache.append_block(pool.allocate());  // growth leaves earlier rows where they were
    EXPECT_EQ(cache.row(1, 2), first);
    EXPECT_EQ(cache.row(1, 6)[2], 1000.0f + 60.0f + 2.0f);
    EXPECT_EQ(cache.row(1, 6), pool.row(cache.blocks()[1], 1, 2));
    cache.release_all();
    EXPECT_EQ(pool.n_free(), 8);
}

TEST(PrefixCache, SecondSequenceReusesTheFullBlocksOfTheFirst) {
    BlockPool pool(layout, 4, 8);
    PrefixCache prefix(pool);
    const auto tokens = iota_tokens(10);
    {
        PagedLatentCache first(pool);
        for (int i = 0; i < 3; ++i) first.append_block(prefix.allocate());
        write_rows(first, 10, 0.0f);
        prefix.insert(tokens, first.blocks());  // two full blocks; the partial third is not cached
    }
    EXPECT_EQ(prefix.n_cached(), 2);
    EXPECT_EQ(pool.n_free(), 6);

    auto follow_up = tokens;
    follow_up.push_back(7);
    std::vector<BlockId> hit = prefix.match(follow_up, 100);
    ASSERT_EQ(hit.size(), 2u);
    PagedLatentCache second(pool);
    for (BlockId b : hit) second.append_block(b);
    EXPECT_EQ(second.row(1, 5)[0], 1000.0f + 50.0f);

    auto diverging = tokens;
    diverging[5] = 1;  // second block differs: only the first block matches
    auto partial = prefix.match(diverging, 100);
    EXPECT_EQ(partial.size(), 1u);
    for (BlockId b : partial) pool.release(b);
    auto capped = prefix.match(tokens, 1);
    EXPECT_EQ(capped.size(), 1u) << "max_blocks caps the match";
    pool.release(capped[0]);
}

TEST(PrefixCache, EvictsOnlyUnreferencedBlocksLeastRecentlyUsedFirst) {
    BlockPool pool(layout, 2, 4);
    PrefixCache prefix(pool);
    const auto a = iota_tokens(4, 10), b = iota_tokens(4, 50);
    for (const auto* tokens : {&a, &b}) {
        PagedLatentCache seq(pool);
        seq.append_block(prefix.allocate());
        seq.append_block(prefix.allocate());
        prefix.insert(*tokens, seq.blocks());
    }
    EXPECT_EQ(pool.n_free(), 0);
    EXPECT_EQ(prefix.n_evictable(), 4);
    auto held = prefix.match(a, 100);  // a is in use and most recent: b's blocks go first
    ASSERT_EQ(held.size(), 2u);
    EXPECT_GE(prefix.allocate(), 0);
    EXPECT_GE(prefix.allocate(), 0);
    EXPECT_EQ(prefix.allocate(), -1) << "a's blocks are held by a sequence";
    EXPECT_EQ(prefix.match(b, 100).size(), 0u);
    for (BlockId block : held) pool.release(block);
    EXPECT_EQ(prefix.n_evictable(), 2);
}

TEST(PrefixCache, DiskDirectoryKeepsEvictedAndPersistedBlocksAcrossRestarts) {
    const auto dir = std::filesystem::temp_directory_path() / ("whale_kv_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    const auto tokens = iota_tokens(8);
    {
        BlockPool pool(layout, 4, 2);
        PrefixCache prefix(pool, dir.string(), "model-a");
        PagedLatentCache seq(pool);
        seq.append_block(prefix.allocate());
        seq.append_block(prefix.allocate());
        write_rows(seq, 8, 0.5f);
        prefix.insert(tokens, seq.blocks());
        seq.release_all();
        EXPECT_GE(prefix.allocate(), 0);  // evicts the LRU block to disk
        prefix.persist_all();             // and the other at shutdown
    }
    BlockPool pool(layout, 4, 4);
    PrefixCache restarted(pool, dir.string(), "model-a");
    auto hit = restarted.match(tokens, 100);
    ASSERT_EQ(hit.size(), 2u);
    EXPECT_EQ(restarted.n_loaded_from_disk(), 2);
    EXPECT_EQ(pool.row(hit[1], 1, 3)[1], 0.5f + 1000.0f + 70.0f + 1.0f);
    for (BlockId b : hit) pool.release(b);

    BlockPool other_pool(layout, 4, 4);
    PrefixCache other_model(other_pool, dir.string(), "model-b");
    EXPECT_TRUE(other_model.match(tokens, 100).empty()) << "blocks of other weights are never reused";
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace whale
