#include "llactr/llm/model/transformer_config.h"

#include <stdexcept>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::llm {

namespace {

int positive(const gguf::GgufFile& f, const std::string& key, int64_t v) {
  if (v <= 0 || v > (1 << 24))
    throw std::runtime_error(f.path() + ": " + key + " = " + std::to_string(v) + " is out of range");
  return int(v);
}

}  // namespace

TransformerConfig config_from_gguf(const gguf::GgufFile& f) {
  TransformerConfig c;
  c.arch = f.get_string("general.architecture");
  if (c.arch == "llama") {
    c.rope = RopeStyle::Normal;
  } else if (c.arch == "qwen2") {
    c.rope = RopeStyle::Neox;
  } else {
    throw std::runtime_error(f.path() + ": architecture '" + c.arch +
                             "' is not supported (supported: llama, qwen2)");
  }
  const std::string a = c.arch + ".";
  auto required = [&](const std::string& key) { return positive(f, a + key, f.get_i64(a + key)); };
  c.n_embd = required("embedding_length");
  c.n_layer = required("block_count");
  c.n_head = required("attention.head_count");
  c.n_head_kv = positive(f, a + "attention.head_count_kv", f.get_i64(a + "attention.head_count_kv", c.n_head));
  c.n_ff = required("feed_forward_length");
  c.n_ctx = positive(f, a + "context_length", f.get_i64(a + "context_length", 2048));
  c.rope_freq_base = f.get_f32(a + "rope.freq_base", 10000.0f);
  c.rms_eps = f.get_f32(a + "attention.layer_norm_rms_epsilon");

  if (c.n_embd % c.n_head != 0)
    throw std::runtime_error(f.path() + ": embedding_length " + std::to_string(c.n_embd) +
                             " is not a multiple of head_count " + std::to_string(c.n_head));
  if (c.n_head % c.n_head_kv != 0)
    throw std::runtime_error(f.path() + ": head_count " + std::to_string(c.n_head) +
                             " is not a multiple of head_count_kv " + std::to_string(c.n_head_kv));
  c.head_dim = c.n_embd / c.n_head;
  c.n_rot = positive(f, a + "rope.dimension_count", f.get_i64(a + "rope.dimension_count", c.head_dim));
  if (c.n_rot > c.head_dim || c.n_rot % 2 != 0)
    throw std::runtime_error(f.path() + ": rope.dimension_count " + std::to_string(c.n_rot) +
                             " must be even and at most the head size " + std::to_string(c.head_dim));
  if (!(c.rope_freq_base > 0.0f) || !(c.rms_eps > 0.0f))
    throw std::runtime_error(f.path() + ": rope.freq_base and layer_norm_rms_epsilon must be positive");

  const gguf::TensorInfo& embd = f.tensor("token_embd.weight");
  if (embd.ne.size() != 2 || embd.ne[0] != c.n_embd)
    throw std::runtime_error(f.path() + ": token_embd.weight must have shape [" +
                             std::to_string(c.n_embd) + ", n_vocab]");
  c.n_vocab = int(embd.ne[1]);
  return c;
}

}  // namespace llactr::llm
