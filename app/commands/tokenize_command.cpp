// `whale tokenize` and `whale detokenize`: text <-> ids on stdin/stdout with a model's tokenizer.
//   tokenize:   stdin text -> JSON array of ids (added tokens matched unless --no-special), like
//               HF encode(text, add_special_tokens=False);
//   detokenize: stdin JSON array of ids -> the text, byte for byte.
// With --jsonl every input line is one item (a JSON string, resp. an id array) and every output
// line its result, so a script can stream many texts through one process.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "whale/core/error.h"
#include "whale/text/model_text_assets.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale::app {

namespace {

struct TokenizeArgs {
    std::string model;
    bool no_special = false;
    bool jsonl = false;
};

std::string ids_to_json(const std::vector<int32_t>& ids) {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(ids[i]);
    }
    return out + "]";
}

nlohmann::json parse_json_item(const std::string& text, const std::string& where) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        fail(where, ": not valid JSON: ", e.what());
    }
}

std::vector<int32_t> json_to_ids(const nlohmann::json& item, const std::string& where) {
    WHALE_CHECK(item.is_array(), where, ": expected a JSON array of token ids, got ", item.type_name());
    std::vector<int32_t> ids;
    for (const nlohmann::json& id : item) {
        WHALE_CHECK(id.is_number_integer(), where, ": expected integer token ids, got ", id.dump());
        ids.push_back(int32_t(id.get<int64_t>()));
    }
    return ids;
}

void add_common_options(CLI::App* cmd, TokenizeArgs& args) {
    cmd->add_option("-m,--model", args.model, "Model directory with tokenizer.json, or the tokenizer.json file")
        ->required();
    cmd->add_flag("--jsonl", args.jsonl, "One JSON item per input line, one result per output line");
}

}  // namespace

CommandRun register_tokenize_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("tokenize", "Print the token ids of the text on stdin as a JSON array");
    auto args = std::make_shared<TokenizeArgs>();
    add_common_options(cmd, *args);
    cmd->add_flag("--no-special", args->no_special,
                  "Treat special-token strings in the text as plain text (for untrusted input)");
    return [args]() {
        const Tokenizer tokenizer = load_model_tokenizer(args->model);
        const EncodeOptions options{.parse_special = !args->no_special};
        if (!args->jsonl) {
            const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
            std::printf("%s\n", ids_to_json(tokenizer.encode(text, options)).c_str());
            return 0;
        }
        std::string line;
        for (int64_t n = 1; std::getline(std::cin, line); ++n) {
            const std::string where = str_cat("stdin line ", n);
            const nlohmann::json item = parse_json_item(line, where);
            WHALE_CHECK(item.is_string(), where, ": expected a JSON string, got ", item.type_name());
            std::printf("%s\n", ids_to_json(tokenizer.encode(item.get<std::string>(), options)).c_str());
        }
        return 0;
    };
}

CommandRun register_detokenize_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("detokenize", "Print the text of the JSON array of token ids on stdin");
    auto args = std::make_shared<TokenizeArgs>();
    add_common_options(cmd, *args);
    return [args]() {
        const Tokenizer tokenizer = load_model_tokenizer(args->model);
        if (!args->jsonl) {
            const std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
            const std::string text = tokenizer.decode(json_to_ids(parse_json_item(input, "stdin"), "stdin"));
            std::fwrite(text.data(), 1, text.size(), stdout);
            return 0;
        }
        std::string line;
        for (int64_t n = 1; std::getline(std::cin, line); ++n) {
            const std::string where = str_cat("stdin line ", n);
            const std::string text = tokenizer.decode(json_to_ids(parse_json_item(line, where), where));
            std::printf("%s\n", nlohmann::json(text).dump().c_str());
        }
        return 0;
    };
}

}  // namespace whale::app
