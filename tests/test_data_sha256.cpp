#include <gtest/gtest.h>

#include "data_fixtures.h"
#include "llactr/util/sha256.h"

using namespace llactr;

// Vectors from FIPS 180-4 examples / NIST CAVS (SHA256ShortMsg, "a" x 10^6).
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the 55/56/64-byte padding edges, and streaming in uneven chunks.
TEST(Sha256, PaddingEdgesAndStreaming) {
  EXPECT_EQ(sha256_hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  std::string msg;
  for (int i = 0; i < 1000; ++i) msg += char(i * 31 + 7);
  Sha256 h;
  for (size_t at = 0, step = 1; at < msg.size(); at += step, step = step * 3 % 97 + 1)
    h.update(msg.data() + at, std::min(step, msg.size() - at));
  EXPECT_EQ(h.hex_digest(), sha256_hex(msg));
}

TEST(Sha256, FileMatchesBytes) {
  llactr::testing::TempDir dir;
  llactr::testing::write_file(dir.file("f"), "abc");
  EXPECT_EQ(sha256_file_hex(dir.file("f")), sha256_hex("abc"));
  EXPECT_THROW(sha256_file_hex(dir.file("missing")), std::runtime_error);
}
