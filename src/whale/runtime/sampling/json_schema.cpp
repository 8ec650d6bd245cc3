#include "whale/runtime/sampling/json_schema.h"

#include <algorithm>
#include <set>

#include "whale/core/error.h"

namespace whale {

namespace {

using Json = nlohmann::ordered_json;

// Defaults that keep every generation finite, as the plain JSON grammar's bounds do.
constexpr int default_max_items = 8;
constexpr int default_max_length = 32;

const std::set<std::string>& ignored_keywords() {
    static const std::set<std::string> keywords{"title", "description", "default", "examples", "format", "$schema",
                                                "$comment", "additionalProperties", "strict", "name"};
    return keywords;
}

class Compiler {
public:
    explicit Compiler(JsonSchema& out) : out_(out) {}

    int compile(const Json& schema, const std::string& where, int depth) {
        WHALE_CHECK(schema.is_object(), "schema at ", where, " must be an object");
        for (const auto& [key, value] : schema.items()) {
            static const std::set<std::string> known{"type", "properties", "required", "items", "minItems", "maxItems",
                                                     "minLength", "maxLength", "enum", "const"};
            WHALE_CHECK(known.count(key) || ignored_keywords().count(key), "the schema keyword '", key, "' at ", where,
                        " is not supported for constrained output");
        }
        if (schema.contains("const")) return literals(Json::array({schema["const"]}), where);
        if (schema.contains("enum")) return literals(schema["enum"], where);
        const Json type = schema.contains("type") ? schema["type"] : schema.contains("properties") ? Json("object") : Json();
        if (type.is_null()) return any_scalar(where);
        if (type.is_array()) {
            WHALE_CHECK(!type.empty(), "'type' at ", where, " must not be an empty list");
            std::vector<int> alternatives;
            for (const auto& t : type) {
                WHALE_CHECK(t.is_string(), "'type' at ", where, " must be a string or a list of strings");
                Json single = schema;
                single["type"] = t;
                alternatives.push_back(compile(single, where, depth));
            }
            return union_of(std::move(alternatives), where);
        }
        WHALE_CHECK(type.is_string(), "'type' at ", where, " must be a string or a list of strings");
        const std::string name = type.get<std::string>();
        if (name == "object") return object(schema, where, depth);
        if (name == "array") return array(schema, where, depth);
        if (name == "string") return string(schema, where);
        if (name == "number" || name == "integer") {
            SchemaNode node;
            node.kind = name == "number" ? SchemaNode::Kind::Kind_number : SchemaNode::Kind::Kind_integer;
            node.min_chars = 1;
            return add(std::move(node));
        }
        if (name == "boolean") return literals(Json::array({true, false}), where);
        if (name == "null") return literals(Json::array({nullptr}), where);
        fail("unknown 'type' \"", name, "\" at ", where);
    }

    // An object of any keys whose values are anything: the object, an array of anything, or a
    // scalar. The value union is made last, so the object and the array are pointed at it after.
    int any_object(const std::string& where) {
        SchemaNode object;
        object.kind = SchemaNode::Kind::Kind_object;
        object.any_keys = true;
        object.max_items = default_max_items;
        object.max_length = default_max_length;
        object.min_chars = 2;
        SchemaNode array;
        array.kind = SchemaNode::Kind::Kind_array;
        array.max_items = default_max_items;
        array.min_chars = 2;
        const int object_id = add(std::move(object)), array_id = add(std::move(array));
        const int value = union_of({object_id, array_id, any_scalar(where)}, where);
        out_.nodes[size_t(object_id)].children = {value};
        out_.nodes[size_t(array_id)].items = value;
        return object_id;
    }

private:
    int add(SchemaNode node) {
        out_.nodes.push_back(std::move(node));
        return int(out_.nodes.size()) - 1;
    }

    static int bounded(const Json& schema, const char* field, int fallback, int limit, const std::string& where) {
        if (!schema.contains(field)) return fallback;
        WHALE_CHECK(schema[field].is_number_integer() && schema[field].get<int64_t>() >= 0 && schema[field].get<int64_t>() <= limit,
                    "'", field, "' at ", where, " must be an integer from 0 to ", limit);
        return int(schema[field].get<int64_t>());
    }

    int object(const Json& schema, const std::string& where, int depth) {
        WHALE_CHECK(depth < JsonSchema::max_depth, "the schema nests objects and arrays deeper than ", JsonSchema::max_depth,
                    " levels at ", where);
        SchemaNode node;
        node.kind = SchemaNode::Kind::Kind_object;
        const Json properties = schema.value("properties", Json::object());
        WHALE_CHECK(properties.is_object(), "'properties' at ", where, " must be an object");
        WHALE_CHECK(int(properties.size()) <= JsonSchema::max_properties, "more than ", JsonSchema::max_properties,
                    " properties at ", where);
        for (const auto& [key, value] : properties.items()) {
            // Keys are written verbatim between quotes, so they must need no escaping.
            WHALE_CHECK(std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; }),
                        "property name '", key, "' at ", where, " must be printable ASCII without quotes or backslashes");
            node.keys.push_back(key);
            node.children.push_back(compile(value, where + "." + key, depth + 1));
        }
        if (schema.contains("required")) {
            WHALE_CHECK(schema["required"].is_array(), "'required' at ", where, " must be an array of property names");
            for (const auto& name : schema["required"]) {
                auto it = name.is_string() ? std::find(node.keys.begin(), node.keys.end(), name.get<std::string>()) : node.keys.end();
                WHALE_CHECK(it != node.keys.end(), "'required' at ", where, " names ", name.dump(), ", which is not in 'properties'");
                node.required |= uint64_t(1) << (it - node.keys.begin());
            }
        }
        int chars = 2, members = 0;
        for (size_t i = 0; i < node.keys.size(); ++i)
            if (node.required >> i & 1) chars += (members++ ? 1 : 0) + int(node.keys[i].size()) + 3 + out_.nodes[size_t(node.children[i])].min_chars;
        node.min_chars = chars;
        return add(std::move(node));
    }

    int array(const Json& schema, const std::string& where, int depth) {
        WHALE_CHECK(depth < JsonSchema::max_depth, "the schema nests objects and arrays deeper than ", JsonSchema::max_depth,
                    " levels at ", where);
        SchemaNode node;
        node.kind = SchemaNode::Kind::Kind_array;
        node.min_items = bounded(schema, "minItems", 0, default_max_items, where);
        node.max_items = bounded(schema, "maxItems", std::max(node.min_items, default_max_items), 64, where);
        WHALE_CHECK(node.min_items <= node.max_items, "'minItems' exceeds 'maxItems' at ", where);
        // Without 'items' any value is allowed; a short string is as good as any.
        node.items = schema.contains("items") ? compile(schema["items"], where + "[]", depth + 1) : any_scalar(where + "[]");
        const int item = out_.nodes[size_t(node.items)].min_chars;
        node.min_chars = 2 + node.min_items * item + std::max(0, node.min_items - 1);
        return add(std::move(node));
    }

    int string(const Json& schema, const std::string& where) {
        SchemaNode node;
        node.kind = SchemaNode::Kind::Kind_string;
        node.min_length = bounded(schema, "minLength", 0, 256, where);
        node.max_length = bounded(schema, "maxLength", std::max(node.min_length, default_max_length), 256, where);
        node.max_length = std::min(node.max_length, std::max(node.min_length, default_max_length));
        WHALE_CHECK(node.min_length <= node.max_length, "'minLength' exceeds 'maxLength' at ", where);
        node.min_chars = 2 + node.min_length;
        return add(std::move(node));
    }

    int literals(const Json& values, const std::string& where) {
        WHALE_CHECK(values.is_array() && !values.empty() && int(values.size()) <= JsonSchema::max_literals,
                    "'enum' at ", where, " must be a non-empty array of at most ", JsonSchema::max_literals, " values");
        SchemaNode node;
        node.kind = SchemaNode::Kind::Kind_literals;
        node.min_chars = 1 << 30;
        for (const auto& value : values) {
            node.literals.push_back(value.dump());
            node.min_chars = std::min(node.min_chars, int(node.literals.back().size()));
        }
        return add(std::move(node));
    }

    // Alternatives are told apart by their first character, so no two may start alike.
    int union_of(std::vector<int> alternatives, const std::string& where) {
        SchemaNode node;
        node.kind = SchemaNode::Kind::Kind_union;
        node.min_chars = 1 << 30;
        std::set<char> firsts;
        for (int id : alternatives) {
            const SchemaNode& alt = out_.nodes[size_t(id)];
            std::set<char> mine;
            switch (alt.kind) {
            case SchemaNode::Kind::Kind_object: mine = {'{'}; break;
            case SchemaNode::Kind::Kind_array: mine = {'['}; break;
            case SchemaNode::Kind::Kind_string: mine = {'"'}; break;
            case SchemaNode::Kind::Kind_number:
            case SchemaNode::Kind::Kind_integer: mine = {'-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'}; break;
            case SchemaNode::Kind::Kind_literals:
                for (const auto& text : alt.literals) mine.insert(text[0]);
                break;
            case SchemaNode::Kind::Kind_union: mine = {}; break;
            }
            for (char c : mine)
                WHALE_CHECK(firsts.insert(c).second, "the types listed at ", where, " overlap (e.g. number and integer)");
            node.min_chars = std::min(node.min_chars, alt.min_chars);
        }
        node.children = std::move(alternatives);
        return add(std::move(node));
    }

    int any_scalar(const std::string& where) {
        SchemaNode text;
        text.kind = SchemaNode::Kind::Kind_string;
        text.max_length = default_max_length;
        text.min_chars = 2;
        SchemaNode number;
        number.kind = SchemaNode::Kind::Kind_number;
        number.min_chars = 1;
        return union_of({add(std::move(text)), add(std::move(number)), literals(Json::array({true, false, nullptr}), where)}, where);
    }

    JsonSchema& out_;
};

}  // namespace

JsonSchema any_json_object_schema() {
    JsonSchema out;
    out.depth_limit = 6;
    out.root = Compiler(out).any_object("the root");
    return out;
}

JsonSchema compile_json_schema(const Json& schema) {
    JsonSchema out;
    WHALE_CHECK(schema.is_object(), "the schema must be a JSON object");
    Compiler compiler(out);
    out.root = compiler.compile(schema, "the root", 0);
    WHALE_CHECK(out.nodes[size_t(out.root)].kind == SchemaNode::Kind::Kind_object, "the schema's root must be of type object");
    return out;
}

}  // namespace whale
