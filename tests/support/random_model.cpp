#include "random_model.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace llactr::llm {

gguf::GgufWriter random_model_writer(const RandomModelSpec& s) {
  gguf::GgufWriter w;
  const std::string a = s.arch + ".";
  const int hd = s.n_embd / s.n_head, q_dim = s.n_head * hd, kv_dim = s.n_head_kv * hd;
  w.set_string("general.architecture", s.arch);
  w.set_u32(a + "context_length", s.n_ctx);
  w.set_u32(a + "embedding_length", s.n_embd);
  w.set_u32(a + "block_count", s.n_layer);
  w.set_u32(a + "feed_forward_length", s.n_ff);
  w.set_u32(a + "attention.head_count", s.n_head);
  w.set_u32(a + "attention.head_count_kv", s.n_head_kv);
  w.set_u32(a + "rope.dimension_count", s.n_rot > 0 ? s.n_rot : hd);
  w.set_f32(a + "rope.freq_base", s.rope_freq_base);
  w.set_f32(a + "attention.layer_norm_rms_epsilon", s.rms_eps);
  // A byte-fallback SentencePiece vocabulary: <unk>, <s>, </s>, then <0x00>.. up to n_vocab.
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};
  for (int b = 0; int(tokens.size()) < s.n_vocab; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b & 0xFF);
    tokens.push_back(b < 256 ? name : "tok" + std::to_string(b));
    types.push_back(b < 256 ? 6 : 1);
  }
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_strings("tokenizer.ggml.tokens", tokens);
  w.set_f32s("tokenizer.ggml.scores", std::vector<float>(tokens.size(), 0.0f));
  w.set_i32s("tokenizer.ggml.token_type", types);

  std::mt19937_64 rng(s.seed);
  auto matrix = [&](const std::string& name, int in, int out) {
    std::normal_distribution<float> dist(0.0f, 1.0f / std::sqrt(float(in)));
    std::vector<float> data(size_t(in) * out);
    for (float& x : data) x = dist(rng);
    w.add_tensor(name, {in, out}, s.type, data.data());
  };
  auto vector = [&](const std::string& name, int n, float center, float spread) {
    std::uniform_real_distribution<float> dist(center - spread, center + spread);
    std::vector<float> data(n);
    for (float& x : data) x = dist(rng);
    w.add_tensor(name, {n}, gguf::GgmlType::F32, data.data());
  };
  {
    // Embeddings N(0, 1): the first RMSNorm rescales them anyway.
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> data(size_t(s.n_embd) * s.n_vocab);
    for (float& x : data) x = dist(rng);
    w.add_tensor("token_embd.weight", {s.n_embd, s.n_vocab}, s.type, data.data());
  }
  for (int l = 0; l < s.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    vector(p + "attn_norm.weight", s.n_embd, 1.0f, 0.2f);
    matrix(p + "attn_q.weight", s.n_embd, q_dim);
    matrix(p + "attn_k.weight", s.n_embd, kv_dim);
    matrix(p + "attn_v.weight", s.n_embd, kv_dim);
    if (s.arch == "qwen2" || s.qkv_bias) {
      vector(p + "attn_q.bias", q_dim, 0.0f, 0.1f);
      vector(p + "attn_k.bias", kv_dim, 0.0f, 0.1f);
      vector(p + "attn_v.bias", kv_dim, 0.0f, 0.1f);
    }
    matrix(p + "attn_output.weight", q_dim, s.n_embd);
    if (s.attn_output_bias) vector(p + "attn_output.bias", s.n_embd, 0.0f, 0.1f);
    vector(p + "ffn_norm.weight", s.n_embd, 1.0f, 0.2f);
    matrix(p + "ffn_gate.weight", s.n_embd, s.n_ff);
    matrix(p + "ffn_up.weight", s.n_embd, s.n_ff);
    matrix(p + "ffn_down.weight", s.n_ff, s.n_embd);
    if (s.ffn_bias) {
      vector(p + "ffn_gate.bias", s.n_ff, 0.0f, 0.1f);
      vector(p + "ffn_up.bias", s.n_ff, 0.0f, 0.1f);
      vector(p + "ffn_down.bias", s.n_embd, 0.0f, 0.1f);
    }
  }
  // Llama 3.1's long-context factors: frequency i of every head is divided by factor i.
  if (s.rope_freqs) vector("rope_freqs.weight", (s.n_rot > 0 ? s.n_rot : hd) / 2, 4.5f, 3.5f);
  vector("output_norm.weight", s.n_embd, 1.0f, 0.2f);
  if (!s.tied_output) matrix("output.weight", s.n_embd, s.n_vocab);
  if (s.output_bias) vector("output.bias", s.n_vocab, 0.0f, 0.1f);
  return w;
}

RandomModelSpec tiny_byte_llama(int n_ctx) {
  RandomModelSpec spec;
  spec.n_embd = 16, spec.n_layer = 1, spec.n_head = 4, spec.n_head_kv = 2, spec.n_ff = 24, spec.n_vocab = 260;
  spec.n_ctx = n_ctx;
  return spec;
}

}  // namespace llactr::llm
