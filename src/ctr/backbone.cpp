#include "llactr/ctr/backbone.h"

#include <stdexcept>

#include "llactr/ctr/models.h"
#include "llactr/nn/embedding.h"
#include "llactr/tensor/ops.h"

namespace llactr {

Backbone::Backbone(std::string name, const BackboneConfig& cfg, Rng& rng) : name_(std::move(name)), cfg_(cfg) {
  if (cfg.num_fields < 1 || cfg.vocab_size < 1 || cfg.embedding_dim < 1)
    throw std::invalid_argument(name_ + ": need num_fields, vocab_size and embedding_dim >= 1 (got " +
                                std::to_string(cfg.num_fields) + ", " + std::to_string(cfg.vocab_size) + ", " +
                                std::to_string(cfg.embedding_dim) + ")");
  if (cfg.extra_fields < 0) throw std::invalid_argument(name_ + ": extra_fields must be >= 0");
  if (cfg.init == ParamInit::Torch && name_ != "LR" && name_ != "FM" && name_ != "DeepFM" && name_ != "FwFM" &&
      name_ != "FmFM" && name_ != "FinalMLP" && name_ != "WuKong")
    throw std::invalid_argument(name_ + ": init torch is implemented for LR, FM, DeepFM, FwFM, FmFM, FinalMLP, WuKong only");
  table_ = Embedding(cfg.vocab_size, cfg.embedding_dim, embedding_init_std(cfg), rng, "embedding").table;
  own(table_);
}

ParamInit parse_param_init(const std::string& name) {
  if (name == "fuxictr") return ParamInit::FuxiCtr;
  if (name == "torch") return ParamInit::Torch;
  throw std::invalid_argument("unknown init '" + name + "' (fuxictr, torch)");
}

const char* param_init_name(ParamInit p) { return p == ParamInit::Torch ? "torch" : "fuxictr"; }

float embedding_init_std(const BackboneConfig& cfg) { return cfg.init == ParamInit::Torch ? 1.0f : cfg.embedding_std; }

LinearInit linear_init(const BackboneConfig& cfg) {
  return cfg.init == ParamInit::Torch ? LinearInit::Torch : LinearInit::XavierNormal;
}

Var Backbone::embed(const int32_t* ids, int64_t B) const {
  return gather_rows(table_, ids, B * cfg_.num_fields, {B, cfg_.num_fields});
}

Var Backbone::parameter(const std::string& name) const {
  for (const Var& p : params_)
    if (p.name() == name) return p;
  throw std::invalid_argument(name_ + ": no parameter named '" + name + "'");
}

int64_t Backbone::num_parameters() const {
  int64_t n = 0;
  for (const Var& p : params_) n += p.numel();
  return n;
}

namespace {
struct Entry {
  const char* name;
  std::unique_ptr<Backbone> (*make)(const BackboneConfig&, Rng&);
};
const Entry kBackbones[] = {
    {"LR", make_lr},     {"FM", make_fm},           {"DeepFM", make_deepfm}, {"FwFM", make_fwfm},
    {"FmFM", make_fmfm}, {"FinalMLP", make_finalmlp}, {"WuKong", make_wukong}, {"DCNv2", make_dcnv2},
    {"xDeepFM", make_xdeepfm}, {"AutoInt", make_autoint},
};
}  // namespace

const std::vector<std::string>& backbone_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Entry& e : kBackbones) v.push_back(e.name);
    return v;
  }();
  return names;
}

std::unique_ptr<Backbone> make_backbone(const std::string& name, const BackboneConfig& cfg, Rng& rng) {
  for (const Entry& e : kBackbones)
    if (name == e.name) return e.make(cfg, rng);
  std::string known;
  for (const Entry& e : kBackbones) known += std::string(known.empty() ? "" : ", ") + e.name;
  throw std::invalid_argument("unknown backbone '" + name + "' (known: " + known + ")");
}

}  // namespace llactr
