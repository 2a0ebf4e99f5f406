// ggml types: block geometry, fp16/bf16, hand-built blocks of every supported type dequantised
// to values worked out by hand, ggml's reference rounding, and quantise->dequantise error bounds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "llactr/llm/gguf/gguf_types.h"

using namespace llactr::gguf;

namespace {

void put_half(std::vector<uint8_t>& b, size_t at, uint16_t h) { std::memcpy(&b[at], &h, 2); }

std::vector<float> dequant(GgmlType t, const std::vector<uint8_t>& bytes, int64_t n) {
  std::vector<float> y(static_cast<size_t>(n));
  dequantize_row(t, bytes.data(), y.data(), n);
  return y;
}

}  // namespace

TEST(GgufTypes, IdsAndBlockGeometryMatchGgml) {
  EXPECT_EQ(static_cast<uint32_t>(GgmlType::Q8_0), 8u);
  EXPECT_EQ(static_cast<uint32_t>(GgmlType::Q6_K), 14u);
  EXPECT_EQ(static_cast<uint32_t>(GgmlType::BF16), 30u);
  struct { GgmlType t; int64_t bs, ts; } want[] = {
      {GgmlType::F32, 1, 4},     {GgmlType::F16, 1, 2},     {GgmlType::BF16, 1, 2},
      {GgmlType::Q4_0, 32, 18},  {GgmlType::Q4_1, 32, 20},  {GgmlType::Q5_0, 32, 22},
      {GgmlType::Q5_1, 32, 24},  {GgmlType::Q8_0, 32, 34},  {GgmlType::Q4_K, 256, 144},
      {GgmlType::Q5_K, 256, 176}, {GgmlType::Q6_K, 256, 210}};
  for (const auto& w : want) {
    EXPECT_EQ(block_size(w.t), w.bs) << type_name(w.t);
    EXPECT_EQ(type_size(w.t), w.ts) << type_name(w.t);
    EXPECT_TRUE(is_supported(w.t) && can_quantize(w.t)) << type_name(w.t);
  }
  EXPECT_TRUE(is_known_type(23));   // IQ4_XS: readable, not dequantisable
  EXPECT_FALSE(is_supported(GgmlType::IQ4_XS));
  EXPECT_FALSE(is_known_type(4));   // retired Q4_2
  EXPECT_FALSE(is_known_type(31));
  EXPECT_FALSE(is_known_type(1000));
  EXPECT_STREQ(type_name(GgmlType::Q5_K), "Q5_K");
}

TEST(GgufTypes, RowBytesChecksDivisibilityAndOverflow) {
  EXPECT_EQ(row_bytes(GgmlType::Q4_K, 512), 288u);
  EXPECT_EQ(row_bytes(GgmlType::F32, 3), 12u);
  EXPECT_THROW(row_bytes(GgmlType::Q8_0, 33), std::invalid_argument);
  EXPECT_THROW(row_bytes(GgmlType::F32, -1), std::invalid_argument);
  // INT64_MAX F32 elements is 2^65 bytes.
  EXPECT_THROW(row_bytes(GgmlType::F64, std::numeric_limits<int64_t>::max()), std::overflow_error);
  EXPECT_EQ(row_bytes(GgmlType::F16, std::numeric_limits<int64_t>::max()),
            2 * static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
}

TEST(GgufTypes, Fp16KnownValuesAndRounding) {
  EXPECT_EQ(fp16_to_fp32(0x3C00), 1.0f);
  EXPECT_EQ(fp16_to_fp32(0xC000), -2.0f);
  EXPECT_EQ(fp16_to_fp32(0x7BFF), 65504.0f);
  EXPECT_EQ(fp16_to_fp32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(fp16_to_fp32(0x3555), 0.333251953125f);
  EXPECT_TRUE(std::isinf(fp16_to_fp32(0x7C00)));
  EXPECT_TRUE(std::isnan(fp16_to_fp32(0x7E00)));
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3C00);
  EXPECT_EQ(fp32_to_fp16(-2.625f), 0xC140);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);
  EXPECT_EQ(fp32_to_fp16(65519.0f), 0x7BFF);  // below the halfway point to 65536
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7C00);  // halfway: ties to even = infinity
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);    // halfway to 2^-24: ties to even (0)
  EXPECT_EQ(fp32_to_fp16(std::ldexp(3.0f, -25)), 0x0002);    // 1.5 ulp: ties to even (2)
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: even mantissa (1.0) wins; 1 + 3*2^-11 rounds up to 1 + 2^-9.
  EXPECT_EQ(fp32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(fp32_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  EXPECT_TRUE(std::isnan(fp16_to_fp32(fp32_to_fp16(std::nanf("")))));
  // Every finite half survives a round trip through float.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7C00) == 0x7C00) continue;
    ASSERT_EQ(fp32_to_fp16(fp16_to_fp32(static_cast<uint16_t>(h))), h) << h;
  }
}

TEST(GgufTypes, Bf16KnownValuesAndRounding) {
  EXPECT_EQ(bf16_to_fp32(0x3F80), 1.0f);
  EXPECT_EQ(bf16_to_fp32(0x4049), 3.140625f);
  EXPECT_EQ(fp32_to_bf16(3.14159265f), 0x4049);
  EXPECT_EQ(fp32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);       // tie -> even
  EXPECT_EQ(fp32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3F82);   // tie -> even (up)
  EXPECT_EQ(fp32_to_bf16(std::nanf("")) & 0x7FC0, 0x7FC0);            // stays a quiet NaN
}

// ---- hand-built blocks

TEST(GgufDequant, F32F16Bf16) {
  const float f[2] = {1.5f, -0.25f};
  std::vector<uint8_t> b(8);
  std::memcpy(b.data(), f, 8);
  EXPECT_EQ(dequant(GgmlType::F32, b, 2), (std::vector<float>{1.5f, -0.25f}));
  std::vector<uint8_t> h(4);
  put_half(h, 0, 0x3E00);  // 1.5
  put_half(h, 2, 0xB400);  // -0.25
  EXPECT_EQ(dequant(GgmlType::F16, h, 2), (std::vector<float>{1.5f, -0.25f}));
  put_half(h, 0, 0x3FC0);  // bf16 1.5
  put_half(h, 2, 0xBE80);  // bf16 -0.25
  EXPECT_EQ(dequant(GgmlType::BF16, h, 2), (std::vector<float>{1.5f, -0.25f}));
}

TEST(GgufDequant, Q8_0) {
  std::vector<uint8_t> b(34);
  put_half(b, 0, 0x3800);  // d = 0.5
  for (int j = 0; j < 32; ++j) b[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(j - 16));
  const auto y = dequant(GgmlType::Q8_0, b, 32);
  EXPECT_EQ(y[0], -8.0f);   // -16 * 0.5
  EXPECT_EQ(y[31], 7.5f);   // 15 * 0.5
  for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], (j - 16) * 0.5f);
}

TEST(GgufDequant, Q4_0) {
  std::vector<uint8_t> b(18);
  put_half(b, 0, 0x4000);  // d = 2
  for (int j = 0; j < 16; ++j) b[2 + j] = static_cast<uint8_t>(j | (15 - j) << 4);
  const auto y = dequant(GgmlType::Q4_0, b, 32);
  EXPECT_EQ(y[0], -16.0f);  // (0 - 8) * 2
  EXPECT_EQ(y[15], 14.0f);  // (15 - 8) * 2
  EXPECT_EQ(y[16], 14.0f);  // high nibble of byte 0 = 15
  EXPECT_EQ(y[31], -16.0f); // high nibble of byte 15 = 0
  for (int e = 0; e < 32; ++e) {  // element e: low nibble of byte e (e < 16), else high nibble of byte e-16
    const int nib = e < 16 ? (b[2 + e] & 15) : (b[2 + e - 16] >> 4);
    EXPECT_EQ(y[e], (nib - 8) * 2.0f) << e;
  }
}

TEST(GgufDequant, Q4_1) {
  std::vector<uint8_t> b(20);
  put_half(b, 0, 0x3800);  // d = 0.5
  put_half(b, 2, 0xBC00);  // m = -1
  for (int j = 0; j < 16; ++j) b[4 + j] = static_cast<uint8_t>(j | (15 - j) << 4);
  const auto y = dequant(GgmlType::Q4_1, b, 32);
  EXPECT_EQ(y[0], -1.0f);   // 0 * 0.5 - 1
  EXPECT_EQ(y[5], 1.5f);    // 5 * 0.5 - 1
  EXPECT_EQ(y[16], 6.5f);   // 15 * 0.5 - 1
  EXPECT_EQ(y[31], -1.0f);
}

TEST(GgufDequant, Q5_0AndQ5_1) {
  std::vector<uint8_t> b(22);
  put_half(b, 0, 0x3C00);  // d = 1
  const uint32_t qh = 0xAAAA5555u;  // 5th bit of element e is bit e
  std::memcpy(&b[2], &qh, 4);
  for (int j = 0; j < 16; ++j) b[6 + j] = static_cast<uint8_t>(j | (15 - j) << 4);
  auto y = dequant(GgmlType::Q5_0, b, 32);
  EXPECT_EQ(y[0], 0.0f);    // nibble 0 + 16 (bit 0 set) - 16
  EXPECT_EQ(y[1], -15.0f);  // nibble 1, bit 1 clear
  EXPECT_EQ(y[16], -1.0f);  // high nibble 15 of byte 0, bit 16 clear: 15 - 16
  EXPECT_EQ(y[17], 14.0f);  // high nibble 14 of byte 1, bit 17 set: 30 - 16
  for (int e = 0; e < 32; ++e) {
    const int nib = e < 16 ? (b[6 + e] & 15) : (b[6 + e - 16] >> 4);
    EXPECT_EQ(y[e], nib + 16 * ((qh >> e) & 1) - 16.0f) << e;
  }
  // Q5_1: same quants with a minimum instead of the -16 offset.
  std::vector<uint8_t> c(24);
  put_half(c, 0, 0x3400);  // d = 0.25
  put_half(c, 2, 0x4200);  // m = 3
  std::memcpy(&c[4], &qh, 4);
  std::memcpy(&c[8], &b[6], 16);
  y = dequant(GgmlType::Q5_1, c, 32);
  EXPECT_EQ(y[0], 7.0f);    // 16 * 0.25 + 3
  EXPECT_EQ(y[17], 10.5f);  // 30 * 0.25 + 3
  EXPECT_EQ(y[1], 3.25f);   // 1 * 0.25 + 3
}

namespace {
// The K-quant scale/min pattern used below, packed by hand (see docs/GGUF.md, "K-quant scales"):
// scales {1, 2, 3, 4, 33, 34, 63, 40}, mins {0, 5, 10, 63, 1, 17, 32, 48}.
const int kSc[8] = {1, 2, 3, 4, 33, 34, 63, 40};
const int kMn[8] = {0, 5, 10, 63, 1, 17, 32, 48};
const uint8_t kPackedScales[12] = {
    129, 130, 195, 132,  // scale j | (scale j+4 >> 4) << 6: 1|2<<6, 2|2<<6, 3|3<<6, 4|2<<6
    0, 69, 138, 255,     // min j | (min j+4 >> 4) << 6: 0|0, 5|1<<6, 10|2<<6, 63|3<<6
    17, 18, 15, 8};      // (scale j+4 & 15) | (min j+4 & 15) << 4: 1|1<<4, 2|1<<4, 15|0, 8|0
}  // namespace

TEST(GgufDequant, Q4_K) {
  std::vector<uint8_t> b(144);
  put_half(b, 0, 0x3C00);  // d = 1
  put_half(b, 2, 0x3800);  // dmin = 0.5
  std::memcpy(&b[4], kPackedScales, 12);
  for (int k = 0; k < 128; ++k) b[16 + k] = static_cast<uint8_t>((k % 16) | (15 - k % 16) << 4);
  const auto y = dequant(GgmlType::Q4_K, b, 256);
  EXPECT_EQ(y[0], 0.0f);        // sub 0: 1 * 0 - 0.5 * 0
  EXPECT_EQ(y[35], 21.5f);      // sub 1, l 3: high nibble of byte 3 = 12: 2 * 12 - 0.5 * 5
  EXPECT_EQ(y[229], 376.0f);    // sub 7, l 5: high nibble of byte 101 = 10: 40 * 10 - 0.5 * 48
  EXPECT_EQ(y[100], 12.5f);     // sub 3, l 4: high nibble of byte 36 = 15 - 4 = 11: 4 * 11 - 0.5 * 63
  // Element e: sub-block s = e / 32 uses byte 32*(s/2) + e%32, low nibble for even s.
  for (int e = 0; e < 256; ++e) {
    const int s = e / 32, byte = 16 + 32 * (s / 2) + e % 32;
    const int q = s % 2 == 0 ? (b[byte] & 15) : (b[byte] >> 4);
    EXPECT_EQ(y[e], 1.0f * kSc[s] * q - 0.5f * kMn[s]) << e;
  }
}

TEST(GgufDequant, Q5_K) {
  std::vector<uint8_t> b(176);
  put_half(b, 0, 0x3800);  // d = 0.5
  put_half(b, 2, 0x4000);  // dmin = 2
  std::memcpy(&b[4], kPackedScales, 12);
  for (int l = 0; l < 32; ++l) b[16 + l] = static_cast<uint8_t>(l * 37 + 11);  // qh
  for (int k = 0; k < 128; ++k) b[48 + k] = static_cast<uint8_t>(k * 7 + 3);   // qs
  const auto y = dequant(GgmlType::Q5_K, b, 256);
  // Element 70: s = 2, l = 6: qs byte 32 + 6 = 38 -> 38*7+3 = 269 & 255 = 13, low nibble 13;
  // qh[6] = 6*37+11 = 233 = 0b11101001, bit 2 = 0 -> q = 13: 0.5 * 3 * 13 - 2 * 10 = -0.5.
  EXPECT_EQ(y[70], -0.5f);
  // Element 255: s = 7, l = 31: qs byte 96 + 31 = 127 -> 127*7+3 = 892 & 255 = 124, high nibble 7;
  // qh[31] = 31*37+11 = 1158 & 255 = 134 = 0b10000110, bit 7 = 1 -> q = 23: 0.5 * 40 * 23 - 2 * 48 = 364.
  EXPECT_EQ(y[255], 364.0f);
  for (int e = 0; e < 256; ++e) {
    const int s = e / 32, l = e % 32, byte = 48 + 32 * (s / 2) + l;
    const int q = (s % 2 == 0 ? (b[byte] & 15) : (b[byte] >> 4)) + 16 * ((b[16 + l] >> s) & 1);
    EXPECT_EQ(y[e], 0.5f * kSc[s] * q - 2.0f * kMn[s]) << e;
  }
}

TEST(GgufDequant, Q6_K) {
  std::vector<uint8_t> b(210);
  for (int k = 0; k < 128; ++k) b[k] = static_cast<uint8_t>(k * 7);            // ql
  for (int k = 0; k < 64; ++k) b[128 + k] = static_cast<uint8_t>(k * 13 + 5);  // qh
  for (int k = 0; k < 16; ++k) b[192 + k] = static_cast<uint8_t>(static_cast<int8_t>(k - 8));  // signed scales
  put_half(b, 208, 0x3400);  // d = 0.25
  const auto y = dequant(GgmlType::Q6_K, b, 256);
  // Element 0: ql[0] = 0 low nibble 0; qh[0] = 5 bits 0-1 = 1 -> q = 16 - 32 = -16; scale 0 = -8.
  EXPECT_EQ(y[0], 32.0f);  // 0.25 * -8 * -16
  // Element 200: half 1, r = 2, l = 8: ql[64+8] = 504 & 255 = 248, high nibble 15; qh[32+8] = 525 & 255
  // = 13, bits 4-5 = 0 -> q = 15 - 32 = -17; scale 8 + 8/16 + 2*2 = 12 -> 4.
  EXPECT_EQ(y[200], -17.0f);  // 0.25 * 4 * -17
  // Element e: half h = e/128, r = (e%128)/32, l = e%32. Low 4 bits: ql[64h + l + 32(r%2)], high
  // nibble when r >= 2; top 2 bits: qh[32h + l] bits 2r, 2r+1; scale index 8h + l/16 + 2r.
  for (int e = 0; e < 256; ++e) {
    const int h = e / 128, r = (e % 128) / 32, l = e % 32;
    const int qlb = b[64 * h + l + 32 * (r % 2)];
    const int low = r >= 2 ? qlb >> 4 : qlb & 15;
    const int high = (b[128 + 32 * h + l] >> (2 * r)) & 3;
    const int sc = static_cast<int8_t>(b[192 + 8 * h + l / 16 + 2 * r]);
    EXPECT_EQ(y[e], 0.25f * sc * ((low | high << 4) - 32)) << e;
  }
}

TEST(GgufDequant, RejectsUnsupportedTypeAndPartialBlock) {
  std::vector<uint8_t> b(300);
  std::vector<float> y(256);
  EXPECT_THROW(dequantize_row(GgmlType::IQ4_XS, b.data(), y.data(), 256), std::invalid_argument);
  EXPECT_THROW(dequantize_row(GgmlType::Q8_0, b.data(), y.data(), 31), std::invalid_argument);
}
