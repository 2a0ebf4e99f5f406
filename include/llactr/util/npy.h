// NumPy .npy files of float32 arrays (format version 1.0, little-endian, C order): what
// `llactr embed --out` writes and what Python's numpy.load reads.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace llactr {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  // product(shape) values, C order
};

// Throws std::invalid_argument if data.size() != product(shape), std::runtime_error on I/O failure.
void write_npy(const std::string& path, const std::vector<float>& data, const std::vector<int64_t>& shape);

// Reads a '<f4' C-order array. Anything else (bad magic, version, header, dtype, Fortran order,
// a size that disagrees with the shape) throws std::runtime_error naming the file and byte offset.
NpyArray read_npy(const std::string& path);

}  // namespace llactr
