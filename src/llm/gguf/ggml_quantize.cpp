// quantize_row: floats -> ggml blocks. The legacy quants (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) round
// exactly like ggml's quantize_row_*_ref. The K-quant quantisers are our own simple ones: every
// scale is rounded *up*, so no value is ever clamped and the error stays within half a
// quantisation step (bounds in docs/GGUF.md). ggml's instead search for a lower-RMSE scale.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "ggml_blocks.h"
#include "llactr/llm/gguf/gguf_types.h"

namespace llactr::gguf {
namespace {

using namespace blocks;

// A block scale is stored as fp16, so it must be finite there (|d| <= 65504).
void check_scale(float d, GgmlType t) {
  if (!std::isfinite(fp16_to_fp32(fp32_to_fp16(d))))
    throw std::invalid_argument(std::string("quantize_row: ") + type_name(t) +
                                " block scale overflows fp16 (input not finite or too large)");
}

// The element of largest magnitude, with its sign (ggml's "max" for the symmetric quants).
float signed_absmax(const float* x, int n) {
  float amax = 0, max = 0;
  for (int j = 0; j < n; ++j)
    if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]), max = x[j];
  return max;
}

void quant_q4_0(const float* x, Q4_0* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    const float d = signed_absmax(x, QK) / -8;  // the extreme value maps to q = 0
    check_scale(d, GgmlType::Q4_0);
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_half(b[i].d, d);
    for (int j = 0; j < QK / 2; ++j) {
      const int lo = std::min(15, static_cast<int>(x[j] * id + 8.5f));  // truncation after +0.5 = rounding
      const int hi = std::min(15, static_cast<int>(x[j + QK / 2] * id + 8.5f));
      b[i].qs[j] = static_cast<uint8_t>(lo | hi << 4);
    }
  }
}

void min_max(const float* x, int n, float* mn, float* mx) {
  *mn = *mx = x[0];
  for (int j = 1; j < n; ++j) *mn = std::min(*mn, x[j]), *mx = std::max(*mx, x[j]);
}

void quant_q4_1(const float* x, Q4_1* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    float mn, mx;
    min_max(x, QK, &mn, &mx);
    const float d = (mx - mn) / 15;
    check_scale(d, GgmlType::Q4_1);
    check_scale(mn, GgmlType::Q4_1);
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_half(b[i].d, d);
    store_half(b[i].m, mn);
    for (int j = 0; j < QK / 2; ++j) {
      const int lo = std::min(15, static_cast<int>((x[j] - mn) * id + 0.5f));
      const int hi = std::min(15, static_cast<int>((x[j + QK / 2] - mn) * id + 0.5f));
      b[i].qs[j] = static_cast<uint8_t>(lo | hi << 4);
    }
  }
}

void store_qh(uint8_t* p, uint32_t qh) {
  for (int k = 0; k < 4; ++k) p[k] = static_cast<uint8_t>(qh >> (8 * k));
}

void quant_q5_0(const float* x, Q5_0* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    const float d = signed_absmax(x, QK) / -16;
    check_scale(d, GgmlType::Q5_0);
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_half(b[i].d, d);
    uint32_t qh = 0;
    for (int j = 0; j < QK / 2; ++j) {
      const int lo = std::min(31, static_cast<int>(x[j] * id + 16.5f));
      const int hi = std::min(31, static_cast<int>(x[j + QK / 2] * id + 16.5f));
      b[i].qs[j] = static_cast<uint8_t>((lo & 0xF) | (hi & 0xF) << 4);
      qh |= static_cast<uint32_t>(lo >> 4) << j | static_cast<uint32_t>(hi >> 4) << (j + QK / 2);
    }
    store_qh(b[i].qh, qh);
  }
}

void quant_q5_1(const float* x, Q5_1* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    float mn, mx;
    min_max(x, QK, &mn, &mx);
    const float d = (mx - mn) / 31;
    check_scale(d, GgmlType::Q5_1);
    check_scale(mn, GgmlType::Q5_1);
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_half(b[i].d, d);
    store_half(b[i].m, mn);
    uint32_t qh = 0;
    for (int j = 0; j < QK / 2; ++j) {
      // ggml does not clamp here: (x - min) * id <= 31 up to rounding, so + 0.5 stays below 32.
      const int lo = std::min(31, static_cast<int>((x[j] - mn) * id + 0.5f));
      const int hi = std::min(31, static_cast<int>((x[j + QK / 2] - mn) * id + 0.5f));
      b[i].qs[j] = static_cast<uint8_t>((lo & 0xF) | (hi & 0xF) << 4);
      qh |= static_cast<uint32_t>(lo >> 4) << j | static_cast<uint32_t>(hi >> 4) << (j + QK / 2);
    }
    store_qh(b[i].qh, qh);
  }
}

void quant_q8_0(const float* x, Q8_0* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    const float d = std::fabs(signed_absmax(x, QK)) / 127;
    check_scale(d, GgmlType::Q8_0);
    const float id = d != 0 ? 1.0f / d : 0.0f;
    store_half(b[i].d, d);
    for (int j = 0; j < QK; ++j) b[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
  }
}

// The smallest fp16 value >= v (v >= 0), so a scale stored as fp16 never shrinks.
float fp16_ceil(float v) {
  uint16_t h = fp32_to_fp16(v);
  if (fp16_to_fp32(h) < v) ++h;
  return fp16_to_fp32(h);
}

// Packs 8 six-bit scales and mins into K-quant's 12 bytes (inverse of k_scale_min).
void pack_k_scales(const int* sc, const int* mn, uint8_t* s) {
  for (int j = 0; j < 4; ++j) {
    s[j] = static_cast<uint8_t>((sc[j] & 63) | (sc[j + 4] >> 4) << 6);
    s[j + 4] = static_cast<uint8_t>((mn[j] & 63) | (mn[j + 4] >> 4) << 6);
    s[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | (mn[j + 4] & 0xF) << 4);
  }
}

// Shared by Q4_K (nmax = 15) and Q5_K (nmax = 31). Each 32-element sub-block gets an offset
// dmin*mn >= -min(x, 0) and a step d*sc with nmax steps reaching from -offset to its max; mn and sc
// are 6-bit multipliers of the fp16 super-block scales dmin and d. Writes d, dmin and the packed
// scales; q[256] receives the quants (0..nmax) in element order.
void k_quant_superblock(const float* x, int nmax, uint8_t* d_out, uint8_t* dmin_out, uint8_t* scales,
                        uint8_t* q, GgmlType t) {
  float lo[8], need_step[8];
  float max_lo = 0;
  for (int j = 0; j < 8; ++j) {
    float mn, mx;
    min_max(x + 32 * j, 32, &mn, &mx);
    lo[j] = -std::min(mn, 0.0f);  // the offset must be subtracted, so mins are clamped at 0
    max_lo = std::max(max_lo, lo[j]);
    need_step[j] = mx;            // completed below once the offset is known
  }
  const float dmin = fp16_ceil(max_lo / 63);
  check_scale(dmin, t);
  int sc[8], mn[8];
  float max_step = 0;
  for (int j = 0; j < 8; ++j) {
    mn[j] = dmin > 0 ? std::min(63, static_cast<int>(std::ceil(lo[j] / dmin))) : 0;
    need_step[j] = (need_step[j] + dmin * mn[j]) / nmax;
    max_step = std::max(max_step, need_step[j]);
  }
  const float d = fp16_ceil(max_step / 63);
  check_scale(d, t);
  for (int j = 0; j < 8; ++j) sc[j] = d > 0 ? std::min(63, static_cast<int>(std::ceil(need_step[j] / d))) : 0;
  store_half(d_out, d);
  store_half(dmin_out, dmin);
  pack_k_scales(sc, mn, scales);
  for (int j = 0; j < 8; ++j) {
    const float step = d * sc[j], offset = dmin * mn[j];
    for (int l = 0; l < 32; ++l) {
      const int v = step > 0 ? static_cast<int>(std::lround((x[32 * j + l] + offset) / step)) : 0;
      q[32 * j + l] = static_cast<uint8_t>(std::clamp(v, 0, nmax));
    }
  }
}

void quant_q4_k(const float* x, Q4_K* b, int64_t nb) {
  uint8_t q[QK_K];
  for (int64_t i = 0; i < nb; ++i, x += QK_K) {
    k_quant_superblock(x, 15, b[i].d, b[i].dmin, b[i].scales, q, GgmlType::Q4_K);
    for (int k = 0; k < 4; ++k)  // sub-blocks 2k (low nibble) and 2k+1 (high nibble) share 32 bytes
      for (int l = 0; l < 32; ++l) b[i].qs[32 * k + l] = static_cast<uint8_t>(q[64 * k + l] | q[64 * k + 32 + l] << 4);
  }
}

void quant_q5_k(const float* x, Q5_K* b, int64_t nb) {
  uint8_t q[QK_K];
  for (int64_t i = 0; i < nb; ++i, x += QK_K) {
    k_quant_superblock(x, 31, b[i].d, b[i].dmin, b[i].scales, q, GgmlType::Q5_K);
    std::memset(b[i].qh, 0, sizeof b[i].qh);
    for (int k = 0; k < 4; ++k)
      for (int l = 0; l < 32; ++l) {
        const int q0 = q[64 * k + l], q1 = q[64 * k + 32 + l];
        b[i].qs[32 * k + l] = static_cast<uint8_t>((q0 & 0xF) | (q1 & 0xF) << 4);
        b[i].qh[l] |= static_cast<uint8_t>((q0 >> 4) << (2 * k) | (q1 >> 4) << (2 * k + 1));
      }
  }
}

// Q6_K: 16 sub-blocks of 16, symmetric. Sub-block step s_j = amax_j / 31 so |q| <= 31; the
// signed 8-bit scale is ceil(s_j / d) with d = fp16_ceil(max s_j / 127).
void quant_q6_k(const float* x, Q6_K* b, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK_K) {
    float step[16], max_step = 0;
    for (int j = 0; j < 16; ++j) {
      step[j] = std::fabs(signed_absmax(x + 16 * j, 16)) / 31;
      max_step = std::max(max_step, step[j]);
    }
    const float d = fp16_ceil(max_step / 127);
    check_scale(d, GgmlType::Q6_K);
    store_half(b[i].d, d);
    int q[QK_K];
    for (int j = 0; j < 16; ++j) {
      const int sc = d > 0 ? std::min(127, static_cast<int>(std::ceil(step[j] / d))) : 0;
      b[i].scales[j] = static_cast<int8_t>(sc);
      const float s = d * sc;
      for (int l = 0; l < 16; ++l) {
        const int v = s > 0 ? static_cast<int>(std::lround(x[16 * j + l] / s)) : 0;
        q[16 * j + l] = std::clamp(v, -32, 31) + 32;
      }
    }
    // Inverse of the layout described at dequant_q6_k.
    std::memset(b[i].qh, 0, sizeof b[i].qh);
    for (int half = 0; half < 2; ++half) {
      uint8_t* ql = b[i].ql + 64 * half;
      uint8_t* qh = b[i].qh + 32 * half;
      const int* qq = q + 128 * half;
      for (int l = 0; l < 32; ++l) {
        ql[l] = static_cast<uint8_t>((qq[l] & 0xF) | (qq[l + 64] & 0xF) << 4);
        ql[l + 32] = static_cast<uint8_t>((qq[l + 32] & 0xF) | (qq[l + 96] & 0xF) << 4);
        qh[l] = static_cast<uint8_t>(qq[l] >> 4 | (qq[l + 32] >> 4) << 2 | (qq[l + 64] >> 4) << 4 |
                                     (qq[l + 96] >> 4) << 6);
      }
    }
  }
}

void check_finite(const float* x, int64_t n, GgmlType t) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i]))
      throw std::invalid_argument(std::string("quantize_row: element ") + std::to_string(i) +
                                  " is not finite; " + type_name(t) + " cannot represent it");
}

}  // namespace

void quantize_row(GgmlType t, const float* src, void* dst, int64_t n) {
  const int64_t bs = block_size(t);
  if (n < 0 || n % bs != 0)
    throw std::invalid_argument("quantize_row: " + std::to_string(n) + " elements is not a multiple of " +
                                type_name(t) + "'s block size " + std::to_string(bs));
  const int64_t nb = n / bs;
  auto* p = static_cast<uint8_t*>(dst);
  switch (t) {
    case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case GgmlType::F16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = fp32_to_fp16(src[i]);
        std::memcpy(p + 2 * i, &h, 2);
      }
      return;
    case GgmlType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = fp32_to_bf16(src[i]);
        std::memcpy(p + 2 * i, &h, 2);
      }
      return;
    default: break;
  }
  check_finite(src, n, t);  // block quants need finite scales
  switch (t) {
    case GgmlType::Q4_0: return quant_q4_0(src, reinterpret_cast<Q4_0*>(p), nb);
    case GgmlType::Q4_1: return quant_q4_1(src, reinterpret_cast<Q4_1*>(p), nb);
    case GgmlType::Q5_0: return quant_q5_0(src, reinterpret_cast<Q5_0*>(p), nb);
    case GgmlType::Q5_1: return quant_q5_1(src, reinterpret_cast<Q5_1*>(p), nb);
    case GgmlType::Q8_0: return quant_q8_0(src, reinterpret_cast<Q8_0*>(p), nb);
    case GgmlType::Q4_K: return quant_q4_k(src, reinterpret_cast<Q4_K*>(p), nb);
    case GgmlType::Q5_K: return quant_q5_k(src, reinterpret_cast<Q5_K*>(p), nb);
    case GgmlType::Q6_K: return quant_q6_k(src, reinterpret_cast<Q6_K*>(p), nb);
    default:
      throw std::invalid_argument(std::string("quantize_row: type ") + type_name(t) + " is not supported");
  }
}

}  // namespace llactr::gguf
