// GGUF metadata values: type names, array sizes, printing.
#include <algorithm>
#include <cstdio>
#include <string>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::gguf {

const char* value_type_name(ValueType t) {
  switch (t) {
    case ValueType::UINT8: return "u8";
    case ValueType::INT8: return "i8";
    case ValueType::UINT16: return "u16";
    case ValueType::INT16: return "i16";
    case ValueType::UINT32: return "u32";
    case ValueType::INT32: return "i32";
    case ValueType::FLOAT32: return "f32";
    case ValueType::BOOL: return "bool";
    case ValueType::STRING: return "string";
    case ValueType::ARRAY: return "array";
    case ValueType::UINT64: return "u64";
    case ValueType::INT64: return "i64";
    case ValueType::FLOAT64: return "f64";
  }
  return "?";
}

size_t Array::size() const {
  switch (type) {
    case ValueType::STRING: return strings.size();
    case ValueType::ARRAY: return arrays.size();
    case ValueType::FLOAT32: case ValueType::FLOAT64: return floats.size();
    default: return ints.size();
  }
}

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string format_int(ValueType t, int64_t i) {
  if (t == ValueType::BOOL) return i ? "true" : "false";
  if (t == ValueType::UINT64) return std::to_string(static_cast<uint64_t>(i));
  return std::to_string(i);
}

std::string format_float(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", f);
  return buf;
}

std::string format_array(const Array& a, size_t max_elems) {
  const size_t n = a.size(), shown = n <= max_elems ? n : std::min<size_t>(n, 4);
  std::string out = "[";
  for (size_t k = 0; k < shown; ++k) {
    if (k) out += ", ";
    switch (a.type) {
      case ValueType::STRING: out += quoted(a.strings[k]); break;
      case ValueType::ARRAY: out += format_array(a.arrays[k], max_elems); break;
      case ValueType::FLOAT32: case ValueType::FLOAT64: out += format_float(a.floats[k]); break;
      default: out += format_int(a.type, a.ints[k]);
    }
  }
  if (shown < n) out += ", ... (" + std::to_string(n) + " " + value_type_name(a.type) + ")";
  return out + "]";
}

}  // namespace

std::string to_string(const Value& v, size_t max_elems) {
  switch (v.type) {
    case ValueType::STRING: return quoted(v.s);
    case ValueType::ARRAY: return format_array(v.arr, max_elems);
    case ValueType::FLOAT32: case ValueType::FLOAT64: return format_float(v.f);
    default: return format_int(v.type, v.i);
  }
}

}  // namespace llactr::gguf
