#include "llactr/tensor/autograd.h"

#include <stdexcept>

namespace llactr {

namespace {
// One tape and one grad switch per thread, so independent threads can each train a model.
thread_local std::vector<std::shared_ptr<Node>> g_tape;
thread_local bool g_grad_enabled = true;
}  // namespace

const Tensor& Var::value() const {
  if (!node_) throw std::logic_error("Var: use of an empty Var");
  return node_->value;
}
Tensor& Var::value() {
  if (!node_) throw std::logic_error("Var: use of an empty Var");
  return node_->value;
}
Tensor& Var::grad() { return grad_buffer(*node_); }
bool Var::has_grad() const { return node_ && !node_->grad.empty(); }
bool Var::requires_grad() const { return node_ && node_->requires_grad; }
const std::string& Var::name() const { return node_->name; }

void Node::mark_row(int32_t r) {
  if (row_is_touched.empty()) row_is_touched.assign(static_cast<size_t>(value.dim(0)), 0);
  if (!row_is_touched[static_cast<size_t>(r)]) {
    row_is_touched[static_cast<size_t>(r)] = 1;
    touched_rows.push_back(r);
  }
}

Var detach(const Var& x) { return constant(x.value()); }

Var constant(Tensor t) {
  auto n = std::make_shared<Node>();
  n->value = std::move(t);
  return Var(n);
}

Var parameter(Tensor t, std::string name) {
  auto n = std::make_shared<Node>();
  n->value = std::move(t);
  n->requires_grad = true;
  n->name = std::move(name);
  return Var(n);
}

Tensor& grad_buffer(Node& n) {
  if (n.grad.empty() && n.value.numel() > 0) n.grad = Tensor(n.value.shape(), 0.0f);
  return n.grad;
}

GradTarget grad_target(Node& n) {
  // An embedding table tracks which rows hold gradient (zero_grad relies on it): never fresh.
  if (n.sparse_rows) return {grad_buffer(n).data(), false};
  const bool fresh = n.grad.empty();
  if (fresh) n.grad = Tensor::uninitialized(n.value.shape());
  return {n.grad.data(), fresh};
}

Var make_result(Tensor value, const std::vector<Var>& inputs, std::function<void(Node&)> backward) {
  auto n = std::make_shared<Node>();
  n->value = std::move(value);
  bool needs = false;
  if (g_grad_enabled)
    for (const Var& v : inputs) needs = needs || v.requires_grad();
  if (needs) {
    n->requires_grad = true;
    n->backward = std::move(backward);
    g_tape.push_back(n);
  }
  return Var(n);
}

Var make_result(Tensor value, std::initializer_list<Var> inputs, std::function<void(Node&)> backward) {
  return make_result(std::move(value), std::vector<Var>(inputs), std::move(backward));
}

void backward(const Var& out, const Tensor& seed) {
  if (seed.shape() != out.shape()) shape_error("backward", out.shape(), seed.shape(), "(output, seed gradient) differ");
  Node* root = out.node();
  if (!root->requires_grad) throw std::logic_error("backward: the output does not depend on any parameter");
  Tensor& g = grad_buffer(*root);
  g.vec() += seed.vec();
  // The tape is in creation order, which is a topological order: walking it backwards
  // visits every node after all the nodes that consume it.
  for (auto it = g_tape.rbegin(); it != g_tape.rend(); ++it) {
    Node& n = **it;
    if (!n.grad.empty() && n.backward) n.backward(n);
  }
  clear_tape();
}

void backward(const Var& loss) {
  if (loss.numel() != 1) throw std::invalid_argument("backward: loss must have one element, got shape " + shape_str(loss.shape()));
  backward(loss, Tensor(loss.shape(), 1.0f));
}

void clear_tape() { g_tape.clear(); }
size_t tape_size() { return g_tape.size(); }

void zero_grad(const std::vector<Var>& params) {
  for (const Var& p : params) {
    Node& n = *p.node();
    if (n.grad.empty()) continue;
    if (n.sparse_rows) {
      // Only the rows that received gradient can be non-zero.
      int64_t cols = n.value.numel() / n.value.dim(0);
      for (int32_t r : n.touched_rows) {
        std::fill_n(n.grad.data() + r * cols, cols, 0.0f);
        n.row_is_touched[static_cast<size_t>(r)] = 0;
      }
      n.touched_rows.clear();
    } else {
      n.grad.fill(0.0f);
    }
  }
}

bool grad_enabled() { return g_grad_enabled; }
NoGrad::NoGrad() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGrad::~NoGrad() { g_grad_enabled = previous_; }

}  // namespace llactr
