// The method table (include/llactr/methods/method.h): one row per method.
#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "llactr/llm/gguf/gguf.h"
#include "llactr/methods/method.h"

namespace llactr::methods {

// The rows, one per method file (src/methods/method_<name>.cpp).
MethodEntry base_method_row();
MethodEntry llactr_method_row();
MethodEntry elec_method_row();
MethodEntry clickprompt_method_row();

namespace {
std::vector<MethodEntry>& rows() {
  static std::vector<MethodEntry> table{base_method_row(), llactr_method_row(), elec_method_row(),
                                        clickprompt_method_row()};
  return table;
}
}  // namespace

const std::vector<MethodEntry>& method_table() { return rows(); }

MethodRegistration::MethodRegistration(MethodEntry entry) : name_(entry.name) {
  for (const MethodEntry& e : rows())
    if (name_ == e.name) throw std::logic_error("method " + name_ + " registered twice");
  rows().push_back(std::move(entry));
}

MethodRegistration::~MethodRegistration() {
  auto& r = rows();
  r.erase(std::remove_if(r.begin(), r.end(), [&](const MethodEntry& e) { return name_ == e.name; }), r.end());
}

const MethodEntry& method_entry(const std::string& name) {
  std::string known;
  for (const MethodEntry& e : method_table()) {
    if (name == e.name) return e;
    known += std::string(known.empty() ? "" : ", ") + e.name;
  }
  throw std::invalid_argument("--method: unknown method '" + name + "' (known: " + known + ")");
}

MethodRow train_and_test(const data::Dataset& dataset, Backbone& model, const TrainConfig& tc, Enhancer* enhancer) {
  MethodRow r;
  r.train = train(model, dataset.train, dataset.valid, tc, enhancer);
  r.test = evaluate(model, dataset.test, eval_fields(dataset), tc.batch_size, enhancer);
  return r;
}

void require_llm_model(const std::string& path, const std::string& alternative) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error("language model " + path + " not found: run `make data` (it fetches stories260K), " +
                             (alternative.empty() ? "or pass --llm-model" : "pass --llm-model, or " + alternative));
  gguf::GgufFile::open(path);  // a malformed file fails now (a cheap mmap and header check), not after the data
}

}  // namespace llactr::methods
