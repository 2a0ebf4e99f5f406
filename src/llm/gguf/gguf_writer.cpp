// GgufWriter: lays out a GGUF v2/v3 file (header, metadata, tensor infos, aligned data).
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::gguf {
namespace {

class ByteSink {
 public:
  explicit ByteSink(std::vector<uint8_t>* out) : out_(out) {}
  template <typename T>
  void put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    out_->insert(out_->end(), p, p + sizeof(T));
  }
  void put_string(const std::string& s) {
    put<uint64_t>(s.size());
    out_->insert(out_->end(), s.begin(), s.end());
  }
  void pad_to(uint64_t alignment) {
    while (out_->size() % alignment) out_->push_back(0);
  }

 private:
  std::vector<uint8_t>* out_;
};

void put_scalar(ByteSink& s, ValueType t, int64_t i, double f) {
  switch (t) {
    case ValueType::UINT8: case ValueType::BOOL: s.put(static_cast<uint8_t>(i)); return;
    case ValueType::INT8: s.put(static_cast<int8_t>(i)); return;
    case ValueType::UINT16: s.put(static_cast<uint16_t>(i)); return;
    case ValueType::INT16: s.put(static_cast<int16_t>(i)); return;
    case ValueType::UINT32: s.put(static_cast<uint32_t>(i)); return;
    case ValueType::INT32: s.put(static_cast<int32_t>(i)); return;
    case ValueType::UINT64: s.put(static_cast<uint64_t>(i)); return;
    case ValueType::INT64: s.put(i); return;
    case ValueType::FLOAT32: s.put(static_cast<float>(f)); return;
    case ValueType::FLOAT64: s.put(f); return;
    default: throw std::logic_error("put_scalar: not a scalar type");
  }
}

void put_array(ByteSink& s, const Array& a) {
  s.put(static_cast<uint32_t>(a.type));
  s.put<uint64_t>(a.size());
  for (size_t k = 0; k < a.size(); ++k) {
    if (a.type == ValueType::STRING) s.put_string(a.strings[k]);
    else if (a.type == ValueType::ARRAY) put_array(s, a.arrays[k]);
    else if (a.type == ValueType::FLOAT32 || a.type == ValueType::FLOAT64) put_scalar(s, a.type, 0, a.floats[k]);
    else put_scalar(s, a.type, a.ints[k], 0);
  }
}

void put_value(ByteSink& s, const Value& v) {
  s.put(static_cast<uint32_t>(v.type));
  if (v.type == ValueType::STRING) s.put_string(v.s);
  else if (v.type == ValueType::ARRAY) put_array(s, v.arr);
  else put_scalar(s, v.type, v.i, v.f);
}

Value scalar(ValueType t, int64_t i) {
  Value v;
  v.type = t;
  v.i = i;
  return v;
}

Value floating(ValueType t, double f) {
  Value v;
  v.type = t;
  v.f = f;
  return v;
}

template <typename T>
Value int_array(ValueType elem, const std::vector<T>& xs) {
  Value v;
  v.type = ValueType::ARRAY;
  v.arr.type = elem;
  v.arr.ints.assign(xs.begin(), xs.end());
  return v;
}

int64_t checked_elements(const std::string& name, const std::vector<int64_t>& ne, GgmlType type) {
  if (name.empty()) throw std::invalid_argument("GgufWriter: empty tensor name");
  if (ne.empty() || ne.size() > 4)
    throw std::invalid_argument("GgufWriter: tensor '" + name + "' has " + std::to_string(ne.size()) + " dims; must be 1..4");
  int64_t n = 1;
  for (int64_t d : ne) {
    if (d < 1 || n > INT64_MAX / d) throw std::invalid_argument("GgufWriter: tensor '" + name + "' has a bad shape");
    n *= d;
  }
  if (ne[0] % block_size(type) != 0)
    throw std::invalid_argument("GgufWriter: tensor '" + name + "' ne[0] = " + std::to_string(ne[0]) +
                                " is not a multiple of the " + type_name(type) + " block size");
  return n;
}

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment, uint32_t version) : alignment_(alignment), version_(version) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    throw std::invalid_argument("GgufWriter: alignment " + std::to_string(alignment) + " is not a power of two");
  if (version != 2 && version != 3) throw std::invalid_argument("GgufWriter: version must be 2 or 3");
  if (alignment != 32) set_u32("general.alignment", alignment);
}

void GgufWriter::set(const std::string& key, Value v) {
  if (key.empty()) throw std::invalid_argument("GgufWriter: empty key");
  // The layout depends on the alignment, so it is fixed by the constructor.
  if (key == "general.alignment" && (v.type != ValueType::UINT32 || v.i != alignment_))
    throw std::invalid_argument("GgufWriter: set general.alignment through the constructor");
  for (auto& kv : kvs_)
    if (kv.first == key) {
      kv.second = std::move(v);
      return;
    }
  kvs_.emplace_back(key, std::move(v));
}

void GgufWriter::set_u8(const std::string& key, uint8_t v) { set(key, scalar(ValueType::UINT8, v)); }
void GgufWriter::set_i8(const std::string& key, int8_t v) { set(key, scalar(ValueType::INT8, v)); }
void GgufWriter::set_u16(const std::string& key, uint16_t v) { set(key, scalar(ValueType::UINT16, v)); }
void GgufWriter::set_i16(const std::string& key, int16_t v) { set(key, scalar(ValueType::INT16, v)); }
void GgufWriter::set_u32(const std::string& key, uint32_t v) { set(key, scalar(ValueType::UINT32, v)); }
void GgufWriter::set_i32(const std::string& key, int32_t v) { set(key, scalar(ValueType::INT32, v)); }
void GgufWriter::set_u64(const std::string& key, uint64_t v) { set(key, scalar(ValueType::UINT64, static_cast<int64_t>(v))); }
void GgufWriter::set_i64(const std::string& key, int64_t v) { set(key, scalar(ValueType::INT64, v)); }
void GgufWriter::set_f32(const std::string& key, float v) { set(key, floating(ValueType::FLOAT32, v)); }
void GgufWriter::set_f64(const std::string& key, double v) { set(key, floating(ValueType::FLOAT64, v)); }
void GgufWriter::set_bool(const std::string& key, bool v) { set(key, scalar(ValueType::BOOL, v ? 1 : 0)); }

void GgufWriter::set_string(const std::string& key, const std::string& s) {
  Value v;
  v.type = ValueType::STRING;
  v.s = s;
  set(key, std::move(v));
}

void GgufWriter::set_strings(const std::string& key, const std::vector<std::string>& xs) {
  Value v;
  v.type = ValueType::ARRAY;
  v.arr.type = ValueType::STRING;
  v.arr.strings = xs;
  set(key, std::move(v));
}

void GgufWriter::set_i32s(const std::string& key, const std::vector<int32_t>& xs) { set(key, int_array(ValueType::INT32, xs)); }
void GgufWriter::set_u32s(const std::string& key, const std::vector<uint32_t>& xs) { set(key, int_array(ValueType::UINT32, xs)); }

void GgufWriter::set_f32s(const std::string& key, const std::vector<float>& xs) {
  Value v;
  v.type = ValueType::ARRAY;
  v.arr.type = ValueType::FLOAT32;
  v.arr.floats.assign(xs.begin(), xs.end());
  set(key, std::move(v));
}

void GgufWriter::add_tensor(const std::string& name, const std::vector<int64_t>& ne, GgmlType type, const float* data) {
  const int64_t n = checked_elements(name, ne, type);
  std::vector<uint8_t> bytes(row_bytes(type, n));
  quantize_row(type, data, bytes.data(), n);  // rows are contiguous, so the tensor is one long row
  add_tensor_raw(name, ne, type, bytes.data(), bytes.size());
}

void GgufWriter::add_tensor_raw(const std::string& name, const std::vector<int64_t>& ne, GgmlType type,
                                const void* bytes, size_t nbytes) {
  const int64_t n = checked_elements(name, ne, type);
  if (nbytes != row_bytes(type, n))
    throw std::invalid_argument("GgufWriter: tensor '" + name + "' has " + std::to_string(nbytes) + " bytes, expected " +
                                std::to_string(row_bytes(type, n)));
  for (const auto& t : tensors_)
    if (t.name == name) throw std::invalid_argument("GgufWriter: duplicate tensor name '" + name + "'");
  const auto* p = static_cast<const uint8_t*>(bytes);
  tensors_.push_back({name, ne, type, std::vector<uint8_t>(p, p + nbytes)});
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
  std::vector<uint8_t> out;
  ByteSink s(&out);
  s.put<uint32_t>(0x46554747);  // "GGUF" little-endian
  s.put<uint32_t>(version_);
  s.put<uint64_t>(tensors_.size());
  s.put<uint64_t>(kvs_.size());
  for (const auto& kv : kvs_) {
    s.put_string(kv.first);
    put_value(s, kv.second);
  }
  uint64_t offset = 0;  // each tensor's data starts at a multiple of the alignment
  for (const auto& t : tensors_) {
    s.put_string(t.name);
    s.put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
    for (int64_t d : t.ne) s.put<int64_t>(d);
    s.put<uint32_t>(static_cast<uint32_t>(t.type));
    s.put<uint64_t>(offset);
    offset += (t.bytes.size() + alignment_ - 1) / alignment_ * alignment_;
  }
  s.pad_to(alignment_);
  for (const auto& t : tensors_) {
    out.insert(out.end(), t.bytes.begin(), t.bytes.end());
    s.pad_to(alignment_);
  }
  return out;
}

void GgufWriter::write(const std::string& path) const {
  const std::vector<uint8_t> bytes = to_bytes();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("GgufWriter: cannot create " + path + ": " + std::strerror(errno));
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("GgufWriter: write to " + path + " failed");
}

}  // namespace llactr::gguf
