#include "whale/formats/safetensors/safetensors_writer.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "whale/core/error.h"

namespace whale {

void write_safetensors(const std::string& path, const std::vector<TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    std::vector<const TensorView*> ordered;
    for (const TensorView& t : tensors) ordered.push_back(&t);
    std::sort(ordered.begin(), ordered.end(),
              [](const TensorView* a, const TensorView* b) { return a->name < b->name; });

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const TensorView* t : ordered) {
        WHALE_CHECK(uint64_t(t->numel()) * dtype_size(t->dtype) == t->nbytes, "write_safetensors: tensor '",
                    t->name, "' shape ", shape_to_string(t->shape), " does not match its ", t->nbytes, " bytes");
        header[t->name] = {{"dtype", std::string(dtype_name(t->dtype))},
                           {"shape", t->shape},
                           {"data_offsets", {offset, offset + t->nbytes}}};
        offset += t->nbytes;
    }
    std::string text = header.dump();
    while ((text.size() + 8) % 8 != 0) text.push_back(' ');

    std::string tmp_path = path + ".tmp";
    {
        std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
        WHALE_CHECK(out.good(), path, ": cannot open for writing");
        uint64_t n = text.size();
        char len_bytes[8];
        for (int i = 0; i < 8; ++i) len_bytes[i] = char((n >> (8 * i)) & 0xff);
        out.write(len_bytes, 8);
        out.write(text.data(), std::streamsize(text.size()));
        for (const TensorView* t : ordered)
            out.write(static_cast<const char*>(t->data), std::streamsize(t->nbytes));
        WHALE_CHECK(out.good(), path, ": write failed (disk full?)");
    }
    // Rename last so a crash never leaves a half-written file under the final name.
    WHALE_CHECK(std::rename(tmp_path.c_str(), path.c_str()) == 0, path, ": cannot rename from ", tmp_path);
}

}  // namespace whale
