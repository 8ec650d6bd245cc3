#include "whale/kernels/memory_bandwidth.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "whale/core/error.h"
#include "whale/core/huge_page_arena.h"

namespace whale {

uint64_t memory_read_sum(const uint64_t* data, size_t n) {
    // Eight independent accumulators: one 64-byte cache line per iteration and no dependency
    // chain, so the loop waits on memory, never on the adder. Each line is also requested 1 KiB
    // ahead, as the weight-streaming kernels do: without it this loop measured up to 8 % below
    // what those kernels then achieved, and "% of bandwidth" exceeded 100.
    uint64_t s[8] = {};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __builtin_prefetch(data + i + 128);
        for (int k = 0; k < 8; ++k) s[k] += data[i + size_t(k)];
    }
    for (; i < n; ++i) s[0] += data[i];
    return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

ReadBandwidth measure_read_bandwidth(ThreadPool& pool, size_t buffer_bytes, int passes) {
    WHALE_CHECK(passes > 0 && buffer_bytes >= 64, "read bandwidth: need a buffer and at least one pass");
    const size_t n = buffer_bytes / sizeof(uint64_t);
    // Huge pages, like the interleaved weights (core/huge_page_arena.h): fewer page walks.
    HugePageArena arena;
    uint64_t* buffer = static_cast<uint64_t*>(arena.allocate(n * sizeof(uint64_t)));
    // Each thread first writes the slice it will read, so pages are resident (and local) before timing.
    pool.parallel_for(int64_t(n), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) buffer[size_t(i)] = uint64_t(i);
    });
    std::vector<double> seconds;
    std::atomic<uint64_t> sink{0};  // the sums must go somewhere, or the reads are dead code
    for (int p = 0; p < passes; ++p) {
        const auto start = std::chrono::steady_clock::now();
        pool.parallel_for(int64_t(n), [&](int64_t begin, int64_t end) {
            sink.fetch_add(memory_read_sum(buffer + begin, size_t(end - begin)), std::memory_order_relaxed);
        });
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    ReadBandwidth r;
    r.buffer_bytes = n * sizeof(uint64_t);
    r.threads = pool.size();
    r.passes = passes;
    r.best_gb_per_s = double(r.buffer_bytes) / seconds.front() / 1e9;
    r.median_gb_per_s = double(r.buffer_bytes) / seconds[seconds.size() / 2] / 1e9;
    return r;
}

}  // namespace whale
