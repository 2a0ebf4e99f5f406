#include "llactr/ctr/backbone.h"

#include <stdexcept>

#include "llactr/nn/embedding.h"
#include "llactr/tensor/ops.h"

namespace llactr {

Backbone::Backbone(std::string name, const BackboneConfig& cfg, Rng& rng) : name_(std::move(name)), cfg_(cfg) {
  if (cfg.num_fields < 1 || cfg.vocab_size < 1 || cfg.embedding_dim < 1)
    throw std::invalid_argument(name_ + ": need num_fields, vocab_size and embedding_dim >= 1 (got " +
                                std::to_string(cfg.num_fields) + ", " + std::to_string(cfg.vocab_size) + ", " +
                                std::to_string(cfg.embedding_dim) + ")");
  if (cfg.extra_fields < 0) throw std::invalid_argument(name_ + ": extra_fields must be >= 0");
  if (cfg.init == ParamInit::Torch && !backbone_entry(name_).torch_init) {
    std::string which;
    for (const BackboneEntry& e : backbone_table())
      if (e.torch_init) which += (which.empty() ? "" : ", ") + e.name;
    throw std::invalid_argument(name_ + ": init torch is implemented for " + which + " only");
  }
  table_ = Embedding(cfg.vocab_size, cfg.embedding_dim, embedding_init_std(cfg), rng, "embedding").table;
  own(table_);
}

ParamInit parse_param_init(const std::string& name) {
  if (name == "fuxictr") return ParamInit::FuxiCtr;
  if (name == "torch") return ParamInit::Torch;
  throw std::invalid_argument("--init must be fuxictr or torch, not '" + name + "'");
}

const char* param_init_name(ParamInit p) { return p == ParamInit::Torch ? "torch" : "fuxictr"; }
std::string param_init_text(const ParamInit& p) { return param_init_name(p); }

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

const OptionTable<BackboneConfig>& backbone_config_options() {
  using C = BackboneConfig;
  static const OptionTable<C> table =
      OptionTable<C>()
          .integer("embedding-dim", &C::embedding_dim, between(1, 1 << 16), "embedding size D")
          .custom("init", &C::init, parse_param_init, param_init_text,
                  "fuxictr (embeddings N(0, 1e-4²), Xavier Linear) or torch (PyTorch's defaults)")
          .number("net-dropout", &C::net_dropout, between(0, 0.99),
                  "dropout in the models' deep MLPs (the rows that use it say so in their help)");
  return table;
}

}  // namespace llactr
