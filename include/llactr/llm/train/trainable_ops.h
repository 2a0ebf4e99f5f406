// The two transformer steps the tensor layer has no op for, as differentiable ops on the
// autodiff engine: RoPE and self-attention over packed sequences (causal or bidirectional, with
// optional prefix keys/values). Everything else in
// the trainable forward (embedding, RMSNorm, projections, SwiGLU, LM head) is made of the
// engine's own ops.
//
// Packed batch: B sequences of any lengths stacked into N = sum(lengths) rows, as in the
// inference forward (transformer.h); attention stays inside each sequence's span, which is
// the padding mask, and no row is spent on padding.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "llactr/llm/model/transformer.h"
#include "llactr/tensor/autograd.h"

namespace llactr::llm {

// B sequences packed into rows: tokens [N], spans (seq = b, row0, n), pos [N] (position in its sequence).
struct PackedBatch {
  std::vector<int32_t> tokens;
  std::vector<SeqSpan> spans;
  std::vector<int> pos;
  int rows() const { return int(tokens.size()); }
  int size() const { return int(spans.size()); }
};
// Throws std::invalid_argument for an empty sequence.
PackedBatch pack_sequences(const std::vector<std::vector<int32_t>>& seqs);

// cos, sin of every row's RoPE angles: [N, n_rot/2] each (computed as the inference forward does).
struct RopeAngles {
  std::vector<float> cos, sin;
};
std::shared_ptr<const RopeAngles> rope_angles_for(const PackedBatch& batch, const TransformerConfig& c);

// Rotates each of the n_heads heads of every row by its position.   x: [N, n_heads*hd] -> same.
// Backward: the transpose of a rotation is the rotation by the opposite angle.
Var rope_op(const Var& x, std::shared_ptr<const RopeAngles> angles, int n_heads, const TransformerConfig& c);

// out[r, head h] = sum_j softmax_j(q_r,h . k_j,g / sqrt(hd)) v_j,g over the keys j r sees:
// its span's prefix keys of this layer (if any), then the span's rows j <= r (causal) or all of
// them (bidirectional); g = h / (n_head / n_head_kv) (GQA).
//   q: [N, n_head*hd]; k, v: [N, n_head_kv*hd]; prefix: empty or [S, n_prefix * n_layer * 2 * kv_dim]
//   (PrefixLayout in attention.h, S = batch.size()) -> [N, n_head*hd].
// Keeps only each row's log-sum-exp [N, n_head]; backward recomputes the probabilities. The prefix
// gets the gradient of its `layer` slices (each layer's op adds its own).
Var attention_op(const Var& q, const Var& k, const Var& v, const PackedBatch& batch, const TransformerConfig& c,
                 AttentionMask mask = AttentionMask::Causal, const Var& prefix = {}, int layer = 0);

// n_prefix of a prefix tensor [S, n_prefix * n_layer * 2 * kv_dim] (0 if empty); throws
// std::invalid_argument when its shape is not that for S sequences.
int prefix_length(const Var& prefix, int S, const TransformerConfig& c);

}  // namespace llactr::llm
