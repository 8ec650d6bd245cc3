// Cache layouts by kind, block pool reference counting, the paged cache's block-table addressing
// (rows and compressed entries) and truncation, and the prefix cache: chained-hash matching, LRU
// eviction of unreferenced blocks only, disk persistence, and disk blocks that must be ignored.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "whale/runtime/kv_cache/block_pool.h"
#include "whale/runtime/kv_cache/latent_cache.h"
#include "whale/runtime/kv_cache/paged_latent_cache.h"
#include "whale/runtime/kv_cache/prefix_cache.h"

namespace whale {
namespace {

const CacheLayout layout(2, {{CacheKind::CacheKind_latent, 3}});  // 2 layers, rows of 3 floats

std::vector<int32_t> iota_tokens(int n, int32_t first = 100) {
    std::vector<int32_t> tokens(static_cast<size_t>(n));
    std::iota(tokens.begin(), tokens.end(), first);
    return tokens;
}

// Fills a sequence's cache the way the model would: one distinct value per (layer, position).
void write_rows(PagedLatentCache& cache, int64_t n, float base) {
    for (int layer = 0; layer < layout.n_layers(); ++layer)
        for (int64_t p = 0; p < n; ++p)
            for (int64_t i = 0; i < layout.row_width(layer); ++i) cache.row(layer, p)[i] = base + float(layer * 1000 + p * 10 + i);
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

// A DeepSeek-V4-like layout at the cache level: a CSA layer (window row, compressor inputs, an entry
// and an indexer key every 4 positions) and an HCA layer (window row, compressor inputs, an entry every
// 8 positions here, 128 in V4). Widths are small; what matters is where rows and entries land.
const CacheLayout v4_like({{{CacheKind::CacheKind_window, 3},
                            {CacheKind::CacheKind_compressor_input, 4},
                            {CacheKind::CacheKind_compressed, 3, 4},
                            {CacheKind::CacheKind_compressed_index_key, 2, 4}},
                           {{CacheKind::CacheKind_window, 3},
                            {CacheKind::CacheKind_compressor_input, 2},
                            {CacheKind::CacheKind_compressed, 3, 8}}});

// Fills positions [0, n) the way a V4 model would: rows per position, an entry per completed window.
void write_v4(LatentKvStore& cache, int64_t n, float base) {
    for (int layer = 0; layer < 2; ++layer) {
        for (int64_t p = 0; p < n; ++p)
            for (int64_t i = 0; i < v4_like.row_width(layer); ++i) cache.row(layer, p)[i] = base + float(layer * 1000 + p * 10 + i);
        for (const CacheComponent& c : v4_like.components(layer)) {
            if (c.ratio == 1) continue;
            for (int64_t w = 0; (w + 1) * c.ratio <= n; ++w)
                for (int64_t i = 0; i < c.width; ++i)
                    cache.entry(layer, c.kind, w)[i] = base - float(layer * 1000 + int(c.kind) * 100 + w * 10 + i);
        }
    }
}

TEST(CacheLayout, KindsSitSideBySideInARowAndCompressedOnesApart) {
    const CacheLayout dsa(3, {{CacheKind::CacheKind_latent, 6}, {CacheKind::CacheKind_index_key, 2}});
    EXPECT_EQ(dsa.row_width(2), 8);
    EXPECT_EQ(dsa.offset(1, CacheKind::CacheKind_index_key), 6);
    EXPECT_EQ(dsa.floats_per_position(), 24);
    EXPECT_THROW(dsa.offset(0, CacheKind::CacheKind_dense_kv), std::exception);
    EXPECT_TRUE(dsa.extended_to(3) == dsa);
    EXPECT_FALSE(dsa.extended_to(4) == dsa);
    EXPECT_EQ(dsa.extended_to(4).offset(3, CacheKind::CacheKind_index_key), 6) << "the MTP layer caches what the others do";

    EXPECT_EQ(v4_like.row_width(0), 7) << "only per-position components make up the row";
    EXPECT_EQ(v4_like.offset(0, CacheKind::CacheKind_compressor_input), 3);
    EXPECT_THROW(v4_like.offset(0, CacheKind::CacheKind_compressed), std::exception);
    EXPECT_EQ(v4_like.position_granularity(), 8);
    EXPECT_THROW(BlockPool(v4_like, 12, 2), std::exception) << "a block must hold whole entries";
}

TEST(CacheLayout, SignatureNamesKindsWidthsAndRatios) {
    const CacheLayout a(2, {{CacheKind::CacheKind_latent, 3}});
    EXPECT_EQ(a.signature(), CacheLayout(2, {{CacheKind::CacheKind_latent, 3}}).signature());
    EXPECT_NE(a.signature(), CacheLayout(3, {{CacheKind::CacheKind_latent, 3}}).signature());
    EXPECT_NE(a.signature(), CacheLayout(2, {{CacheKind::CacheKind_dense_kv, 3}}).signature());
    EXPECT_NE(a.signature(), CacheLayout(2, {{CacheKind::CacheKind_latent, 4}}).signature());
    EXPECT_NE(a.signature(), CacheLayout(2, {{CacheKind::CacheKind_latent, 3, 4}}).signature());
}

TEST(PagedLatentCache, CompressedEntriesLiveInTheBlockOfTheirWindow) {
    BlockPool pool(v4_like, 8, 4);
    PagedLatentCache paged(pool);
    for (int i = 0; i < 2; ++i) paged.append_block(pool.allocate());
    LatentCache contiguous(v4_like, 64);
    contiguous.reserve(16);
    write_v4(paged, 16, 0.0f);
    write_v4(contiguous, 16, 0.0f);
    // Entry 3 of the CSA layer covers positions [12, 16): the second block.
    EXPECT_EQ(paged.entry(0, CacheKind::CacheKind_compressed, 3),
              pool.geometry().entry(pool.block_data(paged.blocks()[1]), 0, CacheKind::CacheKind_compressed, 4));
    for (int layer = 0; layer < 2; ++layer)
        for (int64_t p = 0; p < 16; ++p)
            for (int64_t i = 0; i < v4_like.row_width(layer); ++i) ASSERT_EQ(paged.row(layer, p)[i], contiguous.row(layer, p)[i]);
    EXPECT_EQ(paged.entry(1, CacheKind::CacheKind_compressed, 1)[2], contiguous.entry(1, CacheKind::CacheKind_compressed, 1)[2]);
    EXPECT_EQ(paged.entry(0, CacheKind::CacheKind_compressed_index_key, 2)[1],
              -float(int(CacheKind::CacheKind_compressed_index_key) * 100 + 20 + 1));
    EXPECT_THROW(paged.entry(1, CacheKind::CacheKind_compressed_index_key, 0), std::exception) << "HCA has no indexer";
    // Rows, then entries, never overlap: writing everything left each value where it was put.
    EXPECT_EQ(paged.row(1, 15)[4], 1000.0f + 150.0f + 4.0f);
    // Per block of 8: CSA 8·7 + 2·3 + 2·2, HCA 8·5 + 1·3; the contiguous store's 256: 2112 + 1376.
    EXPECT_EQ(pool.block_floats(), 66 + 43);
    EXPECT_EQ(contiguous.bytes_allocated(), (2112 + 1376) * 4);
}

TEST(PagedLatentCache, TruncateGivesBackOnlyTheBlocksPastTheKeptPositions) {
    BlockPool pool(layout, 4, 8);
    PrefixCache prefix(pool);
    const auto tokens = iota_tokens(8);
    {
        PagedLatentCache first(pool);
        first.append_block(prefix.allocate());
        first.append_block(prefix.allocate());
        write_rows(first, 8, 0.0f);
        prefix.insert(tokens, first.blocks());
    }
    PagedLatentCache seq(pool);
    for (BlockId b : prefix.match(tokens, 2)) seq.append_block(b);
    const BlockId shared = seq.blocks()[1];
    for (int i = 0; i < 3; ++i) seq.append_block(pool.allocate());  // room for drafts up to position 20
    EXPECT_EQ(pool.ref_count(shared), 2) << "held by the sequence and the prefix cache";
    seq.truncate(9);  // drafts rejected: keep positions [0, 9)
    EXPECT_EQ(seq.blocks().size(), 3u);
    EXPECT_EQ(pool.n_free(), 8 - 3);
    EXPECT_EQ(seq.row(1, 5)[0], 1000.0f + 50.0f) << "kept rows are untouched";
    seq.truncate(3);  // a rewind into the shared prefix drops only this sequence's reference
    EXPECT_EQ(seq.blocks().size(), 1u);
    EXPECT_EQ(pool.ref_count(shared), 1);
    EXPECT_EQ(prefix.n_evictable(), 1);
    seq.release_all();
    EXPECT_EQ(prefix.n_evictable(), 2);
    EXPECT_EQ(pool.n_free(), 6);
}

TEST(PrefixCache, RestoresEveryKindOfABlockFromRamAndDisk) {
    const auto dir = std::filesystem::temp_directory_path() / ("whale_kv_v4_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    const auto tokens = iota_tokens(17);
    LatentCache expected(v4_like, 64);
    expected.reserve(16);
    write_v4(expected, 16, 0.25f);
    auto same_as_expected = [&](PagedLatentCache& cache) {
        for (int layer = 0; layer < 2; ++layer) {
            for (int64_t p = 0; p < 16; ++p)
                for (int64_t i = 0; i < v4_like.row_width(layer); ++i)
                    if (cache.row(layer, p)[i] != expected.row(layer, p)[i]) return false;
            for (const CacheComponent& c : v4_like.components(layer))
                for (int64_t w = 0; c.ratio > 1 && (w + 1) * c.ratio <= 16; ++w)
                    for (int64_t i = 0; i < c.width; ++i)
                        if (cache.entry(layer, c.kind, w)[i] != expected.entry(layer, c.kind, w)[i]) return false;
        }
        return true;
    };
    {
        BlockPool pool(v4_like, 8, 4);
        PrefixCache prefix(pool, dir.string(), "v4");
        {
            PagedLatentCache seq(pool);
            seq.append_block(prefix.allocate());
            seq.append_block(prefix.allocate());
            seq.append_block(prefix.allocate());
            write_v4(seq, 17, 0.25f);
            prefix.insert(tokens, seq.blocks());
        }
        PagedLatentCache warm(pool);
        for (BlockId b : prefix.match(tokens, 2)) warm.append_block(b);
        ASSERT_EQ(warm.blocks().size(), 2u);
        EXPECT_TRUE(same_as_expected(warm)) << "from RAM";
        warm.release_all();
        prefix.persist_all();
    }
    BlockPool pool(v4_like, 8, 4);
    PrefixCache restarted(pool, dir.string(), "v4");
    PagedLatentCache warm(pool);
    for (BlockId b : restarted.match(tokens, 2)) warm.append_block(b);
    ASSERT_EQ(warm.blocks().size(), 2u);
    EXPECT_EQ(restarted.n_loaded_from_disk(), 2);
    EXPECT_TRUE(same_as_expected(warm)) << "from disk";
    std::filesystem::remove_all(dir);
}

TEST(PrefixCache, DiskBlocksOfAnotherLayoutOrTruncatedAreIgnored) {
    const auto dir = std::filesystem::temp_directory_path() / ("whale_kv_mismatch_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    const auto tokens = iota_tokens(8);
    {
        BlockPool pool(layout, 4, 2);
        PrefixCache prefix(pool, dir.string(), "model-a");
        PagedLatentCache seq(pool);
        seq.append_block(prefix.allocate());
        seq.append_block(prefix.allocate());
        write_rows(seq, 8, 0.0f);
        prefix.insert(tokens, seq.blocks());
        prefix.persist_all();
    }
    // Same weights' name and the same bytes per block, but the rows mean something else.
    const CacheLayout reinterpreted(2, {{CacheKind::CacheKind_dense_kv, 3}});
    BlockPool other_pool(reinterpreted, 4, 4);
    PrefixCache other(other_pool, dir.string(), "model-a");
    EXPECT_TRUE(other.match(tokens, 100).empty()) << "a block of another cache layout is never reused";
    EXPECT_EQ(other_pool.n_free(), 4);
    BlockPool wider_pool(layout, 8, 4);
    PrefixCache wider(wider_pool, dir.string(), "model-a");
    EXPECT_TRUE(wider.match(tokens, 100).empty()) << "nor one of another block size";

    // A torn file (the payload cut short) reads as a miss and gives its block back.
    for (const auto& file : std::filesystem::directory_iterator(dir))
        std::filesystem::resize_file(file.path(), std::filesystem::file_size(file.path()) - 4);
    BlockPool pool(layout, 4, 4);
    PrefixCache torn(pool, dir.string(), "model-a");
    EXPECT_TRUE(torn.match(tokens, 100).empty());
    EXPECT_EQ(pool.n_free(), 4);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace whale
