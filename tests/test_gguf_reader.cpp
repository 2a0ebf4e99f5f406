// GGUF reader and writer: round trips of every value and tensor type, the real stories260K file,
// and malformed files (each must raise GgufError naming the field and its byte offset).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "fuzz/gguf_exercise.h"
#include "gguf_fixtures.h"
#include "llactr/llm/gguf/gguf.h"
#include "test_data.h"

using namespace llactr::gguf;
using llactr::testing::poke;
using llactr::testing::small_gguf;
using llactr::testing::tensor_info_pos;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("llactr_gguf_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

// Parses `bytes` and returns the GgufError message ("" if none; any other exception fails).
std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    GgufFile::from_memory(bytes, "bad.gguf");
  } catch (const GgufError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_GGUF_ERROR(bytes, ...)                                                   \
  do {                                                                                \
    const std::string msg_ = error_of(bytes);                                         \
    ASSERT_FALSE(msg_.empty()) << "no error";                                         \
    EXPECT_EQ(msg_.rfind("bad.gguf: ", 0), 0u) << msg_;                               \
    for (const std::string& part_ : std::initializer_list<std::string>{__VA_ARGS__}) EXPECT_NE(msg_.find(part_), std::string::npos) << msg_ << "\n  lacks: " << part_; \
  } while (0)

uint64_t kv_offset(const std::vector<uint8_t>& bytes, const std::string& key) {
  const auto f = GgufFile::from_memory(bytes);
  for (const auto& kv : f.metadata())
    if (kv.key == key) return kv.offset;
  ADD_FAILURE() << "no key " << key;
  return 0;
}

std::string at(uint64_t offset) { return "at byte " + std::to_string(offset) + ":"; }

}  // namespace

// ---- valid files

TEST(GgufReader, ReadsBackEveryValueType) {
  const auto f = GgufFile::from_memory(small_gguf());
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.metadata().size(), 16u);
  EXPECT_EQ(f.metadata()[0].key, "general.architecture");
  EXPECT_EQ(f.metadata()[0].offset, 24u);  // first key right after the 24-byte header
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_u32("t.u8"), 200u);
  EXPECT_EQ(f.get_i64("t.i8"), -100);
  EXPECT_EQ(f.get_u32("t.u16"), 60000u);
  EXPECT_EQ(f.get_i64("t.i16"), -30000);
  EXPECT_EQ(f.get_u32("t.u32"), 4000000000u);
  EXPECT_EQ(f.get_i64("t.i32"), -2000000000);
  EXPECT_EQ(static_cast<uint64_t>(f.get("t.u64").i), 18000000000000000000ull);
  EXPECT_EQ(f.get_i64("t.i64"), -9000000000000000000ll);
  EXPECT_EQ(f.get_f32("t.f32"), 0.5f);
  EXPECT_EQ(f.get("t.f64").f, -1.25);
  EXPECT_TRUE(f.get_bool("t.bool", false));
  EXPECT_EQ(f.get_string_array("t.strings"), (std::vector<std::string>{"a", "", "\xc3\xa9t\xc3\xa9"}));
  EXPECT_EQ(f.get_int_array("t.i32s"), (std::vector<int64_t>{1, -2, 3}));
  EXPECT_EQ(f.get_f32_array("t.f32s"), (std::vector<float>{0.25f, -4.0f}));
  const Array& nested = f.get_array("t.nested");
  ASSERT_EQ(nested.type, ValueType::ARRAY);
  ASSERT_EQ(nested.size(), 3u);
  EXPECT_EQ(nested.arrays[0].type, ValueType::UINT16);
  EXPECT_EQ(nested.arrays[0].ints, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(nested.arrays[1].size(), 0u);
  EXPECT_EQ(to_string(f.get("t.nested")), "[[1, 2], [], [3]]");
  // Defaults, and typed getters refusing the wrong type or range.
  EXPECT_EQ(f.get_u32("missing", 7u), 7u);
  EXPECT_EQ(f.get_string("missing", "x"), "x");
  EXPECT_FALSE(f.has("missing"));
  EXPECT_THROW(f.get_u32("missing"), GgufError);
  EXPECT_THROW(f.get_u32("t.i8"), GgufError);       // negative
  EXPECT_THROW(f.get_u32("t.u64"), GgufError);      // too big
  EXPECT_THROW(f.get_i64("t.u64"), GgufError);      // exceeds int64
  EXPECT_THROW(f.get_string("t.u8"), GgufError);
  EXPECT_THROW(f.get_f32_array("t.strings"), GgufError);
  EXPECT_THROW(f.get_bool("t.u8", false), GgufError);
}

TEST(GgufReader, TensorsRoundTripThroughAFileForEveryType) {
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(512 * 3);
  for (auto& v : x) v = normal(rng);
  const GgmlType types[] = {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1,
                            GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};
  GgufWriter w;
  for (GgmlType t : types) w.add_tensor(std::string("w.") + type_name(t), {512, 3}, t, x.data());
  const std::string path = temp_path("types.gguf");
  w.write(path);
  {
    const auto f = GgufFile::open(path);
    ASSERT_EQ(f.tensors().size(), std::size(types));
    for (GgmlType t : types) {
      const TensorInfo& ti = f.tensor(std::string("w.") + type_name(t));
      EXPECT_EQ(ti.type, t);
      EXPECT_EQ(ti.ne, (std::vector<int64_t>{512, 3}));
      EXPECT_EQ(ti.n_elements, 1536);
      EXPECT_EQ(ti.n_rows(), 3);
      EXPECT_EQ(ti.nbytes, row_bytes(t, 1536));
      EXPECT_EQ(ti.offset % 32, 0u);
      // Dequantised data equals quantise->dequantise in memory (whose error is bounded in GgufQuant).
      std::vector<uint8_t> q(row_bytes(t, 1536));
      quantize_row(t, x.data(), q.data(), 1536);
      EXPECT_EQ(0, std::memcmp(ti.data, q.data(), q.size())) << type_name(t);
      std::vector<float> want(1536);
      dequantize_row(t, q.data(), want.data(), 1536);
      EXPECT_EQ(f.dequantize(ti), want) << type_name(t);
    }
    EXPECT_EQ(f.find_tensor("nope"), nullptr);
    EXPECT_THROW(f.tensor("nope"), GgufError);
  }
  std::remove(path.c_str());
}

TEST(GgufReader, HonoursAlignmentAndVersion2) {
  const auto f = GgufFile::from_memory(small_gguf(64, 2));
  EXPECT_EQ(f.version(), 2u);
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.get_u32("general.alignment"), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
  for (const auto& t : f.tensors()) EXPECT_EQ(t.offset % 64, 0u) << t.name;
}

TEST(GgufReader, RefusesUndequantisableTypeClearly) {
  GgufWriter w;
  std::vector<uint8_t> raw(136, 0);
  w.add_tensor_raw("iq", {256}, GgmlType::IQ4_XS, raw.data(), raw.size());
  const auto f = GgufFile::from_memory(w.to_bytes());
  EXPECT_EQ(f.tensors()[0].type, GgmlType::IQ4_XS);
  EXPECT_THROW(f.dequantize(f.tensors()[0]), GgufError);
}

TEST(GgufReader, WriterRejectsInvalidRequests) {
  GgufWriter w;
  std::vector<float> x(64);
  EXPECT_THROW(GgufWriter(48), std::invalid_argument);
  EXPECT_THROW(GgufWriter(32, 1), std::invalid_argument);
  EXPECT_THROW(w.set_u32("general.alignment", 64), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("t", {33}, GgmlType::Q8_0, x.data()), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("t", {1, 1, 1, 1, 1}, GgmlType::F32, x.data()), std::invalid_argument);
  EXPECT_THROW(w.add_tensor("t", {0}, GgmlType::F32, x.data()), std::invalid_argument);
  EXPECT_THROW(w.add_tensor_raw("t", {32}, GgmlType::Q8_0, x.data(), 33), std::invalid_argument);
  w.add_tensor("t", {32}, GgmlType::F32, x.data());
  EXPECT_THROW(w.add_tensor("t", {32}, GgmlType::F32, x.data()), std::invalid_argument);
  w.set_u32("k", 1);
  w.set_string("k", "replaced");  // same key: replaced in place
  const auto f = GgufFile::from_memory(w.to_bytes());
  EXPECT_EQ(f.metadata().size(), 1u);
  EXPECT_EQ(f.get_string("k"), "replaced");
}

TEST(GgufReader, Stories260K) {
  LLACTR_REQUIRE_DATA(dir, "stories260K");
  const auto f = GgufFile::open(dir + "/stories260K.gguf");
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_u32("llama.embedding_length"), 64u);
  EXPECT_EQ(f.get_u32("llama.block_count"), 5u);
  EXPECT_EQ(f.get_u32("llama.attention.head_count"), 8u);
  EXPECT_EQ(f.get_u32("llama.attention.head_count_kv"), 4u);
  EXPECT_EQ(f.get_u32("llama.feed_forward_length"), 172u);
  EXPECT_NEAR(f.get_f32("llama.attention.layer_norm_rms_epsilon"), 1e-5f, 1e-12f);
  const auto& tokens = f.get_string_array("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 512u);
  EXPECT_EQ(tokens[1], "<s>");
  EXPECT_EQ(f.get_f32_array("tokenizer.ggml.scores").size(), 512u);
  ASSERT_EQ(f.tensors().size(), 48u);  // 3 + 9 per layer x 5 layers
  const TensorInfo& emb = f.tensor("token_embd.weight");
  EXPECT_EQ(emb.type, GgmlType::F32);
  EXPECT_EQ(emb.ne, (std::vector<int64_t>{64, 512}));
  EXPECT_EQ(f.tensor("blk.4.ffn_down.weight").ne, (std::vector<int64_t>{172, 64}));
  // The tensors tile the data section to the end of the file.
  uint64_t end = 0;
  for (const auto& t : f.tensors()) end = std::max(end, t.offset + t.nbytes);
  EXPECT_EQ(f.data_offset() + end, f.file_size());
  // F32 dequantisation is the raw bytes, read independently from the file.
  std::ifstream in(dir + "/stories260K.gguf", std::ios::binary);
  in.seekg(static_cast<std::streamoff>(f.data_offset() + emb.offset));
  std::vector<float> raw(64 * 512);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size() * 4));
  EXPECT_EQ(f.dequantize(emb), raw);
}

// ---- malformed files

TEST(GgufMalformed, TruncatedAtEveryByteBeforeTheLastTensorsData) {
  const auto good = small_gguf();
  const auto f = GgufFile::from_memory(good);
  uint64_t end = 0;
  for (const auto& t : f.tensors()) end = std::max(end, f.data_offset() + t.offset + t.nbytes);
  for (uint64_t n = 0; n < end; ++n) {
    const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    const std::string msg = error_of(cut);
    ASSERT_FALSE(msg.empty()) << "a file cut to " << n << " bytes was accepted";
    ASSERT_NE(msg.find("at byte "), std::string::npos) << msg;
  }
  // Only the final padding is optional.
  EXPECT_NO_THROW(GgufFile::from_memory(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(end))));
}

TEST(GgufMalformed, CutAtEveryHeaderBoundaryNamesTheFile) {
  const auto good = small_gguf();
  const auto f = GgufFile::from_memory(good);
  std::vector<uint64_t> cuts = {0, 3, 4, 8, 16, 24, f.data_offset()};
  for (const auto& kv : f.metadata()) cuts.push_back(kv.offset);
  cuts.push_back(tensor_info_pos(good, "a"));
  cuts.push_back(tensor_info_pos(good, "c"));
  const std::string path = temp_path("cut.gguf");
  for (uint64_t n : cuts) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(good.data()), static_cast<std::streamsize>(n));
    try {
      GgufFile::open(path);
      ADD_FAILURE() << "cut at " << n << " accepted";
    } catch (const GgufError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    }
  }
  std::remove(path.c_str());
  EXPECT_THROW(GgufFile::open(path), GgufError);  // missing file
}

TEST(GgufMalformed, BadMagicAndVersion) {
  auto b = small_gguf();
  b[0] = 'X';
  EXPECT_GGUF_ERROR(b, "magic at byte 0:", "found 58 47 55 46");
  for (uint32_t v : {0u, 1u, 4u, 0xFFFFFFFFu}) {
    b = small_gguf();
    poke<uint32_t>(b, 4, v);
    EXPECT_GGUF_ERROR(b, "version at byte 4:", "not supported");
  }
  b = small_gguf();
  poke<uint32_t>(b, 4, 0x03000000u);
  EXPECT_GGUF_ERROR(b, "big-endian");
}

TEST(GgufMalformed, HugeCountsAndStringLengths) {
  auto b = small_gguf();
  poke<uint64_t>(b, 16, uint64_t(1) << 63);
  EXPECT_GGUF_ERROR(b, "metadata kv count at byte 16:", "cannot fit");
  b = small_gguf();
  poke<uint64_t>(b, 8, ~uint64_t(0));
  EXPECT_GGUF_ERROR(b, "tensor count at byte 8:", "cannot fit");
  b = small_gguf();
  poke<uint64_t>(b, 24, uint64_t(1) << 62);  // length of the first key
  EXPECT_GGUF_ERROR(b, "kv 0 key at byte 24:", "string length 4611686018427387904 exceeds");
  b = small_gguf();
  poke<uint64_t>(b, 24, 0);  // empty key
  EXPECT_GGUF_ERROR(b, "kv 0 key at byte 24:");
  // A huge string value and a huge array count.
  b = small_gguf();
  const uint64_t arch = kv_offset(b, "general.architecture") + 8 + 20 + 4;
  poke<uint64_t>(b, arch, ~uint64_t(0));
  EXPECT_GGUF_ERROR(b, "'general.architecture' at byte " + std::to_string(arch) + ":", "exceeds");
  b = small_gguf();
  const uint64_t count = kv_offset(b, "t.strings") + 8 + 9 + 4 + 4;
  poke<uint64_t>(b, count, uint64_t(1) << 60);
  EXPECT_GGUF_ERROR(b, "'t.strings' count " + at(count), "cannot fit");
}

TEST(GgufMalformed, BadValueTypesBoolsAndNesting) {
  auto b = small_gguf();
  const uint64_t vt = kv_offset(b, "t.u8") + 8 + 4;
  poke<uint32_t>(b, vt, 13);
  EXPECT_GGUF_ERROR(b, "'t.u8' value type " + at(vt), "unknown value type 13");
  b = small_gguf();
  const uint64_t bv = kv_offset(b, "t.bool") + 8 + 6 + 4;
  b[bv] = 2;
  EXPECT_GGUF_ERROR(b, "'t.bool' " + at(bv), "neither 0 nor 1");
  b = small_gguf();
  const uint64_t et = kv_offset(b, "t.i32s") + 8 + 6 + 4;
  poke<uint32_t>(b, et, 99);
  EXPECT_GGUF_ERROR(b, "'t.i32s' element type " + at(et), "unknown value type 99");
  // Nesting: 8 levels are fine, 9 are refused.
  for (int depth : {8, 9}) {
    Value v;
    v.type = ValueType::ARRAY;
    Array* a = &v.arr;
    for (int d = 1; d < depth; ++d) {
      a->type = ValueType::ARRAY;
      a->arrays.resize(1);
      a = &a->arrays[0];
    }
    a->type = ValueType::INT8;
    a->ints = {1};
    GgufWriter w;
    w.set("deep", v);
    if (depth == 8) {
      EXPECT_NO_THROW(GgufFile::from_memory(w.to_bytes()));
    } else {
      EXPECT_GGUF_ERROR(w.to_bytes(), "nested deeper than 8");
    }
  }
}

TEST(GgufMalformed, DuplicateKeysAndTensorNames) {
  auto b = small_gguf();
  const uint64_t k = kv_offset(b, "t.i8");
  std::memcpy(&b[k + 8], "t.u8", 4);
  EXPECT_GGUF_ERROR(b, "kv 2 key " + at(k), "duplicate key 't.u8'");
  b = small_gguf();
  const size_t tb = tensor_info_pos(b, "b");
  b[tb + 8] = 'a';
  EXPECT_GGUF_ERROR(b, "tensor info 1 'a' name " + at(tb), "duplicate tensor name");
}

TEST(GgufMalformed, BadAlignment) {
  auto b = small_gguf(64);
  const uint64_t v = kv_offset(b, "general.alignment") + 8 + 17 + 4;
  poke<uint32_t>(b, v, 48);
  EXPECT_GGUF_ERROR(b, "general.alignment at byte", "48 is not a power of two");
  poke<uint32_t>(b, v, 0);
  EXPECT_GGUF_ERROR(b, "0 is not a power of two");
  b = small_gguf(64);
  poke<uint32_t>(b, v - 4, static_cast<uint32_t>(ValueType::INT32));
  EXPECT_GGUF_ERROR(b, "general.alignment", "expected u32");
}

TEST(GgufMalformed, BadShapes) {
  const auto good = small_gguf();
  const size_t tb = tensor_info_pos(good, "b");  // "b": Q8_0 [64]
  const size_t dims = tb + 8 + 1, ne0 = dims + 4;
  auto b = good;
  poke<uint32_t>(b, dims, 5);
  EXPECT_GGUF_ERROR(b, "tensor info 1 'b' n_dims " + at(dims), "5 dimensions; must be 1..4");
  poke<uint32_t>(b, dims, 0);
  EXPECT_GGUF_ERROR(b, "n_dims", "0 dimensions");
  b = good;
  poke<int64_t>(b, ne0, 33);
  EXPECT_GGUF_ERROR(b, "tensor info 1 'b' ne[0] " + at(ne0), "33 is not a multiple of 32 (Q8_0");
  poke<int64_t>(b, ne0, 0);
  EXPECT_GGUF_ERROR(b, "ne[0]", "0 is not a positive dimension");
  poke<int64_t>(b, ne0, -64);
  EXPECT_GGUF_ERROR(b, "ne[0]", "-64 is not a positive dimension");
  // "a" is F32 [32, 2]: ne = [2^40, 2^40] overflows int64 at ne[1].
  b = good;
  const size_t ta = tensor_info_pos(good, "a") + 8 + 1 + 4;
  poke<int64_t>(b, ta, int64_t(1) << 40);
  poke<int64_t>(b, ta + 8, int64_t(1) << 40);
  EXPECT_GGUF_ERROR(b, "'a' ne[1] " + at(ta + 8), "overflows int64");
  // [2^31, 2^31] F32: 2^62 elements fit int64, but 2^64 bytes do not fit uint64.
  poke<int64_t>(b, ta, int64_t(1) << 31);
  poke<int64_t>(b, ta + 8, int64_t(1) << 31);
  EXPECT_GGUF_ERROR(b, "'a' shape " + at(ta - 4), "overflows 64 bits");
  // [2^20, 2^20] F32: 4 TiB, far beyond the file.
  poke<int64_t>(b, ta, int64_t(1) << 20);
  poke<int64_t>(b, ta + 8, int64_t(1) << 20);
  EXPECT_GGUF_ERROR(b, "'a' offset", "exceeds the");
}

TEST(GgufMalformed, UnknownTypeId) {
  const auto good = small_gguf();
  const size_t type_at = tensor_info_pos(good, "b") + 8 + 1 + 4 + 8;
  for (uint32_t t : {4u, 31u, 99u, 0xFFFFFFFFu}) {
    auto b = good;
    poke<uint32_t>(b, type_at, t);
    EXPECT_GGUF_ERROR(b, "'b' type " + at(type_at), "unknown ggml type id " + std::to_string(t));
  }
}

TEST(GgufMalformed, MisalignedOutOfRangeAndOverlappingOffsets) {
  const auto good = small_gguf();
  const auto f = GgufFile::from_memory(good);
  const size_t off_b = tensor_info_pos(good, "b") + 8 + 1 + 4 + 8 + 4;
  const size_t off_c = tensor_info_pos(good, "c") + 8 + 1 + 4 + 8 + 4;
  auto b = good;
  poke<uint64_t>(b, off_b, f.tensor("b").offset + 1);
  EXPECT_GGUF_ERROR(b, "'b' offset " + at(off_b), "not a multiple of the alignment 32");
  b = good;
  poke<uint64_t>(b, off_c, uint64_t(1) << 40);
  EXPECT_GGUF_ERROR(b, "'c' offset", "exceeds the");
  b = good;
  poke<uint64_t>(b, off_c, ~uint64_t(31));  // aligned, and offset + nbytes wraps around 2^64
  EXPECT_GGUF_ERROR(b, "'c' offset", "exceeds the");
  b = good;
  poke<uint64_t>(b, off_c, f.tensor("b").offset);
  EXPECT_GGUF_ERROR(b, "'c' offset", "overlaps tensor 'b'");
}

TEST(GgufMalformed, RandomByteFlipsNeverCrash) {
  const auto good = small_gguf();
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    auto b = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) b[rng() % 700] ^= static_cast<uint8_t>(1 + rng() % 255);  // header region
    accepted += llactr::testing::exercise_gguf(b.data(), b.size());
  }
  EXPECT_LT(accepted, 3000);  // most flips in the header are detected
}

// ---- the fuzz seed corpus

namespace {
const char* kCorpusDir = "tests/fuzz/corpus";
}

// The committed corpus is exactly what gguf_seed_files() generates. To regenerate it:
//   LLACTR_WRITE_GGUF_CORPUS=1 build/release-native/llactr_tests --gtest_filter='GgufCorpus.*'
TEST(GgufCorpus, CommittedSeedsMatchTheGenerator) {
  const bool write = std::getenv("LLACTR_WRITE_GGUF_CORPUS") != nullptr;
  size_t total = 0;
  for (const auto& [name, bytes] : llactr::testing::gguf_seed_files()) {
    const std::string path = std::string(kCorpusDir) + "/" + name;
    total += bytes.size();
    if (write) std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path << " missing; regenerate with LLACTR_WRITE_GGUF_CORPUS=1";
    const std::vector<uint8_t> got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, bytes) << path << " is stale; regenerate with LLACTR_WRITE_GGUF_CORPUS=1";
  }
  EXPECT_LT(total, 50u * 1024);
}

TEST(GgufCorpus, ReaderSurvivesEveryCorpusFile) {
  ASSERT_TRUE(std::filesystem::is_directory(kCorpusDir)) << "run the tests from the repository root";
  int files = 0, valid = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpusDir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    valid += llactr::testing::exercise_gguf(bytes.data(), bytes.size());
    ++files;
  }
  EXPECT_GE(files, 15);
  EXPECT_GE(valid, 13);  // every valid seed still parses
}
