// GGUF files of llama/qwen2 models with random weights and any shape, for tests and benchmarks
// (the only real model here is stories260K).
#pragma once
#include <cstdint>
#include <string>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::llm {

struct RandomModelSpec {
  std::string arch = "llama";  // "llama" or "qwen2" (qwen2 always has q/k/v biases)
  int n_embd = 32, n_layer = 2, n_head = 4, n_head_kv = 2, n_ff = 48, n_vocab = 64, n_ctx = 128;
  int n_rot = 0;               // 0: the head size
  float rope_freq_base = 10000.0f, rms_eps = 1e-5f;
  bool tied_output = false;    // true: no output.weight
  // The optional tensors llama.cpp accepts (docs/LLM.md): llama's attention and FFN biases and
  // rope_freqs.weight, qwen2's output.bias.
  bool qkv_bias = false;       // blk.N.attn_{q,k,v}.bias on a llama model
  bool attn_output_bias = false, ffn_bias = false, rope_freqs = false, output_bias = false;
  gguf::GgmlType type = gguf::GgmlType::F32;  // type of the 2-D weights (norms and biases stay F32)
  uint64_t seed = 1;
};

// Metadata (<arch>.* keys, a small "llama" vocabulary of byte tokens) and tensors named as
// llama.cpp names them. Matrices are N(0, 1/in) (so activations stay O(1)), norm weights
// 1 + U(-0.2, 0.2), biases U(-0.1, 0.1), rope_freqs U(1, 8); seeded, so the same spec gives the same file.
gguf::GgufWriter random_model_writer(const RandomModelSpec& spec);

// The methods' tests' LLM: llama, d 16, 1 layer, 4 heads on 2 KV heads, n_ff 24, 260 tokens (the
// byte vocabulary: every text tokenises), context n_ctx.
RandomModelSpec tiny_byte_llama(int n_ctx);

}  // namespace llactr::llm
