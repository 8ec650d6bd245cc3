#include "whale/model/dense_gqa/weights.h"

#include "whale/core/error.h"

namespace whale {

GqaShape gqa_shape(const DenseGqaConfig& c) {
    GqaShape s;
    s.hidden_size = c.hidden_size;
    s.n_heads = c.num_attention_heads;
    s.n_kv_heads = c.num_key_value_heads;
    s.head_dim = c.head_dim;
    s.qkv_bias = c.qkv_bias;
    s.o_bias = c.o_bias;
    s.qk_norm = c.qk_norm;
    s.eps = c.rms_norm_eps;
    s.softmax_scale = c.softmax_scale();
    return s;
}

DenseGqaWeights load_dense_gqa_weights(WeightLoader& loader, const DenseGqaConfig& c) {
    DenseGqaWeights w;
    const GqaShape shape = gqa_shape(c);
    w.embed_tokens = loader.matrix("model.embed_tokens.weight", c.vocab_size, c.hidden_size);
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        const std::string prefix = str_cat("model.layers.", l);
        DenseLayerWeights layer;
        layer.input_layernorm = loader.vector(prefix + ".input_layernorm.weight", c.hidden_size);
        layer.self_attn = load_gqa(loader, prefix + ".self_attn", shape);
        layer.post_attention_layernorm = loader.vector(prefix + ".post_attention_layernorm.weight", c.hidden_size);
        layer.mlp = load_swiglu(loader, prefix + ".mlp", c.hidden_size, c.intermediate_size, c.mlp_bias);
        w.layers.push_back(std::move(layer));
    }
    w.norm = loader.vector("model.norm.weight", c.hidden_size);
    // transformers ties the head to the embedding whenever the config says so, even if the
    // checkpoint also stores an lm_head.weight; Whale does the same.
    w.lm_head = c.tie_word_embeddings ? w.embed_tokens : loader.matrix("lm_head.weight", c.vocab_size, c.hidden_size);
    return w;
}

}  // namespace whale
