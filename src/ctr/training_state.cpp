#include "llactr/ctr/training_state.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "llactr/data/binary_io.h"

namespace llactr {

namespace {

constexpr char kMagic[8] = {'L', 'L', 'A', 'C', 'T', 'R', 'T', 'S'};
constexpr char kEnd[4] = {'E', 'N', 'D', '.'};
// More entries than any loop writes by far; a larger count is a corrupt file, refused before
// the reader loops over it.
constexpr uint64_t kMaxEntries = uint64_t(1) << 24;

[[noreturn]] void missing(const TrainingState& s, const char* what, const std::string& name) {
  throw std::runtime_error((s.path.empty() ? std::string("training state") : s.path) + ": the training state has no " +
                           what + " '" + name + "' (written by another version or another kind of run?)");
}

template <class Map>
const typename Map::mapped_type& entry_of(const TrainingState& s, const Map& map, const char* what, const std::string& name) {
  auto it = map.find(name);
  if (it == map.end()) missing(s, what, name);
  return it->second;
}

std::string param_key(const std::string& prefix, size_t i, const std::string& name) {
  return prefix + "/" + std::to_string(i) + "/" + name;
}

uint64_t entry_count(data::BinaryReader& r, const char* what) {
  const uint64_t n = r.pod<uint64_t>();
  if (n > kMaxEntries) r.fail(std::string("corrupt ") + what + " count " + std::to_string(n));
  return n;
}

template <class Map, class V>
void insert_unique(data::BinaryReader& r, Map& map, std::string name, V value) {
  if (!map.emplace(name, std::move(value)).second) r.fail("entry '" + name + "' appears twice");
}

}  // namespace

uint64_t TrainingState::word(const std::string& name) const {
  const std::vector<uint64_t>& v = word_list(name);
  if (v.empty()) missing(*this, "value in", name);
  return v[0];
}
const std::vector<uint64_t>& TrainingState::word_list(const std::string& name) const {
  return entry_of(*this, words, "counter", name);
}
double TrainingState::real(const std::string& name) const {
  const std::vector<double>& v = real_list(name);
  if (v.empty()) missing(*this, "value in", name);
  return v[0];
}
const std::vector<double>& TrainingState::real_list(const std::string& name) const {
  return entry_of(*this, reals, "number", name);
}
const Tensor& TrainingState::tensor(const std::string& name) const { return entry_of(*this, tensors, "tensor", name); }

void save_training_state(const std::string& path, const TrainingState& s) {
  const std::string tmp = path + ".tmp";
  {
    data::BinaryWriter w(tmp);
    w.bytes(kMagic, sizeof kMagic);
    w.pod(kTrainingStateVersion);
    w.string(s.kind);
    w.pod(uint64_t(s.settings.size()));
    for (const auto& [name, value] : s.settings) w.string(name), w.string(value);
    w.pod(uint64_t(s.words.size()));
    for (const auto& [name, v] : s.words) w.string(name), w.vec(v);
    w.pod(uint64_t(s.reals.size()));
    for (const auto& [name, v] : s.reals) w.string(name), w.vec(v);
    w.pod(uint64_t(s.tensors.size()));
    for (const auto& [name, t] : s.tensors) {
      w.string(name);
      w.vec(t.shape());
      w.pod(uint64_t(t.numel()));
      w.bytes(t.data(), sizeof(float) * size_t(t.numel()));
    }
    w.bytes(kEnd, sizeof kEnd);
    w.close();
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

TrainingState load_training_state(const std::string& path, const std::string& kind) {
  data::BinaryReader r(path);
  r.magic(kMagic, "an llactr training state");
  const uint32_t version = r.pod<uint32_t>();
  if (version != kTrainingStateVersion)
    throw std::runtime_error(path + ": training-state format version " + std::to_string(version) +
                             ", this build reads " + std::to_string(kTrainingStateVersion));
  TrainingState s;
  s.path = path;
  s.kind = r.string();
  if (s.kind != kind)
    throw std::runtime_error(path + ": a training state of " + s.kind + ", where " + kind + " was expected");
  for (uint64_t i = 0, n = entry_count(r, "settings"); i < n; ++i) {
    std::string name = r.string();
    insert_unique(r, s.settings, name, r.string());
  }
  for (uint64_t i = 0, n = entry_count(r, "counters"); i < n; ++i) {
    std::string name = r.string();
    insert_unique(r, s.words, name, r.vec<uint64_t>());
  }
  for (uint64_t i = 0, n = entry_count(r, "numbers"); i < n; ++i) {
    std::string name = r.string();
    insert_unique(r, s.reals, name, r.vec<double>());
  }
  for (uint64_t i = 0, n = entry_count(r, "tensors"); i < n; ++i) {
    std::string name = r.string();
    const Shape shape = r.vec<int64_t>();
    if (shape.size() > 4) r.fail("tensor '" + name + "' has rank " + std::to_string(shape.size()) + " (at most 4)");
    // The values are a counted vector, checked against the bytes left before it is allocated; the
    // shape must then account for exactly that many.
    std::vector<float> values = r.vec<float>();
    uint64_t numel = 1;
    for (int64_t d : shape) {
      if (d < 0 || (d > 0 && numel > values.size() / uint64_t(d)))
        r.fail("tensor '" + name + "' has shape " + shape_str(shape) + " for " + std::to_string(values.size()) + " values");
      numel *= uint64_t(d);
    }
    if (numel != values.size())
      r.fail("tensor '" + name + "' has shape " + shape_str(shape) + " for " + std::to_string(values.size()) + " values");
    Tensor t(shape, std::move(values));
    insert_unique(r, s.tensors, name, std::move(t));
  }
  char end[4];
  r.bytes(end, sizeof end);
  if (std::memcmp(end, kEnd, sizeof kEnd) != 0 || !r.at_end()) r.fail("missing end marker or trailing bytes");
  return s;
}

std::string setting_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void check_settings(const TrainingState& s, const std::map<std::string, std::string>& run, const std::string& how_to_fix) {
  auto differ = [&](const std::string& name, const std::string& recorded, const std::string& now) {
    throw std::runtime_error(s.path + ": the state was written with " + name + " = " + recorded + ", this run has " +
                             name + " = " + now + "; " + how_to_fix);
  };
  for (const auto& [name, value] : s.settings) {
    auto it = run.find(name);
    if (it == run.end()) differ(name, value, "(not set)");
    if (it->second != value) differ(name, value, it->second);
  }
  for (const auto& [name, value] : run)
    if (!s.settings.count(name)) differ(name, "(not set)", value);
}

void put_params(TrainingState& s, const std::string& prefix, const std::vector<Var>& params, const Adam* opt) {
  std::vector<uint64_t> steps;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string key = param_key(prefix, i, params[i].name());
    s.tensors[key] = params[i].value();
    if (!opt) continue;
    Adam::ParamState st = opt->state(i);
    steps.push_back(uint64_t(st.steps));
    s.tensors[key + "#m"] = Tensor(params[i].shape(), std::move(st.m));
    s.tensors[key + "#v"] = Tensor(params[i].shape(), std::move(st.v));
  }
  s.words[prefix + ".count"] = {uint64_t(params.size())};
  if (opt) s.words[prefix + ".adam_steps"] = steps;
}

void take_params(const TrainingState& s, const std::string& prefix, const std::vector<Var>& params, Adam* opt) {
  const uint64_t count = s.word(prefix + ".count");
  if (count != params.size())
    throw std::runtime_error(s.path + ": the state holds " + std::to_string(count) + " parameters, the model " +
                             std::to_string(params.size()) + " (another model or method?)");
  const std::vector<uint64_t>* steps = opt ? &s.word_list(prefix + ".adam_steps") : nullptr;
  if (steps && steps->size() != params.size())
    throw std::runtime_error(s.path + ": the optimiser state covers " + std::to_string(steps->size()) + " of " +
                             std::to_string(params.size()) + " parameters");
  // Every check before any write, so a refused state leaves the model as it was.
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string key = param_key(prefix, i, params[i].name());
    if (!s.tensors.count(key))
      throw std::runtime_error(s.path + ": the state has no parameter " + std::to_string(i) + " '" + params[i].name() +
                               "' (another model or method?)");
    const Shape& saved = s.tensors.at(key).shape();
    if (saved != params[i].shape())
      throw std::runtime_error(s.path + ": parameter '" + params[i].name() + "' has shape " + shape_str(saved) +
                               " in the state, " + shape_str(params[i].shape()) + " in the model");
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string key = param_key(prefix, i, params[i].name());
    Var target = params[i];  // a handle to the same node, through which the value is written
    target.value() = s.tensors.at(key);
    if (!opt) continue;
    const Tensor& m = s.tensor(key + "#m");
    const Tensor& v = s.tensor(key + "#v");
    opt->restore(i, {int64_t((*steps)[i]), std::vector<float>(m.data(), m.data() + m.numel()),
                     std::vector<float>(v.data(), v.data() + v.numel())});
  }
}

void put_tensors(TrainingState& s, const std::string& prefix, const std::vector<Tensor>& tensors) {
  s.words[prefix + ".count"] = {uint64_t(tensors.size())};
  for (size_t i = 0; i < tensors.size(); ++i) s.tensors[prefix + "/" + std::to_string(i)] = tensors[i];
}

std::vector<Tensor> take_tensors(const TrainingState& s, const std::string& prefix) {
  const uint64_t count = s.word(prefix + ".count");
  if (count > s.tensors.size()) missing(s, "tensor", prefix + "/" + std::to_string(s.tensors.size()));
  std::vector<Tensor> out;
  for (uint64_t i = 0; i < count; ++i) out.push_back(s.tensor(prefix + "/" + std::to_string(i)));
  return out;
}

void put_rng(TrainingState& s, const std::string& name, const Rng& rng) {
  const Rng::State st = rng.state();
  uint32_t spare_bits;
  std::memcpy(&spare_bits, &st.spare, sizeof spare_bits);
  s.words[name] = {st.s[0], st.s[1], st.s[2], st.s[3], uint64_t(st.has_spare), spare_bits};
}

void take_rng(const TrainingState& s, const std::string& name, Rng& rng) {
  const std::vector<uint64_t>& w = s.word_list(name);
  if (w.size() != 6 || w[4] > 1 || w[5] > 0xffffffffu)
    throw std::runtime_error(s.path + ": the random generator state '" + name + "' is corrupt");
  Rng::State st{{w[0], w[1], w[2], w[3]}, w[4] == 1, 0.0f};
  const uint32_t spare_bits = uint32_t(w[5]);
  std::memcpy(&st.spare, &spare_bits, sizeof spare_bits);
  rng.set_state(st);
}

}  // namespace llactr
