// The LLM stages data-parallel under mpirun (make check-mpi, R = 2) against one process: SSFT,
// the ELEC vector cache, and ClickPrompt's PA-MLM and fine-tuning. Each reference runs inside the
// same job with ScopedWorld(SingleProcess), on every rank, on the same global batches.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <unordered_map>

#include "../ctr_synthetic.h"
#include "../data_fixtures.h"
#include "../support/random_model.h"
#include "llactr/ctr/trainer.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/llm/train/lora_file.h"
#include "llactr/methods/clickprompt/clickprompt.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/methods/elec/elec_cache.h"
#include "llactr/methods/llactr/ssft.h"
#include "llactr/util/communicator.h"
#include "llactr/util/npy.h"

namespace llactr::methods {
namespace {

using llactr::testing::TempDir;

float max_abs(const std::vector<float>& x) {
  float m = 0;
  for (float v : x) m = std::max(m, std::fabs(v));
  return m;
}

// |a - b| <= tol · max|b| element by element, with the worst ratio in the message.
void expect_close(const std::vector<float>& a, const std::vector<float>& b, float tol, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  const float scale = std::max(max_abs(b), 1e-30f);
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]) / scale);
  EXPECT_LE(worst, tol) << what << ": max |Δ| / max |reference| = " << worst;
}

// Every rank holds the same `x`, bit for bit (they took the same steps from the same sums).
void expect_same_on_every_rank(const std::vector<float>& x, const std::string& what) {
  Communicator& c = world();
  std::vector<size_t> counts;
  const std::vector<float> all = c.allgatherv(x, &counts);
  for (int r = 1; r < c.size(); ++r)
    EXPECT_TRUE(std::equal(x.begin(), x.end(), all.begin() + long(r) * long(x.size()))) << what << ": rank " << r;
}

// ---- SSFT: 1 short epoch on a tiny random model

TEST(MpiSsft, OneEpochMatchesOneProcess) {
  TempDir dir;
  data::Dataset d = llactr::testing::load_ml1m_generated(dir);
  for (data::Field& f : d.schema.fields) f.description = f.name;  // short byte-level prompts
  llm::RandomModelSpec spec;
  spec.n_embd = 16, spec.n_layer = 2, spec.n_head = 4, spec.n_head_kv = 2, spec.n_ff = 24, spec.n_vocab = 260;
  llm::random_model_writer(spec).write(dir.file("tiny.gguf"));
  llactr::testing::write_file(dir.file("prompt.txt"), "value {feature}?");
  SsftOptions o;
  o.model_path = dir.file("tiny.gguf");
  o.prompt_file = dir.file("prompt.txt");
  o.per_field = 10, o.heldout_fraction = 0.3, o.epochs = 1, o.lr = 1e-2f, o.micro_batch = 7, o.accum = 2;
  o.tau = 0.1f, o.progress = false, o.use_cache = false;
  // Both loss terms: the InfoNCE (a mean over texts) and the generative loss (a mean over response
  // tokens, whose share per rank is its tokens / all); LoRA dropout 0.05 (the default) is on.
  o.w_cl = 1.0f, o.w_lg = 0.5f;

  SsftOptions ref_o = o, mpi_o = o;
  ref_o.out_dir = dir.file("ref");
  mpi_o.out_dir = dir.file("mpi");  // rank 0 writes in its own; the other ranks write nothing
  SingleProcess alone;
  SsftResult ref;
  {
    ScopedWorld scope(alone);
    ref = run_ssft(d, ref_o);
  }
  const SsftResult got = run_ssft(d, mpi_o);
  ASSERT_EQ(got.epochs.size(), 2u);
  ASSERT_EQ(ref.epochs.size(), 2u);
  EXPECT_EQ(got.epochs[0].heldout_accuracy, ref.epochs[0].heldout_accuracy);  // untuned: the same forward
  EXPECT_EQ(got.embeddings[0].H, ref.embeddings[0].H);
  // After the epoch: the ranks' gradient sums run in another order than one process's (float
  // rounding, ~1e-7 relative per step), which Adam carries over the epoch's steps. Measured here
  // (1 thread per rank): max |ΔH| / max |H| = 3.0e-7, LoRA weights up to 2.6e-6. 1e-4 leaves room
  // for other machines; not scaling the InfoNCE by the rank's share of texts moves H by 6e-3 and
  // the LoRA weights by 3e-2 .. 4e-1.
  constexpr float kTol = 1e-4f;
  expect_close(got.embeddings[1].H, ref.embeddings[1].H, kTol, "field embeddings after epoch 1");
  EXPECT_NEAR(got.epochs[1].heldout_accuracy, ref.epochs[1].heldout_accuracy, 1e-12);
  EXPECT_NEAR(got.epochs[1].loss, ref.epochs[1].loss, kTol * std::fabs(ref.epochs[1].loss));
  EXPECT_NEAR(got.epochs[1].loss_lg, ref.epochs[1].loss_lg, kTol * std::fabs(ref.epochs[1].loss_lg));
  EXPECT_EQ(got.epochs[1].tokens, ref.epochs[1].tokens);  // every rank counts the whole batches
  expect_same_on_every_rank(got.embeddings[1].H, "field embeddings");

  // The LoRA adapters rank 0 wrote against the reference's.
  Communicator& c = world();
  if (c.is_writer()) {
    const llm::LanguageModel lm = llm::open_language_model(o.model_path);
    llm::TrainableTransformer a(lm.model, o.lora), b(lm.model, o.lora);
    llm::load_lora_adapters(mpi_o.out_dir + "/lora_epoch1.gguf", a);
    llm::load_lora_adapters(ref_o.out_dir + "/lora_epoch1.gguf", b);
    for (size_t i = 0; i < a.lora_parameters().size(); ++i) {
      const Tensor& x = a.lora_parameters()[i].value();
      const Tensor& y = b.lora_parameters()[i].value();
      expect_close(std::vector<float>(x.data(), x.data() + x.numel()), std::vector<float>(y.data(), y.data() + y.numel()),
                   kTol, "LoRA parameter " + std::to_string(i));
    }
  } else {
    EXPECT_FALSE(std::filesystem::exists(mpi_o.out_dir + "/lora_epoch1.gguf")) << "only rank 0 writes";
  }
}

// ---- ELEC's vector cache: a sharded map, gathered

TEST(MpiElec, CacheRowsEqualOneProcessBitForBit) {
  TempDir dir;
  const data::Dataset d = llactr::testing::synthetic_ctr(300);
  llm::random_model_writer(llm::tiny_byte_llama(512)).write(dir.file("tiny.gguf"));
  const llm::LanguageModel lm = llm::open_language_model(dir.file("tiny.gguf"));
  // 7 rows per forward: the 300 rows are 43 chunks, the last one partial, split 21 / 22.
  auto vectors = [&](const std::string& out) {
    return load_or_compute_vectors(d, lm, "sha", "none", out, llm::Pooling::Mean, instance_row_text(d), 7, /*use_cache=*/true, false);
  };
  SingleProcess alone;
  PooledVectors ref;
  {
    ScopedWorld scope(alone);
    ref = vectors(dir.file("ref"));
  }
  // Every rank must see rank 0's cache decision; a per-rank temporary folder has no cache yet.
  const PooledVectors got = vectors(dir.file("mpi"));
  EXPECT_FALSE(got.from_cache);
  // Each rank pools whole chunks of 7 rows, the very forwards one process runs, so every row is
  // expected bit for bit, not within a tolerance.
  EXPECT_EQ(got.train, ref.train);
  EXPECT_EQ(got.valid, ref.valid);
  EXPECT_EQ(got.test, ref.test);
  EXPECT_EQ(got.tokens, ref.tokens);  // summed over the ranks
  if (world().is_writer()) {
    const NpyArray a = read_npy(got.path), b = read_npy(ref.path);
    EXPECT_EQ(a.shape, b.shape);
    EXPECT_EQ(a.data, b.data);  // the one file, written by rank 0
  } else {
    EXPECT_FALSE(std::filesystem::exists(got.path)) << "only rank 0 writes";
  }
}

// ---- ClickPrompt: PA-MLM steps and a fine-tuning step

struct ClickPromptState {
  std::vector<float> backbone, llm, head;  // every parameter, flattened
  double mlm_loss = 0, train_loss = 0, valid_auc = 0;
  int64_t mlm_tokens = 0;
};

ClickPromptState clickprompt_steps(const data::Dataset& d, const llm::LanguageModel& lm) {
  BackboneConfig bc = testing::synthetic_backbone_config(d);
  bc.net_dropout = 0.2f;  // the backbone's dropout masks must be the global batch's rows'
  ClickPromptOptions o;
  o.prompts = 4, o.mlm_epochs = 1, o.mlm_batch = 16, o.mlm_lr = 1e-2f, o.mask_rate = 0.3f;
  o.mode = PromptMode::Input;  // soft input tokens: the dropout rows include each text's prompts
  Rng init(1);
  auto backbone = make_backbone("DeepFM", bc, init);
  PromptedLlm llm(lm.model, backbone->hidden_dim(), o);
  // PA-MLM on 17 texts: one step of 16 (8 per rank), then one of 1 (rank 1 pads, weight 0).
  std::vector<std::vector<int32_t>> texts;
  std::vector<int32_t> ids;
  for (size_t i = 0; i < 17; ++i) {
    texts.push_back(lm.tokenizer.encode(instance_text(d, d.train, i)));
    ids.insert(ids.end(), d.train.row(i), d.train.row(i) + d.train.num_fields);
  }
  ClickPromptState s;
  const PaMlmResult mlm = pa_mlm(*backbone, llm, texts, ids, mlm_vocab(lm.tokenizer.vocab()), o, false);
  s.mlm_loss = mlm.epoch_loss.at(0);
  s.mlm_tokens = mlm.tokens;

  // Fine-tuning (the fused row) with the trainer: 65 rows in batches of 64, one step of 64 and one
  // of 1 (rank 1 pads), then validation on 100 rows.
  data::Split train_rows, valid_rows;
  train_rows.num_fields = valid_rows.num_fields = d.train.num_fields;
  for (size_t i = 0; i < 65; ++i) train_rows.append_row(d.train, 100 + i);
  for (size_t i = 0; i < 100; ++i) valid_rows.append_row(d.valid, i);
  Rng head_init(3);
  ClickPromptHead head(llm.width(), o.alpha, head_init);
  InstanceTokens cache{instance_row_text(d), lm.tokenizer, {}};
  ClickPromptEnhancer enhancer(llm, head, /*plm_only=*/false, cache);
  TrainConfig tc;
  tc.max_epochs = 1, tc.batch_size = 64, tc.lr = 1e-3f, tc.verbose = false;
  const TrainResult tr = train(*backbone, train_rows, valid_rows, tc, &enhancer);
  s.train_loss = tr.log.at(0).train_loss;
  s.valid_auc = tr.log.at(0).valid_auc;
  auto flat = [](const std::vector<Var>& ps) {
    std::vector<float> x;
    for (const Var& p : ps) x.insert(x.end(), p.value().data(), p.value().data() + p.numel());
    return x;
  };
  s.backbone = flat(backbone->parameters());
  s.llm = flat(llm.parameters());
  s.head = flat(head.parameters());
  return s;
}

TEST(MpiClickPrompt, PaMlmAndFineTuningStepsMatchOneProcess) {
  TempDir dir;
  const data::Dataset d = llactr::testing::synthetic_ctr(2000);
  llm::random_model_writer(llm::tiny_byte_llama(512)).write(dir.file("tiny.gguf"));
  const llm::LanguageModel lm = llm::open_language_model(dir.file("tiny.gguf"));
  SingleProcess alone;
  ClickPromptState ref;
  {
    ScopedWorld scope(alone);
    ref = clickprompt_steps(d, lm);
  }
  const ClickPromptState got = clickprompt_steps(d, lm);
  // Four Adam steps from sums taken in another order: float rounding. Adam's first steps move
  // each weight by about lr·sign(g), so a gradient element within rounding of 0 could flip its
  // step; measured here (1 thread per rank) the largest relative difference is 1.8e-7. 1e-4
  // leaves room for other machines; PA-MLM without each rank's share of the chosen tokens moves
  // the backbone and LoRA weights by 3e-2 of their scale.
  constexpr float kTol = 1e-4f;
  expect_close(got.backbone, ref.backbone, kTol, "backbone");
  expect_close(got.llm, ref.llm, kTol, "generator and LoRA");
  expect_close(got.head, ref.head, kTol, "head");
  EXPECT_NEAR(got.mlm_loss, ref.mlm_loss, kTol * std::fabs(ref.mlm_loss));
  EXPECT_NEAR(got.train_loss, ref.train_loss, kTol * std::fabs(ref.train_loss));
  EXPECT_NEAR(got.valid_auc, ref.valid_auc, 1e-5);
  EXPECT_EQ(got.mlm_tokens, ref.mlm_tokens);
  expect_same_on_every_rank(got.llm, "generator and LoRA");
  expect_same_on_every_rank(got.backbone, "backbone");
}

}  // namespace
}  // namespace llactr::methods
