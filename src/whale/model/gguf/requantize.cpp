#include "whale/model/gguf/requantize.h"

#include <filesystem>

#include "whale/core/error.h"
#include "whale/formats/gguf/gguf_file.h"

namespace whale {

GgufWriteSummary requantize_gguf(const std::string& in_path, const std::string& out_path, GgufFileType type,
                                 bool show_progress) {
    std::error_code ec;
    WHALE_CHECK(!std::filesystem::equivalent(in_path, out_path, ec), out_path, ": output would overwrite the input");
    GgufFile in(in_path);
    const std::string arch = in.get_string("general.architecture");
    const GgufValue* blocks = in.find_value(arch + ".block_count");
    const int n_layers = blocks ? int(blocks->as_u64()) : 0;

    std::vector<GgufKeyValue> metadata = in.metadata();
    bool has_file_type = false;
    for (GgufKeyValue& kv : metadata) {
        if (kv.key != "general.file_type") continue;
        kv.value = gguf_u32(gguf_file_type_id(type));
        has_file_type = true;
    }
    if (!has_file_type) metadata.push_back({"general.file_type", gguf_u32(gguf_file_type_id(type))});
    if (!in.find_value("general.quantization_version")) metadata.push_back({"general.quantization_version", gguf_u32(2)});

    std::vector<RowTensor> tensors;
    for (const GgufTensor& t : in.tensors()) {
        RowTensor out;
        out.name = t.name;
        out.ne = t.ne;
        out.type = gguf_tensor_type(type, t.name, int(t.ne.size()), t.cols(), n_layers);
        if (out.type == t.dtype) {
            out.raw = t.data;
        } else {
            WeightMatrix w;
            w.dtype = t.dtype;
            w.rows = t.rows();
            w.cols = t.cols();
            w.data = t.data;
            out.row = matrix_rows(w);
        }
        tensors.push_back(std::move(out));
    }
    return write_gguf_rows(out_path, metadata, tensors, show_progress);
}

}  // namespace whale
