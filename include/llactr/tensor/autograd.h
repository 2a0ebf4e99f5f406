// Reverse-mode automatic differentiation on a tape of matrix-valued nodes.
//
// A Var is a handle to a Node: a Tensor value, its gradient, and (for results of ops) a
// backward function that pushes the node's gradient into its inputs' gradients. Each op
// that needs gradients appends its result node to the thread's tape; backward(loss) walks
// the tape from newest to oldest, so every node's gradient is complete before it is
// propagated, then clears the tape. Nodes are whole tensors, never scalars: one matmul is
// one node, so the bookkeeping costs nothing next to the arithmetic.
//
//   Var W = parameter(Tensor({4, 3}), "W");   // leaf: requires_grad, not on the tape
//   Var y = linear(x, W, b);                   // op: value computed now, node taped
//   Var loss = bce_with_logits(y, labels);
//   backward(loss);                            // W.grad() now holds dloss/dW
//
// Inside a NoGrad scope ops record nothing (inference, evaluation).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llactr/tensor/tensor.h"

namespace llactr {

struct Node;

class Var {
 public:
  Var() = default;
  explicit Var(std::shared_ptr<Node> n) : node_(std::move(n)) {}

  const Tensor& value() const;
  Tensor& value();
  const Shape& shape() const { return value().shape(); }
  int64_t dim(int axis) const { return value().dim(axis); }
  int64_t numel() const { return value().numel(); }

  // The gradient; allocated (zeros, same shape) on first use.
  Tensor& grad();
  bool has_grad() const;
  bool requires_grad() const;
  const std::string& name() const;
  Node* node() const { return node_.get(); }
  explicit operator bool() const { return node_ != nullptr; }

 private:
  std::shared_ptr<Node> node_;
};

struct Node {
  Tensor value;
  Tensor grad;  // empty until something accumulates into it
  bool requires_grad = false;
  std::string name;
  // Pushes `grad` into the inputs' gradients; set by ops, empty for leaves.
  std::function<void(Node& self)> backward;

  // Embedding tables: which rows received gradient since the last zero_grad, so that
  // zero_grad and lazy optimisers touch only those rows (see gather_rows).
  bool sparse_rows = false;
  std::vector<int32_t> touched_rows;
  std::vector<uint8_t> row_is_touched;
  void mark_row(int32_t r);
};

// A constant (no gradient) and a trainable leaf.
Var constant(Tensor t);
// Stop-gradient: x's current value as a constant, so nothing flows back into x.
Var detach(const Var& x);
Var parameter(Tensor t, std::string name = "");

// Gradient accumulation target of an op's input: allocates zeros on first use.
Tensor& grad_buffer(Node& n);

// For a backward that writes every element of n's gradient in one pass: when n has no gradient
// yet, it is allocated unset and `fresh` is true, and the op must assign instead of
// adding. That saves zero-filling and re-reading the buffer, which for an intermediate of the
// forward is the common case: its one consumer is the first to write its gradient.
struct GradTarget {
  float* data;
  bool fresh;
};
GradTarget grad_target(Node& n);

// Build the result of an op. When gradients are off, or no input requires them, the result
// is a constant and `backward` is dropped; otherwise it is taped.
Var make_result(Tensor value, std::initializer_list<Var> inputs, std::function<void(Node& self)> backward);
Var make_result(Tensor value, const std::vector<Var>& inputs, std::function<void(Node& self)> backward);

// Run the tape backwards from a one-element `loss` (its gradient seeded with 1), or from any
// `out` with an explicit seed gradient of its shape. Clears the tape afterwards.
void backward(const Var& loss);
void backward(const Var& out, const Tensor& seed);

// Drop everything on the tape without propagating (e.g. after a forward that was only looked at).
void clear_tape();
size_t tape_size();

void zero_grad(const std::vector<Var>& params);

bool grad_enabled();
// RAII scope in which ops record nothing.
class NoGrad {
 public:
  NoGrad();
  ~NoGrad();
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  bool previous_;
};

}  // namespace llactr
