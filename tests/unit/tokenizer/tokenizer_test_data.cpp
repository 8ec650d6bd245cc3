// Loading of the tokenizer test fixtures (see tokenizer_test_data.h).
#include "tokenizer_test_data.h"

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace whale::test {

namespace {

uint32_t read_u32(const std::string& bytes, size_t& pos) {
    if (pos + 4 > bytes.size()) throw std::runtime_error("golden file truncated");
    uint32_t value;
    std::memcpy(&value, bytes.data() + pos, 4);  // little-endian, as the script writes
    pos += 4;
    return value;
}

}  // namespace

std::string read_binary_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

std::string golden_path(const std::string& file) { return std::string(WHALE_TOKENIZER_GOLDEN_DIR) + "/" + file; }

const Tokenizer& tokenizer_named(const std::string& name) {
    static std::map<std::string, std::unique_ptr<Tokenizer>> loaded;
    auto it = loaded.find(name);
    if (it != loaded.end()) return *it->second;
    std::string dir;
    if (name == "deepseek-v3") dir = WHALE_TOKENIZER_V3_DIR;
    else if (name == "deepseek-v4") dir = WHALE_TOKENIZER_V4_DIR;
    else throw std::runtime_error("unknown test tokenizer " + name);
    return *(loaded[name] = std::make_unique<Tokenizer>(Tokenizer::load(dir)));
}

const std::vector<std::string>& golden_corpus() {
    static const std::vector<std::string> docs = [] {
        const std::string bytes = read_binary_file(golden_path("corpus.bin"));
        std::vector<std::string> out;
        for (size_t pos = 0; pos < bytes.size();) {
            const uint32_t length = read_u32(bytes, pos);
            if (pos + length > bytes.size()) throw std::runtime_error("corpus.bin truncated");
            out.emplace_back(bytes, pos, length);
            pos += length;
        }
        return out;
    }();
    return docs;
}

std::vector<std::vector<int32_t>> golden_ids(const std::string& name, const std::string& mode) {
    const std::string bytes = read_binary_file(golden_path("ids-" + name + "-" + mode + ".bin"));
    std::vector<std::vector<int32_t>> out;
    for (size_t pos = 0; pos < bytes.size();) {
        const uint32_t count = read_u32(bytes, pos);
        std::vector<int32_t>& ids = out.emplace_back(count);
        for (uint32_t i = 0; i < count; ++i) ids[i] = int32_t(read_u32(bytes, pos));
    }
    return out;
}

}  // namespace whale::test
