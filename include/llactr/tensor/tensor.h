// Tensor: a float32, contiguous, row-major array of rank 0 to 4.
//
// It owns its data and knows its shape; nothing else. The data is aligned to Eigen's largest
// vector width (64 bytes with AVX-512): Eigen splits a reduction into a scalar head and a
// vector body at the first aligned element, so with heap-dependent alignment the same sum
// could round differently from run to run. Aligned storage makes every run identical. Arithmetic goes through
// Eigen maps over the same memory (mat(), vec()), so an op reads like the maths it implements.
// Autograd lives one level up, in autograd.h: a Tensor is just numbers.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace llactr {

using Shape = std::vector<int64_t>;

// Eigen's aligned allocator, except that resize() leaves new floats unset instead of zeroing
// them: Tensor::uninitialized() skips a pass over memory that the op is about to overwrite
// (the zero-fill was 11-12% of a training step made of many small elementwise ops and GEMMs).
template <class T>
struct DefaultInitAllocator : Eigen::aligned_allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) {}
  template <class U>
  void construct(U* p) {
    ::new (static_cast<void*>(p)) U;  // default-initialise: no value for a float
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using FloatStorage = std::vector<float, DefaultInitAllocator<float>>;

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<MatrixRM>;
using ConstMatMap = Eigen::Map<const MatrixRM>;
using VecMap = Eigen::Map<Eigen::VectorXf>;
using ConstVecMap = Eigen::Map<const Eigen::VectorXf>;

std::string shape_str(const Shape& s);  // "[4, 8, 32]"
int64_t shape_numel(const Shape& s);    // product of dims; 1 for a scalar []

class Tensor {
 public:
  Tensor() = default;
  // Throws std::invalid_argument for rank > 4 or a negative dimension.
  explicit Tensor(Shape shape, float fill = 0.0f);
  Tensor(Shape shape, std::vector<float> values);  // values.size() must equal numel
  static Tensor scalar(float v) { return Tensor(Shape{}, v); }
  // Values left unset, for an op that writes every element before anything reads one.
  static Tensor uninitialized(Shape shape);

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int axis) const;  // negative axis counts from the end
  int64_t numel() const { return static_cast<int64_t>(data_.size()); }
  bool empty() const { return data_.empty(); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](int64_t i) { return data_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return data_[static_cast<size_t>(i)]; }
  float item() const;  // the single value of a one-element tensor

  // 2-D view [numel / last, last]: leading dimensions collapse into rows.
  MatMap mat();
  ConstMatMap mat() const;
  // 2-D view [rows, numel / rows]; rows must divide numel.
  MatMap mat(int64_t rows);
  ConstMatMap mat(int64_t rows) const;
  VecMap vec() { return VecMap(data(), numel()); }
  ConstVecMap vec() const { return ConstVecMap(data(), numel()); }

  void fill(float v);
  void reshape_inplace(Shape s);  // same numel, else std::invalid_argument
  bool all_finite() const;        // false when any NaN or Inf (for the trainer's checks)

 private:
  Shape shape_;
  FloatStorage data_;
};

// Throws std::invalid_argument("op: shapes [..] and [..] <why>") — the one way ops report a mismatch.
[[noreturn]] void shape_error(const char* op, const Shape& a, const Shape& b, const std::string& why);

}  // namespace llactr
