// BPE vocabulary, merge table and merge loop.
#include "whale/tokenizer/bpe_model.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "whale/core/error.h"
#include "whale/tokenizer/byte_level.h"
#include "whale/tokenizer/json_fields.h"

namespace whale {

namespace {

constexpr uint64_t kEmptyKey = ~uint64_t(0);
// Pieces longer than this are rare (long runs) and would only churn the cache.
constexpr size_t kMaxCachedPieceBytes = 128;
// The cache is dropped whole when it reaches this many pieces; simpler than LRU and just as good
// for streams of natural text, whose vocabulary of words is small.
constexpr size_t kMaxCachedPieces = 1 << 17;

uint64_t pair_key(int32_t left, int32_t right) { return uint64_t(uint32_t(left)) << 32 | uint32_t(right); }

size_t slot_of(uint64_t key, uint64_t mask) { return size_t((key * 0x9E3779B97F4A7C15ull) >> 20) & mask; }

// Scratch of the merge loop, one per thread so encode can run concurrently without allocating.
struct Symbol {
    int32_t id;
    int32_t prev, next;  // linked list over the surviving symbols; -1 = none
    bool alive;
};
struct Candidate {
    uint64_t key;  // rank << 32 | position of the left symbol: the heap pops the smallest
    int32_t merged;
};
struct MergeScratch {
    std::vector<Symbol> symbols;
    std::vector<Candidate> heap;
};

bool candidate_after(const Candidate& a, const Candidate& b) { return a.key > b.key; }

}  // namespace

BpeModel::BpeModel(const nlohmann::json& node, const std::string& where) {
    const std::string type = json_string(node, "type", where);
    WHALE_CHECK(type == "BPE", where, ".type: only \"BPE\" models are supported, got \"", type, "\"");
    auto absent = [&](const char* key) {
        auto it = node.find(key);
        return it == node.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty());
    };
    WHALE_CHECK(absent("continuing_subword_prefix") && absent("end_of_word_suffix"), where,
                ": continuing_subword_prefix / end_of_word_suffix are not supported (byte-level BPE has none)");
    WHALE_CHECK(!json_bool(node, "byte_fallback", where, false), where, ".byte_fallback: expected false for byte-level BPE");
    auto dropout = node.find("dropout");
    WHALE_CHECK(dropout == node.end() || dropout->is_null() || (dropout->is_number() && dropout->get<double>() == 0.0),
                where, ".dropout: expected null (BPE dropout is a training-time option)");
    ignore_merges_ = json_bool(node, "ignore_merges", where, false);
    load_vocab(json_object(node, "vocab", where), where + ".vocab");
    load_merges(json_array(node, "merges", where), where + ".merges");
}

void BpeModel::load_vocab(const nlohmann::json& vocab, const std::string& where) {
    vocab_.reserve(vocab.size());
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        WHALE_CHECK(it.value().is_number_integer() && it.value().get<int64_t>() >= 0 &&
                        it.value().get<int64_t>() < (int64_t(1) << 30),
                    where, "[\"", it.key(), "\"]: expected a non-negative integer id, got ", it.value().dump());
        const auto id = int32_t(it.value().get<int64_t>());
        vocab_[it.key()] = id;
        if (size_t(id) >= id_to_token_.size()) id_to_token_.resize(size_t(id) + 1);
        id_to_token_[size_t(id)] = it.key();
    }
    for (int b = 0; b < 256; ++b) {
        std::string symbol = byte_level_encode(std::string_view(reinterpret_cast<const char*>(&b), 1));
        auto it = vocab_.find(symbol);
        WHALE_CHECK(it != vocab_.end(), where, ": no token for byte 0x", std::hex, b, " (\"", symbol,
                    "\"); a byte-level vocabulary must hold all 256 byte symbols");
        byte_to_id_[b] = it->second;
    }
}

void BpeModel::load_merges(const nlohmann::json& merges, const std::string& where) {
    size_t capacity = 16;
    while (capacity < merges.size() * 2) capacity *= 2;
    merge_table_.assign(capacity, MergeEntry{kEmptyKey, 0, 0});
    merge_mask_ = capacity - 1;
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const nlohmann::json& merge = merges[rank];
        std::string left, right;
        // Older files write "a b", newer ones ["a", "b"]; byte-level tokens never contain a space.
        if (merge.is_string()) {
            const std::string text = merge.get<std::string>();
            const size_t space = text.find(' ');
            WHALE_CHECK(space != std::string::npos && text.find(' ', space + 1) == std::string::npos, where, "[", rank,
                        "]: expected \"left right\" with exactly one space, got \"", text, "\"");
            left = text.substr(0, space);
            right = text.substr(space + 1);
        } else {
            WHALE_CHECK(merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string(), where,
                        "[", rank, "]: expected \"left right\" or [\"left\", \"right\"], got ", merge.dump());
            left = merge[0].get<std::string>();
            right = merge[1].get<std::string>();
        }
        auto l = vocab_.find(left), r = vocab_.find(right), m = vocab_.find(left + right);
        WHALE_CHECK(l != vocab_.end() && r != vocab_.end(), where, "[", rank, "]: \"", left, "\" or \"", right,
                    "\" is not in the vocabulary");
        WHALE_CHECK(m != vocab_.end(), where, "[", rank, "]: merged token \"", left + right, "\" is not in the vocabulary");
        insert_merge(l->second, r->second, int32_t(rank), m->second);
    }
}

void BpeModel::insert_merge(int32_t left, int32_t right, int32_t rank, int32_t merged) {
    const uint64_t key = pair_key(left, right);
    for (size_t slot = slot_of(key, merge_mask_);; slot = (slot + 1) & merge_mask_) {
        MergeEntry& entry = merge_table_[slot];
        // A repeated pair takes the later rank, as HF's map does.
        if (entry.key == kEmptyKey || entry.key == key) {
            entry = {key, rank, merged};
            return;
        }
    }
}

const BpeModel::MergeEntry* BpeModel::find_merge(int32_t left, int32_t right) const {
    const uint64_t key = pair_key(left, right);
    for (size_t slot = slot_of(key, merge_mask_);; slot = (slot + 1) & merge_mask_) {
        const MergeEntry& entry = merge_table_[slot];
        if (entry.key == key) return &entry;
        if (entry.key == kEmptyKey) return nullptr;
    }
}

std::optional<int32_t> BpeModel::token_to_id(std::string_view token) const {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
}

void BpeModel::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
    if (piece.size() == 1) {
        out.push_back(byte_to_id_[uint8_t(piece[0])]);
        return;
    }
    if (piece.size() > kMaxCachedPieceBytes) {
        merge_piece(piece, out);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(cache_mutex_);
        auto it = cache_.find(piece);
        if (it != cache_.end()) {
            const int32_t* ids = cache_ids_.data() + it->second.offset;
            out.insert(out.end(), ids, ids + it->second.count);
            return;
        }
    }
    const size_t first = out.size();
    merge_piece(piece, out);
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() >= kMaxCachedPieces) {
        cache_.clear();
        cache_ids_.clear();
    }
    cache_.emplace(std::string(piece), CachedIds{uint32_t(cache_ids_.size()), uint32_t(out.size() - first)});
    cache_ids_.insert(cache_ids_.end(), out.begin() + ptrdiff_t(first), out.end());
}

void BpeModel::merge_piece(std::string_view piece, std::vector<int32_t>& out) const {
    if (ignore_merges_) {
        auto it = vocab_.find(byte_level_encode(piece));
        if (it != vocab_.end()) {
            out.push_back(it->second);
            return;
        }
    }
    thread_local MergeScratch scratch;
    std::vector<Symbol>& symbols = scratch.symbols;
    std::vector<Candidate>& heap = scratch.heap;
    const auto n = int32_t(piece.size());
    if (n == 0) return;
    symbols.resize(size_t(n));
    heap.clear();
    for (int32_t i = 0; i < n; ++i)
        symbols[size_t(i)] = {byte_to_id_[uint8_t(piece[size_t(i)])], i - 1, i + 1 < n ? i + 1 : -1, true};
    for (int32_t i = 0; i + 1 < n; ++i)
        if (const MergeEntry* e = find_merge(symbols[size_t(i)].id, symbols[size_t(i) + 1].id))
            heap.push_back({uint64_t(e->rank) << 32 | uint32_t(i), e->merged});
    std::make_heap(heap.begin(), heap.end(), candidate_after);

    auto push = [&](int32_t pos, const MergeEntry* e) {
        heap.push_back({uint64_t(e->rank) << 32 | uint32_t(pos), e->merged});
        std::push_heap(heap.begin(), heap.end(), candidate_after);
    };
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), candidate_after);
        const Candidate top = heap.back();
        heap.pop_back();
        const auto pos = int32_t(top.key & 0xFFFFFFFFu);
        Symbol& left = symbols[size_t(pos)];
        if (!left.alive || left.next < 0) continue;
        Symbol& right = symbols[size_t(left.next)];
        // The candidate is stale when either side has merged since it was queued.
        const MergeEntry* current = find_merge(left.id, right.id);
        if (!current || current->merged != top.merged) continue;
        left.id = top.merged;
        left.next = right.next;
        right.alive = false;
        if (right.next >= 0) symbols[size_t(right.next)].prev = pos;
        if (left.prev >= 0)
            if (const MergeEntry* e = find_merge(symbols[size_t(left.prev)].id, left.id)) push(left.prev, e);
        if (left.next >= 0)
            if (const MergeEntry* e = find_merge(left.id, symbols[size_t(left.next)].id)) push(pos, e);
    }
    for (int32_t i = 0; i >= 0; i = symbols[size_t(i)].next) out.push_back(symbols[size_t(i)].id);
}

}  // namespace whale
