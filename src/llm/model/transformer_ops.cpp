#include "llactr/llm/model/transformer_ops.h"

#include <algorithm>
#include <cmath>

#include "llactr/tensor/fast_exp.h"
#include "llactr/tensor/gemm.h"

namespace llactr::llm {

void rms_norm(const float* x, const float* weight, int n, int d, float eps, float* out) {
#pragma omp parallel for schedule(static) if (n > 16)
  for (int r = 0; r < n; ++r) {
    const float* xr = x + size_t(r) * d;
    float* o = out + size_t(r) * d;
    double ss = 0.0;  // in double as ggml; summed in vector lanes, then the lanes
#pragma omp simd reduction(+ : ss)
    for (int i = 0; i < d; ++i) ss += double(xr[i]) * xr[i];
    const float scale = float(1.0 / std::sqrt(ss / d + eps));
    for (int i = 0; i < d; ++i) o[i] = xr[i] * scale * weight[i];
  }
}

namespace {

// y[n, rows] = x[n, cols] · Wᵀ + beta·y, W stored [rows, cols] as in the GGUF file.
void gemm(const float* x, int n, const Matrix& w, float beta, float* y) {
  llactr::gemm(false, true, n, w.rows, w.cols, 1.0f, x, w.data.data(), beta, y);
}

// y[r] += bias for each of the n rows of width `width`; nothing when bias is null.
void add_bias(float* y, int n, int width, const float* bias) {
  if (!bias) return;
  for (int r = 0; r < n; ++r) add_to(y + size_t(r) * width, bias, size_t(width));
}

}  // namespace

void matmul_add(const float* x, int n, const Matrix& w, const float* bias, float* y) {
  gemm(x, n, w, 1.0f, y);
  add_bias(y, n, w.rows, bias);
}

void matmul(const float* x, int n, const Matrix& w, const float* bias, float* y) {
  gemm(x, n, w, 0.0f, y);
  add_bias(y, n, w.rows, bias);
}

void rope_angles(const int* pos, int n, const TransformerConfig& c, float* cos, float* sin) {
  const int half = c.n_rot / 2;
  const float theta_scale = std::pow(c.rope_freq_base, -2.0f / float(c.n_rot));
  const std::vector<float>& factors = c.rope_freq_factors;
  for (int r = 0; r < n; ++r) {
    float theta = float(pos[r]);
    for (int i = 0; i < half; ++i) {
      // theta_i = pos * base^(-2i/n_rot) / factor_i, as ggml_rope_ext with freq_factors
      const float angle = factors.empty() ? theta : theta / factors[i];
      cos[size_t(r) * half + i] = std::cos(angle);
      sin[size_t(r) * half + i] = std::sin(angle);
      theta *= theta_scale;
    }
  }
}

void rope(float* x, int n, int n_heads, const float* cos, const float* sin, const TransformerConfig& c) {
  const int half = c.n_rot / 2, hd = c.head_dim;
  // Normal mode rotates (x[2i], x[2i+1]); Neox rotates (x[i], x[i + half]).
  const int stride = c.rope == RopeStyle::Normal ? 2 : 1;
  const int partner = c.rope == RopeStyle::Normal ? 1 : half;
#pragma omp parallel for schedule(static) if (n > 16)
  for (int r = 0; r < n; ++r) {
    const float* cr = cos + size_t(r) * half;
    const float* sr = sin + size_t(r) * half;
    for (int h = 0; h < n_heads; ++h) {
      float* xh = x + (size_t(r) * n_heads + h) * hd;
      for (int i = 0; i < half; ++i) {
        float& a = xh[i * stride];
        float& b = xh[i * stride + partner];
        const float a0 = a, b0 = b;
        a = a0 * cr[i] - b0 * sr[i];
        b = a0 * sr[i] + b0 * cr[i];
      }
    }
  }
}

void swiglu(float* gate, const float* up, size_t count) {
  // the vectorised sigmoid of the trainable swiglu op (fast_exp.h)
#pragma omp parallel for simd schedule(static) if (count > 65536)
  for (size_t i = 0; i < count; ++i) gate[i] = gate[i] * fast_sigmoid(gate[i]) * up[i];
}

void add_to(float* x, const float* y, size_t count) {
  for (size_t i = 0; i < count; ++i) x[i] += y[i];
}

}  // namespace llactr::llm
