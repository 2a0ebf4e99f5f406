// Softmax attention of one sequence and one head, the kernel of both the inference forward
// (transformer.cpp) and the trainable attention op (train/trainable_ops.cpp).
//
// Why this layout: head sizes are small (stories260K: 8), so a loop over a head's dimensions
// cannot use the vector units. The keys and values of the head are first transposed to
// kt, vt: [hd, n_keys]; then attention_head takes 16 query rows at a time, one per vector lane,
// and walks the keys: each key's score, probability and share of the output is one vector
// operation for the 16 rows, with no sum across lanes (the old per-row loops over the keys spent
// most of their time in scalar tails and horizontal sums). Fixed order: results do not depend on
// the thread count.
//
// Keys of a block: a sequence's prefix keys (ClickPrompt's, docs/LLM.md "Bidirectional attention
// and soft prompts"; none by default), then its own rows. Masks: row i of a block whose first query
// is key number first_key sees the keys j < first_key + i + 1 (causal), so every prefix key and
// its own rows up to itself, or all n_keys keys (bidirectional). Packing sequences and running
// each (sequence, head) block on its own keys is the padding mask.
#pragma once
#include <cstddef>
#include <cstdint>

#include "llactr/tensor/fast_exp.h"  // softmax_exp

namespace llactr::llm {

// Which keys a row sees: its sequence's keys up to its own (a decoder's mask), or all of them
// (LLM2Vec's bidirectional decoder, for masked language modelling).
enum class AttentionMask { Causal, Bidirectional };

// out[d * ld + j] = x[j * stride + d]: one head's slice of n rows, transposed into n columns of a
// [hd, ld] block (ld >= n: the block can hold several pieces side by side).   x: [n, stride] -> out: [hd, ld]
void transpose_head(const float* x, int n, int stride, int hd, float* out, int ld);
// x[j * stride + d] += in[d * ld + j]: the transpose back, accumulated.      in: [hd, ld] -> x: [n, stride]
void add_transposed_head(const float* in, int n, int hd, float* x, int stride, int ld);

// One head of a block's keys (or values), transposed: its n_prefix prefix rows (prefix_stride
// apart; prefix may be null when n_prefix = 0), then its n own rows (stride apart).
//   -> out: [hd, n_prefix + n]
void transpose_block(const float* prefix, int n_prefix, int prefix_stride, const float* rows, int n, int stride,
                     int hd, float* out);

// Where the prefix keys and values of a packed batch are: ClickPrompt's generator output viewed as
// [S, n_prefix, n_layer, 2, kv_dim] (2: key, value), one row of n_prefix * n_layer * 2 * kv_dim per sequence.
struct PrefixLayout {
  int n_prefix = 0, n_layer = 0, kv_dim = 0;
  size_t per_sequence() const { return size_t(n_prefix) * n_layer * 2 * kv_dim; }
  int stride() const { return n_layer * 2 * kv_dim; }  // from one prefix slot to the next
  // Offset of sequence s's first prefix key of `layer`, key/value head g (values: + kv_dim).
  size_t key(int s, int layer, int g, int hd) const {
    return s * per_sequence() + size_t(layer) * 2 * kv_dim + size_t(g) * hd;
  }
};

// s[j] = scale * q . k_j for j < n.   q: [hd]; kt: [hd, n_keys] (the head's keys, transposed)
void head_scores(const float* q, const float* kt, int n_keys, int n, int hd, float scale, float* s);

// Number of keys row i of a block sees (the mask).
inline int visible_keys(int i, int first_key, int n_keys, bool causal) {
  return causal ? (first_key + i + 1 < n_keys ? first_key + i + 1 : n_keys) : n_keys;
}

// One (sequence, head) block: out_i = sum_j softmax_j(q_i . k_j / sqrt(hd)) v_j for the n_q
// query rows, over the visible keys (query row 0 is key number first_key).
//   q: n_q rows of stride q_stride (the head's slice); kt, vt: [hd, n_keys]; out: rows of stride
//   out_stride (the head's slice is written); lse (if not null): row i's log-sum-exp of its scaled
//   scores at lse[i * lse_stride], what a backward pass needs; tile: attention_tile_floats(hd,
//   n_keys) floats of scratch, the caller's, so that a decoding step whose keys grow by one
//   allocates nothing (the caller sizes it once, for its longest sequence).
void attention_head(const float* q, int q_stride, int n_q, const float* kt, const float* vt, int n_keys,
                    int first_key, bool causal, int hd, float* out, int out_stride, float* lse,
                    int lse_stride, float* tile);

// The scratch attention_head needs for n_keys keys: a tile of query rows' queries and sums
// [2, hd, W] and their scores [n_keys, W] (W query rows at a time, attention.cpp).
size_t attention_tile_floats(int hd, int n_keys);

}  // namespace llactr::llm
