#include "llactr/util/npy.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace llactr {

namespace {

const char kMagic[] = "\x93NUMPY";  // 6 bytes, then version 1.0 and a u16 header length

[[noreturn]] void fail(const std::string& path, size_t offset, const std::string& why) {
  throw std::runtime_error(path + ": byte " + std::to_string(offset) + ": " + why);
}

}  // namespace

void write_npy(const std::string& path, const std::vector<float>& data, const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t n : shape) count *= n;
  if (count != int64_t(data.size()))
    throw std::invalid_argument("write_npy: " + std::to_string(data.size()) + " values do not fill the shape");
  std::string dims;  // "3, 4" ; a 1-D shape needs the tuple comma: "3,"
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so magic + version + length + header + '\n' is a multiple of 64.
  const size_t unpadded = 6 + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';

  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot open '" + path + "' for writing");
  const uint16_t len = uint16_t(header.size());
  out.write(kMagic, 6);
  out.put(1), out.put(0);
  out.put(char(len & 0xFF)), out.put(char(len >> 8));
  out << header;
  out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size() * sizeof(float)));
  if (!out) throw std::runtime_error("write to '" + path + "' failed");
}

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) fail(path, 0, "not a .npy file (bad magic)");
  if (bytes[6] != 1 || bytes[7] != 0)
    fail(path, 6, "unsupported .npy version " + std::to_string(int(uint8_t(bytes[6]))) + "." +
                      std::to_string(int(uint8_t(bytes[7]))) + " (only 1.0)");
  const size_t header_len = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
  if (10 + header_len > bytes.size()) fail(path, 8, "header length " + std::to_string(header_len) + " runs past the end");
  const std::string header = bytes.substr(10, header_len);
  if (header.find("'descr': '<f4'") == std::string::npos) fail(path, 10, "dtype is not '<f4' (float32)");
  if (header.find("'fortran_order': False") == std::string::npos) fail(path, 10, "Fortran order is not supported");
  const size_t open = header.find("'shape': (");
  const size_t close = open == std::string::npos ? open : header.find(')', open);
  if (close == std::string::npos) fail(path, 10, "header has no shape");

  NpyArray a;
  int64_t count = 1;
  const std::string dims = header.substr(open + 10, close - open - 10);
  for (size_t i = 0; i < dims.size();) {
    if (dims[i] == ',' || dims[i] == ' ') {
      ++i;
      continue;
    }
    size_t used = 0;
    long long n = -1;
    try {
      n = std::stoll(dims.substr(i), &used);
    } catch (const std::exception&) {
    }
    if (n < 0 || n > (int64_t(1) << 40)) fail(path, 10 + open, "bad shape '(" + dims + ")'");
    a.shape.push_back(n);
    count *= n;
    if (count > (int64_t(1) << 40)) fail(path, 10 + open, "shape '(" + dims + ")' is too large");
    i += used;
  }
  const size_t data_offset = 10 + header_len;
  if (bytes.size() - data_offset != size_t(count) * sizeof(float))
    fail(path, data_offset, "data holds " + std::to_string(bytes.size() - data_offset) + " bytes, shape needs " +
                                std::to_string(count * sizeof(float)));
  a.data.resize(count);
  std::memcpy(a.data.data(), bytes.data() + data_offset, count * sizeof(float));
  return a;
}

}  // namespace llactr
