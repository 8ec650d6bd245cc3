// Shared fixtures of the tokenizer tests: the tokenizers under test (loaded once per process) and
// the committed goldens written by scripts/make_tokenizer_goldens.py.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "whale/tokenizer/tokenizer.h"

namespace whale::test {

// "deepseek-v3" or "deepseek-v4"; loaded on first use and kept for the whole test run.
const Tokenizer& tokenizer_named(const std::string& name);

// corpus.bin: the documents, in order.
const std::vector<std::string>& golden_corpus();
// ids-<name>-<mode>.bin with mode "special" or "plain": one id list per document.
std::vector<std::vector<int32_t>> golden_ids(const std::string& name, const std::string& mode);
std::string golden_path(const std::string& file);
std::string read_binary_file(const std::string& path);

}  // namespace whale::test
