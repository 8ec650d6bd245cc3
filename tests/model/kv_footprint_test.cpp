// `whale kv` arithmetic: the figures of docs/models/kv_footprint.md for the released architectures,
// and for every architecture Whale runs, the bytes its cache really allocates per token.
#include <gtest/gtest.h>

#include "model/golden_fixture.h"
#include "whale/model/kv_footprint.h"
#include "whale/model/registry.h"
#include "whale/runtime/engine.h"

namespace whale {
namespace {

double scheme_bytes(const KvArchitecture& a, KvDtype d, const std::string& name) {
    for (const KvScheme& s : kv_schemes(a, d))
        if (s.name == name) return s.bytes_per_token;
    ADD_FAILURE() << "no scheme " << name;
    return 0;
}

TEST(KvFootprintTest, ReproducesSpecFigures) {
    const KvDtype bf16 = KvDtype::KvDtype_bf16, fp8 = KvDtype::KvDtype_fp8;
    EXPECT_EQ(scheme_bytes(kv_preset("v2-lite"), bf16, "mha"), 276480);
    EXPECT_EQ(scheme_bytes(kv_preset("v2-lite"), bf16, "mla"), 31104);
    EXPECT_EQ(scheme_bytes(kv_preset("v2"), bf16, "mha"), 4915200);
    EXPECT_EQ(scheme_bytes(kv_preset("v2"), bf16, "mla"), 69120);
    EXPECT_EQ(scheme_bytes(kv_preset("v3"), bf16, "mha"), 4997120);
    EXPECT_EQ(scheme_bytes(kv_preset("v3"), bf16, "mla"), 70272);
    EXPECT_EQ(scheme_bytes(kv_preset("v3"), fp8, "mla"), 40016);
    EXPECT_EQ(scheme_bytes(kv_preset("v3.2"), bf16, "mla+indexer"), 78324);
    EXPECT_EQ(scheme_bytes(kv_preset("v3.2"), fp8, "mla+indexer"), 48068);
    EXPECT_EQ(scheme_bytes(kv_preset("v4-flash"), bf16, "v4"), 6880);
    EXPECT_EQ(scheme_bytes(kv_preset("v4-pro"), bf16, "v4"), 9848);
    // At 1M tokens: V3's bf16 MLA cache ~73.7 GB, V4-Flash's ~7.2 GB.
    for (const KvScheme& s : kv_schemes(kv_preset("v3"), bf16))
        if (s.name == "mla") EXPECT_NEAR(s.bytes_per_sequence(1 << 20) / 1e9, 73.7, 0.05);
    for (const KvScheme& s : kv_schemes(kv_preset("v4-flash"), bf16))
        if (s.name == "v4") EXPECT_NEAR(s.bytes_per_sequence(1 << 20) / 1e9, 7.2, 0.05);
    EXPECT_NEAR(scheme_bytes(kv_preset("v3"), bf16, "mha") / scheme_bytes(kv_preset("v3"), bf16, "mla"), 71.1, 0.1);
}

TEST(KvFootprintTest, AttentionWorkFollowsTheSelection) {
    KvAttentionWork v32 = kv_attention_work(kv_preset("v3.2"), 65536);
    EXPECT_EQ(v32.dense_keys, 61.0 * 65536);
    EXPECT_EQ(v32.own_keys, 61.0 * 2048);
    KvAttentionWork short_ctx = kv_attention_work(kv_preset("v3.2"), 1000);
    EXPECT_EQ(short_ctx.own_keys, short_ctx.dense_keys);  // below index_topk DSA is dense
}

// For every architecture Whale runs, `whale kv --model DIR --dtype f32` predicts exactly the bytes
// per token the engine's cache allocates.
TEST(KvFootprintTest, PredictsWhatTheEngineAllocates) {
    for (const std::string& name : testing::golden_names()) {
        const testing::Golden golden = testing::load_golden(name);
        const KvArchitecture arch = kv_architecture_from_config(ConfigFields::load(golden.model_dir));
        auto engine = Engine::load(golden.model_dir);
        auto session = engine->new_session();
        session->append({1, 2, 3});
        double predicted = -1;
        for (const KvScheme& s : kv_schemes(arch, KvDtype::KvDtype_f32))
            if (s.engine) predicted = s.bytes_per_token;
        EXPECT_EQ(predicted, double(session->cache_bytes_per_token())) << name;
    }
}

}  // namespace
}  // namespace whale
