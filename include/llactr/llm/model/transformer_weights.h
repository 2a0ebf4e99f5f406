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
  std::vector<float> bq, bk, bv; // blk.N.attn_{q,k,v}.bias  [n_head*hd], [n_kv*hd] (qwen2; else empty)
  Matrix wo;                     // blk.N.attn_output.weight [d, n_head*hd]
  std::vector<float> ffn_norm;   // blk.N.ffn_norm.weight    [d]
  Matrix w_gate;                 // blk.N.ffn_gate.weight    [ff, d]
  Matrix w_up;                   // blk.N.ffn_up.weight      [ff, d]
  Matrix w_down;                 // blk.N.ffn_down.weight    [d, ff]
};

struct TransformerWeights {
  Matrix token_embd;                // token_embd.weight  [vocab, d]
  std::vector<LayerWeights> layers; // [n_layer]
  std::vector<float> output_norm;   // output_norm.weight [d]
  Matrix output;                    // output.weight      [vocab, d]; empty when tied
  // The LM head: output.weight, or token_embd.weight when the file has none (tied embeddings).
  const Matrix& lm_head() const { return output.empty() ? token_embd : output; }
};

struct Model {
  TransformerConfig config;
  TransformerWeights weights;
};

// Reads config and weights; any type the GGUF layer dequantises is accepted. Throws
// std::runtime_error naming the file and tensor for a missing tensor or a wrong shape.
Model load_model(const gguf::GgufFile& file);
// Opens `path`; a missing file gets a message saying to run `make data`.
Model load_model(const std::string& path);

}  // namespace llactr::llm
