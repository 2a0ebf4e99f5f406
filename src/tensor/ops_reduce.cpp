// Reductions. A reduction over one axis views x as [outer, n, inner] and gives [outer, inner];
// its backward copies dout back along the reduced axis (scaled by 1/n for a mean).
#include "llactr/tensor/ops.h"

namespace llactr {

namespace {

int normalise_axis(const char* op, const Shape& s, int axis) {
  int r = static_cast<int>(s.size());
  int a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) shape_error(op, s, {axis}, "(x, axis): axis out of range");
  return a;
}

Var reduce_axis(const char* op, const Var& x, int axis, bool keepdim, bool average) {
  const Shape& s = x.shape();
  int a = normalise_axis(op, s, axis);
  int64_t outer = 1, n = s[a], inner = 1;
  for (int i = 0; i < a; ++i) outer *= s[i];
  for (size_t i = a + 1; i < s.size(); ++i) inner *= s[i];
  float scale = average ? 1.0f / static_cast<float>(n) : 1.0f;

  Shape out_shape = s;
  if (keepdim) out_shape[a] = 1;
  else out_shape.erase(out_shape.begin() + a);
  Tensor out(out_shape, 0.0f);
  const float* X = x.value().data();
  float* O = out.data();
#pragma omp parallel for if (x.numel() > (1 << 16))
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < inner; ++i) O[o * inner + i] += scale * X[(o * n + k) * inner + i];

  return make_result(std::move(out), {x}, [x, outer, n, inner, scale](Node& self) {
    float* G = grad_buffer(*x.node()).data();
    const float* D = self.grad.data();
#pragma omp parallel for if (x.numel() > (1 << 16))
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < n; ++k)
        for (int64_t i = 0; i < inner; ++i) G[(o * n + k) * inner + i] += scale * D[o * inner + i];
  });
}

Var reduce_all(const Var& x, float scale) {
  Tensor out = Tensor::scalar(static_cast<float>(x.value().vec().cast<double>().sum() * scale));
  return make_result(std::move(out), {x}, [x, scale](Node& self) {
    grad_buffer(*x.node()).vec().array() += self.grad[0] * scale;
  });
}

}  // namespace

Var sum(const Var& x, int axis, bool keepdim) { return reduce_axis("sum", x, axis, keepdim, false); }
Var mean(const Var& x, int axis, bool keepdim) { return reduce_axis("mean", x, axis, keepdim, true); }
Var sum_all(const Var& x) { return reduce_all(x, 1.0f); }
Var mean_all(const Var& x) {
  if (x.numel() == 0) throw std::invalid_argument("mean_all: empty tensor " + shape_str(x.shape()));
  return reduce_all(x, 1.0f / static_cast<float>(x.numel()));
}

}  // namespace llactr
