// Little binary files (encoder, dataset cache): plain values, strings and vectors, with reads
// that check every length against the bytes left, so a truncated or corrupt file is a clear
// error ("path: truncated or corrupt at byte N") and never a huge allocation or a crash.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace llactr::data {

class BinaryWriter {
 public:
  explicit BinaryWriter(const std::string& path);
  void bytes(const void* p, size_t n);
  template <class T> void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(&v, sizeof v);
  }
  void string(const std::string& s);
  template <class T> void vec(const std::vector<T>& v) {
    pod(uint64_t(v.size()));
    bytes(v.data(), v.size() * sizeof(T));
  }
  void close();  // flushes; throws if any write failed

 private:
  std::string path_;
  std::unique_ptr<FILE, int (*)(FILE*)> f_;
};

class BinaryReader {
 public:
  explicit BinaryReader(const std::string& path);  // throws if it cannot be opened
  void bytes(void* p, size_t n);
  template <class T> T pod() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    bytes(&v, sizeof v);
    return v;
  }
  std::string string();
  // Reads an 8-byte header and throws "PATH: not WHAT (...)" when the file is shorter or starts
  // otherwise: a file of another kind is named as such, not reported as corrupt.
  void magic(const char (&expected)[8], const std::string& what);
  template <class T> std::vector<T> vec() {
    uint64_t n = pod<uint64_t>();
    check_fits(n, sizeof(T));
    std::vector<T> v(n);
    bytes(v.data(), n * sizeof(T));
    return v;
  }
  bool at_end() const { return pos_ == size_; }
  [[noreturn]] void fail(const std::string& reason) const;

 private:
  void check_fits(uint64_t count, size_t elem_size) const;
  std::string path_;
  std::unique_ptr<FILE, int (*)(FILE*)> f_;
  uint64_t size_ = 0, pos_ = 0;
};

}  // namespace llactr::data
