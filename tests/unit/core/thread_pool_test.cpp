#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "whale/core/thread_pool.h"

namespace whale {
namespace {

TEST(ThreadPoolTest, CoversEveryIndexExactlyOnce) {
    ThreadPool pool(3);
    for (int64_t n : {1, 2, 3, 7, 1000}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        pool.parallel_for(n, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) hits[size_t(i)]++;
        });
        for (int64_t i = 0; i < n; ++i) EXPECT_EQ(hits[size_t(i)].load(), 1) << "n=" << n << " i=" << i;
    }
}

TEST(ThreadPoolTest, RepeatedJobsDoNotDeadlock) {
    ThreadPool pool(2);
    std::atomic<int64_t> total{0};
    for (int round = 0; round < 2000; ++round)
        pool.parallel_for(5, [&](int64_t begin, int64_t end) { total += end - begin; });
    EXPECT_EQ(total.load(), 10000);
}

// Chunks are claimed by whichever thread gets there first, including leftovers of a job whose
// workers were late; every index must still run exactly once across many back-to-back jobs of
// varying sizes, some with fewer chunks than threads.
// Chunk counts change from job to job (n < threads), with more threads than this machine's cores
// so workers get preempted between reading a claim and claiming: a worker holding a stale claim
// once ran a chunk of the next job twice and the caller then waited forever.
TEST(ThreadPoolTest, ClaimedChunksCoverEveryIndexAcrossManyJobs) {
    ThreadPool pool(6);
    for (int round = 0; round < 6000; ++round) {
        const int64_t n = 1 + round % 9;
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        pool.parallel_for(n, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) hits[size_t(i)]++;
        });
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)].load(), 1) << "round=" << round << " i=" << i;
    }
}

}  // namespace
}  // namespace whale
