// dequantize_row: ggml blocks -> floats, one function per type, following ggml's block layouts
// (see ggml_blocks.h and docs/GGUF.md for the bit positions).
#include <cstring>
#include <stdexcept>
#include <string>

#include "ggml_blocks.h"
#include "llactr/llm/gguf/gguf_types.h"

namespace llactr::gguf {
namespace {

using namespace blocks;

void dequant_f16(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    y[i] = fp16_to_fp32(h);
  }
}

void dequant_bf16(const uint8_t* src, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    y[i] = bf16_to_fp32(h);
  }
}

// Legacy quants: element j of a block is in the low nibble of qs[j], element j+16 in the high nibble.
void dequant_q4_0(const Q4_0* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    const float d = load_half(b[i].d);
    for (int j = 0; j < QK / 2; ++j) {
      y[j] = ((b[i].qs[j] & 0xF) - 8) * d;
      y[j + QK / 2] = ((b[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void dequant_q4_1(const Q4_1* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    const float d = load_half(b[i].d), m = load_half(b[i].m);
    for (int j = 0; j < QK / 2; ++j) {
      y[j] = (b[i].qs[j] & 0xF) * d + m;
      y[j + QK / 2] = (b[i].qs[j] >> 4) * d + m;
    }
  }
}

// Q5: the 5th bit of element j is bit j of the 32-bit little-endian qh.
uint32_t load_qh(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

void dequant_q5_0(const Q5_0* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    const float d = load_half(b[i].d);
    const uint32_t qh = load_qh(b[i].qh);
    for (int j = 0; j < QK / 2; ++j) {
      const int lo = (b[i].qs[j] & 0xF) | ((qh >> j) & 1) << 4;
      const int hi = (b[i].qs[j] >> 4) | ((qh >> (j + QK / 2)) & 1) << 4;
      y[j] = (lo - 16) * d;
      y[j + QK / 2] = (hi - 16) * d;
    }
  }
}

void dequant_q5_1(const Q5_1* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    const float d = load_half(b[i].d), m = load_half(b[i].m);
    const uint32_t qh = load_qh(b[i].qh);
    for (int j = 0; j < QK / 2; ++j) {
      const int lo = (b[i].qs[j] & 0xF) | ((qh >> j) & 1) << 4;
      const int hi = (b[i].qs[j] >> 4) | ((qh >> (j + QK / 2)) & 1) << 4;
      y[j] = lo * d + m;
      y[j + QK / 2] = hi * d + m;
    }
  }
}

void dequant_q8_0(const Q8_0* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    const float d = load_half(b[i].d);
    for (int j = 0; j < QK; ++j) y[j] = b[i].qs[j] * d;
  }
}

// Q4_K: each 64 elements use 32 bytes of qs: sub-block 2k in the low nibbles, 2k+1 in the high.
// x = d * scale * q - dmin * min.
void dequant_q4_k(const Q4_K* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = load_half(b[i].d), dmin = load_half(b[i].dmin);
    const uint8_t* q = b[i].qs;
    for (int sub = 0; sub < 8; sub += 2, q += 32) {
      int sc0, m0, sc1, m1;
      k_scale_min(sub, b[i].scales, &sc0, &m0);
      k_scale_min(sub + 1, b[i].scales, &sc1, &m1);
      const float d0 = d * sc0, off0 = dmin * m0, d1 = d * sc1, off1 = dmin * m1;
      for (int l = 0; l < 32; ++l) *y++ = d0 * (q[l] & 0xF) - off0;
      for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] >> 4) - off1;
    }
  }
}

// Q5_K: as Q4_K, plus a 5th bit: for sub-blocks 2k and 2k+1, bits 2k and 2k+1 of qh[l].
void dequant_q5_k(const Q5_K* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = load_half(b[i].d), dmin = load_half(b[i].dmin);
    const uint8_t* q = b[i].qs;
    for (int sub = 0; sub < 8; sub += 2, q += 32) {
      int sc0, m0, sc1, m1;
      k_scale_min(sub, b[i].scales, &sc0, &m0);
      k_scale_min(sub + 1, b[i].scales, &sc1, &m1);
      const float d0 = d * sc0, off0 = dmin * m0, d1 = d * sc1, off1 = dmin * m1;
      for (int l = 0; l < 32; ++l)
        *y++ = d0 * ((q[l] & 0xF) | ((b[i].qh[l] >> sub) & 1) << 4) - off0;
      for (int l = 0; l < 32; ++l)
        *y++ = d1 * ((q[l] >> 4) | ((b[i].qh[l] >> (sub + 1)) & 1) << 4) - off1;
    }
  }
}

// Q6_K: two halves of 128 elements, each using 64 bytes of ql, 32 of qh and 8 scales. In a half,
// element l + 32r (l < 32, r = 0..3) has low 4 bits from ql[l + 32(r & 1)] (low nibble for
// r < 2, high nibble otherwise), high 2 bits from qh[l] bits 2r..2r+1, and scale
// scales[l/16 + 2r]. x = d * scale * (q - 32).
void dequant_q6_k(const Q6_K* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = load_half(b[i].d);
    for (int half = 0; half < 2; ++half, y += 128) {
      const uint8_t* ql = b[i].ql + 64 * half;
      const uint8_t* qh = b[i].qh + 32 * half;
      const int8_t* sc = b[i].scales + 8 * half;
      for (int g = 0; g < 2; ++g) {  // l in [16g, 16g + 16) shares scales sc[g + 2r]
        const float d0 = d * sc[g], d1 = d * sc[g + 2], d2 = d * sc[g + 4], d3 = d * sc[g + 6];
        for (int l = 16 * g; l < 16 * g + 16; ++l) {
          const int q0 = ((ql[l] & 0xF) | ((qh[l] >> 0) & 3) << 4) - 32;
          const int q1 = ((ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4) - 32;
          const int q2 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
          const int q3 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
          y[l] = d0 * q0;
          y[l + 32] = d1 * q1;
          y[l + 64] = d2 * q2;
          y[l + 96] = d3 * q3;
        }
      }
    }
  }
}

}  // namespace

void dequantize_row(GgmlType t, const void* src, float* dst, int64_t n) {
  const int64_t bs = block_size(t);
  if (n < 0 || n % bs != 0)
    throw std::invalid_argument("dequantize_row: " + std::to_string(n) + " elements is not a multiple of " +
                                type_name(t) + "'s block size " + std::to_string(bs));
  const int64_t nb = n / bs;
  const auto* p = static_cast<const uint8_t*>(src);
  switch (t) {
    case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case GgmlType::F16: return dequant_f16(p, dst, n);
    case GgmlType::BF16: return dequant_bf16(p, dst, n);
    case GgmlType::Q4_0: return dequant_q4_0(reinterpret_cast<const Q4_0*>(p), dst, nb);
    case GgmlType::Q4_1: return dequant_q4_1(reinterpret_cast<const Q4_1*>(p), dst, nb);
    case GgmlType::Q5_0: return dequant_q5_0(reinterpret_cast<const Q5_0*>(p), dst, nb);
    case GgmlType::Q5_1: return dequant_q5_1(reinterpret_cast<const Q5_1*>(p), dst, nb);
    case GgmlType::Q8_0: return dequant_q8_0(reinterpret_cast<const Q8_0*>(p), dst, nb);
    case GgmlType::Q4_K: return dequant_q4_k(reinterpret_cast<const Q4_K*>(p), dst, nb);
    case GgmlType::Q5_K: return dequant_q5_k(reinterpret_cast<const Q5_K*>(p), dst, nb);
    case GgmlType::Q6_K: return dequant_q6_k(reinterpret_cast<const Q6_K*>(p), dst, nb);
    default:
      throw std::invalid_argument(std::string("dequantize_row: type ") + type_name(t) + " is not supported");
  }
}

}  // namespace llactr::gguf
