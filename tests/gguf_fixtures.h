// Small GGUF files for the reader tests and the fuzz seed corpus, built with GgufWriter.
#pragma once
#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::testing {

// A small file exercising every metadata value type (nested arrays included) and three tensors
// of different types: "a" F32 [32, 2], "b" Q8_0 [64], "c" Q4_K [256].
inline gguf::GgufWriter small_gguf_writer(uint32_t alignment = 32, uint32_t version = 3) {
  using namespace gguf;
  GgufWriter w(alignment, version);
  w.set_string("general.architecture", "llama");
  w.set_u8("t.u8", 200);
  w.set_i8("t.i8", -100);
  w.set_u16("t.u16", 60000);
  w.set_i16("t.i16", -30000);
  w.set_u32("t.u32", 4000000000u);
  w.set_i32("t.i32", -2000000000);
  w.set_u64("t.u64", 18000000000000000000ull);
  w.set_i64("t.i64", -9000000000000000000ll);
  w.set_f32("t.f32", 0.5f);
  w.set_f64("t.f64", -1.25);
  w.set_bool("t.bool", true);
  w.set_strings("t.strings", {"a", "", "\xc3\xa9t\xc3\xa9"});
  w.set_i32s("t.i32s", {1, -2, 3});
  w.set_f32s("t.f32s", {0.25f, -4.0f});
  Value nested;  // [[1, 2], [], [3]] as u16
  nested.type = ValueType::ARRAY;
  nested.arr.type = ValueType::ARRAY;
  for (const auto& xs : std::vector<std::vector<int64_t>>{{1, 2}, {}, {3}}) {
    Array inner;
    inner.type = ValueType::UINT16;
    inner.ints = xs;
    nested.arr.arrays.push_back(inner);
  }
  w.set("t.nested", nested);
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(256);
  for (auto& v : x) v = normal(rng);
  w.add_tensor("a", {32, 2}, GgmlType::F32, x.data());
  w.add_tensor("b", {64}, GgmlType::Q8_0, x.data());
  w.add_tensor("c", {256}, GgmlType::Q4_K, x.data());
  return w;
}

inline std::vector<uint8_t> small_gguf(uint32_t alignment = 32, uint32_t version = 3) {
  return small_gguf_writer(alignment, version).to_bytes();
}

// Byte position of a tensor info (its name-length field): the last place its length-prefixed
// name occurs, since tensor infos follow the metadata (which may hold the same string).
inline size_t tensor_info_pos(const std::vector<uint8_t>& bytes, const std::string& name) {
  std::string needle(8, '\0');
  const uint64_t len = name.size();
  std::memcpy(&needle[0], &len, 8);
  needle += name;
  auto it = std::find_end(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  return static_cast<size_t>(it - bytes.begin());
}

template <typename T>
void poke(std::vector<uint8_t>& bytes, size_t at, T v) {
  std::memcpy(&bytes[at], &v, sizeof(T));
}

// Seed files for the fuzzer: valid files of every supported tensor type plus a few defects.
inline std::map<std::string, std::vector<uint8_t>> gguf_seed_files() {
  using namespace gguf;
  std::map<std::string, std::vector<uint8_t>> seeds;
  seeds["small_v3.gguf"] = small_gguf();
  seeds["small_v2_align64.gguf"] = small_gguf(64, 2);
  std::vector<float> x(256);
  for (int k = 0; k < 256; ++k) x[k] = std::sin(0.37f * k) * (1 + k % 7);
  for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1,
                     GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    GgufWriter w;
    w.set_string("general.name", type_name(t));
    const int64_t n = block_size(t) == 1 ? 16 : 256;  // keeps the F32 seed tiny
    w.add_tensor("w", {n}, t, x.data());
    seeds[std::string("type_") + type_name(t) + ".gguf"] = w.to_bytes();
  }
  auto bad = small_gguf();
  poke<uint32_t>(bad, tensor_info_pos(bad, "b") + 8 + 1, 5);  // rank 5
  seeds["bad_rank5.gguf"] = bad;
  bad = small_gguf();
  bad.resize(bad.size() / 2);
  seeds["bad_truncated.gguf"] = bad;
  return seeds;
}

}  // namespace llactr::testing
