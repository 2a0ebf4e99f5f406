// Quantisers: ggml's reference rounding on hand-worked blocks, and quantise->dequantise error
// within each type's documented bound (docs/GGUF.md, "Error bounds").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "llactr/llm/gguf/gguf_types.h"

using namespace llactr::gguf;

namespace {

uint16_t half_at(const std::vector<uint8_t>& b, size_t at) {
  uint16_t h;
  std::memcpy(&h, &b[at], 2);
  return h;
}

std::vector<uint8_t> quant(GgmlType t, const std::vector<float>& x) {
  std::vector<uint8_t> b(row_bytes(t, static_cast<int64_t>(x.size())));
  quantize_row(t, x.data(), b.data(), static_cast<int64_t>(x.size()));
  return b;
}

std::vector<float> roundtrip(GgmlType t, const std::vector<float>& x) {
  const auto b = quant(t, x);
  std::vector<float> y(x.size());
  dequantize_row(t, b.data(), y.data(), static_cast<int64_t>(x.size()));
  return y;
}

}  // namespace

TEST(GgufQuant, Q4_0MatchesGgmlReferenceRounding) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = j - 10.0f;  // -10 .. 21; the extreme is +21
  const auto b = quant(GgmlType::Q4_0, x);
  EXPECT_EQ(half_at(b, 0), 0xC140);  // d = 21 / -8 = -2.625 (exact in fp16)
  // id = -1/2.625. x=-10 -> 3.81 + 8.5 -> 12; x=6 -> -2.29 + 8.5 -> 6: byte 0 = 12 | 6 << 4.
  EXPECT_EQ(b[2], 12 | 6 << 4);
  // x=21 -> -8 + 8.5 -> 0 (the extreme is exact); x=5 -> -1.90 + 8.5 -> 6: byte 15 = 6 | 0 << 4.
  EXPECT_EQ(b[2 + 15], 6);
  // The opposite extreme clamps: [8, -8, 0...]: d = -1, x=-8 -> 16.5 -> 16 -> clamped to 15.
  std::vector<float> z(32, 0.0f);
  z[0] = 8, z[1] = -8;
  const auto c = quant(GgmlType::Q4_0, z);
  EXPECT_EQ(half_at(c, 0), fp32_to_fp16(-1.0f));
  EXPECT_EQ(c[2] & 15, 0);
  EXPECT_EQ(c[3] & 15, 15);
}

TEST(GgufQuant, Q8_0RoundsHalfAwayFromZeroLikeRoundf) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127;  // d = 1
  x[1] = 2.5f, x[2] = -2.5f, x[3] = 3.5f, x[4] = 0.49f;
  const auto b = quant(GgmlType::Q8_0, x);
  EXPECT_EQ(half_at(b, 0), 0x3C00);
  EXPECT_EQ(static_cast<int8_t>(b[2 + 1]), 3);   // round-half-even would give 2
  EXPECT_EQ(static_cast<int8_t>(b[2 + 2]), -3);
  EXPECT_EQ(static_cast<int8_t>(b[2 + 3]), 4);
  EXPECT_EQ(static_cast<int8_t>(b[2 + 4]), 0);
}

TEST(GgufQuant, Q4_1AndQ5_1UseMinAndRange) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = 1.0f + 0.5f * (j % 16);  // min 1, max 8.5: d = 0.5 (Q4_1)
  auto b = quant(GgmlType::Q4_1, x);
  EXPECT_EQ(fp16_to_fp32(half_at(b, 0)), 0.5f);
  EXPECT_EQ(fp16_to_fp32(half_at(b, 2)), 1.0f);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(b[4 + j], j | j << 4);  // exact grid points
  EXPECT_EQ(roundtrip(GgmlType::Q4_1, x), x);
  for (int j = 0; j < 32; ++j) x[j] = -3.0f + 0.25f * j;  // min -3, max 4.75: d = 0.25 (Q5_1), q = j
  b = quant(GgmlType::Q5_1, x);
  EXPECT_EQ(fp16_to_fp32(half_at(b, 0)), 0.25f);
  uint32_t qh;
  std::memcpy(&qh, &b[4], 4);
  EXPECT_EQ(qh, 0xFFFF0000u);  // q = j: the 5th bit is set exactly for j >= 16
  EXPECT_EQ(roundtrip(GgmlType::Q5_1, x), x);
}

TEST(GgufQuant, Q5_0SplitsTheFifthBit) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = j - 16.0f;  // extreme -16: d = 1, q = x + 16 = j
  const auto b = quant(GgmlType::Q5_0, x);
  EXPECT_EQ(half_at(b, 0), 0x3C00);
  uint32_t qh;
  std::memcpy(&qh, &b[2], 4);
  EXPECT_EQ(qh, 0xFFFF0000u);
  EXPECT_EQ(b[6], 0);  // q0 = 0, q16 = 16 (low nibble 0)
  EXPECT_EQ(roundtrip(GgmlType::Q5_0, x), x);
}

TEST(GgufQuant, RejectsNonFiniteInputForBlockTypes) {
  std::vector<float> x(32, 1.0f);
  x[7] = std::nanf("");
  std::vector<uint8_t> b(34);
  EXPECT_THROW(quantize_row(GgmlType::Q8_0, x.data(), b.data(), 32), std::invalid_argument);
  x[7] = 1e30f;  // finite, but the scale overflows fp16
  EXPECT_THROW(quantize_row(GgmlType::Q8_0, x.data(), b.data(), 32), std::invalid_argument);
}

TEST(GgufQuant, ZeroBlocksStayZero) {
  for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0,
                     GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    const std::vector<float> x(256, 0.0f);
    EXPECT_EQ(roundtrip(t, x), x) << type_name(t);
  }
}

// The documented worst-case |x - dequant(quant(x))| of one element, given its block's statistics
// (docs/GGUF.md): amax = max |x|, lo/hi = min/max over the block; eps = 2^-11 (fp16 scale rounding).
double error_bound(GgmlType t, const float* blk, int n, float x) {
  const double eps = std::ldexp(1.0, -11);
  double amax = 0, lo = blk[0], hi = blk[0];
  for (int j = 0; j < n; ++j) amax = std::max(amax, std::fabs(double(blk[j]))), lo = std::min(lo, double(blk[j])), hi = std::max(hi, double(blk[j]));
  const double slack = 1e-6 * amax;  // float arithmetic in (de)quantisation
  switch (t) {
    case GgmlType::F32: return 0;
    case GgmlType::F16: return std::max(std::fabs(x) * eps, std::ldexp(1.0, -25));  // subnormals: half of 2^-24
    case GgmlType::BF16: return std::fabs(x) * std::ldexp(1.0, -8);
    case GgmlType::Q8_0: return amax / 127 * (0.5 + 127 * eps) + slack;
    case GgmlType::Q4_0: return amax / 8 * (1 + 8 * eps) + slack;
    case GgmlType::Q5_0: return amax / 16 * (1 + 16 * eps) + slack;
    case GgmlType::Q4_1: return (hi - lo) / 15 * (0.5 + 15 * eps) + std::fabs(lo) * eps + slack;
    case GgmlType::Q5_1: return (hi - lo) / 31 * (0.5 + 31 * eps) + std::fabs(lo) * eps + slack;
    case GgmlType::Q4_K: return 1.04 * (hi - std::min(lo, 0.0)) / 30 + slack;
    case GgmlType::Q5_K: return 1.04 * (hi - std::min(lo, 0.0)) / 62 + slack;
    case GgmlType::Q6_K: return 1.02 * amax / 62 + slack;
    default: return 0;
  }
}

TEST(GgufQuant, RoundTripErrorWithinDocumentedBound) {
  std::mt19937_64 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> shift(-3.0f, 3.0f);
  const int n = 4096;
  std::vector<float> x(n);
  for (int k = 0; k < n; ++k) x[k] = normal(rng) * (k < 2048 ? 1.0f : 0.01f) + (k % 1024 < 256 ? shift(rng) : 0.0f);
  for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1,
                     GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    const auto y = roundtrip(t, x);
    const int bs = static_cast<int>(block_size(t)) == 1 ? 1 : static_cast<int>(block_size(t));
    double worst_ratio = 0;
    for (int k = 0; k < n; ++k) {
      const float* blk = &x[k / bs * bs];
      const double bound = error_bound(t, blk, bs, x[k]);
      const double err = std::fabs(double(y[k]) - x[k]);
      ASSERT_LE(err, bound) << type_name(t) << " element " << k << " x=" << x[k] << " y=" << y[k];
      if (bound > 0) worst_ratio = std::max(worst_ratio, err / bound);
    }
    // The bound is not vacuous: quantised types come within a factor 3 of it somewhere.
    if (block_size(t) > 1) {
      EXPECT_GT(worst_ratio, 0.33) << type_name(t);
    }
  }
}
