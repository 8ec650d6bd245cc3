// Normalizer steps in the order tokenizer.json lists them (a Sequence is flattened at load).
#include "whale/tokenizer/normalizer.h"

#include <nlohmann/json.hpp>

#include "whale/core/error.h"
#include "whale/tokenizer/json_fields.h"

namespace whale {

Normalizer Normalizer::from_json(const nlohmann::json& node, const std::string& where) {
    Normalizer normalizer;
    if (!node.is_null()) normalizer.add(node, where);
    return normalizer;
}

void Normalizer::add(const nlohmann::json& node, const std::string& where) {
    const std::string type = json_string(node, "type", where);
    if (type == "Sequence") {
        const nlohmann::json& list = json_array(node, "normalizers", where);
        for (size_t i = 0; i < list.size(); ++i) add(list[i], str_cat(where, ".normalizers[", i, "]"));
    } else if (type == "Prepend") {
        steps_.push_back({NormalizerKind::NormalizerKind_prepend, "", json_string(node, "prepend", where)});
    } else if (type == "Replace") {
        const nlohmann::json& pattern = json_object(node, "pattern", where);
        WHALE_CHECK(pattern.contains("String"), where,
                    ".pattern: only a literal {\"String\": ...} pattern is supported, got ", pattern.dump());
        steps_.push_back({NormalizerKind::NormalizerKind_replace, json_string(pattern, "String", where + ".pattern"),
                          json_string(node, "content", where)});
        WHALE_CHECK(!steps_.back().pattern.empty(), where, ".pattern.String: expected a non-empty string");
    } else {
        fail(where, ": unsupported normalizer type \"", type,
             "\" (supported: Sequence, Prepend, Replace with a literal String)");
    }
}

std::string Normalizer::apply(std::string_view text) const {
    std::string current(text);
    for (const NormalizerStep& step : steps_) {
        if (step.kind == NormalizerKind::NormalizerKind_prepend) {
            // HF prepends only to non-empty text.
            if (!current.empty()) current.insert(0, step.content);
            continue;
        }
        std::string next;
        size_t pos = 0;
        for (size_t hit; (hit = current.find(step.pattern, pos)) != std::string::npos; pos = hit + step.pattern.size())
            next.append(current, pos, hit - pos).append(step.content);
        next.append(current, pos);
        current = std::move(next);
    }
    return current;
}

}  // namespace whale
