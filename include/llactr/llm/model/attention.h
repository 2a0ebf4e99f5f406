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
// Masks: row i of a block whose first query sits at position first_pos sees the keys
// j < first_pos + i + 1 (causal) or all n_keys keys (bidirectional). Packing sequences and
// running each (sequence, head) block on its own keys is the padding mask.
#pragma once
#include <cstdint>

#include "llactr/tensor/fast_exp.h"  // softmax_exp

namespace llactr::llm {

// out[d, j] = x[j * stride + d]: one head's slice of n rows, transposed.   x: [n, stride] -> out: [hd, n]
void transpose_head(const float* x, int n, int stride, int hd, float* out);
// x[j * stride + d] += in[d, j]: the transpose back, accumulated.          in: [hd, n] -> x: [n, stride]
void add_transposed_head(const float* in, int n, int hd, float* x, int stride);

// s[j] = scale * q . k_j for j < n.   q: [hd]; kt: [hd, n_keys] (the head's keys, transposed)
void head_scores(const float* q, const float* kt, int n_keys, int n, int hd, float scale, float* s);

// Number of keys row i of a block sees (the mask).
inline int visible_keys(int i, int first_pos, int n_keys, bool causal) {
  return causal ? (first_pos + i + 1 < n_keys ? first_pos + i + 1 : n_keys) : n_keys;
}

// One (sequence, head) block: out_i = sum_j softmax_j(q_i . k_j / sqrt(hd)) v_j for the n_q
// query rows, over the visible keys.
//   q: n_q rows of stride q_stride (the head's slice); kt, vt: [hd, n_keys]; out: rows of stride
//   out_stride (the head's slice is written); scores: not used since the kernel works on tiles of
//   16 rows (their scratch is per thread; the argument goes when the callers next change); lse (if not null): row i's
//   log-sum-exp of its scaled scores at lse[i * lse_stride], what a backward pass needs.
void attention_head(const float* q, int q_stride, int n_q, const float* kt, const float* vt, int n_keys,
                    int first_pos, bool causal, int hd, float* scores, float* out, int out_stride, float* lse,
                    int lse_stride);

}  // namespace llactr::llm
