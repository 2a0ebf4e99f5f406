// ggml type table and the fp16/bf16 conversions.
#include "llactr/llm/gguf/gguf_types.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace llactr::gguf {
namespace {

struct TypeTraits {
  GgmlType type;
  const char* name;
  int64_t block_size, type_size;
};

// Block geometry of every ggml type (ggml.c type_traits / ggml-common.h block structs).
constexpr TypeTraits kTypes[] = {
    {GgmlType::F32, "F32", 1, 4},          {GgmlType::F16, "F16", 1, 2},
    {GgmlType::Q4_0, "Q4_0", 32, 18},      {GgmlType::Q4_1, "Q4_1", 32, 20},
    {GgmlType::Q5_0, "Q5_0", 32, 22},      {GgmlType::Q5_1, "Q5_1", 32, 24},
    {GgmlType::Q8_0, "Q8_0", 32, 34},      {GgmlType::Q8_1, "Q8_1", 32, 36},
    {GgmlType::Q2_K, "Q2_K", 256, 84},     {GgmlType::Q3_K, "Q3_K", 256, 110},
    {GgmlType::Q4_K, "Q4_K", 256, 144},    {GgmlType::Q5_K, "Q5_K", 256, 176},
    {GgmlType::Q6_K, "Q6_K", 256, 210},    {GgmlType::Q8_K, "Q8_K", 256, 292},
    {GgmlType::IQ2_XXS, "IQ2_XXS", 256, 66}, {GgmlType::IQ2_XS, "IQ2_XS", 256, 74},
    {GgmlType::IQ3_XXS, "IQ3_XXS", 256, 98}, {GgmlType::IQ1_S, "IQ1_S", 256, 50},
    {GgmlType::IQ4_NL, "IQ4_NL", 32, 18},  {GgmlType::IQ3_S, "IQ3_S", 256, 110},
    {GgmlType::IQ2_S, "IQ2_S", 256, 82},   {GgmlType::IQ4_XS, "IQ4_XS", 256, 136},
    {GgmlType::I8, "I8", 1, 1},            {GgmlType::I16, "I16", 1, 2},
    {GgmlType::I32, "I32", 1, 4},          {GgmlType::I64, "I64", 1, 8},
    {GgmlType::F64, "F64", 1, 8},          {GgmlType::IQ1_M, "IQ1_M", 256, 56},
    {GgmlType::BF16, "BF16", 1, 2},        {GgmlType::TQ1_0, "TQ1_0", 256, 54},
    {GgmlType::TQ2_0, "TQ2_0", 256, 66},   {GgmlType::MXFP4, "MXFP4", 32, 17},
};

const TypeTraits* traits(GgmlType t) {
  for (const auto& tt : kTypes)
    if (tt.type == t) return &tt;
  return nullptr;
}

const TypeTraits& traits_or_throw(GgmlType t) {
  const TypeTraits* tt = traits(t);
  if (!tt) throw std::invalid_argument("unknown ggml type id " + std::to_string(static_cast<uint32_t>(t)));
  return *tt;
}

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace

bool is_known_type(uint32_t id) { return traits(static_cast<GgmlType>(id)) != nullptr; }

const char* type_name(GgmlType t) {
  const TypeTraits* tt = traits(t);
  return tt ? tt->name : "?";
}

int64_t block_size(GgmlType t) { return traits_or_throw(t).block_size; }
int64_t type_size(GgmlType t) { return traits_or_throw(t).type_size; }

bool is_supported(GgmlType t) {
  switch (t) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: case GgmlType::Q8_0:
    case GgmlType::Q4_0: case GgmlType::Q4_1: case GgmlType::Q5_0: case GgmlType::Q5_1:
    case GgmlType::Q4_K: case GgmlType::Q5_K: case GgmlType::Q6_K:
      return true;
    default:
      return false;
  }
}

bool can_quantize(GgmlType t) { return is_supported(t); }

uint64_t row_bytes(GgmlType t, int64_t n) {
  const TypeTraits& tt = traits_or_throw(t);
  if (n < 0 || n % tt.block_size != 0)
    throw std::invalid_argument(std::string("element count ") + std::to_string(n) +
                                " is not a non-negative multiple of " + tt.name + "'s block size " +
                                std::to_string(tt.block_size));
  const uint64_t blocks = static_cast<uint64_t>(n / tt.block_size);
  if (blocks > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(tt.type_size))
    throw std::overflow_error(std::string("byte size of ") + std::to_string(n) + " " + tt.name +
                              " elements overflows 64 bits");
  return blocks * static_cast<uint64_t>(tt.type_size);
}

// IEEE binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
uint16_t fp32_to_fp16(float f) {
  const uint32_t u = bits_of(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000);
  const uint32_t abs = u & 0x7FFFFFFF;
  if (abs > 0x7F800000) return sign | 0x7E00 | static_cast<uint16_t>((abs >> 13) & 0x3FF);  // NaN stays NaN
  if (abs >= 0x477FF000) return sign | 0x7C00;  // rounds to >= 65520: infinity
  if (abs >= 0x38800000) {                      // normal half (>= 2^-14)
    // Re-bias the exponent, then round the 13 dropped mantissa bits to nearest even; a carry
    // out of the mantissa correctly bumps the exponent.
    const uint32_t r = abs - (112u << 23);
    const uint32_t rounded = r + 0xFFF + ((r >> 13) & 1);
    return sign | static_cast<uint16_t>(rounded >> 13);
  }
  // Subnormal half or zero: value / 2^-24, rounded to nearest even by the FPU (exact scaling).
  const float scaled = float_of(abs) * 16777216.0f;  // 2^24
  const float r = std::nearbyint(scaled);
  return sign | static_cast<uint16_t>(r);
}

uint16_t fp32_to_bf16(float f) {
  const uint32_t u = bits_of(f);
  if ((u & 0x7FFFFFFF) > 0x7F800000) return static_cast<uint16_t>((u >> 16) | 64);  // quiet NaN
  return static_cast<uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
}

}  // namespace llactr::gguf
