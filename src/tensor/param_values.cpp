#include "llactr/tensor/param_values.h"

#include <stdexcept>
#include <string>

namespace llactr {

std::vector<Tensor> snapshot_values(const std::vector<Var>& params) {
  std::vector<Tensor> s;
  for (const Var& p : params) s.push_back(p.value());
  return s;
}

void restore_values(const std::vector<Var>& params, const std::vector<Tensor>& values) {
  if (values.size() != params.size())
    throw std::invalid_argument("restore_values: " + std::to_string(values.size()) + " values for " +
                                std::to_string(params.size()) + " parameters");
  for (size_t i = 0; i < params.size(); ++i) params[i].node()->value = values[i];
}

}  // namespace llactr
