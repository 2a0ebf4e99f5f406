#include "llactr/llm/model/attention.h"

#include <algorithm>
#include <cmath>

namespace llactr::llm {

void transpose_head(const float* x, int n, int stride, int hd, float* out, int ld) {
  for (int j = 0; j < n; ++j)
    for (int d = 0; d < hd; ++d) out[size_t(d) * ld + j] = x[size_t(j) * stride + d];
}

void add_transposed_head(const float* in, int n, int hd, float* x, int stride, int ld) {
  for (int j = 0; j < n; ++j)
    for (int d = 0; d < hd; ++d) x[size_t(j) * stride + d] += in[size_t(d) * ld + j];
}

void transpose_block(const float* prefix, int n_prefix, int prefix_stride, const float* rows, int n, int stride,
                     int hd, float* out) {
  const int n_keys = n_prefix + n;
  if (n_prefix > 0) transpose_head(prefix, n_prefix, prefix_stride, hd, out, n_keys);
  transpose_head(rows, n, stride, hd, out + n_prefix, n_keys);
}

namespace {

constexpr int W = 16;  // floats in one 512-bit vector register: keys (head_scores) or query rows (attention_head)

// s[j0 + l] = scale * q . k_(j0 + l) for the W keys from j0.
void score_block(const float* q, const float* kt, int n_keys, int j0, int hd, float scale, float* s) {
  float acc[W] = {};
  for (int d = 0; d < hd; ++d) {
    const float qd = q[d];
    const float* kd = kt + size_t(d) * n_keys + j0;
#pragma omp simd
    for (int l = 0; l < W; ++l) acc[l] += qd * kd[l];
  }
#pragma omp simd
  for (int l = 0; l < W; ++l) s[j0 + l] = acc[l] * scale;
}

// s[l] = q_l . k_j for the W query rows of a tile.   qt: [hd, W] (scaled); kt: [hd, n_keys]
void tile_scores(const float* qt, const float* kt, int n_keys, int j, int hd, float* s) {
#pragma omp simd
  for (int l = 0; l < W; ++l) s[l] = 0.0f;
  for (int d = 0; d < hd; ++d) {
    const float k = kt[size_t(d) * n_keys + j];
#pragma omp simd
    for (int l = 0; l < W; ++l) s[l] += qt[d * W + l] * k;
  }
}

}  // namespace

void head_scores(const float* q, const float* kt, int n_keys, int n, int hd, float scale, float* s) {
  if (n < W) {
    for (int j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int d = 0; d < hd; ++d) acc += q[d] * kt[size_t(d) * n_keys + j];
      s[j] = acc * scale;
    }
    return;
  }
  // Whole blocks of W keys; the last n % W keys are one more block that ends at key n and so
  // overlaps the one before, writing the same values again for the keys they share (a scalar
  // tail of up to 15 keys cost more than the blocks).
  for (int j = 0; j + W <= n; j += W) score_block(q, kt, n_keys, j, hd, scale, s);
  if (n % W) score_block(q, kt, n_keys, n - W, hd, scale, s);
}

size_t attention_tile_floats(int hd, int n_keys) { return size_t(2 * hd + n_keys) * W; }

void attention_head(const float* q, int q_stride, int n_q, const float* kt, const float* vt, int n_keys,
                    int first_key, bool causal, int hd, float* out, int out_stride, float* lse,
                    int lse_stride, float* tile) {
  // W query rows at a time, one per vector lane: a key's score, probability and contribution to
  // the output are one vector operation for all W rows, so nothing is summed across lanes.
  // Two passes over the keys: the scores and the rows' maxima, then p = exp(s - max), z = sum p,
  // out = sum p v. The first pass keeps the scores for the second (computing them again was a
  // third of the kernel's multiply-adds).
  const float scale = 1.0f / std::sqrt(float(hd));
  float* qt = tile;                      // [hd, W] the tile's queries (times scale), transposed
  float* acc = qt + size_t(hd) * W;      // [hd, W] sum_j p_j v_j
  float* scores = acc + size_t(hd) * W;  // [n_keys, W] the tile's scores, key by key
  for (int i0 = 0; i0 < n_q; i0 += W) {
    const int rows = std::min(W, n_q - i0);
    int vis[W];  // keys each row sees; rows past n_q: none of their results is kept
    for (int l = 0; l < W; ++l) vis[l] = visible_keys(std::min(i0 + l, n_q - 1), first_key, n_keys, causal);
    const int n = vis[rows - 1];
    for (int d = 0; d < hd; ++d)
      for (int l = 0; l < W; ++l) qt[d * W + l] = l < rows ? q[size_t(i0 + l) * q_stride + d] * scale : 0.0f;
    float m[W], z[W], s[W];  // s: one key's scores, in registers
    std::fill(m, m + W, -INFINITY);
    for (int j = 0; j < n; ++j) {
      tile_scores(qt, kt, n_keys, j, hd, s);
#pragma omp simd
      for (int l = 0; l < W; ++l) {
        m[l] = j < vis[l] && s[l] > m[l] ? s[l] : m[l];
        scores[size_t(j) * W + l] = s[l];
      }
    }
    std::fill(z, z + W, 0.0f);
    std::fill(acc, acc + size_t(hd) * W, 0.0f);
    for (int j = 0; j < n; ++j) {
#pragma omp simd
      for (int l = 0; l < W; ++l) s[l] = scores[size_t(j) * W + l];
#pragma omp simd
      for (int l = 0; l < W; ++l) s[l] = j < vis[l] ? softmax_exp(s[l] - m[l]) : 0.0f, z[l] += s[l];
      for (int d = 0; d < hd; ++d) {
        const float v = vt[size_t(d) * n_keys + j];
#pragma omp simd
        for (int l = 0; l < W; ++l) acc[d * W + l] += s[l] * v;
      }
    }
    for (int l = 0; l < rows; ++l) {
      float* o = out + size_t(i0 + l) * out_stride;
      const float inv = 1.0f / z[l];
      for (int d = 0; d < hd; ++d) o[d] = acc[d * W + l] * inv;
      if (lse) lse[size_t(i0 + l) * lse_stride] = m[l] + std::log(z[l]);
    }
  }
}

}  // namespace llactr::llm
