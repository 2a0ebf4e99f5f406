// The trainer on a small synthetic dataset: it learns, it is reproducible, early stopping and
// lr decay follow FuxiCTR, an Enhancer's hooks take part, and a NaN loss stops with a message.
#include <gtest/gtest.h>

#include <cmath>

#include "ctr_synthetic.h"
#include "llactr/ctr/trainer.h"
#include "llactr/nn/metrics.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

const data::Dataset& dataset() {
  static const data::Dataset d = testing::synthetic_ctr();
  return d;
}

TrainConfig fast_config() {
  TrainConfig t;
  t.lr = 2e-2f;
  t.batch_size = 256;
  t.max_epochs = 8;
  t.verbose = false;
  return t;
}

std::unique_ptr<Backbone> fresh(const std::string& name, uint64_t seed = 2024) {
  Rng rng(seed);
  return make_backbone(name, testing::synthetic_backbone_config(dataset()), rng);
}

TEST(CtrTrainer, FmLearnsTheSignalAndKeepsTheBestWeights) {
  const auto& d = dataset();
  auto m = fresh("FM");
  TrainResult r = train(*m, d.train, d.valid, fast_config());
  EXPECT_GT(r.best_valid_auc, 0.75);
  // The restored weights are the best epoch's: re-evaluating valid gives its AUC exactly.
  EvalResult v = evaluate(*m, d.valid, d.schema.user_field, 256);
  EXPECT_DOUBLE_EQ(v.auc, r.best_valid_auc);
  EXPECT_DOUBLE_EQ(v.logloss, r.best_valid_logloss);
  EvalResult t = evaluate(*m, d.test, d.schema.user_field, 256);
  EXPECT_GT(t.auc, 0.75);
  EXPECT_GT(t.gauc, 0.5);
  EXPECT_GT(r.samples_per_sec, 0);
}

TEST(CtrTrainer, LrDecaysOnEveryNonImprovingEpochAndPatienceStops) {
  const auto& d = dataset();
  auto m = fresh("DeepFM");
  TrainConfig c = fast_config();
  c.lr = 5e-2f;  // overfits fast, so validation stops improving within the budget
  c.max_epochs = 30;
  TrainResult r = train(*m, d.train, d.valid, c);
  ASSERT_GE(r.log.size(), 2u);
  int bad = 0;
  for (size_t e = 0; e + 1 < r.log.size(); ++e) {
    const double expect = r.log[e].improved ? r.log[e].lr : std::max(r.log[e].lr * 0.1, 1e-6);
    EXPECT_NEAR(r.log[e + 1].lr, expect, 1e-9 + 1e-6 * expect) << "epoch " << r.log[e + 1].epoch;
    bad = r.log[e].improved ? 0 : bad + 1;
    EXPECT_LT(bad, c.patience) << "training went on after " << c.patience << " bad epochs";
  }
  ASSERT_LT(r.epochs, c.max_epochs) << "expected early stopping on this overfitting setting";
  EXPECT_FALSE(r.log.back().improved);
  EXPECT_FALSE(r.log[r.log.size() - 2].improved);
  EXPECT_EQ(r.log[size_t(r.best_epoch - 1)].valid_auc, r.best_valid_auc);
}

// Early stopping, the lr decay and the restored weights follow the monitored value: AUC, or
// AUC − logloss (FuxiCTR's {AUC: 1, logloss: -1}). The same overfitting run under both monitors.
TEST(CtrTrainer, MonitorChoosesWhatImproves) {
  const auto& d = dataset();
  for (Monitor mon : {Monitor::Auc, Monitor::AucMinusLogloss}) {
    auto m = fresh("DeepFM");
    TrainConfig c = fast_config();
    c.lr = 5e-2f;
    c.max_epochs = 30;
    c.monitor = mon;
    TrainResult r = train(*m, d.train, d.valid, c);
    auto value = [&](const EpochLog& e) { return mon == Monitor::Auc ? e.valid_auc : e.valid_auc - e.valid_logloss; };
    double best = -1e300;
    int best_epoch = 0;
    for (const EpochLog& e : r.log) {
      EXPECT_EQ(e.improved, e.epoch == 1 || value(e) >= best + c.min_delta) << monitor_name(mon) << " epoch " << e.epoch;
      if (e.improved) best = value(e), best_epoch = e.epoch;
    }
    EXPECT_EQ(r.best_epoch, best_epoch) << monitor_name(mon);
    // The restored weights are that epoch's.
    EXPECT_DOUBLE_EQ(evaluate(*m, d.valid, -1, 256).auc, r.log[size_t(best_epoch - 1)].valid_auc) << monitor_name(mon);
  }
  EXPECT_EQ(parse_monitor("auc-logloss"), Monitor::AucMinusLogloss);
  EXPECT_THROW(parse_monitor("AUC"), std::invalid_argument);
}

TEST(CtrTrainer, SameSeedSamePredictions) {
  const auto& d = dataset();
  TrainConfig c = fast_config();
  c.max_epochs = 2;
  for (const std::string& name : backbone_names()) {
    SCOPED_TRACE(name);
    BackboneConfig bc = testing::synthetic_backbone_config(d);
    bc.net_dropout = 0.3f;  // the dropout masks must repeat too
    Rng ra(7), rb(7);
    auto a = make_backbone(name, bc, ra), b = make_backbone(name, bc, rb);
    train(*a, d.train, d.valid, c);
    train(*b, d.train, d.valid, c);
    EXPECT_EQ(predict(*a, d.test), predict(*b, d.test));
  }
}

// Adds a trainable scalar to every logit and an L2 penalty on E.
struct ToyEnhancer : Enhancer {
  Var shift = parameter(Tensor({1}, 0.0f), "toy.shift");
  float l2 = 0;
  bool nan_loss = false;
  int logit_calls = 0, loss_calls = 0;
  std::vector<Var> parameters() override { return {shift}; }
  Var extra_logit(const Var& E, const data::Batch& b) override {
    ++logit_calls;
    EXPECT_EQ(E.dim(0), int64_t(b.size));
    return mul(constant(Tensor({int64_t(b.size)}, 1.0f)), shift);
  }
  Var extra_loss(const Var& E, const Var& h, const Var& y, const data::Batch& b) override {
    ++loss_calls;
    EXPECT_EQ(h.dim(0), int64_t(b.size));
    EXPECT_EQ(y.dim(0), int64_t(b.size));
    if (nan_loss) return mul_scalar(sum_all(E), std::nanf(""));
    return l2 > 0 ? mul_scalar(mean_all(square(E)), l2) : Var();
  }
};

TEST(CtrTrainer, EnhancerHooksChangeTraining) {
  const auto& d = dataset();
  TrainConfig c = fast_config();
  c.max_epochs = 1;
  auto base = fresh("FM"), enhanced = fresh("FM");
  train(*base, d.train, d.valid, c);
  ToyEnhancer toy;
  toy.l2 = 1e4f;
  train(*enhanced, d.train, d.valid, c, &toy);
  EXPECT_GT(toy.loss_calls, 0);
  EXPECT_GT(toy.logit_calls, toy.loss_calls);  // also called by validation
  EXPECT_NE(toy.shift.value()[0], 0.0f);       // its parameter was trained
  // The penalty shrinks the embeddings.
  EXPECT_LT(enhanced->parameter("embedding").value().vec().norm(), 0.5f * base->parameter("embedding").value().vec().norm());
  // Predictions include the extra logit.
  auto with = predict(*enhanced, d.test, 4096, &toy), without = predict(*enhanced, d.test);
  EXPECT_NE(with, without);
}

TEST(CtrTrainer, NanLossStopsNamingEpochAndStep) {
  const auto& d = dataset();
  auto m = fresh("FM");
  ToyEnhancer toy;
  toy.nan_loss = true;
  try {
    train(*m, d.train, d.valid, fast_config(), &toy);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("epoch 1, step 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
  }
  EXPECT_EQ(tape_size(), 0u);
}

TEST(CtrTrainer, RejectsMismatchedFields) {
  const auto& d = dataset();
  BackboneConfig c = testing::synthetic_backbone_config(d);
  c.num_fields = 4;
  Rng rng(1);
  auto m = make_backbone("FM", c, rng);
  EXPECT_THROW(train(*m, d.train, d.valid, fast_config()), std::invalid_argument);
}

TEST(CtrScore, ColdItemRowsAreScoredApart) {
  // Two fields (user, item); item id 7 is the cold id. Rows 1, 3, 4 are cold: labels 1, 0, 1 with
  // scores 0.9, 0.3, 0.2, whose AUC by hand is 1/2 (positive 0.9 beats the negative, 0.2 does not).
  data::Split s;
  s.num_fields = 2;
  s.ids = {0, 5, 1, 7, 0, 6, 1, 7, 2, 7};
  s.labels = {1, 1, 0, 0, 1};
  const std::vector<float> p = {0.8f, 0.9f, 0.4f, 0.3f, 0.2f};
  EvalFields f(0);
  f.item = 1, f.cold_item_id = 7;
  const EvalResult r = score(p, s, f);
  EXPECT_EQ(r.cold_rows, 3u);
  EXPECT_DOUBLE_EQ(r.cold_auc, 0.5);
  EXPECT_DOUBLE_EQ(r.auc, auc(p, s.labels));  // the whole split is scored as before
  EXPECT_EQ(score(p, s, 0).cold_auc, -1);     // no item field: no cold rows
  f.cold_item_id = 6;                          // one cold row (a negative): one class, no AUC
  EXPECT_EQ(score(p, s, f).cold_auc, -1);
  EXPECT_EQ(score(p, s, f).cold_rows, 1u);
}

}  // namespace
}  // namespace llactr
