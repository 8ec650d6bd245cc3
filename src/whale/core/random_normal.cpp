#include "whale/core/random_normal.h"

#include <cmath>

namespace whale {

namespace {

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

void random_normal_row(float* out, int64_t n, float stddev, uint64_t seed, uint64_t tensor, uint64_t row) {
    uint64_t state = seed ^ (tensor * 0xD1B54A32D192ED03ull) ^ (row * 0xABC98388FB8FAC03ull);
    splitmix64(state);
    // Sum of four U(0, 65535) has mean 131070 and variance 4 · (65536² − 1) / 12.
    const float scale = stddev * float(std::sqrt(3.0) / 65536.0);
    for (int64_t i = 0; i < n; ++i) {
        const uint64_t r = splitmix64(state);
        const uint64_t sum = (r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48);
        out[i] = (float(int64_t(sum)) - 131070.0f) * scale;
    }
}

}  // namespace whale
