#include "llactr/llm/model/transformer_weights.h"

#include <filesystem>
#include <stdexcept>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::llm {

namespace {

std::string shape_string(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

// The tensor `name` with ggml shape `ne`, dequantised to f32.
std::vector<float> read(const gguf::GgufFile& f, const std::string& name, std::vector<int64_t> ne) {
  const gguf::TensorInfo* t = f.find_tensor(name);
  if (!t) throw std::runtime_error(f.path() + ": missing tensor '" + name + "'");
  if (t->ne != ne)
    throw std::runtime_error(f.path() + ": tensor '" + name + "' has shape " + shape_string(t->ne) +
                             ", expected " + shape_string(ne));
  return f.dequantize(*t);
}

// ggml [in, out] -> Matrix [out, in] (same bytes).
Matrix read_matrix(const gguf::GgufFile& f, const std::string& name, int out, int in) {
  Matrix m;
  m.rows = out;
  m.cols = in;
  m.data = read(f, name, {in, out});
  return m;
}

}  // namespace

Model load_model(const gguf::GgufFile& f) {
  Model m;
  const TransformerConfig& c = m.config = config_from_gguf(f);
  TransformerWeights& w = m.weights;
  const int d = c.n_embd;
  w.token_embd = read_matrix(f, "token_embd.weight", c.n_vocab, d);
  w.output_norm = read(f, "output_norm.weight", {d});
  if (f.find_tensor("output.weight")) w.output = read_matrix(f, "output.weight", c.n_vocab, d);
  w.layers.resize(c.n_layer);
  for (int l = 0; l < c.n_layer; ++l) {
    LayerWeights& L = w.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    L.attn_norm = read(f, p + "attn_norm.weight", {d});
    L.wq = read_matrix(f, p + "attn_q.weight", c.q_dim(), d);
    L.wk = read_matrix(f, p + "attn_k.weight", c.kv_dim(), d);
    L.wv = read_matrix(f, p + "attn_v.weight", c.kv_dim(), d);
    if (c.qkv_bias) {
      L.bq = read(f, p + "attn_q.bias", {c.q_dim()});
      L.bk = read(f, p + "attn_k.bias", {c.kv_dim()});
      L.bv = read(f, p + "attn_v.bias", {c.kv_dim()});
    }
    L.wo = read_matrix(f, p + "attn_output.weight", d, c.q_dim());
    L.ffn_norm = read(f, p + "ffn_norm.weight", {d});
    L.w_gate = read_matrix(f, p + "ffn_gate.weight", c.n_ff, d);
    L.w_up = read_matrix(f, p + "ffn_up.weight", c.n_ff, d);
    L.w_down = read_matrix(f, p + "ffn_down.weight", d, c.n_ff);
  }
  return m;
}

Model load_model(const std::string& path) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error("model file '" + path + "' not found (run `make data` to fetch stories260K, or pass --model)");
  return load_model(gguf::GgufFile::open(path));
}

}  // namespace llactr::llm
