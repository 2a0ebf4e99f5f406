#include "llactr/llm/train/lora_file.h"

#include <map>
#include <stdexcept>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::llm {

namespace {

const char* const kTargets[] = {"q", "k", "v", "o", "gate", "up", "down"};

// Calls f(layer, target, gguf weight name, projection) for every projection that has an adapter.
template <class F>
void for_each_adapter(const TrainableTransformer& model, F&& f) {
  for (size_t l = 0; l < model.layers().size(); ++l) {
    TrainableLayer L = model.layers()[l];  // a copy shares the parameters' nodes
    for (const char* t : kTargets) {
      const Projection& p = *L.find(t);
      if (p.lora_a) f(int(l), std::string(t), "blk." + std::to_string(l) + "." + lora_target_tensor(t) + ".weight", p);
    }
  }
}

const Matrix& weight_of(const LayerWeights& L, const std::string& target) {
  if (target == "q") return L.wq;
  if (target == "k") return L.wk;
  if (target == "v") return L.wv;
  if (target == "o") return L.wo;
  if (target == "gate") return L.w_gate;
  if (target == "up") return L.w_up;
  return L.w_down;
}

std::string joined_targets(const LoraOptions& o) {
  std::string s;
  for (const std::string& t : o.targets) s += (s.empty() ? "" : ",") + t;
  return s;
}

}  // namespace

void save_lora_adapters(const TrainableTransformer& model, const std::string& path) {
  gguf::GgufWriter w;
  w.set_string("general.architecture", model.config().arch);
  w.set_string("general.type", "adapter");
  w.set_string("adapter.type", "lora");
  w.set_f32("adapter.lora.alpha", model.lora().alpha);
  w.set_u32("llactr.lora.rank", uint32_t(model.lora().rank));
  w.set_string("llactr.lora.targets", joined_targets(model.lora()));
  for_each_adapter(model, [&](int, const std::string&, const std::string& name, const Projection& p) {
    w.add_tensor(name + ".lora_a", {p.lora_a.dim(1), p.lora_a.dim(0)}, gguf::GgmlType::F32, p.lora_a.value().data());
    w.add_tensor(name + ".lora_b", {p.lora_b.dim(1), p.lora_b.dim(0)}, gguf::GgmlType::F32, p.lora_b.value().data());
  });
  w.write(path);
}

void load_lora_adapters(const std::string& path, TrainableTransformer& model) {
  const gguf::GgufFile f = gguf::GgufFile::open(path);
  auto fail = [&](const std::string& why) { throw std::runtime_error(path + ": " + why); };
  if (f.get_string("general.type", "") != "adapter" || f.get_string("adapter.type", "") != "lora")
    fail("not a LoRA adapter file (general.type must be 'adapter', adapter.type 'lora')");
  if (f.get_f32("adapter.lora.alpha") != model.lora().alpha)
    fail("alpha " + std::to_string(f.get_f32("adapter.lora.alpha")) + " differs from the model's " +
         std::to_string(model.lora().alpha));
  if (f.get_string("llactr.lora.targets", "") != joined_targets(model.lora()))
    fail("targets '" + f.get_string("llactr.lora.targets", "") + "' differ from the model's '" +
         joined_targets(model.lora()) + "'");
  for_each_adapter(model, [&](int, const std::string&, const std::string& name, const Projection& p) {
    for (auto [suffix, var] : {std::pair{".lora_a", p.lora_a}, std::pair{".lora_b", p.lora_b}}) {
      const gguf::TensorInfo* t = f.find_tensor(name + suffix);
      if (!t) fail("tensor '" + name + suffix + "' is missing");
      if (t->ne != std::vector<int64_t>{var.dim(1), var.dim(0)})
        fail("tensor '" + name + suffix + "' has shape " + shape_str(t->ne) + ", expected " +
             shape_str({var.dim(1), var.dim(0)}));
      Var v = var;
      f.dequantize(*t, v.value().data());
    }
  });
}

void write_merged_gguf(const std::string& base_path, const TrainableTransformer& model, const std::string& out_path) {
  const gguf::GgufFile base = gguf::GgufFile::open(base_path);
  const Model merged = model.merged_model();
  std::map<std::string, const Matrix*> replaced;  // GGUF tensor name -> merged weight
  for_each_adapter(model, [&](int l, const std::string& target, const std::string& name, const Projection&) {
    replaced[name] = &weight_of(merged.weights.layers[l], target);
  });
  gguf::GgufWriter w(uint32_t(base.alignment()), base.version());
  for (const gguf::KeyValue& kv : base.metadata()) w.set(kv.key, kv.value);
  for (const gguf::TensorInfo& t : base.tensors()) {
    auto it = replaced.find(t.name);
    if (it == replaced.end()) w.add_tensor_raw(t.name, t.ne, t.type, t.data, t.nbytes);
    else w.add_tensor(t.name, t.ne, gguf::GgmlType::F32, it->second->data.data());
  }
  w.write(out_path);
}

}  // namespace llactr::llm
