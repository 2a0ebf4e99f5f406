#include "llactr/llm/model/transformer_weights.h"

#include <filesystem>
#include <set>
#include <stdexcept>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::llm {

namespace {

std::string shape_string(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

// Reads tensors by name, checks their shapes and remembers every name it looked up, so that a
// tensor no part of the model uses can be refused (llama.cpp refuses such a file too).
class TensorReader {
 public:
  explicit TensorReader(const gguf::GgufFile& f) : f_(f) {}

  // The tensor `name` with ggml shape `ne`, dequantised to f32.
  std::vector<float> read(const std::string& name, const std::vector<int64_t>& ne) {
    const gguf::TensorInfo* t = find(name);
    if (!t) throw std::runtime_error(f_.path() + ": missing tensor '" + name + "'");
    if (t->ne != ne)
      throw std::runtime_error(f_.path() + ": tensor '" + name + "' has shape " + shape_string(t->ne) +
                               ", expected " + shape_string(ne));
    return f_.dequantize(*t);
  }
  // As read, but an absent tensor gives an empty vector.
  std::vector<float> optional(const std::string& name, const std::vector<int64_t>& ne) {
    return find(name) ? read(name, ne) : std::vector<float>();
  }
  // ggml [in, out] -> Matrix [out, in] (same bytes).
  Matrix matrix(const std::string& name, int out, int in) {
    Matrix m;
    m.rows = out;
    m.cols = in;
    m.data = read(name, {in, out});
    return m;
  }
  void refuse_unused(const std::string& arch) const {
    for (const gguf::TensorInfo& t : f_.tensors())
      if (!looked_up_.count(t.name))
        throw std::runtime_error(f_.path() + ": tensor '" + t.name + "' is not used by a " + arch +
                                 " model (llama.cpp refuses this file too)");
  }

 private:
  const gguf::TensorInfo* find(const std::string& name) {
    looked_up_.insert(name);
    return f_.find_tensor(name);
  }
  const gguf::GgufFile& f_;
  std::set<std::string> looked_up_;
};

}  // namespace

// The tensors llama.cpp's loader (llama-model.cpp, load_tensors) accepts for LLM_ARCH_LLAMA and
// LLM_ARCH_QWEN2, required and TENSOR_NOT_REQUIRED alike; docs/LLM.md has the table.
Model load_model(const gguf::GgufFile& f) {
  Model m;
  TensorReader r(f);
  TransformerConfig& c = m.config = config_from_gguf(f);
  TransformerWeights& w = m.weights;
  const bool llama = c.arch == "llama";
  const int d = c.n_embd;
  w.token_embd = r.matrix("token_embd.weight", c.n_vocab, d);
  w.output_norm = r.read("output_norm.weight", {d});
  if (f.find_tensor("output.weight")) w.output = r.matrix("output.weight", c.n_vocab, d);
  if (!llama) w.output_b = r.optional("output.bias", {c.n_vocab});
  if (llama) c.rope_freq_factors = r.optional("rope_freqs.weight", {c.n_rot / 2});
  w.layers.resize(c.n_layer);
  for (int l = 0; l < c.n_layer; ++l) {
    LayerWeights& L = w.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    L.attn_norm = r.read(p + "attn_norm.weight", {d});
    L.wq = r.matrix(p + "attn_q.weight", c.q_dim(), d);
    L.wk = r.matrix(p + "attn_k.weight", c.kv_dim(), d);
    L.wv = r.matrix(p + "attn_v.weight", c.kv_dim(), d);
    L.bq = r.optional(p + "attn_q.bias", {c.q_dim()});
    L.bk = r.optional(p + "attn_k.bias", {c.kv_dim()});
    L.bv = r.optional(p + "attn_v.bias", {c.kv_dim()});
    L.wo = r.matrix(p + "attn_output.weight", d, c.q_dim());
    L.ffn_norm = r.read(p + "ffn_norm.weight", {d});
    L.w_gate = r.matrix(p + "ffn_gate.weight", c.n_ff, d);
    L.w_up = r.matrix(p + "ffn_up.weight", c.n_ff, d);
    L.w_down = r.matrix(p + "ffn_down.weight", d, c.n_ff);
    if (llama) {
      L.bo = r.optional(p + "attn_output.bias", {d});
      L.b_gate = r.optional(p + "ffn_gate.bias", {c.n_ff});
      L.b_up = r.optional(p + "ffn_up.bias", {c.n_ff});
      L.b_down = r.optional(p + "ffn_down.bias", {d});
    }
  }
  r.refuse_unused(c.arch);
  return m;
}

Model load_model(const std::string& path) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error("model file '" + path + "' not found (run `make data` to fetch stories260K, or pass --model)");
  return load_model(gguf::GgufFile::open(path));
}

}  // namespace llactr::llm
