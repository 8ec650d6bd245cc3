// Reads tests/golden/<name>/expected.safetensors (written by scripts/make_goldens.py from
// transformers) and compares engine outputs against it.
#pragma once

#include <string>
#include <vector>

namespace whale::testing {

struct Golden {
    std::string name;
    std::string model_dir;
    std::vector<int32_t> tokens;               // [T] prompt
    std::vector<float> logits;                 // [T, V]
    std::vector<std::vector<float>> hidden;    // per layer [T, D]
    std::vector<int32_t> greedy;               // [32]
    int64_t vocab_size = 0;
};

Golden load_golden(const std::string& name);
std::vector<std::string> golden_names();

// max |a - b| / max |b|: the logit error measure of the acceptance criteria.
double max_relative_error(const std::vector<float>& actual, const std::vector<float>& expected);

}  // namespace whale::testing
