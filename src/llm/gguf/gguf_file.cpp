// GgufFile: maps a GGUF v2/v3 file and validates every field before anything uses it.
//
// Layout (little-endian): "GGUF" | u32 version | u64 n_tensors | u64 n_kv | n_kv key/values |
// n_tensors tensor infos | padding to general.alignment | tensor data. Strings are u64 length +
// bytes; a value is u32 type + payload; an array is u32 element type + u64 count + elements.
#include "llactr/llm/gguf/gguf.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace llactr::gguf {

// The bytes behind a GgufFile: a read-only mmap, or a vector for from_memory().
struct GgufFile::Storage {
  void* map = nullptr;
  size_t map_len = 0;
  std::vector<uint8_t> bytes;
  ~Storage() {
    if (map) munmap(map, map_len);
  }
};

namespace {

constexpr uint32_t kMaxArrayDepth = 8;   // nested arrays deeper than this are rejected
constexpr uint64_t kMaxKeyBytes = 65535; // GGUF spec: keys are at most 2^16 - 1 bytes
constexpr int kMaxDims = 4;
// Smallest encodings, used to bound counts by the bytes left before reading anything.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;              // key length, value type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // name length, n_dims, ne[0], type, offset

// Reads little-endian fields with bounds checks; every error names the file, field and offset.
class Cursor {
 public:
  Cursor(const std::string& file, const uint8_t* p, uint64_t size) : file_(file), p_(p), size_(size) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  [[noreturn]] void fail(const std::string& field, uint64_t at, const std::string& why) const {
    throw GgufError(file_ + ": " + field + " at byte " + std::to_string(at) + ": " + why);
  }

  const uint8_t* take(uint64_t n, const std::string& field) {
    if (n > remaining())
      fail(field, pos_, "needs " + std::to_string(n) + " bytes but the file ends after " +
                            std::to_string(remaining()) + " (file size " + std::to_string(size_) + ")");
    const uint8_t* q = p_ + pos_;
    pos_ += n;
    return q;
  }

  template <typename T>
  T read(const std::string& field) {
    T v;
    std::memcpy(&v, take(sizeof(T), field), sizeof(T));
    return v;
  }

  std::string read_string(const std::string& field) {
    const uint64_t at = pos_;
    const uint64_t len = read<uint64_t>(field + " length");
    if (len > remaining())
      fail(field, at, "string length " + std::to_string(len) + " exceeds the " + std::to_string(remaining()) +
                          " bytes left in the file");
    const uint8_t* s = take(len, field);
    return std::string(reinterpret_cast<const char*>(s), len);
  }

 private:
  const std::string& file_;
  const uint8_t* p_;
  uint64_t size_, pos_ = 0;
};

bool is_valid_value_type(uint32_t t) { return t <= static_cast<uint32_t>(ValueType::FLOAT64); }

// Bytes of one scalar of type t; 0 for STRING and ARRAY (variable length).
uint64_t scalar_bytes(ValueType t) {
  switch (t) {
    case ValueType::UINT8: case ValueType::INT8: case ValueType::BOOL: return 1;
    case ValueType::UINT16: case ValueType::INT16: return 2;
    case ValueType::UINT32: case ValueType::INT32: case ValueType::FLOAT32: return 4;
    case ValueType::UINT64: case ValueType::INT64: case ValueType::FLOAT64: return 8;
    default: return 0;
  }
}

// The smallest encoding of one array element of type t (an empty string, an empty array).
uint64_t min_element_bytes(ValueType t) {
  if (t == ValueType::STRING) return 8;
  if (t == ValueType::ARRAY) return 4 + 8;
  return scalar_bytes(t);
}

// Reads one scalar (not STRING/ARRAY) into an int64 or a double.
void read_scalar(Cursor& c, ValueType t, const std::string& field, int64_t* i, double* f) {
  const uint64_t at = c.pos();
  switch (t) {
    case ValueType::UINT8: *i = c.read<uint8_t>(field); return;
    case ValueType::INT8: *i = c.read<int8_t>(field); return;
    case ValueType::UINT16: *i = c.read<uint16_t>(field); return;
    case ValueType::INT16: *i = c.read<int16_t>(field); return;
    case ValueType::UINT32: *i = c.read<uint32_t>(field); return;
    case ValueType::INT32: *i = c.read<int32_t>(field); return;
    case ValueType::UINT64: *i = static_cast<int64_t>(c.read<uint64_t>(field)); return;
    case ValueType::INT64: *i = c.read<int64_t>(field); return;
    case ValueType::FLOAT32: *f = c.read<float>(field); return;
    case ValueType::FLOAT64: *f = c.read<double>(field); return;
    case ValueType::BOOL: {
      const uint8_t b = c.read<uint8_t>(field);
      if (b > 1) c.fail(field, at, "bool value " + std::to_string(b) + " is neither 0 nor 1");
      *i = b;
      return;
    }
    default: c.fail(field, at, "internal: not a scalar type");
  }
}

ValueType read_value_type(Cursor& c, const std::string& field) {
  const uint64_t at = c.pos();
  const uint32_t t = c.read<uint32_t>(field);
  if (!is_valid_value_type(t)) c.fail(field, at, "unknown value type " + std::to_string(t) + " (valid: 0..12)");
  return static_cast<ValueType>(t);
}

void read_array(Cursor& c, const std::string& field, uint32_t depth, Array* a);

void read_value(Cursor& c, ValueType t, const std::string& field, uint32_t depth, Value* v) {
  v->type = t;
  if (t == ValueType::STRING) v->s = c.read_string(field);
  else if (t == ValueType::ARRAY) read_array(c, field, depth + 1, &v->arr);
  else read_scalar(c, t, field, &v->i, &v->f);
}

void read_array(Cursor& c, const std::string& field, uint32_t depth, Array* a) {
  const uint64_t at = c.pos();
  if (depth > kMaxArrayDepth)
    c.fail(field, at, "arrays nested deeper than " + std::to_string(kMaxArrayDepth) + " levels");
  a->type = read_value_type(c, field + " element type");
  const uint64_t count_at = c.pos();
  const uint64_t n = c.read<uint64_t>(field + " count");
  if (n > c.remaining() / min_element_bytes(a->type))
    c.fail(field + " count", count_at, std::to_string(n) + " elements of type " + value_type_name(a->type) +
                                           " cannot fit in the " + std::to_string(c.remaining()) + " bytes left");
  const size_t count = static_cast<size_t>(n);
  switch (a->type) {
    case ValueType::STRING:
      a->strings.reserve(count);
      for (size_t k = 0; k < count; ++k) a->strings.push_back(c.read_string(field + "[" + std::to_string(k) + "]"));
      break;
    case ValueType::ARRAY:
      a->arrays.resize(count);
      for (size_t k = 0; k < count; ++k) read_array(c, field + "[" + std::to_string(k) + "]", depth + 1, &a->arrays[k]);
      break;
    case ValueType::FLOAT32: case ValueType::FLOAT64:
      a->floats.resize(count);
      for (size_t k = 0; k < count; ++k) {
        int64_t unused = 0;
        read_scalar(c, a->type, field, &unused, &a->floats[k]);
      }
      break;
    default:
      a->ints.resize(count);
      for (size_t k = 0; k < count; ++k) {
        double unused = 0;
        read_scalar(c, a->type, field, &a->ints[k], &unused);
      }
  }
}

bool is_power_of_two(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Integer value of a key as int64 (UINT64 must fit); throws naming the key otherwise.
int64_t integer_of(const std::string& file, const std::string& key, const Value& v) {
  switch (v.type) {
    case ValueType::FLOAT32: case ValueType::FLOAT64: case ValueType::STRING: case ValueType::ARRAY:
    case ValueType::BOOL:
      throw GgufError(file + ": key '" + key + "' is " + value_type_name(v.type) + ", expected an integer");
    case ValueType::UINT64:
      if (v.i < 0) throw GgufError(file + ": key '" + key + "' value " + to_string(v) + " exceeds int64");
      return v.i;
    default: return v.i;
  }
}

}  // namespace

GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

GgufFile GgufFile::open(const std::string& path) {
  GgufFile f;
  f.path_ = path;
  f.storage_ = std::make_unique<Storage>();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw GgufError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw GgufError(path + ": not a regular file");
  }
  f.size_ = static_cast<uint64_t>(st.st_size);
  if (f.size_ > 0) {
    void* m = mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      throw GgufError(path + ": mmap failed: " + std::strerror(err));
    }
    f.storage_->map = m;
    f.storage_->map_len = f.size_;
    f.bytes_ = static_cast<const uint8_t*>(m);
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  f.parse();
  return f;
}

GgufFile GgufFile::from_memory(std::vector<uint8_t> bytes, const std::string& name) {
  GgufFile f;
  f.path_ = name;
  f.storage_ = std::make_unique<Storage>();
  f.storage_->bytes = std::move(bytes);
  f.bytes_ = f.storage_->bytes.data();
  f.size_ = f.storage_->bytes.size();
  f.parse();
  return f;
}

void GgufFile::parse() {
  Cursor c(path_, bytes_, size_);

  // Header.
  const uint8_t* magic = c.take(4, "magic");
  if (std::memcmp(magic, "GGUF", 4) != 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "expected \"GGUF\" (47 47 55 46), found %02x %02x %02x %02x", magic[0], magic[1],
                  magic[2], magic[3]);
    c.fail("magic", 0, buf);
  }
  version_ = c.read<uint32_t>("version");
  if (version_ == 0x02000000u || version_ == 0x03000000u) c.fail("version", 4, "big-endian GGUF files are not supported");
  if (version_ != 2 && version_ != 3)
    c.fail("version", 4, "version " + std::to_string(version_) + " is not supported (2 or 3)");
  const uint64_t n_tensors = c.read<uint64_t>("tensor count");
  const uint64_t n_kv = c.read<uint64_t>("metadata kv count");
  if (n_kv > c.remaining() / kMinKvBytes)
    c.fail("metadata kv count", 16, std::to_string(n_kv) + " key/values cannot fit in a " + std::to_string(size_) + "-byte file");
  if (n_tensors > (c.remaining() - n_kv * kMinKvBytes) / kMinTensorInfoBytes)
    c.fail("tensor count", 8, std::to_string(n_tensors) + " tensor infos cannot fit in a " + std::to_string(size_) + "-byte file");

  // Metadata.
  kvs_.reserve(static_cast<size_t>(n_kv));
  for (uint64_t k = 0; k < n_kv; ++k) {
    KeyValue kv;
    kv.offset = c.pos();
    const std::string field = "kv " + std::to_string(k);
    kv.key = c.read_string(field + " key");
    if (kv.key.empty() || kv.key.size() > kMaxKeyBytes)
      c.fail(field + " key", kv.offset, "key length " + std::to_string(kv.key.size()) + " is not in 1..65535");
    const std::string vfield = field + " '" + kv.key + "'";
    const ValueType t = read_value_type(c, vfield + " value type");
    read_value(c, t, vfield, 0, &kv.value);
    if (!kv_index_.emplace(kv.key, kvs_.size()).second)
      c.fail(field + " key", kv.offset, "duplicate key '" + kv.key + "'");
    kvs_.push_back(std::move(kv));
  }
  if (const Value* a = find("general.alignment")) {
    const uint64_t at = kvs_[kv_index_.at("general.alignment")].offset;
    if (a->type != ValueType::UINT32)
      c.fail("general.alignment", at, std::string("has type ") + value_type_name(a->type) + ", expected u32");
    alignment_ = static_cast<uint64_t>(a->i);
    if (!is_power_of_two(alignment_))
      c.fail("general.alignment", at, std::to_string(alignment_) + " is not a power of two");
  }

  // Tensor infos. Offsets are checked against the data section once its start is known.
  std::vector<uint64_t> info_offsets;
  tensors_.reserve(static_cast<size_t>(n_tensors));
  for (uint64_t k = 0; k < n_tensors; ++k) {
    TensorInfo t;
    const uint64_t at = c.pos();
    info_offsets.push_back(at);
    std::string field = "tensor info " + std::to_string(k);
    t.name = c.read_string(field + " name");
    if (t.name.empty()) c.fail(field + " name", at, "empty tensor name");
    field += " '" + t.name + "'";
    const uint64_t dims_at = c.pos();
    const uint32_t n_dims = c.read<uint32_t>(field + " n_dims");
    if (n_dims < 1 || n_dims > kMaxDims)
      c.fail(field + " n_dims", dims_at, std::to_string(n_dims) + " dimensions; must be 1..4");
    t.n_elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t ne_at = c.pos();
      const std::string ne_field = field + " ne[" + std::to_string(d) + "]";
      const int64_t ne = c.read<int64_t>(ne_field);
      if (ne < 1) c.fail(ne_field, ne_at, std::to_string(ne) + " is not a positive dimension");
      if (t.n_elements > std::numeric_limits<int64_t>::max() / ne)
        c.fail(ne_field, ne_at, "element count overflows int64");
      t.n_elements *= ne;
      t.ne.push_back(ne);
    }
    const uint64_t type_at = c.pos();
    const uint32_t type = c.read<uint32_t>(field + " type");
    if (!is_known_type(type)) c.fail(field + " type", type_at, "unknown ggml type id " + std::to_string(type));
    t.type = static_cast<GgmlType>(type);
    if (t.ne[0] % block_size(t.type) != 0)
      c.fail(field + " ne[0]", dims_at + 4, std::to_string(t.ne[0]) + " is not a multiple of " +
                                                std::to_string(block_size(t.type)) + " (" + type_name(t.type) + " block size)");
    try {
      t.nbytes = row_bytes(t.type, t.n_elements);
    } catch (const std::exception& e) {
      c.fail(field + " shape", dims_at, e.what());
    }
    const uint64_t off_at = c.pos();
    t.offset = c.read<uint64_t>(field + " offset");
    if (t.offset % alignment_ != 0)
      c.fail(field + " offset", off_at, std::to_string(t.offset) + " is not a multiple of the alignment " +
                                            std::to_string(alignment_));
    if (!tensor_index_.emplace(t.name, tensors_.size()).second)
      c.fail(field + " name", at, "duplicate tensor name '" + t.name + "'");
    tensors_.push_back(std::move(t));
  }

  // Data section: starts at the next multiple of the alignment.
  const uint64_t end_of_infos = c.pos();
  const uint64_t pad = (alignment_ - end_of_infos % alignment_) % alignment_;
  data_offset_ = end_of_infos + pad;
  if (!tensors_.empty() && data_offset_ > size_)
    c.fail("data section", end_of_infos, "padding to alignment " + std::to_string(alignment_) + " runs past the end of the file");
  const uint64_t data_size = data_offset_ <= size_ ? size_ - data_offset_ : 0;
  for (size_t k = 0; k < tensors_.size(); ++k) {
    TensorInfo& t = tensors_[k];
    if (t.offset > data_size || t.nbytes > data_size - t.offset)
      c.fail("tensor info " + std::to_string(k) + " '" + t.name + "' offset", info_offsets[k],
             "data [" + std::to_string(t.offset) + ", +" + std::to_string(t.nbytes) + ") exceeds the " +
                 std::to_string(data_size) + "-byte data section");
    t.data = bytes_ + data_offset_ + t.offset;
  }
  // Tensors must not overlap (each owns its bytes).
  std::vector<size_t> order(tensors_.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return tensors_[a].offset < tensors_[b].offset; });
  for (size_t k = 1; k < order.size(); ++k) {
    const TensorInfo& prev = tensors_[order[k - 1]];
    const TensorInfo& t = tensors_[order[k]];
    if (t.offset < prev.offset + prev.nbytes)
      c.fail("tensor info " + std::to_string(order[k]) + " '" + t.name + "' offset", info_offsets[order[k]],
             "data overlaps tensor '" + prev.name + "'");
  }
}

// ---- metadata lookups

bool GgufFile::has(const std::string& key) const { return kv_index_.count(key) != 0; }

const Value* GgufFile::find(const std::string& key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

const Value& GgufFile::get(const std::string& key) const {
  const Value* v = find(key);
  if (!v) throw GgufError(path_ + ": missing metadata key '" + key + "'");
  return *v;
}

std::string GgufFile::get_string(const std::string& key) const {
  const Value& v = get(key);
  if (v.type != ValueType::STRING)
    throw GgufError(path_ + ": key '" + key + "' is " + value_type_name(v.type) + ", expected string");
  return v.s;
}

std::string GgufFile::get_string(const std::string& key, const std::string& def) const {
  return has(key) ? get_string(key) : def;
}

int64_t GgufFile::get_i64(const std::string& key) const { return integer_of(path_, key, get(key)); }

int64_t GgufFile::get_i64(const std::string& key, int64_t def) const { return has(key) ? get_i64(key) : def; }

uint32_t GgufFile::get_u32(const std::string& key) const {
  const int64_t i = get_i64(key);
  if (i < 0 || i > static_cast<int64_t>(std::numeric_limits<uint32_t>::max()))
    throw GgufError(path_ + ": key '" + key + "' value " + std::to_string(i) + " does not fit in u32");
  return static_cast<uint32_t>(i);
}

uint32_t GgufFile::get_u32(const std::string& key, uint32_t def) const { return has(key) ? get_u32(key) : def; }

float GgufFile::get_f32(const std::string& key) const {
  const Value& v = get(key);
  if (v.type == ValueType::FLOAT32 || v.type == ValueType::FLOAT64) return static_cast<float>(v.f);
  return static_cast<float>(integer_of(path_, key, v));
}

float GgufFile::get_f32(const std::string& key, float def) const { return has(key) ? get_f32(key) : def; }

bool GgufFile::get_bool(const std::string& key, bool def) const {
  const Value* v = find(key);
  if (!v) return def;
  if (v->type != ValueType::BOOL)
    throw GgufError(path_ + ": key '" + key + "' is " + value_type_name(v->type) + ", expected bool");
  return v->i != 0;
}

const Array& GgufFile::get_array(const std::string& key) const {
  const Value& v = get(key);
  if (v.type != ValueType::ARRAY)
    throw GgufError(path_ + ": key '" + key + "' is " + value_type_name(v.type) + ", expected array");
  return v.arr;
}

const std::vector<std::string>& GgufFile::get_string_array(const std::string& key) const {
  const Array& a = get_array(key);
  if (a.type != ValueType::STRING)
    throw GgufError(path_ + ": key '" + key + "' is an array of " + value_type_name(a.type) + ", expected strings");
  return a.strings;
}

std::vector<float> GgufFile::get_f32_array(const std::string& key) const {
  const Array& a = get_array(key);
  if (a.type != ValueType::FLOAT32 && a.type != ValueType::FLOAT64)
    throw GgufError(path_ + ": key '" + key + "' is an array of " + value_type_name(a.type) + ", expected floats");
  return std::vector<float>(a.floats.begin(), a.floats.end());
}

std::vector<int64_t> GgufFile::get_int_array(const std::string& key) const {
  const Array& a = get_array(key);
  if (a.type == ValueType::FLOAT32 || a.type == ValueType::FLOAT64 || a.type == ValueType::STRING ||
      a.type == ValueType::ARRAY)
    throw GgufError(path_ + ": key '" + key + "' is an array of " + value_type_name(a.type) + ", expected integers");
  return a.ints;
}

// ---- tensors

const TensorInfo* GgufFile::find_tensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo& GgufFile::tensor(const std::string& name) const {
  const TensorInfo* t = find_tensor(name);
  if (!t) throw GgufError(path_ + ": no tensor named '" + name + "'");
  return *t;
}

std::vector<float> GgufFile::dequantize(const TensorInfo& t) const {
  std::vector<float> out(static_cast<size_t>(t.n_elements));
  dequantize(t, out.data());
  return out;
}

void GgufFile::dequantize(const TensorInfo& t, float* dst) const {
  if (!is_supported(t.type))
    throw GgufError(path_ + ": tensor '" + t.name + "' has type " + type_name(t.type) + ", which cannot be dequantised");
  // Rows are independent runs of blocks; split them across threads for big tensors.
  const int64_t rows = t.n_rows(), len = t.row_length();
  const uint64_t row_stride = t.nbytes / static_cast<uint64_t>(rows);
#pragma omp parallel for schedule(static) if (t.n_elements >= (1 << 16))
  for (int64_t r = 0; r < rows; ++r) dequantize_row(t.type, t.data + r * row_stride, dst + r * len, len);
}

}  // namespace llactr::gguf
