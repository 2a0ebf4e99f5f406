// Exponentials written so that a loop of them vectorises: libm's expf is a function call, which
// keeps every loop that calls it scalar (SwiGLU's sigmoid over [N, ff] took a fifth of a LoRA
// training step). Used by the softmax of the attention kernel and by SwiGLU, forward and backward.
#pragma once
#include <cstdint>

namespace llactr {

// e^x for x <= 0 (softmax arguments, and -|x| in a sigmoid), within 2 ulp of std::exp (Cephes'
// expf: x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial of r, times 2^n).
inline float softmax_exp(float x) {
  x = x < -87.0f ? -87.0f : x;  // 2^n stays a normal float
  // n = round(x / ln2): adding and subtracting 1.5 * 2^23 rounds to an integer (std::floor would
  // block vectorisation: it may raise the inexact exception)
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;  // ln2 split in two: exact n*hi
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  // 2^n from its exponent bits (__builtin_bit_cast, unlike memcpy, lets the loop vectorise)
  return y * __builtin_bit_cast(float, (int32_t(n) + 127) << 23);
}

// sigma(x) = 1 / (1 + e^-x), from e^-|x| so that the exponential never overflows:
// x >= 0: 1 / (1 + e^-x);  x < 0: e^x / (1 + e^x). A few ulp from the libm formula.
inline float fast_sigmoid(float x) {
  const float e = softmax_exp(x < 0.0f ? x : -x);
  const float inv = 1.0f / (1.0f + e);
  return x < 0.0f ? e * inv : inv;
}

}  // namespace llactr
