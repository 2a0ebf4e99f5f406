// ggml tensor element types: ids, block geometry, fp16/bf16 conversion, and row (de)quantisation.
//
// A quantised row is a sequence of blocks; each block holds block_size(t) elements in
// type_size(t) bytes (layouts in docs/GGUF.md, identical to ggml's ggml-common.h).
// Row lengths passed to the (de)quantisers must be multiples of block_size(t).
#pragma once
#include <cstdint>
#include <cstring>

namespace llactr::gguf {

// The ids are ggml's own (ggml.h, enum ggml_type); gaps are ids ggml retired.
enum class GgmlType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
  IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22,
  IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
  TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39,
};

bool is_known_type(uint32_t id);  // a ggml type id listed above (the reader accepts these)
const char* type_name(GgmlType t);       // "F32", "Q4_K", ...; "?" for an unknown id
int64_t block_size(GgmlType t);          // elements per block (1 for F32/F16/BF16, 32, or 256)
int64_t type_size(GgmlType t);           // bytes per block
bool is_supported(GgmlType t);           // dequantize_row handles it
bool can_quantize(GgmlType t);           // quantize_row handles it

// Bytes of n elements of type t. Throws std::invalid_argument if n < 0 or n is not a multiple
// of block_size(t), std::overflow_error if the byte count does not fit in uint64_t.
uint64_t row_bytes(GgmlType t, int64_t n);

// IEEE half and bfloat16. float -> half/bf16 round to nearest even (bf16 exactly like ggml: NaN
// stays a quiet NaN); half/bf16 -> float is exact. The widening conversions are inline and
// branch-free so dequantisation loops vectorise.
uint16_t fp32_to_fp16(float f);
uint16_t fp32_to_bf16(float f);

inline float bf16_to_fp32(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float fp16_to_fp32(uint16_t h) {
  // Shift exponent and mantissa into float position and multiply by 2^-112 to re-bias the exponent
  // (15 -> 127); an exponent of 31 (inf/NaN) lands on 255 and survives the multiply. Subnormal
  // halves (exponent 0) are mant * 2^-24, built as (2^-1 + mant * 2^-24) - 2^-1.
  const uint32_t w = static_cast<uint32_t>(h) << 16;
  const uint32_t sign = w & 0x80000000u;
  const uint32_t two_w = w + w;  // drops the sign
  const uint32_t norm_bits = (two_w >> 4) + (0xE0u << 23);
  const uint32_t denorm_bits = (two_w >> 17) | (126u << 23);
  float norm, denorm;
  std::memcpy(&norm, &norm_bits, 4);
  std::memcpy(&denorm, &denorm_bits, 4);
  norm *= 0x1.0p-112f;
  denorm -= 0.5f;
  uint32_t out_bits;
  const float out = two_w < (1u << 27) ? denorm : norm;
  std::memcpy(&out_bits, &out, 4);
  out_bits |= sign;
  float result;
  std::memcpy(&result, &out_bits, 4);
  return result;
}

// src: n/block_size(t) blocks of type t -> dst: [n] floats.
// Throws std::invalid_argument if t is unsupported or n is not a multiple of the block size.
void dequantize_row(GgmlType t, const void* src, float* dst, int64_t n);

// src: [n] floats -> dst: row_bytes(t, n) bytes. Rounding matches ggml's reference quantisers
// (quantize_row_*_ref) for F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1; the K-quant quantisers
// are simpler than ggml's (same layout, documented error bound, see docs/GGUF.md).
void quantize_row(GgmlType t, const float* src, void* dst, int64_t n);

}  // namespace llactr::gguf
