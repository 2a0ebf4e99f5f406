// Hyper-parameters of a llama-family transformer, read from GGUF metadata (<arch>.*).
#pragma once
#include <string>
#include <vector>

namespace llactr::gguf {
class GgufFile;
}

namespace llactr::llm {

// How RoPE pairs the dimensions of a head (ggml's rope modes).
enum class RopeStyle {
  Normal,  // llama: rotate consecutive pairs (x[2i], x[2i+1])
  Neox,    // qwen2: rotate the two halves (x[i], x[i + n_rot/2])
};

struct TransformerConfig {
  std::string arch;      // general.architecture: "llama" or "qwen2"
  int n_embd = 0;        // d, <arch>.embedding_length
  int n_layer = 0;       // <arch>.block_count
  int n_head = 0;        // <arch>.attention.head_count
  int n_head_kv = 0;     // <arch>.attention.head_count_kv (default n_head); divides n_head
  int n_ff = 0;          // <arch>.feed_forward_length
  int n_vocab = 0;       // rows of token_embd.weight
  int n_ctx = 0;         // <arch>.context_length; forward refuses longer sequences (0: unknown, no limit)
  int head_dim = 0;      // n_embd / n_head
  int n_rot = 0;         // <arch>.rope.dimension_count (default head_dim): dims RoPE rotates
  float rope_freq_base = 10000.0f;  // <arch>.rope.freq_base
  float rms_eps = 1e-5f;            // <arch>.attention.layer_norm_rms_epsilon
  RopeStyle rope = RopeStyle::Normal;
  // rope_freqs.weight [n_rot/2] (llama, optional; Llama 3.1's long-context scaling): RoPE frequency
  // i is divided by factor i. A tensor, so load_model fills it, not config_from_gguf; empty = none.
  std::vector<float> rope_freq_factors;

  int q_dim() const { return n_head * head_dim; }
  int kv_dim() const { return n_head_kv * head_dim; }
  int group() const { return n_head / n_head_kv; }  // query heads per key/value head (GQA)
};

// Reads and checks the config. Throws std::runtime_error naming the file and key for a missing
// key, an unsupported architecture (supported: llama, qwen2) or inconsistent sizes.
TransformerConfig config_from_gguf(const gguf::GgufFile& file);

}  // namespace llactr::llm
