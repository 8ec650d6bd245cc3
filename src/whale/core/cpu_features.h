// What the running CPU can do, read once at start-up so kernels are chosen at run time
// (the same binary must run on machines with and without AVX-512).
#pragma once

#include <string>

namespace whale {

struct CpuFeatures {
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512_vnni = false;
    bool avx512_bf16 = false;
};

const CpuFeatures& cpu_features();
std::string cpu_features_string();  // "avx2 fma f16c avx512f ..." for logs and benchmarks

}  // namespace whale
