// ClickPrompt with its language model: PA-MLM on a random-weight llama file (the loss falls; the
// backbone up to h, the generator and LoRA train and nothing else moves; under full tuning every
// weight of the LLM trains), its errors before
// training (no LM head; K + text past the context), a gradient check through the prefix into the
// generator, h and the backbone, the method's option errors before any data, and the three rows
// end to end with the served clickprompt-ctr checkpoint predicting bit-identically with no GGUF;
// PA-MLM and the fine-tunings stopped after an epoch and resumed end as an uninterrupted run, bit for bit.
#include <gtest/gtest.h>

#include <cstring>

#include <filesystem>
#include <map>
#include <set>

#include "ctr_synthetic.h"
#include "data_fixtures.h"
#include "gradcheck_util.h"
#include "llactr/ctr/checkpoint.h"
#include "llactr/ctr/trainer_state.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/methods/clickprompt/clickprompt.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/methods/method.h"
#include "llactr/tensor/ops.h"
#include "support/random_model.h"

namespace llactr::methods {
namespace {

using testing::expect_grads_match;

const data::Dataset& small_data() {
  static const data::Dataset d = testing::synthetic_ctr(2000);
  return d;
}

// A tiny llama GGUF with a byte vocabulary (every text tokenises; it has <unk>, the mask token).
std::string tiny_model(const testing::TempDir& dir, int n_ctx = 512) {
  llm::random_model_writer(llm::tiny_byte_llama(n_ctx)).write(dir.file("tiny.gguf"));
  return dir.file("tiny.gguf");
}

// The method's setup on the tiny model, without progress lines.
MethodSetup quiet_setup(const testing::TempDir& dir) {
  MethodSetup s;
  s.llm_model = tiny_model(dir);
  s.quiet = true;
  return s;
}

ClickPromptOptions tiny_options() {
  ClickPromptOptions o;
  o.prompts = 4;
  o.mlm_epochs = 4;
  o.mlm_batch = 16;
  o.mlm_lr = 1e-2f;
  o.mask_rate = 0.3f;
  o.finetune_batch = 64;
  return o;
}

struct Texts {
  std::vector<std::vector<int32_t>> tokens;
  std::vector<int32_t> ids;
};
Texts train_texts(const data::Dataset& d, const llm::Tokenizer& tok, size_t n) {
  Texts t;
  for (size_t i = 0; i < n; ++i) {
    t.tokens.push_back(tok.encode(instance_text(d, d.train, i)));
    t.ids.insert(t.ids.end(), d.train.row(i), d.train.row(i) + d.train.num_fields);
  }
  return t;
}

// 1 where the parameter's gradient of sum(h) is not identically zero: the part of the backbone h depends on.
std::vector<bool> feeds_h(Backbone& b, const data::Dataset& d) {
  const Var E = b.embed(d.train.row(0), 64);
  b.logit(E, d.train.row(0), {});
  backward(sum_all(b.hidden()));
  std::vector<bool> feeds;
  for (Var p : b.parameters()) {
    bool any = false;
    for (int64_t i = 0; p.has_grad() && i < p.numel(); ++i) any |= p.grad()[i] != 0.0f;
    feeds.push_back(any);
    if (p.has_grad()) p.grad().fill(0.0f);
  }
  return feeds;
}

bool changed(const Tensor& a, const Tensor& b) {
  for (int64_t i = 0; i < a.numel(); ++i)
    if (a[i] != b[i]) return true;
  return false;
}

// PA-MLM on 160 texts: the masked-token loss falls over 4 epochs, for both prompt modes and both
// masks; the backbone's parameters h depends on, the generator and LoRA move, and the rest of the
// backbone (its output layer) keeps its initial value exactly.
TEST(PaMlm, LossFallsAndOnlyWhatFeedsThePromptsTrains) {
  testing::TempDir dir;
  const llm::LanguageModel lm = llm::open_language_model(tiny_model(dir));
  const data::Dataset& d = small_data();
  const Texts texts = train_texts(d, lm.tokenizer, 160);
  const MlmVocab vocab = mlm_vocab(lm.tokenizer.vocab());
  for (PromptMode mode : {PromptMode::Prefix, PromptMode::Input}) {
    for (PromptAttention att : {PromptAttention::Bidirectional, PromptAttention::Causal}) {
      SCOPED_TRACE(std::string(prompt_mode_name(mode)) + " " + prompt_attention_name(att));
      ClickPromptOptions o = tiny_options();
      o.mode = mode, o.attention = att;
      Rng init(1);
      auto b = make_backbone("DeepFM", testing::synthetic_backbone_config(d), init);
      PromptedLlm llm(lm.model, b->hidden_dim(), o);
      const std::vector<bool> feeds = feeds_h(*b, d);
      std::vector<Tensor> b0, l0;
      for (const Var& p : b->parameters()) b0.push_back(p.value());
      for (const Var& p : llm.parameters()) l0.push_back(p.value());
      const PaMlmResult r = pa_mlm(*b, llm, texts.tokens, texts.ids, vocab, o, false);
      ASSERT_EQ(r.epoch_loss.size(), 4u);
      EXPECT_LT(r.epoch_loss.back(), 0.9 * r.epoch_loss.front());
      EXPECT_EQ(r.steps, 40);
      EXPECT_GT(r.tokens, 160 * 50);  // byte tokens: every text is over 50 long
      EXPECT_GT(r.seconds, 0.0);
      bool some_fed = false, some_not = false;
      for (size_t i = 0; i < b0.size(); ++i) {
        EXPECT_EQ(changed(b->parameters()[i].value(), b0[i]), bool(feeds[i])) << b->parameters()[i].name();
        (feeds[i] ? some_fed : some_not) = true;
      }
      EXPECT_TRUE(some_fed && some_not);  // DeepFM has both (its MLP; its output layer and first-order weights)
      for (size_t i = 0; i < l0.size(); ++i) EXPECT_TRUE(changed(llm.parameters()[i].value(), l0[i])) << i;
    }
  }
}

// --clickprompt-llm-tune full: the LLM's parameters are its weights (every tensor of the file, by
// name) with no adapters, and PA-MLM trains them all: the loss falls and every one of them moves.
TEST(PaMlm, FullTuningTrainsEveryWeightOfTheLlm) {
  testing::TempDir dir;
  const std::string path = tiny_model(dir);
  const llm::LanguageModel lm = llm::open_language_model(path);
  const data::Dataset& d = small_data();
  const Texts texts = train_texts(d, lm.tokenizer, 160);
  ClickPromptOptions o = tiny_options();
  o.llm_tune = llm::TuneMode::Full;
  Rng init(1);
  auto b = make_backbone("DeepFM", testing::synthetic_backbone_config(d), init);
  PromptedLlm llm(lm.model, b->hidden_dim(), o);
  const std::vector<Var> params = llm.parameters();
  std::set<std::string> llm_names, file_names;
  for (const Var& p : params)
    if (p.name().rfind("clickprompt.generator", 0) != 0) llm_names.insert(p.name());
  const gguf::GgufFile file = gguf::GgufFile::open(path);
  for (const gguf::TensorInfo& t : file.tensors()) file_names.insert(t.name);
  EXPECT_EQ(llm_names, file_names);
  std::vector<Tensor> l0;
  for (const Var& p : params) l0.push_back(p.value());
  const PaMlmResult r = pa_mlm(*b, llm, texts.tokens, texts.ids, mlm_vocab(lm.tokenizer.vocab()), o, false);
  EXPECT_LT(r.epoch_loss.back(), 0.9 * r.epoch_loss.front());
  for (size_t i = 0; i < params.size(); ++i) EXPECT_TRUE(changed(params[i].value(), l0[i])) << params[i].name();
}

TEST(PaMlm, NoLmHeadOrPromptsPastTheContextFailBeforeTraining) {
  testing::TempDir dir;
  const data::Dataset& d = small_data();
  llm::LanguageModel lm = llm::open_language_model(tiny_model(dir, 64));
  const Texts texts = train_texts(d, lm.tokenizer, 16);
  size_t longest = 0;
  for (const auto& t : texts.tokens) longest = std::max(longest, t.size());
  ASSERT_GT(longest, 40u);  // byte tokens
  ClickPromptOptions o = tiny_options();
  o.prompts = int(64 - longest + 1);  // one position too many
  Rng init(1);
  auto b = make_backbone("FM", testing::synthetic_backbone_config(d), init);
  const Tensor table = b->parameters()[0].value();
  PromptedLlm llm(lm.model, b->hidden_dim(), o);
  try {
    pa_mlm(*b, llm, texts.tokens, texts.ids, mlm_vocab(lm.tokenizer.vocab()), o, false);
    ADD_FAILURE() << "a prefix past the context was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("exceed the model's context of 64"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(changed(b->parameters()[0].value(), table));  // nothing trained
  o.prompts -= 1;
  PromptedLlm fits(lm.model, b->hidden_dim(), o);
  EXPECT_NO_THROW(fits.check_context(longest));

  llm::Model headless = lm.model;
  headless.weights.output = {};
  headless.weights.token_embd = {};
  try {
    PromptedLlm none(headless, 4, o);
    ADD_FAILURE() << "a model without an LM head was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no LM head"), std::string::npos) << e.what();
  }
}

// The chain PA-MLM and fine-tuning differentiate: ids -> the backbone's E and h -> the generator
// -> prefix keys/values (or soft tokens) -> the LLM with LoRA -> hidden states and LM logits.
TEST(PromptedLlm, GradCheckThroughPromptsIntoGeneratorHAndBackbone) {
  testing::TempDir dir;
  const llm::LanguageModel lm = llm::open_language_model(tiny_model(dir));
  BackboneConfig bc;
  bc.num_fields = 3, bc.vocab_size = 9, bc.embedding_dim = 4, bc.embedding_std = 0.5f;
  const std::vector<int32_t> ids = {0, 3, 6, 2, 4, 8};  // 2 rows
  const llm::PackedBatch packed = llm::pack_sequences({{1, 70, 71, 72, 73}, {1, 80, 81, 82}});
  for (PromptMode mode : {PromptMode::Prefix, PromptMode::Input}) {
    SCOPED_TRACE(prompt_mode_name(mode));
    ClickPromptOptions o;
    o.prompts = 2, o.prompt_hidden = 6, o.mode = mode, o.lora_rank = 2, o.lora_alpha = 2;  // LoRA scale 1
    Rng init(3);
    auto b = make_backbone("FwFM", bc, init);
    PromptedLlm llm(lm.model, b->hidden_dim(), o);
    std::vector<Var> inputs = b->parameters();
    for (Var p : llm.parameters()) {
      inputs.push_back(p);
      for (int64_t i = 0; i < p.numel(); ++i)  // LoRA's B starts at zero; give every weight a gradient path
        if (p.value()[i] == 0.0f) p.value()[i] = 0.05f * float(int(i % 7) - 3);
    }
    expect_grads_match(
        [&](const std::vector<Var>&) {
          const Var E = b->embed(ids.data(), 2);
          b->logit(E, ids.data(), {});
          const llm::TrainableOutput out = llm.forward(b->hidden(), packed, false);
          return concat({reshape(out.hidden, {-1}), reshape(llm.lm_logits(out.last), {-1})}, 0);
        },
        inputs);
  }
}

OptionValues options_with(std::map<std::string, std::string> given) {
  std::map<std::string, std::string> v;
  for (const Option& o : method_entry("clickprompt").options) v[o.name] = o.default_value;
  for (auto& [k, x] : given) v[k] = x;
  return OptionValues(v);
}

// make() checks every value and the GGUF's presence: all before run_experiment loads any data.
TEST(ClickPromptMethod, OptionErrorsComeFromMakeBeforeAnyData) {
  testing::TempDir dir;
  const MethodEntry& e = method_entry("clickprompt");
  MethodSetup s;
  s.llm_model = tiny_model(dir);
  s.options = options_with({});
  EXPECT_NO_THROW(e.make(s));
  EXPECT_EQ(e.row_names(s.options), (std::vector<std::string>{"clickprompt", "clickprompt-plm", "clickprompt-ctr"}));
  EXPECT_EQ(e.row_names(options_with({{"clickprompt-rows", "ctr"}})), std::vector<std::string>{"clickprompt-ctr"});
  // K of 100000 prompts cannot fit the model's context: make() opens the model and says so.
  for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{{"clickprompt-prompts", "-1"},
                                                                              {"clickprompt-prompts", "100000"},
                                                                              {"clickprompt-rows", "ctr,ctr"},
                                                                              {"clickprompt-rows", "all"},
                                                                              {"clickprompt-finetune-batch", "0"},
                                                                              {"clickprompt-mlm-rows", "-5"}}) {
    s.options = options_with({{name, value}});
    try {
      e.make(s);
      ADD_FAILURE() << name << " " << value << " was accepted";
    } catch (const std::invalid_argument& err) {
      EXPECT_NE(std::string(err.what()).find(name), std::string::npos) << err.what();
    }
  }
  s.options = options_with({});
  s.llm_model = dir.file("absent.gguf");
  EXPECT_THROW(e.make(s), std::runtime_error);
}

// --clickprompt-text-fields: the LLM reads the chosen fields' sentences only, each text tokenised
// once; a name the schema lacks fails in prepare(), once the schema is known and before any run.
TEST(ClickPromptMethod, TextFieldsChooseTheSentencesTheLlmReads) {
  testing::TempDir dir;
  const data::Dataset& d = small_data();
  const llm::LanguageModel lm = llm::open_language_model(tiny_model(dir));
  const std::vector<int> item_field = text_fields(d.schema, "Item", "clickprompt-text-fields");
  InstanceTokens item{instance_row_text(d, item_field), lm.tokenizer, {}};
  const std::string text = instance_text(d, d.train, 0, item_field);
  EXPECT_EQ(text.rfind("Item is ", 0), 0u) << text;  // the item's sentence alone
  EXPECT_EQ(text.find("User"), std::string::npos) << text;
  EXPECT_EQ(item.of(d.train, 0), lm.tokenizer.encode(text));
  InstanceTokens every{instance_row_text(d), lm.tokenizer, {}};  // no fields: the whole instance text
  EXPECT_EQ(every.of(d.train, 0), lm.tokenizer.encode(instance_text(d, d.train, 0)));
  EXPECT_GT(every.of(d.train, 0).size(), item.of(d.train, 0).size());
  EXPECT_EQ(every.by_text.size(), 1u);  // tokenised once

  MethodSetup s;
  s.llm_model = tiny_model(dir);
  s.options = options_with({{"clickprompt-text-fields", "Item,Price"}});
  std::unique_ptr<Method> m = method_entry("clickprompt").make(s);
  try {
    m->prepare(d);
    ADD_FAILURE() << "an unknown field was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--clickprompt-text-fields: 'Price' is not a field"), std::string::npos)
        << e.what();
  }
  s.options = options_with({{"clickprompt-text-template", "{Item} costs {Price}"}});
  EXPECT_NE(testing::error_of([&] { method_entry("clickprompt").make(s)->prepare(d); }).find("--clickprompt-text-template"),
            std::string::npos);
  s.options = options_with({{"clickprompt-text-template", "{Item} is"}, {"clickprompt-text-fields", "Item"}});
  EXPECT_NE(testing::error_of([&] { method_entry("clickprompt").make(s); }).find("is exclusive with --clickprompt-text-fields"),
            std::string::npos);
}

// --clickprompt-text-template and --clickprompt-generate: the untuned model continues each distinct
// text once (in prepare), and PA-MLM reads the continuations: more tokens than the bare template,
// every row's LLM cost counting the generation's.
TEST(ClickPromptMethod, TemplateAndGenerationAreWhatPaMlmReads) {
  testing::TempDir dir;
  const data::Dataset& d = small_data();
  MethodSetup s = quiet_setup(dir);
  TrainConfig tc;
  tc.batch_size = 256, tc.max_epochs = 1, tc.verbose = false;
  const BackboneConfig bc = testing::synthetic_backbone_config(d);
  auto settings_of = [&](const std::string& generate) {
    s.options = options_with({{"clickprompt-prompts", "2"}, {"clickprompt-mlm-rows", "64"}, {"clickprompt-rows", "ctr"},
                              {"clickprompt-text-template", "item {Item} is"}, {"clickprompt-generate", generate}});
    std::unique_ptr<Method> m = method_entry("clickprompt").make(s);
    m->prepare(d);
    const MethodRow r = m->run(d, "FM", bc, tc).at(0);
    std::map<std::string, std::string> own(r.settings.begin(), r.settings.end());
    EXPECT_EQ(double(r.llm_tokens), std::stod(own["generate_tokens"]) + std::stod(own["mlm_tokens"])) << generate;
    return own;
  };
  std::map<std::string, std::string> bare = settings_of("0"), written = settings_of("3");
  EXPECT_EQ(bare["generate_tokens"], "0");
  EXPECT_EQ(written["clickprompt_generate"], "3");
  EXPECT_EQ(written["clickprompt_text_template"], "\"item {Item} is\"");
  EXPECT_GT(std::stod(written["generate_tokens"]), 0.0);
  // The same 64 rows, each text its template and what the model wrote after it.
  EXPECT_GT(std::stod(written["mlm_tokens"]), std::stod(bare["mlm_tokens"]));
}

// The method from the table on two seeds' worth of rows: PA-MLM, then the three fine-tunings.
// The LLM rows pay the LLM at inference; clickprompt-ctr is served, and its checkpoint predicts
// bit-identically after the GGUF is deleted.
TEST(ClickPromptMethod, ThreeRowsEndToEndAndCtrServesWithoutGguf) {
  testing::TempDir dir;
  const data::Dataset& d = small_data();
  MethodSetup s = quiet_setup(dir);
  s.options = options_with({{"clickprompt-prompts", "4"}, {"clickprompt-mlm-rows", "200"},
                            {"clickprompt-mlm-batch", "32"}, {"clickprompt-mlm-lr", "1e-2"},
                            {"clickprompt-finetune-rows", "1000"}, {"clickprompt-finetune-valid-rows", "150"}});
  std::unique_ptr<Method> m = method_entry("clickprompt").make(s);
  TrainConfig tc;
  tc.batch_size = 256, tc.max_epochs = 4, tc.verbose = false;
  const BackboneConfig bc = testing::synthetic_backbone_config(d);
  const std::vector<MethodRow> rows = m->run(d, "DeepFM", bc, tc);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].method, "clickprompt");
  EXPECT_EQ(rows[1].method, "clickprompt-plm");
  EXPECT_EQ(rows[2].method, "clickprompt-ctr");
  std::map<std::string, std::string> settings(rows[0].settings.begin(), rows[0].settings.end());
  EXPECT_EQ(settings["clickprompt_mlm_rows"], "200");
  EXPECT_EQ(settings["clickprompt_finetune_rows"], "1000");
  EXPECT_EQ(settings["clickprompt_finetune_valid_rows"], "150");
  EXPECT_GT(std::stod(settings["mlm_tokens"]), 200 * 50.0);
  EXPECT_GT(std::stod(settings["mlm_seconds"]), 0.0);
  for (const MethodRow& r : rows) {
    std::map<std::string, std::string> own(r.settings.begin(), r.settings.end());
    EXPECT_EQ(own["generate_tokens"], "0") << r.method;
    EXPECT_EQ(double(r.llm_tokens), std::stod(own["mlm_tokens"]) + std::stod(own["finetune_tokens"])) << r.method;
    EXPECT_GE(r.train.epochs, 1) << r.method;
    EXPECT_GT(r.test.auc, 0.55) << r.method;  // the synthetic signal is learnable
    EXPECT_GT(r.test.infer_us_per_sample, 0.0) << r.method;
    EXPECT_EQ(bool(r.served), r.method == "clickprompt-ctr") << r.method;
  }
  // A real LLM forward per sample costs more than the backbone alone.
  EXPECT_GT(rows[0].test.infer_us_per_sample, rows[2].test.infer_us_per_sample);
  EXPECT_GT(std::stod(std::map<std::string, std::string>(rows[1].settings.begin(), rows[1].settings.end())["finetune_tokens"]), 0.0);

  const std::vector<float> served = predict(*rows[2].served, d.test);
  save_checkpoint(dir.file("ctr.ckpt"), *rows[2].served, d.encoder);
  std::filesystem::remove(s.llm_model);
  LoadedCheckpoint l = load_checkpoint(dir.file("ctr.ckpt"));
  EXPECT_EQ(predict(*l.model, d.test), served);
}

// One PA-MLM and the fused and ctr fine-tunings on a tiny model, stopped after PA-MLM's epoch 1,
// resumed and stopped after the fused row's epoch 1, resumed to the end: every row's test metrics,
// epoch logs, α and the served model's weights equal the uninterrupted run's, bit for bit.
TEST(ClickPromptResume, PaMlmAndFineTuningStoppedAndResumedEqualTheUninterruptedRun) {
  testing::TempDir dir;
  const data::Dataset& d = small_data();
  const llm::LanguageModel lm = llm::open_language_model(tiny_model(dir));
  ClickPromptOptions o = tiny_options();
  o.mlm_epochs = 2;
  o.mlm_rows = 64;
  o.finetune_rows = 256;
  o.rows = {ClickPromptRow::Fused, ClickPromptRow::Ctr};
  const BackboneConfig bc = testing::synthetic_backbone_config(d);
  TrainConfig tc;
  tc.batch_size = 256, tc.max_epochs = 2, tc.patience = 5, tc.verbose = false;

  tc.state.path = dir.file("whole");
  const ClickPromptRun whole = run_clickprompt(d, lm, instance_row_text(d), "DeepFM", bc, tc, o, false);
  tc.state.path = dir.file("parts");
  tc.state.stop_after_epoch = 1;
  EXPECT_THROW(run_clickprompt(d, lm, instance_row_text(d), "DeepFM", bc, tc, o, false), TrainingStopped);  // PA-MLM's epoch 1
  EXPECT_TRUE(std::filesystem::exists(dir.file("parts.pa-mlm")));
  tc.state.resume = true;
  EXPECT_THROW(run_clickprompt(d, lm, instance_row_text(d), "DeepFM", bc, tc, o, false), TrainingStopped);  // fused row's epoch 1
  EXPECT_TRUE(std::filesystem::exists(dir.file("parts.fused")));
  tc.state.stop_after_epoch = 0;
  const ClickPromptRun parts = run_clickprompt(d, lm, instance_row_text(d), "DeepFM", bc, tc, o, false);

  EXPECT_EQ(parts.mlm.epoch_loss, whole.mlm.epoch_loss);
  EXPECT_EQ(parts.mlm.steps, whole.mlm.steps);
  EXPECT_EQ(parts.mlm.tokens, whole.mlm.tokens);
  ASSERT_EQ(parts.rows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const ClickPromptRowResult &a = whole.rows[i], &b = parts.rows[i];
    SCOPED_TRACE(clickprompt_row_name(a.row));
    EXPECT_EQ(b.test.auc, a.test.auc);
    EXPECT_EQ(b.test.logloss, a.test.logloss);
    EXPECT_EQ(b.alpha, a.alpha);
    EXPECT_EQ(b.train.best_epoch, a.train.best_epoch);
    ASSERT_EQ(b.train.log.size(), a.train.log.size());
    for (size_t e = 0; e < a.train.log.size(); ++e) {
      EXPECT_EQ(b.train.log[e].train_loss, a.train.log[e].train_loss) << e;
      EXPECT_EQ(b.train.log[e].valid_auc, a.train.log[e].valid_auc) << e;
    }
  }
  const auto& pa = whole.rows[1].served->parameters();
  const auto& pb = parts.rows[1].served->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i)
    EXPECT_EQ(std::memcmp(pa[i].value().data(), pb[i].value().data(), sizeof(float) * size_t(pa[i].numel())), 0)
        << pa[i].name();

  // Another PA-MLM setting is refused, naming it.
  o.mlm_lr = 5e-3f;
  const std::string e = testing::error_of([&] { run_clickprompt(d, lm, instance_row_text(d), "DeepFM", bc, tc, o, false); });
  EXPECT_NE(e.find("parts.pa-mlm: the state was written with mlm lr = "), std::string::npos) << e;
}

}  // namespace
}  // namespace llactr::methods
