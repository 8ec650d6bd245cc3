// The byte-level BPE model of tokenizer.json ("model": {"type": "BPE", ...}): the vocabulary, the
// ranked merges, and the merge loop that turns one pre-tokenized piece (raw bytes) into ids.
// Merges are applied lowest rank first, leftmost first among equal ranks, exactly as HF's
// Word::merge_all (a min-heap over candidate pairs on a linked list of symbols). Results for short
// pieces are cached, since natural text repeats the same words over and over.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace whale {

class BpeModel {
public:
    // `node` is the value of "model"; `where` names it for error messages.
    BpeModel(const nlohmann::json& node, const std::string& where);
    BpeModel(const BpeModel&) = delete;
    BpeModel& operator=(const BpeModel&) = delete;

    // Appends the ids of one piece (raw bytes, not yet mapped to the byte-level alphabet).
    void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;

    std::optional<int32_t> token_to_id(std::string_view token) const;
    // One past the largest vocabulary id; ids without a token have an empty string below.
    int32_t n_ids() const { return int32_t(id_to_token_.size()); }
    const std::string& id_to_token(int32_t id) const { return id_to_token_[size_t(id)]; }

private:
    struct MergeEntry {
        uint64_t key;  // left id << 32 | right id; kEmptyKey marks a free slot
        int32_t rank;
        int32_t merged;
    };
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    struct CachedIds {
        uint32_t offset, count;  // into cache_ids_
    };

    void load_vocab(const nlohmann::json& vocab, const std::string& where);
    void load_merges(const nlohmann::json& merges, const std::string& where);
    void insert_merge(int32_t left, int32_t right, int32_t rank, int32_t merged);
    const MergeEntry* find_merge(int32_t left, int32_t right) const;
    void merge_piece(std::string_view piece, std::vector<int32_t>& out) const;

    std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> vocab_;
    std::vector<std::string> id_to_token_;
    int32_t byte_to_id_[256];
    std::vector<MergeEntry> merge_table_;  // open addressing, power-of-two size
    uint64_t merge_mask_ = 0;
    bool ignore_merges_ = false;  // a piece that is itself in the vocabulary is taken whole

    mutable std::mutex cache_mutex_;
    mutable std::unordered_map<std::string, CachedIds, StringHash, std::equal_to<>> cache_;
    mutable std::vector<int32_t> cache_ids_;
};

}  // namespace whale
