#include "llactr/llm/model/model_file.h"

#include <stdexcept>

namespace llactr::llm {

namespace {

// A Matrix [out, in] is the ggml tensor ne = [in, out] byte for byte.
void add_matrix(gguf::GgufWriter& w, const std::string& name, const Matrix& m) {
  w.add_tensor(name, {m.cols, m.rows}, gguf::GgmlType::F32, m.data.data());
}
void add_vector(gguf::GgufWriter& w, const std::string& name, const std::vector<float>& v) {
  w.add_tensor(name, {int64_t(v.size())}, gguf::GgmlType::F32, v.data());
}

}  // namespace

gguf::GgufWriter llama_gguf_writer(const Model& m, const gguf::GgufFile& tokenizer) {
  const TransformerConfig& c = m.config;
  const TransformerWeights& wt = m.weights;
  if (c.arch != "llama") throw std::invalid_argument("llama_gguf_writer: architecture '" + c.arch + "' is not llama");
  if (!c.rope_freq_factors.empty() || !wt.output_b.empty())
    throw std::invalid_argument("llama_gguf_writer: rope_freqs and output.bias are not written");
  for (const LayerWeights& L : wt.layers)
    if (!L.bq.empty() || !L.bk.empty() || !L.bv.empty() || !L.bo.empty() || !L.b_gate.empty() || !L.b_up.empty() ||
        !L.b_down.empty())
      throw std::invalid_argument("llama_gguf_writer: biases are not written (plain llama only)");
  const gguf::Value* tokens = tokenizer.find("tokenizer.ggml.tokens");
  if (!tokens || tokens->type != gguf::ValueType::ARRAY || int64_t(tokens->arr.size()) != c.n_vocab)
    throw std::invalid_argument(tokenizer.path() + ": tokenizer.ggml.tokens must hold " + std::to_string(c.n_vocab) +
                                " tokens, the model's vocabulary");

  gguf::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "llactr-pretrain");
  w.set_u32("general.file_type", 0);  // llama_ftype ALL_F32
  w.set_u32("llama.context_length", uint32_t(c.n_ctx));
  w.set_u32("llama.embedding_length", uint32_t(c.n_embd));
  w.set_u32("llama.block_count", uint32_t(c.n_layer));
  w.set_u32("llama.feed_forward_length", uint32_t(c.n_ff));
  w.set_u32("llama.attention.head_count", uint32_t(c.n_head));
  w.set_u32("llama.attention.head_count_kv", uint32_t(c.n_head_kv));
  w.set_u32("llama.rope.dimension_count", uint32_t(c.n_rot));
  w.set_f32("llama.rope.freq_base", c.rope_freq_base);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", c.rms_eps);
  w.set_u32("llama.vocab_size", uint32_t(c.n_vocab));
  for (const gguf::KeyValue& kv : tokenizer.metadata())
    if (kv.key.rfind("tokenizer.", 0) == 0) w.set(kv.key, kv.value);

  add_matrix(w, "token_embd.weight", wt.token_embd);  // [vocab, d]
  for (int l = 0; l < c.n_layer; ++l) {
    const LayerWeights& L = wt.layers[size_t(l)];
    const std::string p = "blk." + std::to_string(l) + ".";
    add_vector(w, p + "attn_norm.weight", L.attn_norm);
    add_matrix(w, p + "attn_q.weight", L.wq);
    add_matrix(w, p + "attn_k.weight", L.wk);
    add_matrix(w, p + "attn_v.weight", L.wv);
    add_matrix(w, p + "attn_output.weight", L.wo);
    add_vector(w, p + "ffn_norm.weight", L.ffn_norm);
    add_matrix(w, p + "ffn_gate.weight", L.w_gate);
    add_matrix(w, p + "ffn_up.weight", L.w_up);
    add_matrix(w, p + "ffn_down.weight", L.w_down);
  }
  add_vector(w, "output_norm.weight", wt.output_norm);
  if (!wt.output.empty()) add_matrix(w, "output.weight", wt.output);  // absent: tied to token_embd
  return w;
}

void save_llama_gguf(const Model& m, const gguf::GgufFile& tokenizer, const std::string& path) {
  llama_gguf_writer(m, tokenizer).write(path);
}

}  // namespace llactr::llm
