// The steps of a transformer layer as small free functions on row-major f32 buffers, so the
// forward pass reads as a list of steps and a backward pass can reuse the same pieces.
// n = number of token rows, d = n_embd; every buffer is [n, width] contiguous.
#pragma once
#include <cstddef>

#include "llactr/llm/model/transformer_config.h"
#include "llactr/llm/model/transformer_weights.h"

namespace llactr::llm {

// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight.   x, out: [n, d]; weight: [d]
void rms_norm(const float* x, const float* weight, int n, int d, float eps, float* out);

// y = x W^T (+ bias).   x: [n, W.cols], W: [W.rows, W.cols], bias: [W.rows] or null, y: [n, W.rows]
// One BLAS GEMM over all n rows (GEMV when n == 1).
void matmul(const float* x, int n, const Matrix& w, const float* bias, float* y);
// y += x W^T + bias (the residual adds), same shapes as matmul.
void matmul_add(const float* x, int n, const Matrix& w, const float* bias, float* y);

// RoPE angles for each row's position: cos, sin: [n, n_rot/2]. Pair i turns by
// pos * freq_base^(-2i/n_rot) (divided by c.rope_freq_factors[i] when the model has them),
// computed as ggml does (repeated float products).
void rope_angles(const int* pos, int n, const TransformerConfig& c, float* cos, float* sin);

// Rotates every head of x in place.   x: [n, n_heads*head_dim]; cos, sin: [n, n_rot/2]
// Normal: pairs (2i, 2i+1); Neox: pairs (i, i + n_rot/2); dims >= n_rot are left unchanged.
void rope(float* x, int n, int n_heads, const float* cos, const float* sin, const TransformerConfig& c);

// SwiGLU in place: gate = silu(gate) * up.   gate, up: [count]
void swiglu(float* gate, const float* up, size_t count);

// x += y.   x, y: [count]
void add_to(float* x, const float* y, size_t count);

}  // namespace llactr::llm
