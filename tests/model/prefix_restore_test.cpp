// A prefix restored from the prefix cache (RAM) or from its disk directory (`--kv-disk-dir`), or kept
// through a rollback of what followed it, gives exactly the logits of a cold run, bit for bit, for
// every golden architecture. Like is compared
// with like: the cold run computes the prefix as one chunk, then the suffix as one chunk, then one
// decode step; the warm runs take the prefix's blocks from the cache and run the same two steps.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "model/golden_fixture.h"
#include "whale/model/registry.h"
#include "whale/runtime/kv_cache/paged_latent_cache.h"
#include "whale/runtime/kv_cache/prefix_cache.h"

namespace whale {
namespace {

constexpr int64_t block_positions = 4;
constexpr int64_t n_blocks = 16;

class PrefixRestoreTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        golden_ = testing::load_golden(GetParam());
        model_ = load_causal_lm(golden_.model_dir);
        tokens_ = golden_.tokens;
        // Whole blocks of prefix, at least one token of suffix (its logits choose the next token).
        prefix_ = (int64_t(tokens_.size()) - 1) / block_positions * block_positions;
        ASSERT_GE(prefix_, block_positions);
        disk_dir_ = std::filesystem::temp_directory_path() /
                    ("whale_prefix_restore_" + GetParam() + "_" + std::to_string(::getpid()));
        std::filesystem::remove_all(disk_dir_);
    }
    void TearDown() override { std::filesystem::remove_all(disk_dir_); }

    // Runs tokens_[start, end) on `cache` as one chunk, all logits: [end - start, vocab] f32.
    std::vector<float> run(PagedLatentCache& cache, PrefixCache& prefix, int64_t start, int64_t end) {
        for (int64_t need = cache.blocks_needed(end); need > 0; --need) {
            const BlockId block = prefix.allocate();
            EXPECT_GE(block, 0);
            cache.append_block(block);
        }
        ForwardBatch batch;
        batch.tokens = tokens_.data() + start;
        batch.sequences = {SequenceInBatch{&cache, start, end - start, true}};
        std::vector<float> logits(size_t((end - start) * model_->summary().vocab_size));
        model_->forward_batch(batch, logits.data(), pool_);
        return logits;
    }

    // The suffix chunk and one decode step after a restored (or computed) prefix: the logits of both.
    std::vector<float> continue_after_prefix(PagedLatentCache& cache, PrefixCache& prefix) {
        std::vector<float> logits = run(cache, prefix, prefix_, int64_t(tokens_.size()) - 1);
        const std::vector<float> decode = run(cache, prefix, int64_t(tokens_.size()) - 1, int64_t(tokens_.size()));
        logits.insert(logits.end(), decode.begin(), decode.end());
        return logits;
    }

    static void expect_bit_identical(const std::vector<float>& warm, const std::vector<float>& cold, const char* what) {
        ASSERT_EQ(warm.size(), cold.size());
        EXPECT_EQ(std::memcmp(warm.data(), cold.data(), cold.size() * sizeof(float)), 0)
            << what << ": logits differ from the cold run";
    }

    testing::Golden golden_;
    std::unique_ptr<CausalLM> model_;
    ThreadPool pool_{2};
    std::vector<int32_t> tokens_;
    int64_t prefix_ = 0;
    std::filesystem::path disk_dir_;
};

TEST_P(PrefixRestoreTest, RestoredPrefixGivesTheColdRunsLogitsExactly) {
    const CacheLayout layout = model_->cache_layout();
    BlockPool pool(layout, block_positions, n_blocks);
    PrefixCache prefix(pool, disk_dir_.string(), "golden-" + GetParam());
    std::vector<float> cold;
    {
        PagedLatentCache cache(pool);
        run(cache, prefix, 0, prefix_);
        cold = continue_after_prefix(cache, prefix);
        prefix.insert(tokens_, cache.blocks());
    }
    {
        PagedLatentCache cache(pool);
        const std::vector<BlockId> hit = prefix.match(tokens_, prefix_ / block_positions);
        ASSERT_EQ(int64_t(hit.size()), prefix_ / block_positions);
        for (BlockId block : hit) cache.append_block(block);
        expect_bit_identical(continue_after_prefix(cache, prefix), cold, "prefix from RAM");
        // Rolled back to the prefix (as rejected drafts are) and run again: the same logits.
        cache.truncate(prefix_);
        EXPECT_EQ(int64_t(cache.blocks().size()), prefix_ / block_positions);
        expect_bit_identical(continue_after_prefix(cache, prefix), cold, "after a rollback");
    }
    prefix.persist_all();

    // A restarted server: a fresh pool, the prefix read back from the disk directory.
    BlockPool restarted_pool(layout, block_positions, n_blocks);
    PrefixCache restarted(restarted_pool, disk_dir_.string(), "golden-" + GetParam());
    PagedLatentCache cache(restarted_pool);
    const std::vector<BlockId> hit = restarted.match(tokens_, prefix_ / block_positions);
    ASSERT_EQ(int64_t(hit.size()), prefix_ / block_positions);
    EXPECT_EQ(restarted.n_loaded_from_disk(), prefix_ / block_positions);
    for (BlockId block : hit) cache.append_block(block);
    expect_bit_identical(continue_after_prefix(cache, restarted), cold, "prefix from disk");
}

INSTANTIATE_TEST_SUITE_P(Goldens, PrefixRestoreTest, ::testing::ValuesIn(testing::golden_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace whale
