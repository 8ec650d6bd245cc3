#include "model/golden_fixture.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "whale/core/error.h"
#include "whale/formats/safetensors/safetensors_file.h"

namespace whale::testing {

namespace {

template <typename T>
std::vector<T> copy_tensor(const SafetensorsFile& file, const std::string& name) {
    const TensorView* view = file.find(name);
    WHALE_CHECK(view != nullptr, file.path(), ": golden tensor '", name, "' missing");
    std::vector<T> out(view->nbytes / sizeof(T));
    std::memcpy(out.data(), view->data, view->nbytes);
    return out;
}

}  // namespace

std::vector<std::string> golden_names() {
    return {"v2_lite", "v2", "v3", "v3_fp8", "v3_bf16", "v32", "v32_mtp",
            "r1_distill_qwen2", "r1_distill_qwen2_tied", "r1_distill_llama", "r1_distill_qwen3"};
}

Golden load_golden(const std::string& name) {
    Golden g;
    g.name = name;
    const std::string dir = std::string(WHALE_GOLDEN_DIR) + "/" + name;
    g.model_dir = dir + "/model";
    SafetensorsFile file(dir + "/expected.safetensors");
    g.tokens = copy_tensor<int32_t>(file, "tokens");
    g.logits = copy_tensor<float>(file, "logits");
    g.greedy = copy_tensor<int32_t>(file, "greedy");
    g.vocab_size = file.find("logits")->shape[1];
    for (int layer = 0; file.find("hidden." + std::to_string(layer)); ++layer)
        g.hidden.push_back(copy_tensor<float>(file, "hidden." + std::to_string(layer)));
    return g;
}

double max_relative_error(const std::vector<float>& actual, const std::vector<float>& expected) {
    if (actual.size() != expected.size()) return INFINITY;
    double max_diff = 0.0, max_ref = 0.0;
    for (size_t i = 0; i < expected.size(); ++i) {
        if (!std::isfinite(actual[i])) return INFINITY;
        max_diff = std::max(max_diff, double(std::fabs(actual[i] - expected[i])));
        max_ref = std::max(max_ref, double(std::fabs(expected[i])));
    }
    return max_diff / max_ref;
}

}  // namespace whale::testing
