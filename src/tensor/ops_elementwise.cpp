// Elementwise arithmetic with NumPy broadcasting. For out = f(a, b) the backward is
//   da += reduce_to_shape_of_a(dout · ∂f/∂a),   db likewise,
// where the reduction sums over every dimension that was stretched.
#include <omp.h>

#include <array>

#include "llactr/tensor/ops.h"
#include "unary_kernel.h"

namespace llactr {

using detail::kParallelMin;
using detail::elementwise_unary;
using detail::write_grad;

namespace {

// How a, b and the output index each other, all padded to rank 4 from the left.
struct Broadcast {
  Shape out;
  std::array<int64_t, 4> dim{1, 1, 1, 1}, stride_a{0, 0, 0, 0}, stride_b{0, 0, 0, 0};
  bool same = false;  // a and b have the same shape: index i everywhere
};

Broadcast plan(const char* op, const Shape& sa, const Shape& sb) {
  Broadcast p;
  p.same = sa == sb;
  size_t r = std::max(sa.size(), sb.size());
  p.out.assign(r, 1);
  std::array<int64_t, 4> da{1, 1, 1, 1}, db{1, 1, 1, 1};
  for (size_t i = 0; i < sa.size(); ++i) da[4 - sa.size() + i] = sa[i];
  for (size_t i = 0; i < sb.size(); ++i) db[4 - sb.size() + i] = sb[i];
  int64_t acc_a = 1, acc_b = 1;
  for (int i = 3; i >= 0; --i) {
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1) shape_error(op, sa, sb, "cannot be broadcast together");
    p.dim[i] = std::max(da[i], db[i]);
    p.stride_a[i] = da[i] == 1 ? 0 : acc_a;
    p.stride_b[i] = db[i] == 1 ? 0 : acc_b;
    acc_a *= da[i];
    acc_b *= db[i];
    if (i >= 4 - static_cast<int>(r)) p.out[i - (4 - r)] = p.dim[i];
  }
  return p;
}

// Calls f(out_index, a_index, b_index) for every output element whose index along `axis` is in
// [lo, hi), in order.
template <class F>
void for_each(const Broadcast& p, int axis, int64_t lo, int64_t hi, F f) {
  std::array<int64_t, 4> begin{0, 0, 0, 0}, end = p.dim;
  begin[axis] = lo;
  end[axis] = hi;
  for (int64_t i0 = begin[0]; i0 < end[0]; ++i0)
    for (int64_t i1 = begin[1]; i1 < end[1]; ++i1)
      for (int64_t i2 = begin[2]; i2 < end[2]; ++i2) {
        int64_t o = ((i0 * p.dim[1] + i1) * p.dim[2] + i2) * p.dim[3];
        int64_t ia = i0 * p.stride_a[0] + i1 * p.stride_a[1] + i2 * p.stride_a[2];
        int64_t ib = i0 * p.stride_b[0] + i1 * p.stride_b[1] + i2 * p.stride_b[2];
        for (int64_t i3 = begin[3]; i3 < end[3]; ++i3) f(o + i3, ia + i3 * p.stride_a[3], ib + i3 * p.stride_b[3]);
      }
}

// for_each over all output elements, split across threads along one axis. A thread must be the only
// writer of every element it writes, so for a backward the axis is one along which each input that
// receives gradient (write_a, write_b) is not stretched: a stretched input's element, which sums over
// the stretched axes, is then summed by one thread, in order, whatever the thread count (so the
// result is bit-identical for any number of threads). E.g. x [B, F] ⊙ g [1, F]: the forward splits
// the B rows, the backward the F columns.
template <class F>
void parallel_for_each(const Broadcast& p, bool write_a, bool write_b, F f) {
  int axis = -1;
  for (int k = 0; k < 4; ++k)
    if (p.dim[k] > 1 && (!write_a || p.stride_a[k] != 0) && (!write_b || p.stride_b[k] != 0) &&
        (axis < 0 || p.dim[k] > p.dim[axis]))
      axis = k;
  const int64_t n = p.dim[0] * p.dim[1] * p.dim[2] * p.dim[3];
  if (axis < 0 || n <= kParallelMin) return for_each(p, 0, 0, p.dim[0], f);
  const int64_t len = p.dim[axis];
#pragma omp parallel
  {
    const int64_t T = omp_get_num_threads(), t = omp_get_thread_num();
    for_each(p, axis, len * t / T, len * (t + 1) / T, f);
  }
}

// out = fwd(a, b); da += dout · dfa(a, b), db += dout · dfb(a, b).
template <class Fwd, class DfA, class DfB>
Var binary(const char* op, const Var& a, const Var& b, Fwd fwd, DfA dfa, DfB dfb) {
  Broadcast p = plan(op, a.shape(), b.shape());
  Tensor out = Tensor::uninitialized(p.out);
  const float* A = a.value().data();
  const float* B = b.value().data();
  float* O = out.data();
  if (p.same) {
    int64_t n = out.numel();
#pragma omp parallel for simd if (n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) O[i] = fwd(A[i], B[i]);
  } else {
    parallel_for_each(p, false, false, [&](int64_t o, int64_t ia, int64_t ib) { O[o] = fwd(A[ia], B[ib]); });
  }
  return make_result(std::move(out), {a, b}, [a, b, p, dfa, dfb](Node& self) {
    const float* A = a.value().data();
    const float* B = b.value().data();
    const float* G = self.grad.data();
    if (p.same) {
      // Each gradient is written once per element: assigned when fresh, else added. (a and b may
      // be the same node: then b's pass adds to what a's pass wrote.)
      const int64_t n = self.value.numel();
      if (a.requires_grad()) write_grad(*a.node(), n, [G, A, B, dfa](int64_t i) { return G[i] * dfa(A[i], B[i]); });
      if (b.requires_grad()) write_grad(*b.node(), n, [G, A, B, dfb](int64_t i) { return G[i] * dfb(A[i], B[i]); });
    } else {
      float* gA = a.requires_grad() ? grad_buffer(*a.node()).data() : nullptr;
      float* gB = b.requires_grad() ? grad_buffer(*b.node()).data() : nullptr;
      parallel_for_each(p, gA != nullptr, gB != nullptr, [&](int64_t o, int64_t ia, int64_t ib) {
        if (gA) gA[ia] += G[o] * dfa(A[ia], B[ib]);
        if (gB) gB[ib] += G[o] * dfb(A[ia], B[ib]);
      });
    }
  });
}

}  // namespace

Var add(const Var& a, const Var& b) {
  return binary("add", a, b, [](float x, float y) { return x + y; }, [](float, float) { return 1.0f; },
                [](float, float) { return 1.0f; });
}

Var sub(const Var& a, const Var& b) {
  return binary("sub", a, b, [](float x, float y) { return x - y; }, [](float, float) { return 1.0f; },
                [](float, float) { return -1.0f; });
}

Var mul(const Var& a, const Var& b) {
  return binary("mul", a, b, [](float x, float y) { return x * y; }, [](float, float y) { return y; },
                [](float x, float) { return x; });
}

Var div(const Var& a, const Var& b) {
  // d(x/y)/dx = 1/y,  d(x/y)/dy = −x/y²
  return binary("div", a, b, [](float x, float y) { return x / y; }, [](float, float y) { return 1.0f / y; },
                [](float x, float y) { return -x / (y * y); });
}

Var add_scalar(const Var& a, float s) {
  return elementwise_unary(a, [s](float x) { return x + s; }, [](float, float) { return 1.0f; });
}

Var mul_scalar(const Var& a, float s) {
  return elementwise_unary(a, [s](float x) { return x * s; }, [s](float, float) { return s; });
}

Var neg(const Var& a) { return mul_scalar(a, -1.0f); }

Var square(const Var& a) {
  return elementwise_unary(a, [](float x) { return x * x; }, [](float x, float) { return 2.0f * x; });
}

}  // namespace llactr
