// ggml's quantised block layouts (ggml-common.h), byte for byte. Every field is a byte array,
// so a block can sit at any address; fp16 scales are read with load_half().
#pragma once
#include <cstdint>
#include <cstring>

#include "llactr/llm/gguf/gguf_types.h"

namespace llactr::gguf::blocks {

constexpr int QK = 32;    // elements per block of the "legacy" quants
constexpr int QK_K = 256; // elements per K-quant super-block

inline float load_half(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return fp16_to_fp32(h);
}
inline void store_half(uint8_t* p, float f) {
  const uint16_t h = fp32_to_fp16(f);
  std::memcpy(p, &h, 2);
}

struct Q4_0 { uint8_t d[2]; uint8_t qs[QK / 2]; };                  // x = (q - 8) * d
struct Q4_1 { uint8_t d[2]; uint8_t m[2]; uint8_t qs[QK / 2]; };    // x = q * d + m
struct Q5_0 { uint8_t d[2]; uint8_t qh[4]; uint8_t qs[QK / 2]; };   // x = (q - 16) * d
struct Q5_1 { uint8_t d[2]; uint8_t m[2]; uint8_t qh[4]; uint8_t qs[QK / 2]; };
struct Q8_0 { uint8_t d[2]; int8_t qs[QK]; };                       // x = q * d
// K-quants: 8 sub-blocks of 32 with 6-bit scales and mins packed into 12 bytes.
struct Q4_K { uint8_t d[2]; uint8_t dmin[2]; uint8_t scales[12]; uint8_t qs[QK_K / 2]; };
struct Q5_K { uint8_t d[2]; uint8_t dmin[2]; uint8_t scales[12]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2]; };
// Q6_K: 16 sub-blocks of 16 with signed 8-bit scales; 6-bit quants split into 4 + 2 bits.
struct Q6_K { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; uint8_t d[2]; };

static_assert(sizeof(Q4_0) == 18 && sizeof(Q4_1) == 20 && sizeof(Q5_0) == 22 && sizeof(Q5_1) == 24);
static_assert(sizeof(Q8_0) == 34 && sizeof(Q4_K) == 144 && sizeof(Q5_K) == 176 && sizeof(Q6_K) == 210);

// Sub-block j (0..7) of a K-quant's 12 scale bytes: 6-bit scale and 6-bit min. Bytes 0-3 hold
// scales 0-3 and bytes 4-7 mins 0-3 in their low 6 bits; sub-blocks 4-7 keep their low 4 bits
// in bytes 8-11 (scale low nibble, min high nibble) and their top 2 bits in the spare top bits
// of bytes 0-3 (scales) and 4-7 (mins).
inline void k_scale_min(int j, const uint8_t* s, int* scale, int* min) {
  if (j < 4) {
    *scale = s[j] & 63;
    *min = s[j + 4] & 63;
  } else {
    *scale = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
    *min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

}  // namespace llactr::gguf::blocks
