// The machine's memory read bandwidth, the roofline of decode: a token must stream every weight
// it uses from DRAM, so tokens/s ≤ bandwidth / bytes per token. Measured, not looked up: all
// threads of a pool sum disjoint slices of a buffer far larger than the caches, which is the
// access pattern of a matrix-vector product over weights.
#pragma once

#include <cstddef>
#include <cstdint>

#include "whale/core/thread_pool.h"

namespace whale {

// Sums n 64-bit words (the result only keeps the reads from being optimised away).
uint64_t memory_read_sum(const uint64_t* data, size_t n);

struct ReadBandwidth {
    double best_gb_per_s = 0.0;    // fastest pass, 1 GB = 1e9 bytes
    double median_gb_per_s = 0.0;
    size_t buffer_bytes = 0;
    int threads = 0;
    int passes = 0;
};

// Allocates and touches `buffer_bytes`, then times `passes` full parallel reads of it on `pool`.
ReadBandwidth measure_read_bandwidth(ThreadPool& pool, size_t buffer_bytes, int passes);

}  // namespace whale
