#include "llactr/ctr/trainer_state.h"

#include <map>

#include "llactr/ctr/training_state.h"

namespace llactr {

namespace {

constexpr const char* kKind = "ctr-train";

// "column:oov,column:oov" of --id-dropout's fields.
std::string id_dropout_columns(const TrainConfig& c) {
  std::string s;
  for (const auto& [column, oov] : c.id_dropout_columns)
    s += (s.empty() ? "" : ",") + std::to_string(column) + ":" + std::to_string(oov);
  return s;
}

std::map<std::string, std::string> settings(const TrainConfig& c, const Backbone& model, size_t train_rows,
                                            size_t valid_rows) {
  return {{"backbone", model.name()},
          {"train rows", std::to_string(train_rows)},
          {"valid rows", std::to_string(valid_rows)},
          {"lr", setting_text(c.lr)},
          {"batch size", std::to_string(c.batch_size)},
          {"max epochs", std::to_string(c.max_epochs)},
          {"patience", std::to_string(c.patience)},
          {"monitor", monitor_name(c.monitor)},
          {"lr decay", setting_text(c.lr_decay)},
          {"min lr", setting_text(c.min_lr)},
          {"min delta", setting_text(c.min_delta)},
          {"grad clip", setting_text(c.grad_clip)},
          {"weight decay", setting_text(c.weight_decay)},
          {"embedding update", c.embedding_update == SparseUpdate::Dense ? "dense" : "lazy"},
          {"seed", std::to_string(c.seed)},
          {"id dropout", setting_text(c.id_dropout)},
          {"id dropout columns", id_dropout_columns(c)}};
}

// The EpochLog fields, in one order for writing and reading.
template <class F>
void log_fields(F&& f) {
  f("train_loss", &EpochLog::train_loss);
  f("valid_auc", &EpochLog::valid_auc);
  f("valid_logloss", &EpochLog::valid_logloss);
  f("lr", &EpochLog::lr);
  f("train_seconds", &EpochLog::train_seconds);
  f("samples_per_sec", &EpochLog::samples_per_sec);
}

}  // namespace

std::string state_part(const std::string& path, const std::string& part) {
  return path.empty() ? path : path + "." + part;
}

void save_trainer_state(const TrainConfig& cfg, size_t train_rows, size_t valid_rows, int epoch,
                        const TrainerParts& p) {
  TrainingState s;
  s.kind = kKind;
  s.settings = settings(cfg, p.model, train_rows, valid_rows);
  s.words["epoch"] = {uint64_t(epoch)};
  put_params(s, "param", p.params, &p.opt);
  s.reals["lr"] = {p.opt.lr()};
  s.reals["plateau.best"] = {p.plateau.best()};
  s.words["plateau.bad_epochs"] = {uint64_t(p.plateau.bad_epochs())};
  const EarlyStopping::State es = p.stop.state();
  s.words["stop.best_epoch"] = {uint64_t(es.best_epoch)};
  s.words["stop.bad_epochs"] = {uint64_t(es.bad_epochs)};
  s.reals["stop.best_value"] = {es.best_value};
  put_tensors(s, "stop.best", es.best);
  s.words["rngs"] = {uint64_t(p.rngs.size())};
  for (size_t i = 0; i < p.rngs.size(); ++i) put_rng(s, "rng/" + std::to_string(i), *p.rngs[i]);
  const TrainResult& r = p.result;
  s.words["result.best_epoch"] = {uint64_t(r.best_epoch)};
  s.reals["result.best_valid"] = {r.best_valid_auc, r.best_valid_logloss};
  s.reals["result.totals"] = {r.train_seconds, r.samples_per_sec};
  std::vector<uint64_t> improved;
  for (const EpochLog& e : r.log) improved.push_back(e.improved);
  s.words["log.improved"] = improved;
  log_fields([&](const char* name, double EpochLog::*field) {
    std::vector<double>& v = s.reals[std::string("log.") + name];
    for (const EpochLog& e : r.log) v.push_back(e.*field);
  });
  save_training_state(cfg.state.path, s);
}

int load_trainer_state(const TrainConfig& cfg, size_t train_rows, size_t valid_rows, const TrainerParts& p) {
  const TrainingState s = load_training_state(cfg.state.path, kKind);
  check_settings(s, settings(cfg, p.model, train_rows, valid_rows),
                 "resume with the options it was written with, or start afresh without --resume");
  const uint64_t epoch = s.word("epoch");
  const std::vector<uint64_t>& improved = s.word_list("log.improved");
  if (epoch < 1 || epoch > uint64_t(cfg.max_epochs) || improved.size() != epoch)
    throw std::runtime_error(cfg.state.path + ": corrupt state: epoch " + std::to_string(epoch) + " with " +
                             std::to_string(improved.size()) + " epoch logs");
  if (s.word("rngs") != p.rngs.size())
    throw std::runtime_error(cfg.state.path + ": the state has " + std::to_string(s.word("rngs")) +
                             " random generators, this training " + std::to_string(p.rngs.size()) +
                             " (another method?)");
  // Everything is read (and checked) before the first write into the training's objects.
  EarlyStopping::State es;
  es.best_epoch = int(s.word("stop.best_epoch"));
  es.bad_epochs = int(s.word("stop.bad_epochs"));
  es.best_value = s.real("stop.best_value");
  es.best = take_tensors(s, "stop.best");
  TrainResult r;
  r.best_epoch = int(s.word("result.best_epoch"));
  const std::vector<double>& best = s.real_list("result.best_valid");
  const std::vector<double>& totals = s.real_list("result.totals");
  if (best.size() != 2 || totals.size() != 2) throw std::runtime_error(cfg.state.path + ": corrupt result totals");
  r.best_valid_auc = best[0], r.best_valid_logloss = best[1];
  r.train_seconds = totals[0], r.samples_per_sec = totals[1];
  r.log.resize(epoch);
  for (uint64_t e = 0; e < epoch; ++e) r.log[e].epoch = int(e + 1), r.log[e].improved = improved[e] != 0;
  log_fields([&](const char* name, double EpochLog::*field) {
    const std::vector<double>& v = s.real_list(std::string("log.") + name);
    if (v.size() != epoch) throw std::runtime_error(cfg.state.path + ": corrupt epoch log '" + name + "'");
    for (uint64_t e = 0; e < epoch; ++e) r.log[e].*field = v[e];
  });

  try {
    p.stop.restore_state(std::move(es));  // checks the snapshot against the parameters, writes none
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(cfg.state.path + ": " + e.what());
  }
  take_params(s, "param", p.params, &p.opt);
  p.opt.set_lr(float(s.real("lr")));
  p.plateau.restore_state(s.real("plateau.best"), int(s.word("plateau.bad_epochs")));
  for (size_t i = 0; i < p.rngs.size(); ++i) take_rng(s, "rng/" + std::to_string(i), *p.rngs[i]);
  p.result = std::move(r);
  return int(epoch);
}

}  // namespace llactr
