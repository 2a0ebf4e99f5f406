// The transformer forward pass (llama and qwen2) over a batch of sequences of different lengths,
// with an optional KV cache for incremental decoding.
//
// Sequences are packed: the N = sum(lengths) real tokens are stacked into [N, d] rows, so every
// projection is one GEMM over all of them and no work or memory is spent on padding. Attention is
// restricted to each sequence's own earlier tokens (the padding mask and the causal mask in one;
// all of its tokens in the bidirectional mode, and its prefix keys if it has any), so a
// sequence's results do not depend on what else is in the batch.
#pragma once
#include <cstdint>
#include <vector>

#include "llactr/llm/model/attention.h"
#include "llactr/llm/model/transformer_weights.h"

namespace llactr::llm {

// Keys and values of n_seq sequences, preallocated for `capacity` positions each.
struct KvCache {
  KvCache(const TransformerConfig& c, int n_seq, int capacity);
  int n_layer, n_seq, capacity, kv_dim;
  std::vector<int> length;  // [n_seq] positions filled so far
  std::vector<float> k, v;  // [n_layer, n_seq, capacity, kv_dim]
  float* keys(int layer, int seq) { return k.data() + offset(layer, seq); }
  float* values(int layer, int seq) { return v.data() + offset(layer, seq); }
  void clear() { std::fill(length.begin(), length.end(), 0); }

 private:
  size_t offset(int layer, int seq) const { return (size_t(layer) * n_seq + seq) * capacity * kv_dim; }
};

// One sequence's rows in a packed batch: rows [row0, row0+n) hold its next n tokens. With a
// cache they go to slot `seq` at positions length[seq].. ; without, positions start at 0.
struct SeqSpan {
  int seq, row0, n;
};

// out[d] = span's rows of hidden [N, d] pooled: their mean (summed in row order, then divided by
// n) or the last row alone. The inference-side twin of llm/train's mean_rows and last_rows.
void pool_span(const float* hidden, int d, const SeqSpan& span, bool mean, float* out);

// Throws std::out_of_range when sequence `seq` needs more than the model's n_ctx positions (no
// truncation: a caller that wants it cuts the tokens itself). n_ctx = 0 (unknown) allows any length.
void check_context(const TransformerConfig& c, int seq, int n_positions);

enum class LogitsMode { None, Last, All };  // Last = each sequence's last row

// What a call adds to the plain causal forward: the attention mask and ClickPrompt's two kinds of
// soft prompts (docs/LLM.md "Bidirectional attention and soft prompts"). The defaults are the
// plain forward. Prompts are per span (index s in `spans`, or sequence b of forward()'s batch) and
// need a forward without a KV cache.
struct Prompts {
  AttentionMask attention = AttentionMask::Causal;
  // Prefix keys/values: every row of span s also sees these n_prefix keys and values in each
  // layer (no rotary rotation; the text's positions stay 0, 1, ...).
  int n_prefix = 0;
  const float* prefix = nullptr;  // [S, n_prefix, n_layer, 2, kv_dim] (PrefixLayout)
  // Soft input tokens: forward_packed takes the first n_soft rows of each span as these
  // embeddings instead of token embeddings (their token ids are not read); they sit at positions
  // 0..n_soft-1 and the span's tokens after them. forward() adds those rows itself.
  int n_soft = 0;
  const float* soft = nullptr;  // [S, n_soft, d]
};

// Scratch and outputs of forward_packed. Buffers only grow, so repeated calls of the same or a
// smaller size (e.g. decoding one token at a time) allocate nothing.
struct Workspace {
  std::vector<float> x;       // [N, d] residual stream
  std::vector<float> xn;      // [N, d] normed input of the current sub-layer
  std::vector<float> q, att;  // [N, q_dim]
  std::vector<float> k, v;    // [N, kv_dim]
  std::vector<float> gate, up;  // [N, ff]
  std::vector<float> cos, sin;  // [N, n_rot/2] RoPE angles
  std::vector<float> kv_t;      // [threads, 2 hd max_keys + tile] attention scratch: kt, vt (keys, values
                                //   transposed) and attention_head's tile
  std::vector<float> last;      // [n_spans, d] last rows (LogitsMode::Last)
  std::vector<int> pos;  // [N] position of each row
  std::vector<float> hidden;  // output: [N, d] final-norm hidden states
  std::vector<float> logits;  // output: [N or n_spans, vocab] (per LogitsMode)
};

// Runs every layer over the packed tokens [N] (N = sum of span sizes). Results land in
// ws.hidden and ws.logits. With a cache, each span's keys/values are appended to its slot and
// its tokens attend to everything cached before them. If layer_states is given, it receives
// n_layer entries of [N, d]: the residual stream after each layer (before the final norm).
// Throws std::invalid_argument for no spans or a span of no tokens, std::out_of_range for a token
// id outside the vocabulary, a full cache slot or a sequence longer than the context (n_ctx;
// prefix and soft rows count). Prompts: std::invalid_argument for n_prefix or n_soft < 0, a
// missing pointer, prompts with a cache, or a span with no row after its soft rows.
void forward_packed(const Model& model, const int32_t* tokens, const std::vector<SeqSpan>& spans,
                    KvCache* cache, LogitsMode logits, Workspace& ws,
                    std::vector<std::vector<float>>* layer_states = nullptr, const Prompts& prompts = {});

struct ForwardOptions {
  LogitsMode logits = LogitsMode::All;
  bool layer_states = false;
};

// A batch's results, padded to T = the longest sequence; rows t >= lengths[b] are zero.
struct ForwardOutput {
  int batch = 0, max_len = 0;
  std::vector<int> lengths;                      // [B]
  std::vector<float> hidden;                     // [B, T, d] final-norm hidden states
  std::vector<std::vector<float>> layer_states;  // n_layer x [B, T, d] if requested
  std::vector<float> logits;                     // All: [B, T, vocab]; Last: [B, vocab]; None: empty
};

// Forward over B >= 1 sequences of different (non-zero) lengths, without a cache; errors as
// forward_packed. Prompts are per sequence; with soft tokens the outputs hold only the tokens' rows.
ForwardOutput forward(const Model& model, const std::vector<std::vector<int32_t>>& batch,
                      const ForwardOptions& options = {}, const Prompts& prompts = {});

}  // namespace llactr::llm
