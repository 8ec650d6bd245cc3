#include "whale/formats/safetensors/checkpoint.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "whale/core/error.h"

namespace whale {

namespace fs = std::filesystem;

Checkpoint::Checkpoint(const std::string& path) : path_(path) {
    if (fs::is_regular_file(path)) {
        add_file(path);
        return;
    }
    WHALE_CHECK(fs::is_directory(path), path, ": no such model directory or .safetensors file");
    fs::path dir(path);
    fs::path index_path = dir / "model.safetensors.index.json";
    if (fs::exists(index_path)) {
        std::ifstream in(index_path);
        nlohmann::json index;
        try {
            index = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            fail(index_path.string(), ": not valid JSON (", e.what(), ")");
        }
        WHALE_CHECK(index.is_object() && index.contains("weight_map") && index["weight_map"].is_object(),
                    index_path.string(), ": missing object 'weight_map'");
        std::set<std::string> shard_names;
        for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
            WHALE_CHECK(it.value().is_string(), index_path.string(), ": weight_map entry '", it.key(),
                        "' must name a shard file");
            std::string shard = it.value().get<std::string>();
            WHALE_CHECK(shard.find('/') == std::string::npos && shard.find("..") == std::string::npos,
                        index_path.string(), ": shard name '", shard, "' must be a plain file name");
            shard_names.insert(shard);
        }
        for (const std::string& shard : shard_names) add_file((dir / shard).string());
        for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
            const TensorView* t = find(it.key());
            WHALE_CHECK(t != nullptr, index_path.string(), ": tensor '", it.key(), "' is listed in shard ",
                        it.value().get<std::string>(), " but not stored there");
        }
        return;
    }
    fs::path single = dir / "model.safetensors";
    WHALE_CHECK(fs::exists(single), path, ": no model.safetensors or model.safetensors.index.json");
    add_file(single.string());
}

void Checkpoint::add_file(const std::string& file_path) {
    files_.push_back(std::make_unique<SafetensorsFile>(file_path));
    for (const TensorView& t : files_.back()->tensors()) {
        auto [it, inserted] = tensors_.emplace(t.name, &t);
        WHALE_CHECK(inserted, file_path, ": tensor '", t.name, "' is also stored in another shard");
    }
}

const TensorView* Checkpoint::find(const std::string& name) const {
    auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : it->second;
}

const TensorView& Checkpoint::get(const std::string& name) const {
    const TensorView* t = find(name);
    WHALE_CHECK(t != nullptr, path_, ": tensor '", name, "' is missing from the checkpoint");
    return *t;
}

std::vector<std::string> Checkpoint::names() const {
    std::vector<std::string> out;
    for (const auto& [name, view] : tensors_) out.push_back(name);
    return out;
}

uint64_t Checkpoint::total_bytes() const {
    uint64_t total = 0;
    for (const auto& [name, view] : tensors_) total += view->nbytes;
    return total;
}

}  // namespace whale
