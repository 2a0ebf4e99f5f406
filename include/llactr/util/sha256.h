// SHA-256 (FIPS 180-4), written out so the data cache and model files can be fingerprinted
// without a crypto library. Streaming: update() any number of times, then digest().
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace llactr {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::array<uint8_t, 32> digest();  // finishes the hash; call once
  std::string hex_digest();          // digest() as 64 lowercase hex digits

 private:
  void compress(const uint8_t* block);  // one 64-byte block into state_
  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view bytes);
// Hash of a file's contents; throws std::runtime_error naming the file if it cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace llactr
