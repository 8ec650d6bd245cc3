// A Hugging Face checkpoint's tensors: one model.safetensors, or shards listed by
// model.safetensors.index.json, presented as one name -> TensorView map.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "whale/formats/safetensors/safetensors_file.h"

namespace whale {

class Checkpoint {
public:
    // `path` is a model directory or a single .safetensors file.
    explicit Checkpoint(const std::string& path);

    const TensorView* find(const std::string& name) const;
    // Throws "tensor 'name' is missing from <dir>" when absent.
    const TensorView& get(const std::string& name) const;
    bool contains(const std::string& name) const { return find(name) != nullptr; }
    std::vector<std::string> names() const;
    const std::string& path() const { return path_; }
    uint64_t total_bytes() const;

private:
    void add_file(const std::string& file_path);

    std::string path_;
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::map<std::string, const TensorView*> tensors_;
};

}  // namespace whale
