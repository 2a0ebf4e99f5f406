// ELEC: options, the instance text, the distillation terms (values, gradients, no gradient into
// G), T's gradient, the vector cache, stage 1 on a random-weight model, the two networks on
// synthetic data, and the served V checkpoint without any GGUF.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "ctr_synthetic.h"
#include "data_fixtures.h"
#include "gradcheck_util.h"
#include "llactr/ctr/checkpoint.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/llm/model/generate.h"
#include "llactr/methods/elec/elec.h"
#include "llactr/tensor/ops.h"
#include "support/random_model.h"

namespace llactr::methods {
namespace {

using testing::expect_grads_match;

const data::Dataset& small_data() {
  static const data::Dataset d = testing::synthetic_ctr(3000);
  return d;
}

TrainConfig quick_train() {
  TrainConfig c;
  c.batch_size = 256;
  c.max_epochs = 2;
  c.verbose = false;
  c.lr = 1e-2f;
  return c;
}

// A tiny llama GGUF with a byte vocabulary (every text tokenises) in dir.
std::string tiny_model(const testing::TempDir& dir, int n_ctx = 128) {
  llm::random_model_writer(llm::tiny_byte_llama(n_ctx)).write(dir.file("tiny.gguf"));
  return dir.file("tiny.gguf");
}

ElecOptions tiny_options(const testing::TempDir& dir, const std::string& model) {
  ElecOptions o;
  o.model_path = model;
  o.out_dir = dir.file("elec");
  o.llm_rows = 200, o.llm_valid_rows = 100, o.llm_epochs = 2, o.llm_batch = 32, o.t_hidden = 16;
  o.llm_lr = 1e-2f;
  o.progress = false;
  return o;
}

TEST(ElecOptions, OutOfRangeValuesNameTheOption) {
  ElecOptions o;
  o.model_path = "m.gguf";
  EXPECT_NO_THROW(o.validate());
  auto expect_bad = [&](auto set, const std::string& name) {
    ElecOptions b = o;
    set(b);
    try {
      b.validate();
      ADD_FAILURE() << name << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--" + name), std::string::npos) << e.what();
    }
  };
  expect_bad([](ElecOptions& b) { b.alpha = -1; }, "elec-alpha");
  expect_bad([](ElecOptions& b) { b.beta = NAN; }, "elec-beta");
  expect_bad([](ElecOptions& b) { b.tau = 0; }, "elec-tau");
  expect_bad([](ElecOptions& b) { b.llm_rows = -5; }, "elec-llm-rows");
  expect_bad([](ElecOptions& b) { b.llm_epochs = 0; }, "elec-llm-epochs");
  expect_bad([](ElecOptions& b) { b.llm_batch = 0; }, "elec-llm-batch");
  expect_bad([](ElecOptions& b) { b.model_path.clear(); }, "llm-model");
  expect_bad([](ElecOptions& b) { b.generate = -1; }, "elec-generate");
  expect_bad([](ElecOptions& b) { b.text_template = "{Item} is a", b.text_fields = "Item"; }, "elec-text-template");
  ElecOptions none;
  none.without_llm = true;
  EXPECT_NO_THROW(none.validate());  // the control needs no model
  EXPECT_EQ(parse_elec_schedule("two-stage"), ElecSchedule::TwoStage);
  EXPECT_EQ(parse_elec_inject("hidden"), ElecInject::Hidden);
  EXPECT_EQ(parse_elec_llm_tune("frozen"), ElecLlmTune::Frozen);
  EXPECT_THROW(parse_elec_inject("both"), std::invalid_argument);
}

// The distillation terms against a direct computation, their gradient, and none into G.
TEST(ElecDistillation, ValueGradientAndStopGradient) {
  Rng rng(3);
  const int64_t B = 5, dV = 4, dG = 3;
  Var zV = random_param({B}, 1), hV = random_param({B, dV}, 2), zG = random_param({B}, 3), hG = random_param({B, dG}, 4);
  Linear W(dV, dG, rng, "W");
  const float alpha = 0.7f, beta = 0.3f, tau = 2.0f;
  Var loss = elec_distillation_loss(zV, hV, zG, hG, W, alpha, beta, tau);
  // Direct: α·mean_b BCE(t_b, σ(zV_b/τ)) with t = σ(zG/τ), + β·mean_b ‖W hV_b + b − hG_b‖² / dG.
  double kd = 0, rep = 0;
  for (int64_t b = 0; b < B; ++b) {
    const double t = 1 / (1 + std::exp(-zG.value()[b] / tau)), q = 1 / (1 + std::exp(-zV.value()[b] / tau));
    kd -= t * std::log(q) + (1 - t) * std::log(1 - q);
    for (int64_t j = 0; j < dG; ++j) {
      double w = W.b.value()[j];
      for (int64_t k = 0; k < dV; ++k) w += W.W.value()[j * dV + k] * hV.value()[b * dV + k];
      rep += (w - hG.value()[b * dG + j]) * (w - hG.value()[b * dG + j]);
    }
  }
  EXPECT_NEAR(loss.value().item(), alpha * kd / B + beta * rep / (B * dG), 1e-5);
  backward(loss);
  for (Var g : {zG, hG}) {
    const Tensor& grad = g.grad();
    for (int64_t i = 0; i < grad.numel(); ++i) EXPECT_EQ(grad[i], 0.0f) << "G got a gradient";
  }
  clear_tape();
  std::vector<Var> inputs{zV, hV, W.W, W.b};
  expect_grads_match([&](const std::vector<Var>&) { return elec_distillation_loss(zV, hV, zG, hG, W, alpha, beta, tau); },
                     inputs);
  // α = β = 0: nothing.
  EXPECT_FALSE(elec_distillation_loss(zV, hV, zG, hG, W, 0, 0, 1));
}

TEST(ElecTower, GradientOfTAndHead) {
  Rng rng(5);
  ElecTower t(6, 4, 5, rng);
  Var p = testing::away_from_zero({3, 6}, 7);
  std::vector<Var> inputs = t.parameters();
  inputs.push_back(p);
  GradCheckOptions opt;
  opt.h = 1e-3;
  opt.atol = 2e-3;
  expect_grads_match([&](const std::vector<Var>&) { return t.logit(p); }, inputs, opt);
  EXPECT_EQ(t.vector(p).shape(), (Shape{3, 4}));
}

TEST(ElecCache, VectorsAreMeanOrLastPooledCachedAndTruncated) {
  testing::TempDir dir;
  const data::Dataset d = testing::synthetic_ctr(800);
  const llm::LanguageModel lm = llm::open_language_model(tiny_model(dir));
  const PooledVectors a = load_or_compute_vectors(d, lm, "sha", "none", dir.file("c"), llm::Pooling::Mean, instance_row_text(d), 64, true, false);
  EXPECT_FALSE(a.from_cache);
  EXPECT_EQ(a.train.size(), d.train.size() * 16);
  EXPECT_EQ(a.test.size(), d.test.size() * 16);
  EXPECT_GT(a.tokens, int64_t(d.num_samples()));
  EXPECT_EQ(a.truncated, 0);
  // Row 7 of valid equals the mean of its own forward (batch 1, padded API).
  const auto seq = lm.tokenizer.encode(instance_text(d, d.valid, 7));
  const llm::ForwardOutput f = llm::forward(lm.model, {seq}, {llm::LogitsMode::None, false});
  for (int j = 0; j < 16; ++j) {
    double m = 0;
    for (size_t t = 0; t < seq.size(); ++t) m += f.hidden[t * 16 + j];
    EXPECT_NEAR(a.valid[7 * 16 + j], m / double(seq.size()), 1e-4);
  }
  const PooledVectors b = load_or_compute_vectors(d, lm, "sha", "none", dir.file("c"), llm::Pooling::Mean, instance_row_text(d), 64, true, false);
  EXPECT_TRUE(b.from_cache);
  EXPECT_EQ(b.test, a.test);
  EXPECT_EQ(b.tokens, a.tokens);  // the cost of computing them, from the sidecar
  EXPECT_GT(b.seconds, 0.0);
  const PooledVectors c = load_or_compute_vectors(d, lm, "sha", "other-lora", dir.file("c"), llm::Pooling::Mean, instance_row_text(d), 64, true, false);
  EXPECT_NE(c.key, a.key);  // other adapters, other file
  EXPECT_FALSE(c.from_cache);
  // --elec-pool last: row 7 of valid is its forward's last hidden state, in a file of its own.
  const PooledVectors l = load_or_compute_vectors(d, lm, "sha", "none", dir.file("c"), llm::Pooling::Last, instance_row_text(d), 64, true, false);
  EXPECT_NE(l.key, a.key);
  EXPECT_FALSE(l.from_cache);
  for (int j = 0; j < 16; ++j) EXPECT_NEAR(l.valid[7 * 16 + j], f.hidden[(seq.size() - 1) * 16 + j], 1e-4);

  // Rows that share a text share its one forward: five contexts, five texts' tokens.
  const RowText context = [&](const data::Split& s, size_t i) { return template_text(d, s, i, "context {Context}"); };
  const PooledVectors x = load_or_compute_vectors(d, lm, "sha", "none", dir.file("c"), llm::Pooling::Mean, context, 64, true, false);
  std::map<std::string, int64_t> tokens;
  for (const data::Split* s : {&d.train, &d.valid, &d.test})
    for (size_t i = 0; i < s->size(); ++i) tokens[context(*s, i)] = int64_t(lm.tokenizer.encode(context(*s, i)).size());
  ASSERT_EQ(tokens.size(), 5u);
  int64_t sum = 0;
  for (const auto& [t, n] : tokens) sum += n;
  EXPECT_EQ(x.tokens, sum);
  for (size_t i = 0; i < d.valid.size(); ++i) {
    if (context(d.valid, i) != context(d.train, 0)) continue;
    for (int j = 0; j < 16; ++j) ASSERT_EQ(x.valid[i * 16 + j], x.train[size_t(j)]);
  }

  // A context shorter than the texts: every row is cut, and counted.
  testing::TempDir dir2;
  const llm::LanguageModel short_lm = llm::open_language_model(tiny_model(dir2, 8));
  const PooledVectors s = load_or_compute_vectors(d, short_lm, "sha", "none", dir2.file("c"), llm::Pooling::Mean, instance_row_text(d), 64, false, false);
  EXPECT_EQ(s.truncated, int64_t(d.num_samples()));
  std::set<std::string> texts;  // a (user, item, context) may recur: one forward per distinct text
  for (const data::Split* sp : {&d.train, &d.valid, &d.test})
    for (size_t i = 0; i < sp->size(); ++i) texts.insert(instance_text(d, *sp, i));
  EXPECT_EQ(s.tokens, int64_t(texts.size()) * 8);
}

// --elec-text-template and --elec-generate (method_row_text, which ClickPrompt's options reach too):
// each distinct text is continued once, greedily, by the model given; the rows' texts are the
// prompt and its continuation, as llm::generate writes them.
TEST(ElecText, TemplateAndGenerationAreTheRowsText) {
  testing::TempDir dir;
  const data::Dataset& d = small_data();
  const llm::LanguageModel lm = llm::open_language_model(tiny_model(dir, 32));  // "item i11 is": 19 tokens
  ElecOptions o = tiny_options(dir, dir.file("tiny.gguf"));
  o.text_template = "item {Item} is";
  GenerationCost none;
  const RowText plain = method_row_text(d, o.text(), "elec", lm, false, none);
  const std::string prompt = "item " + template_text(d, d.valid, 3, "{Item}") + " is";
  EXPECT_EQ(plain(d.valid, 3), prompt);
  EXPECT_EQ(none.texts, 0);  // no generation, no cost

  o.generate = 6;
  GenerationCost cost;
  const RowText text = method_row_text(d, o.text(), "elec", lm, false, cost);
  std::vector<int32_t> ids = lm.tokenizer.encode(prompt);
  llm::Sampler greedy(llm::SamplerOptions{}, lm.model.config.n_vocab);
  const std::vector<int32_t> more = llm::generate(lm.model, ids, 6, greedy, lm.tokenizer.eos());
  ids.insert(ids.end(), more.begin(), more.end());
  EXPECT_EQ(text(d.valid, 3), lm.tokenizer.decode(ids));
  EXPECT_EQ(text(d.valid, 3).rfind(prompt, 0), 0u);  // the prompt, then what the model wrote
  // The synthetic data's 40 items: one continuation each, whichever rows share it.
  EXPECT_EQ(cost.texts, 40);
  EXPECT_GT(cost.tokens, 40 * 6);
  for (size_t i = 0; i < d.train.size(); ++i)
    if (template_text(d, d.train, i, "{Item}") == template_text(d, d.valid, 3, "{Item}")) {
      EXPECT_EQ(text(d.train, i), text(d.valid, 3));
      break;
    }
  // A text longer than the context is not continued (tokenize_rows cuts it).
  o.text_template = "{User} {Item} {Context} and a long tail of words past the context";
  GenerationCost cut;
  EXPECT_EQ(method_row_text(d, o.text(), "elec", lm, false, cut)(d.test, 0), template_text(d, d.test, 0, o.text_template));
  // Rows that share a text share its one continuation: the synthetic data's five contexts.
  o.text_template = "{Context} only";
  GenerationCost c2;
  method_row_text(d, o.text(), "elec", lm, false, c2);
  EXPECT_EQ(c2.texts, 5);
}

TEST(ElecStage1, MissingOrForeignModelFailsBeforeTraining) {
  testing::TempDir dir;
  ElecOptions o = tiny_options(dir, dir.file("absent.gguf"));
  EXPECT_THROW(prepare_elec(small_data(), 8, o), std::runtime_error);
  llm::RandomModelSpec spec;
  spec.n_vocab = 260;
  auto w = llm::random_model_writer(spec);
  w.set_string("general.architecture", "gpt2");
  w.write(dir.file("gpt2.gguf"));
  o.model_path = dir.file("gpt2.gguf");
  try {
    prepare_elec(small_data(), 8, o);
    ADD_FAILURE() << "a gpt2 file was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("gpt2"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(o.out_dir));  // nothing was written
}

// Stage 1 in both modes on a random model, then ELEC on two backbones: V and G train, V is the
// served model, and its checkpoint predicts bit-identically with the GGUF gone.
TEST(Elec, StagesAndNetworksEndToEnd) {
  testing::TempDir dir;
  const data::Dataset& d = small_data();
  ElecOptions o = tiny_options(dir, tiny_model(dir));
  for (ElecLlmTune tune : {ElecLlmTune::Frozen, ElecLlmTune::Lora}) {
    o.llm_tune = tune;
    const ElecPrepared prep = prepare_elec(d, 8, o);
    EXPECT_GE(prep.llm_epochs, 1);
    EXPECT_GT(prep.llm_test.auc, 0.0);
    EXPECT_GT(prep.llm_us_per_sample, 0.0);
    EXPECT_EQ(prep.vectors.dim, 16);
    EXPECT_EQ(prep.lora_sha256 == "none", tune == ElecLlmTune::Frozen);
    if (tune == ElecLlmTune::Lora) {
      EXPECT_GT(prep.stage1_tokens, 0);
    }
  }
  const ElecPrepared prep = prepare_elec(d, 8, o);  // lora, vectors from the cache now
  EXPECT_TRUE(prep.vectors.from_cache);
  std::vector<std::vector<float>> served;
  for (const std::string backbone : {"FM", "DeepFM"}) {
    ElecResult r = run_elec(d, backbone, testing::synthetic_backbone_config(d), quick_train(), prep, o);
    EXPECT_GT(r.vanilla.auc, 0.6) << backbone;  // the synthetic signal is learnable
    EXPECT_GT(r.gain.auc, 0.6) << backbone;
    EXPECT_GT(r.gain.infer_us_per_sample, prep.llm_us_per_sample);
    EXPECT_EQ(r.gain_model->config().extra_fields, 1);
    EXPECT_EQ(r.vanilla_model->config().extra_fields, 0);
    save_checkpoint(dir.file(backbone + ".ckpt"), *r.vanilla_model, d.encoder);
    EXPECT_THROW(save_checkpoint(dir.file("g.ckpt"), *r.gain_model, d.encoder), std::invalid_argument);
    served.push_back(predict(*r.vanilla_model, d.test));
  }
  std::filesystem::remove(o.model_path);
  std::filesystem::remove_all(o.out_dir);
  int k = 0;
  for (const std::string backbone : {"FM", "DeepFM"}) {
    LoadedCheckpoint l = load_checkpoint(dir.file(backbone + ".ckpt"));
    EXPECT_EQ(predict(*l.model, d.test), served[k++]) << backbone;
  }
}

// The two-stage schedule: G trains first and is then fixed, so V's distillation leaves G's
// weights unchanged; the without-LLM control runs with no model at all; hidden injection works.
TEST(Elec, TwoStageFixesGainAndControlsRun) {
  const data::Dataset& d = small_data();
  ElecOptions o;
  o.without_llm = true;
  o.progress = false;
  const ElecPrepared none = prepare_elec(d, 8, o);
  EXPECT_TRUE(none.without_llm);
  o.schedule = ElecSchedule::TwoStage;
  ElecResult r = run_elec(d, "FwFM", testing::synthetic_backbone_config(d), quick_train(), none, o);
  EXPECT_GE(r.gain_train.epochs, 1);
  EXPECT_GT(r.vanilla.auc, 0.6);
  // One more distillation step of V with the fixed G changes V and leaves G and T untouched.
  Rng rng(2);
  ElecInjector inj(none, ElecInject::Field, 8, rng);
  ElecDistiller dist(*r.gain_model, inj, r.vanilla_model->hidden_dim(), false, o, rng);
  EXPECT_EQ(dist.parameters().size(), 2u);  // W and its bias only
  std::vector<Tensor> g0, v0;
  for (const Var& p : r.gain_model->parameters()) g0.push_back(p.value());
  for (const Var& p : r.vanilla_model->parameters()) v0.push_back(p.value());
  data::BatcherOptions bo;
  bo.batch_size = 64;
  data::Batcher batcher(d.train, bo);
  data::Batch batch;
  batcher.start_epoch(0);
  ASSERT_TRUE(batcher.next(batch));
  std::vector<Var> params = r.vanilla_model->parameters();
  for (const Var& p : dist.parameters()) params.push_back(p);
  Adam opt(params, AdamOptions{});
  Rng drop(3);
  train_step(*r.vanilla_model, batch, ForwardContext{true, &drop}, opt, params, 10.0f, &dist);
  for (size_t i = 0; i < g0.size(); ++i)
    for (int64_t j = 0; j < g0[i].numel(); ++j) ASSERT_EQ(r.gain_model->parameters()[i].value()[j], g0[i][j]);
  bool v_moved = false;
  for (size_t i = 0; i < v0.size(); ++i)
    for (int64_t j = 0; j < v0[i].numel(); ++j) v_moved |= r.vanilla_model->parameters()[i].value()[j] != v0[i][j];
  EXPECT_TRUE(v_moved);
  o.schedule = ElecSchedule::Joint;
  o.inject = ElecInject::Hidden;
  o.alpha = 0;
  ElecResult h = run_elec(d, "FM", testing::synthetic_backbone_config(d), quick_train(), none, o);
  EXPECT_EQ(h.gain_model->config().extra_fields, 0);
  EXPECT_GT(h.vanilla.auc, 0.6);
}

TEST(ElecBatcher, CarriesDenseRows) {
  const data::Dataset& d = small_data();
  std::vector<float> p(d.valid.size() * 2);
  for (size_t i = 0; i < d.valid.size(); ++i) p[2 * i] = float(i), p[2 * i + 1] = -float(i);
  const data::Split s = with_vectors(d.valid, p, 2);
  data::BatcherOptions bo;
  bo.batch_size = 7;
  bo.seed = 3;
  data::Batcher b(s, bo);
  data::Batch batch;
  b.start_epoch(0);
  ASSERT_TRUE(b.next(batch));
  ASSERT_EQ(batch.dense_dim, 2);
  for (size_t i = 0; i < batch.size; ++i) {
    const size_t row = size_t(batch.dense[2 * i]);
    EXPECT_EQ(batch.dense[2 * i + 1], -float(row));
    EXPECT_EQ(batch.labels[i], d.valid.labels[row]);
    EXPECT_EQ(batch.ids[i * 3], d.valid.row(row)[0]);
  }
  data::Split bad = s;
  bad.dense.pop_back();
  EXPECT_THROW(data::Batcher(bad, bo), std::invalid_argument);
}

}  // namespace
}  // namespace llactr::methods
