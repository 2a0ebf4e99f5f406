#include "llactr/ctr/checkpoint.h"

#include <cstring>
#include <stdexcept>

#include "llactr/data/binary_io.h"
#include "llactr/tensor/rng.h"

namespace llactr {

namespace {

constexpr char kMagic[8] = {'L', 'L', 'A', 'C', 'T', 'R', 'C', 'K'};
constexpr char kEnd[4] = {'E', 'N', 'D', '.'};

// The shared fields, in one order for writing and reading.
template <class Io>
void config_fields(Io& io, BackboneConfig& c) {
  io.num(c.num_fields);
  io.num(c.vocab_size);
  io.num(c.embedding_dim);
  io.num(c.embedding_std);
  io.num(c.net_dropout);
}

struct Writer {
  data::BinaryWriter& w;
  template <class T> void num(T& v) { w.pod(v); }
};
struct Reader {
  data::BinaryReader& r;
  template <class T> void num(T& v) { v = r.pod<T>(); }
};

}  // namespace

void save_checkpoint(const std::string& path, const Backbone& model, const data::Encoder& encoder) {
  // A model with extra fields needs inputs beyond the ids (ELEC's gain network); only plain
  // backbones are served, so the format has no place for them.
  if (model.config().extra_fields != 0)
    throw std::invalid_argument(path + ": cannot checkpoint " + model.name() + " with extra_fields " +
                                std::to_string(model.config().extra_fields) + " (only plain backbones are saved)");
  data::BinaryWriter w(path);
  w.bytes(kMagic, sizeof kMagic);
  w.pod(kCheckpointVersion);
  w.string(model.name());
  BackboneConfig cfg = model.config();
  Writer cw{w};
  config_fields(cw, cfg);
  // The model's own options, each with its value (given or default): the file says every size.
  const OptionValues own = backbone_option_values(model.name(), cfg.options);
  w.pod(uint64_t(own.all().size()));
  for (const auto& [name, value] : own.all()) {
    w.string(name);
    w.string(value);
  }
  w.pod(uint64_t(model.parameters().size()));
  for (const Var& p : model.parameters()) {
    w.string(p.name());
    w.vec(p.shape());
    w.bytes(p.value().data(), sizeof(float) * size_t(p.numel()));
  }
  encoder.write(w);
  w.bytes(kEnd, sizeof kEnd);
  w.close();
}

LoadedCheckpoint load_checkpoint(const std::string& path) {
  data::BinaryReader r(path);
  r.magic(kMagic, "an llactr checkpoint");
  uint32_t version = r.pod<uint32_t>();
  if (version == 2)
    throw std::runtime_error(path + ": checkpoint format version 2, written before the backbones had their own "
                             "options; this build reads version " + std::to_string(kCheckpointVersion) +
                             ": save the model again with this build (run_experiment --save-checkpoints)");
  if (version != kCheckpointVersion)
    throw std::runtime_error(path + ": checkpoint format version " + std::to_string(version) + ", this build reads " +
                             std::to_string(kCheckpointVersion));
  std::string name = r.string();
  BackboneConfig cfg;
  Reader cr{r};
  config_fields(cr, cfg);
  const uint64_t n_options = r.pod<uint64_t>();
  if (n_options > 1024) r.fail("corrupt model header: " + std::to_string(n_options) + " options");
  for (uint64_t i = 0; i < n_options; ++i) {
    std::string option = r.string();
    cfg.options.set(option, r.string());
  }

  LoadedCheckpoint out;
  Rng unused(0);  // the weights are overwritten below
  try {
    out.model = make_backbone(name, cfg, unused);
  } catch (const std::invalid_argument& e) {
    r.fail(std::string("corrupt model header: ") + e.what());
  }
  const auto& params = out.model->parameters();
  uint64_t count = r.pod<uint64_t>();
  if (count != params.size())
    r.fail(name + " has " + std::to_string(params.size()) + " parameters, the file " + std::to_string(count));
  for (Var p : params) {
    std::string pname = r.string();
    Shape shape = r.vec<int64_t>();
    if (pname != p.name() || shape != p.shape())
      r.fail("parameter " + pname + " " + shape_str(shape) + " where " + name + " has " + p.name() + " " +
             shape_str(p.shape()));
    r.bytes(p.value().data(), sizeof(float) * size_t(p.numel()));
  }
  out.encoder = data::Encoder::read(r);
  char end[4];
  r.bytes(end, sizeof end);
  if (std::memcmp(end, kEnd, sizeof kEnd) != 0 || !r.at_end()) r.fail("missing end marker or trailing bytes");
  return out;
}

}  // namespace llactr
