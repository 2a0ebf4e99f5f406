// The weights of a llama/qwen2 transformer, dequantised to f32 when loaded (docs/LLM.md explains
// why and what it costs in memory).
#pragma once
#include <string>
#include <vector>

#include "llactr/llm/model/transformer_config.h"

namespace llactr::gguf {
class GgufFile;
}

namespace llactr::llm {

// A weight matrix stored row-major as [rows, cols] = [out, in], so y = W x. This is exactly the
// byte order of a ggml tensor with ne = [in, out] (ne[0] contiguous), so loading is a plain copy.
struct Matrix {
  int rows = 0, cols = 0;
  std::vector<float> data;  // [rows * cols]
  const float* row(int r) const { return data.data() + size_t(r) * cols; }
  bool empty() const { return data.empty(); }
};

struct LayerWeights {
  std::vector<float> attn_norm;  // blk.N.attn_norm.weight   [d]
  Matrix wq;                     // blk.N.attn_q.weight      [n_head*hd, d]
  Matrix wk;                     // blk.N.attn_k.weight      [n_kv*hd, d]
  Matrix wv;                     // blk.N.attn_v.weight      [n_kv*hd, d]
  std::vector<float> bq, bk, bv; // blk.N.attn_{q,k,v}.bias  [n_head*hd], [n_kv*hd] (optional)
  Matrix wo;                     // blk.N.attn_output.weight [d, n_head*hd]
  std::vector<float> bo;         // blk.N.attn_output.bias   [d] (llama, optional)
  std::vector<float> ffn_norm;   // blk.N.ffn_norm.weight    [d]
  Matrix w_gate;                 // blk.N.ffn_gate.weight    [ff, d]
  Matrix w_up;                   // blk.N.ffn_up.weight      [ff, d]
  Matrix w_down;                 // blk.N.ffn_down.weight    [d, ff]
  std::vector<float> b_gate, b_up, b_down;  // blk.N.ffn_{gate,up,down}.bias [ff], [ff], [d] (llama, optional)
};
// An absent optional tensor is an empty vector; the forwards then skip that term.

struct TransformerWeights {
  Matrix token_embd;                // token_embd.weight  [vocab, d]
  std::vector<LayerWeights> layers; // [n_layer]
  std::vector<float> output_norm;   // output_norm.weight [d]
  Matrix output;                    // output.weight      [vocab, d]; empty when tied
  std::vector<float> output_b;      // output.bias        [vocab] (qwen2, optional; also when tied)
  // The LM head: output.weight, or token_embd.weight when the file has none (tied embeddings).
  const Matrix& lm_head() const { return output.empty() ? token_embd : output; }
};

struct Model {
  TransformerConfig config;
  TransformerWeights weights;
};

// Reads config and weights; any type the GGUF layer dequantises is accepted. Takes every optional
// tensor llama.cpp's loader accepts for the architecture (docs/LLM.md lists them; rope_freqs.weight
// goes to config.rope_freq_factors). Throws std::runtime_error naming the file and tensor for a
// missing tensor, a wrong shape, or a tensor that no part of the model uses.
Model load_model(const gguf::GgufFile& file);
// Opens `path`; a missing file gets a message saying to run `make data`.
Model load_model(const std::string& path);

}  // namespace llactr::llm
