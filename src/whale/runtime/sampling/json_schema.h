// The subset of JSON Schema that constrained decoding can enforce, compiled into a flat table of
// nodes the schema grammar walks (json_schema_grammar.h). Supported: type object (properties,
// required), array (items, minItems, maxItems), string (minLength, maxLength), number, integer,
// boolean, null, a list of types, enum and const, and nesting. Annotations (title, description,
// default, examples, format, $schema, additionalProperties, strict) are accepted and ignored: the
// output only ever holds the listed properties, which is valid whatever additionalProperties says.
// Anything else ($ref, anyOf, pattern, minimum, ...) is refused with whale::Error naming the keyword
// and where it is, rather than generating output that might not validate.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace whale {

struct SchemaNode {
    enum class Kind : uint8_t { Kind_object, Kind_array, Kind_string, Kind_number, Kind_integer, Kind_literals, Kind_union };
    Kind kind = Kind::Kind_literals;
    std::vector<std::string> keys;       // object: property names, in the order they are written
    bool any_keys = false;               // object: any key instead (printable ASCII, at most max_length
                                         // chars), at most max_items members, each value children[0]
    std::vector<int> children;           // object: each key's value node; union: the alternatives
    uint64_t required = 0;               // object: bit i set when keys[i] is required
    int items = -1;                      // array: the item node
    int min_items = 0, max_items = 0;    // array (max_items also bounds an any_keys object)
    int min_length = 0, max_length = 0;  // string
    std::vector<std::string> literals;   // literals: each allowed value as compact JSON text
    int min_chars = 0;                   // the length of the shortest value this node allows
};

struct JsonSchema {
    static constexpr int max_depth = 8;        // nested objects and arrays
    static constexpr int max_properties = 64;  // per object (a bit mask of them is kept)
    static constexpr int max_literals = 64;    // per enum
    std::vector<SchemaNode> nodes;
    int root = 0;
    int depth_limit = max_depth;  // containers open at once
};

// Compiles `schema`; its root must be an object. Throws whale::Error for what is not supported.
JsonSchema compile_json_schema(const nlohmann::ordered_json& schema);

// Any JSON object (response_format json_object), bounded so every generation ends: at most 8
// members or items per container, 6 containers deep, keys and strings of at most 32 characters.
// Its values are any JSON value: the node graph is recursive.
JsonSchema any_json_object_schema();

}  // namespace whale
