// Deterministic random rows (benchmark weights, synthetic caches): each row of each tensor is drawn
// from its own stream (seed, tensor, row), so any row can be produced alone, in any order, on any
// thread, and two runs with the same seed write identical files.
#pragma once

#include <cstdint>

namespace whale {

// Fills out[n] with approximately N(0, stddev²) values: the Irwin-Hall sum of four 16-bit uniforms
// per value (bounded to ±3.46σ), which is several times cheaper than Box-Muller. Benchmarks need
// realistic magnitudes, not exact Gaussian tails.
void random_normal_row(float* out, int64_t n, float stddev, uint64_t seed, uint64_t tensor, uint64_t row);

}  // namespace whale
