#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "llactr/util/npy.h"

namespace llactr::llm {
namespace {

std::string temp_path(const std::string& name) { return ::testing::TempDir() + name; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(Npy, WritesNumpyLayoutAndReadsBack) {
  const std::string path = temp_path("a.npy");
  write_npy(path, {1.0f, -2.5f, 3.0f, 0.125f, 5.0f, 6.0f}, {2, 3});
  const std::string bytes = slurp(path);
  // Magic, version 1.0, header length, then the dict padded to a 64-byte boundary.
  ASSERT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t header_len = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(bytes.substr(10, dict.size()), dict);
  EXPECT_EQ(bytes.size(), 10 + header_len + 6 * 4);
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  const NpyArray a = read_npy(path);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data, (std::vector<float>{1.0f, -2.5f, 3.0f, 0.125f, 5.0f, 6.0f}));

  write_npy(path, {7.0f}, {1});
  EXPECT_NE(slurp(path).find("'shape': (1,)"), std::string::npos);
  EXPECT_EQ(read_npy(path).shape, (std::vector<int64_t>{1}));
}

TEST(Npy, MalformedFilesGiveClearErrors) {
  const std::string good = temp_path("good.npy"), bad = temp_path("bad.npy");
  write_npy(good, {1, 2, 3, 4}, {4});
  const std::string bytes = slurp(good);
  auto error_of = [&](const std::string& content) {
    spit(bad, content);
    try {
      read_npy(bad);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("hello").find("bad magic"), std::string::npos);
  EXPECT_NE(error_of(bytes.substr(0, bytes.size() - 1)).find("data holds 15 bytes, shape needs 16"), std::string::npos);
  std::string f8 = bytes;
  f8.replace(f8.find("<f4"), 3, "<f8");
  EXPECT_NE(error_of(f8).find("dtype is not '<f4'"), std::string::npos);
  std::string v2 = bytes;
  v2[6] = 2;
  EXPECT_NE(error_of(v2).find("version 2.0"), std::string::npos);
  std::string long_header = bytes;
  long_header[9] = char(0x7F);
  EXPECT_NE(error_of(long_header).find("runs past the end"), std::string::npos);
  std::string neg = bytes;
  neg.replace(neg.find("(4,)"), 4, "(-4)");
  EXPECT_NE(error_of(neg).find("bad shape"), std::string::npos);
  EXPECT_THROW(read_npy(temp_path("missing.npy")), std::runtime_error);
  EXPECT_THROW(write_npy(good, {1, 2}, {3}), std::invalid_argument);
}

}  // namespace
}  // namespace llactr::llm
