// A small synthetic CTR dataset with a learnable signal, for the trainer's and checkpoint's tests:
// fields User (60 values), Item (40), Context (5); the click probability is
// σ(3·u_user·v_item + b_item) for hidden 2-D vectors u, v, so FM-family models can learn it.
#pragma once
#include <cmath>
#include <string>

#include "llactr/ctr/backbone.h"
#include "llactr/data/dataset.h"
#include "llactr/tensor/rng.h"

namespace llactr::testing {

inline data::Dataset synthetic_ctr(size_t rows = 6000, uint64_t seed = 5) {
  data::Schema schema;
  schema.fields = {{"User", "User: the user."}, {"Item", "Item: the item."}, {"Context", "Context: the context."}};
  schema.user_field = 0;
  schema.item_field = 1;
  Rng rng(seed);
  float u[60][2], v[40][3];
  for (auto& x : u) x[0] = rng.normal(), x[1] = rng.normal();
  for (auto& x : v) x[0] = rng.normal(), x[1] = rng.normal(), x[2] = rng.normal(0.0f, 0.5f);
  data::RawTable table(3);
  for (size_t r = 0; r < rows; ++r) {
    int a = int(rng.below(60)), b = int(rng.below(40)), c = int(rng.below(5));
    float logit = 3.0f * (u[a][0] * v[b][0] + u[a][1] * v[b][1]) + v[b][2];
    float label = rng.uniform() < 1.0f / (1.0f + std::exp(-logit)) ? 1.0f : 0.0f;
    std::string cells[3] = {"u" + std::to_string(a), "i" + std::to_string(b), "c" + std::to_string(c)};
    std::string_view views[3] = {cells[0], cells[1], cells[2]};
    table.add_row(views, label, int64_t(r));
  }
  data::DataOptions o;
  o.cache_dir = "";
  return data::encode_dataset(schema, table, o);
}

// Small backbones for that data (D = 8, narrow MLPs), so that training them keeps the suite fast.
inline BackboneConfig synthetic_backbone_config(const data::Dataset& d) {
  BackboneConfig c;
  c.num_fields = d.schema.num_fields();
  c.vocab_size = d.encoder.total_vocab();
  c.embedding_dim = 8;
  c.options.set("deepfm-mlp", "16");
  c.options.set("dcnv2-mlp", "16");  // the DNN defaults ([300, 300, 128] ..) would dominate the suite's time
  c.options.set("xdeepfm-mlp", "16");
  c.options.set("xdeepfm-cin", "4,4");
  c.options.set("autoint-attention-dim", "8");
  return c;
}

}  // namespace llactr::testing
