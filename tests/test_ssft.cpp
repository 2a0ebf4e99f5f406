// SSFT: the sampled field-feature data, the prompt template, the field scores, and a short
// end-to-end run on a tiny random model (InfoNCE goes down; files, sidecar and cache behave).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "data_fixtures.h"
#include "llactr/apps/commands.h"
#include "llactr/methods/llactr/ssft.h"
#include "llactr/methods/llactr/ssft_data.h"
#include "llactr/util/json.h"
#include "llactr/util/npy.h"
#include "support/random_model.h"

namespace llactr::methods {
namespace {

using llactr::testing::TempDir;
using llactr::testing::write_file;

TEST(SsftData, SamplesDistinctTrainValuesPerFieldWithHeldOutShare) {
  TempDir dir;
  const data::Dataset d = llactr::testing::load_ml1m_generated(dir);
  const SsftSplit s = sample_field_features(d.encoder, 12, 0.25, 7);
  std::vector<std::set<std::string>> seen(d.schema.num_fields());
  std::vector<int> train(d.schema.num_fields()), held(d.schema.num_fields());
  for (const auto* part : {&s.train, &s.heldout})
    for (const SsftExample& e : *part) {
      EXPECT_NE(e.feature, data::kOovText);
      EXPECT_GT(d.encoder.local_id(e.field, e.feature), 0) << e.feature << " is not a train value";
      EXPECT_TRUE(seen[e.field].insert(e.feature).second) << "duplicate " << e.feature;
      (part == &s.train ? train : held)[e.field]++;
    }
  for (int k = 0; k < d.schema.num_fields(); ++k) {
    const int n = std::min(12, d.encoder.vocab_size(k) - 1);
    EXPECT_EQ(train[k] + held[k], n) << d.schema.fields[k].name;
    EXPECT_EQ(held[k], int(std::lround(0.25 * n))) << d.schema.fields[k].name;
  }
  // Seeded: the same seed gives the same values, another seed others.
  const SsftSplit again = sample_field_features(d.encoder, 12, 0.25, 7);
  const SsftSplit other = sample_field_features(d.encoder, 12, 0.25, 8);
  ASSERT_EQ(again.train.size(), s.train.size());
  bool same = true, differs = false;
  for (size_t i = 0; i < s.train.size(); ++i) {
    same &= again.train[i].feature == s.train[i].feature;
    differs |= other.train[i].feature != s.train[i].feature;
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
  EXPECT_THROW(sample_field_features(d.encoder, 0, 0.1, 1), std::invalid_argument);
  EXPECT_THROW(sample_field_features(d.encoder, 5, 1.0, 1), std::invalid_argument);
}

TEST(SsftData, RendersTheTemplate) {
  data::Schema schema;
  schema.fields = {{"UserID", "UserID: the user."}, {"Title", "Title: the movie's title."}};
  EXPECT_EQ(candidate_fields(schema), "['UserID', 'Title']");
  EXPECT_EQ(render_prompt("The feature is: {feature}.\nThe candidate set is: {fields}.\n{feature}", "Heat (1995)", schema),
            "The feature is: Heat (1995).\nThe candidate set is: ['UserID', 'Title'].\nHeat (1995)");
  TempDir dir;
  write_file(dir.file("bad.txt"), "no placeholder here");
  EXPECT_THROW(read_prompt_template(dir.file("bad.txt")), std::runtime_error);
  EXPECT_THROW(read_prompt_template(dir.file("missing.txt")), std::runtime_error);
  // The shipped template has both placeholders and the released code's wording.
  const std::string shipped = read_prompt_template("experiments/ssft_prompt.txt");
  EXPECT_NE(shipped.find("Given a feature, please answer which field it belongs to."), std::string::npos);
  EXPECT_NE(shipped.find("{fields}"), std::string::npos);
}

TEST(SsftData, FieldScoresByHand) {
  // Two fields along the axes; prompts at 0, 45 (tie -> first field) and 100 degrees.
  const std::vector<float> H = {2, 0, 0, 3};
  const std::vector<float> P = {1, 0, 1, 1, -0.17364818f, 0.98480775f};
  const FieldScores s = field_scores(P, {0, 1, 1}, H, 2, 0.5f);
  EXPECT_NEAR(s.accuracy, 2.0 / 3.0, 1e-12);
  // InfoNCE per row: -log(e^{c_y/tau} / sum_k e^{c_k/tau}) with cosines (1,0), (.7071,.7071), (-.1736,.9848)
  auto nce = [](double cy, double co) { return -std::log(std::exp(cy / 0.5) / (std::exp(cy / 0.5) + std::exp(co / 0.5))); };
  EXPECT_NEAR(s.infonce, (nce(1, 0) + nce(0.70710678, 0.70710678) + nce(0.98480775, -0.17364818)) / 3, 1e-6);
}

// The generated dataset with one-word descriptions, so the byte-level prompts stay short.
data::Dataset short_descriptions(data::Dataset d) {
  for (data::Field& f : d.schema.fields) f.description = f.name;
  return d;
}

// A tiny random model whose byte-fallback vocabulary covers every byte, and a short template.
SsftOptions tiny_run(const TempDir& dir) {
  llm::RandomModelSpec spec;
  spec.n_embd = 16, spec.n_layer = 2, spec.n_head = 4, spec.n_head_kv = 2, spec.n_ff = 24, spec.n_vocab = 260;
  llm::random_model_writer(spec).write(dir.file("tiny.gguf"));
  write_file(dir.file("prompt.txt"), "value {feature}?");
  SsftOptions o;
  o.model_path = dir.file("tiny.gguf");
  o.out_dir = dir.file("out");
  o.prompt_file = dir.file("prompt.txt");
  o.per_field = 10, o.heldout_fraction = 0.3, o.epochs = 3, o.lr = 1e-2f, o.micro_batch = 8;
  o.tau = 0.1f, o.progress = false;
  return o;
}

TEST(Ssft, LoraTrainingLowersInfoNceAndWritesEveryEpoch) {
  TempDir dir;
  const data::Dataset d = short_descriptions(llactr::testing::load_ml1m_generated(dir));
  const SsftOptions o = tiny_run(dir);
  const SsftResult r = run_ssft(d, o);
  ASSERT_EQ(r.epochs.size(), 4u);
  EXPECT_FALSE(r.from_cache);
  EXPECT_LT(r.epochs[3].loss_cl, r.epochs[1].loss_cl);                  // training loss
  EXPECT_LT(r.epochs[3].heldout_infonce, r.epochs[0].heldout_infonce);  // held-out InfoNCE vs the untuned model
  EXPECT_GT(r.epochs[3].tokens, r.epochs[0].tokens);

  const int K = d.schema.num_fields();
  for (int e = 0; e <= 3; ++e) {
    const std::string stem = o.out_dir + "/field_embeddings_epoch" + std::to_string(e);
    const NpyArray a = read_npy(stem + ".npy");
    EXPECT_EQ(a.shape, (std::vector<int64_t>{K, 16}));
    EXPECT_EQ(a.data, r.embeddings[e].H);
    const JsonValue j = parse_json(llactr::testing::read_file(stem + ".json"));
    EXPECT_EQ(j.find("epoch")->text, std::to_string(e));
    EXPECT_EQ(j.find("pooling")->text, "last");
    EXPECT_EQ(j.find("fields")->items.size(), size_t(K));
    EXPECT_EQ(j.find("fields")->items[0].text, "UserID");
    EXPECT_EQ(j.find("model_sha256")->text.size(), 64u);
    EXPECT_EQ(j.find("ssft")->find("lora_rank")->text, "8");
    if (e > 0) {
      EXPECT_TRUE(std::filesystem::exists(o.out_dir + "/lora_epoch" + std::to_string(e) + ".gguf"));
    }
  }
  EXPECT_NE(r.embeddings[0].H, r.embeddings[3].H);  // SSFT moved the field embeddings
}

TEST(Ssft, CacheReusesTheSameRunAndMissesOnChangedSettings) {
  TempDir dir;
  const data::Dataset d = short_descriptions(llactr::testing::load_ml1m_generated(dir));
  SsftOptions o = tiny_run(dir);
  o.epochs = 1, o.per_field = 4;
  const SsftResult first = run_ssft(d, o);
  const SsftResult again = run_ssft(d, o);
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(again.cache_key, first.cache_key);
  EXPECT_EQ(again.embeddings[1].H, first.embeddings[1].H);
  EXPECT_EQ(again.epochs[1].heldout_accuracy, first.epochs[1].heldout_accuracy);
  const FieldEmbeddings h0 = load_or_compute_field_embeddings(d, o, 0);  // cached, the "w/o SSFT" epoch
  EXPECT_EQ(h0.epoch, 0);
  EXPECT_EQ(h0.H, first.embeddings[0].H);
  SsftOptions untuned = o;  // the "w/o SSFT" run alone: its own folder, the full run's cache stays valid
  untuned.epochs = 0;
  const SsftResult zero = run_ssft(d, untuned);
  EXPECT_FALSE(zero.from_cache);
  EXPECT_EQ(zero.embeddings[0].H, first.embeddings[0].H);
  EXPECT_TRUE(run_ssft(d, untuned).from_cache);
  EXPECT_TRUE(run_ssft(d, o).from_cache);
  for (const auto& f : std::filesystem::recursive_directory_iterator(o.out_dir))
    EXPECT_EQ(f.path().string().find(".tmp"), std::string::npos) << f.path();  // written by rename

  o.tau = 0.2f;  // any setting changes the key
  const SsftResult changed = run_ssft(d, o);
  EXPECT_FALSE(changed.from_cache);
  EXPECT_NE(changed.cache_key, first.cache_key);
  o.use_cache = false;
  EXPECT_FALSE(run_ssft(d, o).from_cache);
}

TEST(Ssft, GenerativeLossAndMeanPoolingRun) {
  TempDir dir;
  const data::Dataset d = short_descriptions(llactr::testing::load_ml1m_generated(dir));
  SsftOptions o = tiny_run(dir);
  o.epochs = 2, o.per_field = 4, o.w_cl = 0.5f, o.w_lg = 1.0f, o.pooling = "mean", o.accum = 2;
  const SsftResult r = run_ssft(d, o);
  EXPECT_GT(r.epochs[1].loss_lg, 0.0);
  EXPECT_NEAR(r.epochs[1].loss, 0.5 * r.epochs[1].loss_cl + r.epochs[1].loss_lg, 1e-4);
  EXPECT_LT(r.epochs[2].loss_lg, r.epochs[1].loss_lg);
  o.pooling = "max";
  EXPECT_THROW(run_ssft(d, o), std::invalid_argument);
}

TEST(SsftCommand, UnwritableSsftDirFailsBeforeTheDataIsLoaded) {
  // The data folder exists but holds no data: an error about --ssft-dir proves that the folder
  // was checked before the data was read (reading would fail on the missing u.data).
  TempDir dir;
  llm::random_model_writer(llm::tiny_byte_llama(64)).write(dir.file("m.gguf"));
  std::vector<std::string> args = {"ssft", "--dataset", "ml100k", "--data-dir", dir.str(), "--cache-dir", "",
                                    "--llm-model", dir.file("m.gguf"), "--ssft-dir", "/proc/nope/ssft"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  try {
    cmd_ssft(int(argv.size()), argv.data());
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("--ssft-dir"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace llactr::methods
