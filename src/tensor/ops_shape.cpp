// Shape ops move values without arithmetic; each backward moves the gradient back the same way.
#include <cstring>

#include "llactr/tensor/ops.h"

namespace llactr {

Var reshape(const Var& x, Shape shape) {
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer_at >= 0) shape_error("reshape", x.shape(), shape, "(more than one -1)");
      infer_at = static_cast<int64_t>(i);
    } else {
      known *= shape[i];
    }
  }
  if (infer_at >= 0 && known > 0 && x.numel() % known == 0) shape[infer_at] = x.numel() / known;
  if (shape_numel(shape) != x.numel()) shape_error("reshape", x.shape(), shape, "have different sizes");
  Tensor out = x.value();
  out.reshape_inplace(shape);
  return make_result(std::move(out), {x}, [x](Node& self) {
    auto [G, fresh] = grad_target(*x.node());
    if (fresh) std::memcpy(G, self.grad.data(), sizeof(float) * size_t(self.grad.numel()));
    else VecMap(G, self.grad.numel()) += self.grad.vec();
  });
}

Var transpose(const Var& x) {
  const Shape& s = x.shape();
  if (s.size() < 2) shape_error("transpose", s, {}, "needs rank >= 2");
  int64_t R = s[s.size() - 2], C = s.back(), batch = x.numel() / (R * C);
  Shape out_shape = s;
  std::swap(out_shape[s.size() - 2], out_shape.back());
  Tensor out = Tensor::uninitialized(out_shape);
  for (int64_t b = 0; b < batch; ++b)
    MatMap(out.data() + b * R * C, C, R) = ConstMatMap(x.value().data() + b * R * C, R, C).transpose();
  return make_result(std::move(out), {x}, [x, batch, R, C](Node& self) {
    auto [G, fresh] = grad_target(*x.node());
    for (int64_t b = 0; b < batch; ++b) {
      auto dxb = MatMap(G + b * R * C, R, C);
      auto dyb = ConstMatMap(self.grad.data() + b * R * C, C, R).transpose();
      if (fresh) dxb = dyb;
      else dxb += dyb;
    }
  });
}

namespace {
// View a shape as [outer, len(axis) * inner] around `axis`.
void split_at(const Shape& s, int a, int64_t& outer, int64_t& inner) {
  outer = 1;
  inner = 1;
  for (int i = 0; i < a; ++i) outer *= s[i];
  for (size_t i = a + 1; i < s.size(); ++i) inner *= s[i];
}
int axis_of(const char* op, const Shape& s, int axis) {
  int r = static_cast<int>(s.size());
  int a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) shape_error(op, s, {axis}, "(x, axis): axis out of range");
  return a;
}
}  // namespace

Var concat(const std::vector<Var>& xs, int axis) {
  if (xs.empty()) throw std::invalid_argument("concat: no inputs");
  const Shape& s0 = xs[0].shape();
  int a = axis_of("concat", s0, axis);
  Shape out_shape = s0;
  out_shape[a] = 0;
  for (const Var& v : xs) {
    Shape t = v.shape();
    if (t.size() != s0.size()) shape_error("concat", s0, t, "have different ranks");
    t[a] = s0[a];
    if (t != s0) shape_error("concat", s0, v.shape(), "differ outside the concat axis");
    out_shape[a] += v.shape()[a];
  }
  int64_t outer, inner;
  split_at(out_shape, a, outer, inner);
  Tensor out = Tensor::uninitialized(out_shape);
  int64_t row = out_shape[a] * inner, at = 0;  // at: offset of the current input within a row
  for (const Var& v : xs) {
    int64_t w = v.shape()[a] * inner;
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(out.data() + o * row + at, v.value().data() + o * w, sizeof(float) * w);
    at += w;
  }
  return make_result(std::move(out), xs, [xs, outer, row](Node& self) {
    int64_t at = 0;
    for (const Var& v : xs) {
      int64_t w = v.numel() / outer;
      if (v.requires_grad()) {
        auto [G, fresh] = grad_target(*v.node());
        for (int64_t o = 0; o < outer; ++o) {
          const float* dy = self.grad.data() + o * row + at;
          if (fresh) std::memcpy(G + o * w, dy, sizeof(float) * w);
          else
            for (int64_t i = 0; i < w; ++i) G[o * w + i] += dy[i];
        }
      }
      at += w;
    }
  });
}

Var slice(const Var& x, int axis, int64_t start, int64_t length) {
  const Shape& s = x.shape();
  int a = axis_of("slice", s, axis);
  if (start < 0 || length < 0 || start + length > s[a])
    shape_error("slice", s, {start, length}, "(x, [start, length]) out of range on axis " + std::to_string(a));
  int64_t outer, inner;
  split_at(s, a, outer, inner);
  Shape out_shape = s;
  out_shape[a] = length;
  Tensor out = Tensor::uninitialized(out_shape);
  int64_t row = s[a] * inner, w = length * inner, off = start * inner;
  for (int64_t o = 0; o < outer; ++o) std::memcpy(out.data() + o * w, x.value().data() + o * row + off, sizeof(float) * w);
  return make_result(std::move(out), {x}, [x, outer, row, w, off](Node& self) {
    float* G = grad_buffer(*x.node()).data();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < w; ++i) G[o * row + off + i] += self.grad[o * w + i];
  });
}

}  // namespace llactr
