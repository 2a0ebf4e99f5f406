#include "llactr/data/binary_io.h"

#include <cstring>
#include <stdexcept>

namespace llactr::data {

BinaryWriter::BinaryWriter(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "wb"), std::fclose) {
  if (!f_) throw std::runtime_error("cannot create " + path);
}

void BinaryWriter::bytes(const void* p, size_t n) {
  if (n && std::fwrite(p, 1, n, f_.get()) != n) throw std::runtime_error("write error in " + path_);
}

void BinaryWriter::string(const std::string& s) {
  pod(uint32_t(s.size()));
  bytes(s.data(), s.size());
}

void BinaryWriter::close() {
  FILE* f = f_.release();
  if (std::fclose(f) != 0) throw std::runtime_error("write error in " + path_);
}

BinaryReader::BinaryReader(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "rb"), std::fclose) {
  if (!f_) throw std::runtime_error("cannot open " + path);
  std::fseek(f_.get(), 0, SEEK_END);
  long end = std::ftell(f_.get());
  std::fseek(f_.get(), 0, SEEK_SET);
  if (end < 0) throw std::runtime_error("cannot size " + path);
  size_ = uint64_t(end);
}

void BinaryReader::fail(const std::string& reason) const {
  throw std::runtime_error(path_ + ": " + reason + " at byte " + std::to_string(pos_));
}

void BinaryReader::check_fits(uint64_t count, size_t elem_size) const {
  if (count > (size_ - pos_) / elem_size) fail("truncated or corrupt (length " + std::to_string(count) + ")");
}

void BinaryReader::bytes(void* p, size_t n) {
  check_fits(n, 1);
  if (n && std::fread(p, 1, n, f_.get()) != n) fail("read error");
  pos_ += n;
}

void BinaryReader::magic(const char (&expected)[8], const std::string& what) {
  char got[8];
  if (size_ - pos_ < sizeof got) throw std::runtime_error(path_ + ": not " + what + " (shorter than its 8-byte header)");
  bytes(got, sizeof got);
  if (std::memcmp(got, expected, sizeof got) != 0)
    throw std::runtime_error(path_ + ": not " + what + " (the file does not start with " +
                             std::string(expected, sizeof expected) + ")");
}

std::string BinaryReader::string() {
  uint32_t n = pod<uint32_t>();
  check_fits(n, 1);
  std::string s(n, '\0');
  bytes(s.data(), n);
  return s;
}

}  // namespace llactr::data
