// The training-state file (ctr/training_state.h) and the trainer's resume (ctr/trainer_state.h):
// the reader refuses every truncation and foreign file with the file's name; a training stopped
// after epoch k and resumed ends with the uninterrupted run's weights and metrics, bit for bit.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "ctr_synthetic.h"
#include "data_fixtures.h"
#include "llactr/ctr/trainer.h"
#include "llactr/ctr/trainer_state.h"
#include "llactr/ctr/training_state.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

using testing::error_of;
using testing::TempDir;

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

TrainingState sample_state() {
  TrainingState s;
  s.kind = "test";
  s.settings = {{"lr", "0.001"}, {"backbone", "FM"}};
  s.words["epoch"] = {3};
  s.reals["loss"] = {0.5, -1.25, 1e300};
  s.tensors["w"] = Tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  s.tensors["scalar"] = Tensor::scalar(7.0f);
  return s;
}

TEST(TrainingStateCheckpoint, RoundTripsEveryEntry) {
  TempDir dir;
  const std::string path = dir.file("s.state");
  TrainingState s = sample_state();
  Rng rng(9);
  rng.normal();  // leaves a spare normal: part of the state
  put_rng(s, "rng", rng);
  save_training_state(path, s);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));  // renamed into place
  const TrainingState t = load_training_state(path, "test");
  EXPECT_EQ(t.path, path);
  EXPECT_EQ(t.settings, s.settings);
  EXPECT_EQ(t.words, s.words);
  EXPECT_EQ(t.reals, s.reals);
  ASSERT_EQ(t.tensors.size(), 2u);
  EXPECT_EQ(t.tensor("w").shape(), (Shape{2, 3}));
  EXPECT_EQ(std::memcmp(t.tensor("w").data(), s.tensors["w"].data(), 6 * sizeof(float)), 0);
  EXPECT_EQ(t.tensor("scalar").item(), 7.0f);
  Rng back(1);
  take_rng(t, "rng", back);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(back.normal(), rng.normal());  // the spare first, then fresh draws
  EXPECT_NE(error_of([&] { t.word("nothing"); }).find("has no counter 'nothing'"), std::string::npos);
}

TEST(TrainingStateCheckpoint, EveryTruncationIsAnErrorNamingTheFile) {
  TempDir dir;
  const std::string path = dir.file("s.state"), cut = dir.file("cut.state");
  save_training_state(path, sample_state());
  const std::string bytes = read_bytes(path);
  for (size_t n = 0; n < bytes.size(); ++n) {
    write_bytes(cut, bytes.substr(0, n));
    const std::string e = error_of([&] { load_training_state(cut, "test"); });
    EXPECT_NE(e.find(cut), std::string::npos) << n << ": " << e;
  }
  write_bytes(cut, bytes + "x");
  EXPECT_NE(error_of([&] { load_training_state(cut, "test"); }).find("trailing bytes"), std::string::npos);
}

TEST(TrainingStateCheckpoint, ForeignCorruptAndOtherKindsAreRefused) {
  TempDir dir;
  const std::string path = dir.file("s.state");
  write_bytes(path, "GGUF and some more bytes");
  EXPECT_NE(error_of([&] { load_training_state(path, "test"); }).find("does not start with LLACTRTS"), std::string::npos);
  EXPECT_NE(error_of([&] { load_training_state(dir.file("absent"), "test"); }).find("cannot open"), std::string::npos);
  save_training_state(path, sample_state());
  EXPECT_NE(error_of([&] { load_training_state(path, "pretrain"); }).find("a training state of test, where pretrain"),
            std::string::npos);
  std::string bytes = read_bytes(path);
  bytes[8] = 9;  // the version
  write_bytes(path, bytes);
  EXPECT_NE(error_of([&] { load_training_state(path, "test"); }).find("format version 9"), std::string::npos);
  // A tensor whose shape does not account for its values: the dims of "scalar" (rank 0) come
  // first in name order, then "w"'s [2, 3]; make it [2, 4].
  save_training_state(path, sample_state());
  bytes = read_bytes(path);
  const size_t w = bytes.rfind(std::string("\x01\x00\x00\x00w", 5));
  ASSERT_NE(w, std::string::npos);
  bytes[w + 5 + 8 + 8] = 4;  // after the name: u64 rank, i64 2, then i64 3 -> 4
  write_bytes(path, bytes);
  EXPECT_NE(error_of([&] { load_training_state(path, "test"); }).find("has shape [2, 4] for 6 values"), std::string::npos);
}

TEST(TrainingStateCheckpoint, SettingsAndParametersAreCheckedByName) {
  TrainingState s = sample_state();
  s.path = "x.state";
  EXPECT_NO_THROW(check_settings(s, s.settings, ""));
  auto run = s.settings;
  run["lr"] = "0.01";
  EXPECT_EQ(error_of([&] { check_settings(s, run, "fix it"); }),
            "x.state: the state was written with lr = 0.001, this run has lr = 0.01; fix it");
  Var a = parameter(Tensor({2, 2}, 1.0f), "a"), b = parameter(Tensor({3}, 2.0f), "b");
  put_params(s, "p", {a, b}, nullptr);
  Var c = parameter(Tensor({2, 3}, 0.0f), "a");
  EXPECT_NE(error_of([&] { take_params(s, "p", {c, b}, nullptr); }).find("'a' has shape [2, 2] in the state, [2, 3]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { take_params(s, "p", {a}, nullptr); }).find("holds 2 parameters, the model 1"), std::string::npos);
  EXPECT_EQ(c.value()[0], 0.0f);  // a refused state writes nothing
}

// ---- the trainer

const data::Dataset& dataset() {
  static const data::Dataset d = testing::synthetic_ctr(3000);
  return d;
}

// Noise on every training logit from its own generator, so that the resumed run must restore
// the enhancer's generator too; and a trainable shift.
struct NoisyEnhancer : Enhancer {
  Var shift = parameter(Tensor({1}, 0.0f), "noisy.shift");
  Rng rng{77};
  std::vector<Var> parameters() override { return {shift}; }
  Var extra_logit(const Var& E, const data::Batch& b) override {
    Tensor noise({int64_t(b.size)});
    for (int64_t i = 0; i < noise.numel(); ++i) noise[i] = grad_enabled() ? rng.normal(0.0f, 0.1f) : 0.0f;
    (void)E;
    return add(constant(noise), mul(constant(Tensor({int64_t(b.size)}, 1.0f)), shift));
  }
  std::vector<Rng*> rngs() override { return {&rng}; }
};

struct Outcome {
  TrainResult train;
  std::vector<Tensor> weights;
  std::vector<float> test_p;
};

// DeepFM with dropout (the dropout generator's state matters), lazy or dense embedding updates.
Outcome run_training(const TrainConfig& c, bool noisy) {
  const auto& d = dataset();
  BackboneConfig bc = testing::synthetic_backbone_config(d);
  bc.net_dropout = 0.2f;
  Rng init(c.seed);
  auto m = make_backbone("DeepFM", bc, init);
  NoisyEnhancer enh;
  Outcome o;
  o.train = train(*m, d.train, d.valid, c, noisy ? &enh : nullptr);
  for (const Var& p : m->parameters()) o.weights.push_back(p.value());
  if (noisy) o.weights.push_back(enh.shift.value());
  o.test_p = predict(*m, d.test, 512, noisy ? &enh : nullptr);
  return o;
}

void expect_same_bits(const Outcome& a, const Outcome& b) {
  ASSERT_EQ(a.weights.size(), b.weights.size());
  for (size_t i = 0; i < a.weights.size(); ++i) {
    ASSERT_EQ(a.weights[i].shape(), b.weights[i].shape());
    EXPECT_EQ(std::memcmp(a.weights[i].data(), b.weights[i].data(), sizeof(float) * size_t(a.weights[i].numel())), 0)
        << "parameter " << i;
  }
  EXPECT_EQ(a.test_p, b.test_p);
  EXPECT_EQ(a.train.best_epoch, b.train.best_epoch);
  EXPECT_EQ(a.train.epochs, b.train.epochs);
  EXPECT_EQ(a.train.best_valid_auc, b.train.best_valid_auc);
  ASSERT_EQ(a.train.log.size(), b.train.log.size());
  for (size_t e = 0; e < a.train.log.size(); ++e) {
    EXPECT_EQ(a.train.log[e].train_loss, b.train.log[e].train_loss) << "epoch " << e + 1;
    EXPECT_EQ(a.train.log[e].valid_auc, b.train.log[e].valid_auc) << "epoch " << e + 1;
    EXPECT_EQ(a.train.log[e].lr, b.train.log[e].lr) << "epoch " << e + 1;
    EXPECT_EQ(a.train.log[e].improved, b.train.log[e].improved) << "epoch " << e + 1;
  }
}

TrainConfig resume_config(const std::string& state) {
  TrainConfig c;
  c.lr = 2e-2f;
  c.batch_size = 256;
  c.max_epochs = 6;
  c.patience = 2;
  c.verbose = false;
  c.state.path = state;
  return c;
}

TEST(CtrTrainerResume, StoppedAfterEpochKAndResumedEqualsTheUninterruptedRunBitForBit) {
  for (SparseUpdate update : {SparseUpdate::Dense, SparseUpdate::Lazy}) {
    TempDir dir;
    TrainConfig c = resume_config(dir.file("whole.state"));
    c.embedding_update = update;
    const Outcome whole = run_training(c, true);
    ASSERT_GE(whole.train.epochs, 3);  // so that epoch 2 is in the middle
    for (int k : {1, 2}) {
      c.state.path = dir.file("part" + std::to_string(k) + ".state");
      c.state.stop_after_epoch = k;
      EXPECT_THROW(run_training(c, true), TrainingStopped);
      c.state.stop_after_epoch = 0;
      c.state.resume = true;
      expect_same_bits(run_training(c, true), whole);
      // Resuming a training that has ended trains no more and gives the same result again.
      expect_same_bits(run_training(c, true), whole);
      c.state.resume = false;
    }
  }
}

TEST(CtrTrainerResume, EarlyStoppedRunResumedAtItsLastEpochEndsThere) {
  TempDir dir;
  TrainConfig c = resume_config(dir.file("s.state"));
  c.patience = 1;
  c.max_epochs = 30;
  c.lr = 0.1f;  // over-fits fast: early stopping ends it well before 30
  const Outcome whole = run_training(c, false);
  ASSERT_LT(whole.train.epochs, 30);
  c.state.stop_after_epoch = whole.train.epochs;  // stopped right after the epoch that ended it
  EXPECT_THROW(run_training(c, false), TrainingStopped);
  c.state.stop_after_epoch = 0;
  c.state.resume = true;
  expect_same_bits(run_training(c, false), whole);
}

TEST(CtrTrainerResume, RefusesAnotherSettingModelOrEnhancer) {
  TempDir dir;
  TrainConfig c = resume_config(dir.file("s.state"));
  c.state.stop_after_epoch = 1;
  EXPECT_THROW(run_training(c, true), TrainingStopped);
  c.state.stop_after_epoch = 0;
  c.state.resume = true;
  TrainConfig other = c;
  other.lr = 1e-2f;
  const std::string e = error_of([&] { run_training(other, true); });
  EXPECT_NE(e.find(c.state.path), std::string::npos) << e;
  EXPECT_NE(e.find("written with lr = 0.019999999552965164, this run has lr = 0.0099999997764825821"), std::string::npos) << e;
  other = c;
  other.seed = 7;
  EXPECT_NE(error_of([&] { run_training(other, true); }).find("written with seed = 2024"), std::string::npos);
  other = c;
  other.id_dropout = 0.5f;
  EXPECT_NE(error_of([&] { run_training(other, true); }).find("written with id dropout = 0, this run has id dropout = 0.5"),
            std::string::npos);
  // Without the enhancer: one parameter fewer.
  EXPECT_NE(error_of([&] { run_training(c, false); }).find("(another method?)"), std::string::npos);
  // Another backbone's state in the same place.
  const auto& d = dataset();
  Rng init(1);
  auto fm = make_backbone("FM", testing::synthetic_backbone_config(d), init);
  NoisyEnhancer enh;
  EXPECT_NE(error_of([&] { train(*fm, d.train, d.valid, c, &enh); }).find("written with backbone = DeepFM, this run has backbone = FM"),
            std::string::npos);
  // A foreign file in its place.
  write_bytes(c.state.path, "not a state");
  EXPECT_NE(error_of([&] { run_training(c, true); }).find("not an llactr training state"), std::string::npos);
}

}  // namespace
}  // namespace llactr
