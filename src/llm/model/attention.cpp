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

void head_scores(const float* q, const float* kt, int n_keys, int n, int hd, float scale, float* s) {
  // 16 keys at a time, their sums held in one vector register over the hd dimensions.
  constexpr int W = 16;
  int j = 0;
  for (; j + W <= n; j += W) {
    float acc[W] = {};
    for (int d = 0; d < hd; ++d) {
      const float qd = q[d];
      const float* kd = kt + size_t(d) * n_keys + j;
#pragma omp simd
      for (int l = 0; l < W; ++l) acc[l] += qd * kd[l];
    }
#pragma omp simd
    for (int l = 0; l < W; ++l) s[j + l] = acc[l] * scale;
  }
  for (; j < n; ++j) {
    float acc = 0.0f;
    for (int d = 0; d < hd; ++d) acc += q[d] * kt[size_t(d) * n_keys + j];
    s[j] = acc * scale;
  }
}

void attention_head(const float* q, int q_stride, int n_q, const float* kt, const float* vt, int n_keys,
                    int first_key, bool causal, int hd, float* scores, float* out, int out_stride, float* lse,
                    int lse_stride) {
  const float scale = 1.0f / std::sqrt(float(hd));
  for (int i = 0; i < n_q; ++i) {
    const int n = visible_keys(i, first_key, n_keys, causal);
    // s_j = q_i . k_j / sqrt(hd);  p_j = exp(s_j - max) / z
    head_scores(q + size_t(i) * q_stride, kt, n_keys, n, hd, scale, scores);
    float m = -INFINITY;
#pragma omp simd reduction(max : m)
    for (int j = 0; j < n; ++j) m = scores[j] > m ? scores[j] : m;
#pragma omp simd
    for (int j = 0; j < n; ++j) scores[j] = softmax_exp(scores[j] - m);
    float z = 0.0f;
#pragma omp simd reduction(+ : z)
    for (int j = 0; j < n; ++j) z += scores[j];
    // out_i = sum_j p_j v_j
    float* o = out + size_t(i) * out_stride;
    const float inv = 1.0f / z;
    for (int d = 0; d < hd; ++d) {
      const float* vd = vt + size_t(d) * n_keys;
      float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
      for (int j = 0; j < n; ++j) acc += scores[j] * vd[j];
      o[d] = acc * inv;
    }
    if (lse) lse[size_t(i) * lse_stride] = m + std::log(z);
  }
}

}  // namespace llactr::llm
