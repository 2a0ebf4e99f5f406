// GGUF v2/v3 files: a strict, mmap-ing reader (GgufFile) and a writer (GgufWriter).
//
// Everything lives in namespace llactr::gguf. The format, the validation rules and the
// supported tensor types are described in docs/GGUF.md. Every malformed input makes the
// reader throw GgufError, whose message names the file, the field and its byte offset:
//   "model.gguf: tensor info 3 'blk.0.attn_q.weight' ne[0] at byte 1234: 33 is not a multiple of 32 (Q8_0)"
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "llactr/llm/gguf/gguf_types.h"

namespace llactr::gguf {

class GgufError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Metadata value types, with GGUF's ids.
enum class ValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};
const char* value_type_name(ValueType t);  // "u32", "string", "array", ...

// An array value: every element has type `type`, stored in the one vector that fits it.
struct Array {
  ValueType type = ValueType::UINT8;
  std::vector<int64_t> ints;         // integer and BOOL elements (UINT64 kept as its bit pattern)
  std::vector<double> floats;        // FLOAT32 and FLOAT64 elements
  std::vector<std::string> strings;  // STRING elements
  std::vector<Array> arrays;         // ARRAY elements (nested arrays)
  size_t size() const;
};

// One metadata value.
struct Value {
  ValueType type = ValueType::UINT8;
  int64_t i = 0;   // integer types and BOOL (UINT64 kept as its bit pattern)
  double f = 0;    // FLOAT32, FLOAT64
  std::string s;   // STRING
  Array arr;       // ARRAY
};

// Human-readable value for printing; arrays longer than max_elems show the first few and the count.
std::string to_string(const Value& v, size_t max_elems = 8);

struct KeyValue {
  std::string key;
  Value value;
  uint64_t offset = 0;  // byte offset of the key in the file
};

struct TensorInfo {
  std::string name;
  std::vector<int64_t> ne;     // shape in ggml order: ne[0] is the contiguous row length; 1..4 dims
  GgmlType type = GgmlType::F32;
  uint64_t offset = 0;         // from the start of the data section (aligned)
  uint64_t nbytes = 0;         // row_bytes(type, n_elements)
  int64_t n_elements = 0;      // product of ne
  const uint8_t* data = nullptr;  // into the file's mapping; valid while the GgufFile lives
  int64_t row_length() const { return ne[0]; }
  int64_t n_rows() const { return n_elements / ne[0]; }
};

class GgufFile {
 public:
  // mmaps `path` read-only and validates it; throws GgufError on any defect.
  static GgufFile open(const std::string& path);
  // Same validation on bytes in memory (tests, fuzzing); `name` is used in error messages.
  static GgufFile from_memory(std::vector<uint8_t> bytes, const std::string& name = "<memory>");

  GgufFile(GgufFile&&) noexcept;
  GgufFile& operator=(GgufFile&&) noexcept;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;
  ~GgufFile();

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // file offset of the tensor data section
  uint64_t file_size() const { return size_; }

  // Metadata, in file order, and lookups by key. Typed getters accept any integer type whose
  // value fits (get_f32 also accepts floats); a wrong type or range throws GgufError naming the key.
  const std::vector<KeyValue>& metadata() const { return kvs_; }
  bool has(const std::string& key) const;
  const Value* find(const std::string& key) const;  // nullptr when absent
  const Value& get(const std::string& key) const;   // throws when absent
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& def) const;
  uint32_t get_u32(const std::string& key) const;
  uint32_t get_u32(const std::string& key, uint32_t def) const;
  int64_t get_i64(const std::string& key) const;
  int64_t get_i64(const std::string& key, int64_t def) const;
  float get_f32(const std::string& key) const;
  float get_f32(const std::string& key, float def) const;
  bool get_bool(const std::string& key, bool def) const;
  const Array& get_array(const std::string& key) const;  // throws when absent or not an array
  const std::vector<std::string>& get_string_array(const std::string& key) const;
  std::vector<float> get_f32_array(const std::string& key) const;    // float elements
  std::vector<int64_t> get_int_array(const std::string& key) const;  // integer/bool elements

  // Tensors, in file order.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(const std::string& name) const;  // nullptr when absent
  const TensorInfo& tensor(const std::string& name) const;       // throws when absent
  std::vector<float> dequantize(const TensorInfo& t) const;      // [n_elements] floats
  void dequantize(const TensorInfo& t, float* dst) const;        // dst: [n_elements]

 private:
  struct Storage;  // the mmap (or the in-memory bytes)
  GgufFile() = default;
  void parse();

  std::unique_ptr<Storage> storage_;
  const uint8_t* bytes_ = nullptr;
  uint64_t size_ = 0;
  std::string path_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<KeyValue> kvs_;
  std::unordered_map<std::string, size_t> kv_index_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

// Builds a GGUF file in memory. Keys keep their first-set order; setting a key again replaces
// its value. Tensors are laid out in add order, each padded to the alignment.
class GgufWriter {
 public:
  // alignment must be a power of two; when it is not 32 the writer stores general.alignment.
  explicit GgufWriter(uint32_t alignment = 32, uint32_t version = 3);

  void set(const std::string& key, Value v);  // any value, including nested arrays
  void set_u8(const std::string& key, uint8_t v);
  void set_i8(const std::string& key, int8_t v);
  void set_u16(const std::string& key, uint16_t v);
  void set_i16(const std::string& key, int16_t v);
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_u64(const std::string& key, uint64_t v);
  void set_i64(const std::string& key, int64_t v);
  void set_f32(const std::string& key, float v);
  void set_f64(const std::string& key, double v);
  void set_bool(const std::string& key, bool v);
  void set_string(const std::string& key, const std::string& v);
  void set_strings(const std::string& key, const std::vector<std::string>& v);
  void set_i32s(const std::string& key, const std::vector<int32_t>& v);
  void set_u32s(const std::string& key, const std::vector<uint32_t>& v);
  void set_f32s(const std::string& key, const std::vector<float>& v);

  // data: [n_elements] floats in ggml order (ne[0] contiguous), quantised to `type`.
  void add_tensor(const std::string& name, const std::vector<int64_t>& ne, GgmlType type,
                  const float* data);
  // bytes: already encoded as `type`; nbytes must equal row_bytes(type, n_elements).
  void add_tensor_raw(const std::string& name, const std::vector<int64_t>& ne, GgmlType type,
                      const void* bytes, size_t nbytes);

  std::vector<uint8_t> to_bytes() const;
  void write(const std::string& path) const;  // throws std::runtime_error on I/O failure

 private:
  struct PendingTensor {
    std::string name;
    std::vector<int64_t> ne;
    GgmlType type;
    std::vector<uint8_t> bytes;
  };
  uint32_t alignment_, version_;
  std::vector<std::pair<std::string, Value>> kvs_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace llactr::gguf
