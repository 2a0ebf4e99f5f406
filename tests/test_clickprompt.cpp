// ClickPrompt's components: options, the prompt generator (values by hand, layout, initialisation,
// gradients), PA-MLM masking (rates, specials, determinism, the decoder's shift) and the
// fine-tuning heads (values by hand, gradients). The mask token is checked on a random GGUF's
// vocabulary and on stories260K's (skipped when absent).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "gradcheck_util.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/methods/clickprompt/clickprompt_head.h"
#include "llactr/methods/clickprompt/clickprompt_options.h"
#include "llactr/methods/clickprompt/mlm_masking.h"
#include "llactr/nn/prompt_generator.h"
#include "llactr/tensor/ops.h"
#include "support/random_model.h"
#include "test_data.h"

namespace llactr::methods {
namespace {

using testing::expect_grads_match;

// ---- options

OptionValues declared_defaults() {
  std::map<std::string, std::string> values;
  for (const Option& o : clickprompt_option_table().options()) values[o.name] = o.default_value;
  return OptionValues(values);
}

TEST(ClickPromptOptions, DeclaredDefaultsAreTheStructDefaults) {
  const ClickPromptOptions d;
  const ClickPromptOptions o = clickprompt_options(declared_defaults());
  EXPECT_EQ(o.prompts, 10);
  EXPECT_EQ(o.prompts, d.prompts);
  EXPECT_EQ(o.prompt_hidden, d.prompt_hidden);
  EXPECT_EQ(o.mode, PromptMode::Prefix);
  EXPECT_EQ(o.attention, PromptAttention::Bidirectional);
  EXPECT_EQ(o.llm_tune, llm::TuneMode::Lora);
  EXPECT_EQ(o.lora_rank, d.lora_rank);
  EXPECT_EQ(o.lora_alpha, d.lora_alpha);
  EXPECT_FLOAT_EQ(o.mask_rate, 0.15f);
  EXPECT_EQ(o.mlm_epochs, d.mlm_epochs);
  EXPECT_EQ(o.mlm_lr, d.mlm_lr);
  EXPECT_EQ(o.mlm_batch, d.mlm_batch);
  EXPECT_EQ(o.mlm_rows, d.mlm_rows);
  EXPECT_EQ(o.without_mlm, d.without_mlm);
  EXPECT_FLOAT_EQ(o.alpha, 0.5f);
  EXPECT_EQ(o.finetune_batch, d.finetune_batch);
  EXPECT_EQ(o.finetune_rows, d.finetune_rows);
  EXPECT_EQ(o.finetune_valid_rows, d.finetune_valid_rows);
  EXPECT_EQ(o.text_fields, d.text_fields);
  for (const Option& m : clickprompt_option_table().options())
    EXPECT_EQ(m.name.rfind("clickprompt-", 0), 0u) << m.name << " lacks the method's prefix";
}

// The rows are named after --clickprompt-label (default "clickprompt"), in --clickprompt-rows' order.
TEST(ClickPromptOptions, RowNamesFollowTheLabel) {
  std::map<std::string, std::string> v;
  for (const Option& o : clickprompt_option_table().options()) v[o.name] = o.default_value;
  EXPECT_EQ(clickprompt_row_names(OptionValues(v)),
            (std::vector<std::string>{"clickprompt", "clickprompt-plm", "clickprompt-ctr"}));
  v["clickprompt-label"] = "no-mlm";
  v["clickprompt-rows"] = "ctr,fused";
  EXPECT_EQ(clickprompt_row_names(OptionValues(v)), (std::vector<std::string>{"no-mlm-ctr", "no-mlm"}));
}

TEST(ClickPromptOptions, ParsesEveryValue) {
  std::map<std::string, std::string> v;
  for (const Option& o : clickprompt_option_table().options()) v[o.name] = o.default_value;
  v["clickprompt-prompts"] = "0";
  v["clickprompt-prompt-hidden"] = "32";
  v["clickprompt-mode"] = "input";
  v["clickprompt-attention"] = "causal";
  v["clickprompt-llm-tune"] = "full";
  v["clickprompt-mlm-rows"] = "10000";
  v["clickprompt-finetune-rows"] = "20000";
  v["clickprompt-finetune-valid-rows"] = "3000";
  v["clickprompt-text-fields"] = "Title";
  v["clickprompt-without-mlm"] = "1";
  v["clickprompt-alpha"] = "0.25";
  const ClickPromptOptions o = clickprompt_options(OptionValues(v));
  EXPECT_EQ(o.prompts, 0);
  EXPECT_EQ(o.prompt_hidden, 32);
  EXPECT_EQ(o.mode, PromptMode::Input);
  EXPECT_EQ(o.attention, PromptAttention::Causal);
  EXPECT_EQ(o.llm_tune, llm::TuneMode::Full);
  EXPECT_EQ(o.mlm_rows, 10000);
  EXPECT_EQ(o.finetune_rows, 20000);
  EXPECT_EQ(o.finetune_valid_rows, 3000);
  EXPECT_EQ(o.text_fields, "Title");
  EXPECT_TRUE(o.without_mlm);
  EXPECT_FLOAT_EQ(o.alpha, 0.25f);
  EXPECT_STREQ(prompt_mode_name(o.mode), "input");
  EXPECT_STREQ(prompt_attention_name(o.attention), "causal");
  EXPECT_STREQ(clickprompt_llm_tune_name(o.llm_tune), "full");
}

TEST(ClickPromptOptions, BadValuesNameTheOption) {
  auto expect_bad = [](const std::string& name, const std::string& value) {
    std::map<std::string, std::string> v;
    for (const Option& o : clickprompt_option_table().options()) v[o.name] = o.default_value;
    v[name] = value;
    try {
      clickprompt_options(OptionValues(v));
      ADD_FAILURE() << "--" << name << " " << value << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--" + name), std::string::npos) << e.what();
    }
  };
  expect_bad("clickprompt-prompts", "-1");
  expect_bad("clickprompt-prompts", "ten");
  expect_bad("clickprompt-prompt-hidden", "-3");
  expect_bad("clickprompt-mode", "suffix");
  expect_bad("clickprompt-attention", "sliding");
  expect_bad("clickprompt-llm-tune", "frozen");
  expect_bad("clickprompt-lora-r", "0");
  expect_bad("clickprompt-lora-alpha", "0");
  expect_bad("clickprompt-mask-rate", "0");
  expect_bad("clickprompt-mask-rate", "1.5");
  expect_bad("clickprompt-mlm-epochs", "0");
  expect_bad("clickprompt-mlm-lr", "-1e-3");
  expect_bad("clickprompt-mlm-lr", "inf");
  expect_bad("clickprompt-mlm-batch", "0");
  expect_bad("clickprompt-mlm-rows", "-5");
  expect_bad("clickprompt-finetune-rows", "-1");
  expect_bad("clickprompt-finetune-valid-rows", "-1");
  expect_bad("clickprompt-alpha", "nan");
}

// ---- the prompt generator

PromptShape prefix_shape(int64_t K) {
  PromptShape s;
  s.mode = PromptMode::Prefix;
  s.prompts = K, s.hidden = 5, s.n_layer = 3, s.kv_dim = 4;  // d_kv = 2 heads x head_dim 2
  return s;
}

PromptShape input_shape(int64_t K) {
  PromptShape s;
  s.mode = PromptMode::Input;
  s.prompts = K, s.d_model = 6;
  return s;
}

// Makes every bias (a parameter of rank 1 but not ClickPromptHead's alpha) non-zero, so that the
// checks below see the biases too.
void perturb_biases(const std::vector<Var>& params) {
  float x = 0.05f;
  for (const Var& p : params)
    if (p.value().rank() == 1 && p.name() != "clickprompt.alpha")
      for (int64_t i = 0; i < p.numel(); ++i) p.node()->value[i] = (x = -x * 1.1f);
}

TEST(PromptGenerator, PrefixValuesByHandInTheDocumentedLayout) {
  const int64_t B = 2, d_h = 3, K = 2, L = 3, H = 5, d_kv = 4, hd = 2;
  Rng rng(3);
  PromptGenerator g(d_h, prefix_shape(K), rng, "gen");
  perturb_biases(g.parameters());
  ASSERT_EQ(g.parameters().size(), 4u);  // W1 [H, d_h], b1, W2 [K·L·2·d_kv, H], b2
  const Tensor &W1 = g.parameters()[0].value(), &b1 = g.parameters()[1].value();
  const Tensor &W2 = g.parameters()[2].value(), &b2 = g.parameters()[3].value();
  ASSERT_EQ(W2.dim(0), K * L * 2 * d_kv);
  Var h = random_param({B, d_h}, 11);
  const Tensor P = g.forward(h).value();
  ASSERT_EQ(P.shape(), (Shape{B, K * L * 2 * d_kv}));
  for (int64_t b = 0; b < B; ++b) {
    double a[5];
    for (int64_t j = 0; j < H; ++j) {
      double s = b1[j];
      for (int64_t i = 0; i < d_h; ++i) s += double(W1[j * d_h + i]) * h.value()[b * d_h + i];
      a[j] = std::tanh(s);
    }
    // Key (kv = 0) or value (kv = 1) of prompt k, layer l, KV head g, element e: row
    // ((k·L + l)·2 + kv)·d_kv + g·hd + e of the second layer.
    for (int64_t k = 0; k < K; ++k)
      for (int64_t l = 0; l < L; ++l)
        for (int64_t kv = 0; kv < 2; ++kv)
          for (int64_t gh = 0; gh < d_kv / hd; ++gh)
            for (int64_t e = 0; e < hd; ++e) {
              const int64_t r = ((k * L + l) * 2 + kv) * d_kv + gh * hd + e;
              double want = b2[r];
              for (int64_t j = 0; j < H; ++j) want += double(W2[r * H + j]) * a[j];
              EXPECT_NEAR(P[b * P.dim(1) + r], want, 1e-5) << "b " << b << " k " << k << " l " << l << " kv " << kv;
            }
  }
}

TEST(PromptGenerator, InputModeRowIsKTokensEachALinearOfH) {
  const int64_t B = 3, d_h = 4, K = 3, d = 6;
  Rng rng(5);
  PromptGenerator g(d_h, input_shape(K), rng, "gen");
  perturb_biases(g.parameters());
  ASSERT_EQ(g.parameters().size(), size_t(2 * K));
  Var h = random_param({B, d_h}, 12);
  const Tensor P = g.forward(h).value();
  ASSERT_EQ(P.shape(), (Shape{B, K * d}));
  for (int64_t k = 0; k < K; ++k) {
    const Tensor &W = g.parameters()[size_t(2 * k)].value(), &bias = g.parameters()[size_t(2 * k + 1)].value();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < d; ++j) {
        double want = bias[j];
        for (int64_t i = 0; i < d_h; ++i) want += double(W[j * d_h + i]) * h.value()[b * d_h + i];
        EXPECT_NEAR(P[b * K * d + k * d + j], want, 1e-5) << "token " << k;
      }
  }
}

TEST(PromptGenerator, XavierNormalWeightsAndZeroBiases) {
  // Large enough that the sample standard deviation is within a few percent of Xavier's.
  PromptShape s = prefix_shape(10);
  s.hidden = 64, s.n_layer = 4, s.kv_dim = 32;  // W2: [2560, 64]
  Rng rng(7);
  PromptGenerator g(48, s, rng, "gen");
  const std::vector<Var> ps = g.parameters();
  for (const Var& p : ps) {
    const Tensor& t = p.value();
    if (t.rank() == 1) {
      for (int64_t i = 0; i < t.numel(); ++i) ASSERT_EQ(t[i], 0.0f) << p.name();
      continue;
    }
    double sq = 0;
    for (int64_t i = 0; i < t.numel(); ++i) sq += double(t[i]) * t[i];
    const double want = std::sqrt(2.0 / double(t.dim(0) + t.dim(1)));
    EXPECT_NEAR(std::sqrt(sq / double(t.numel())), want, 0.05 * want) << p.name();
  }
  Rng rng2(7);
  PromptGenerator soft(48, input_shape(10), rng2, "soft");
  const std::vector<Var> sp = soft.parameters();
  ASSERT_EQ(sp.size(), 20u);
  for (size_t k = 0; k < sp.size(); k += 2)
    EXPECT_EQ(sp[k].value().shape(), (Shape{6, 48})) << "each soft token has its own Linear(d_h -> d)";
}

TEST(PromptGenerator, NoPromptsGenerateNothing) {
  Rng rng(1);
  for (PromptShape s : {prefix_shape(0), input_shape(0)}) {
    PromptGenerator g(4, s, rng, "gen");
    EXPECT_TRUE(g.parameters().empty());
    EXPECT_FALSE(g.forward(random_param({2, 4}, 1)));
    EXPECT_EQ(s.width(), 0);
  }
}

TEST(PromptGenerator, BadShapesAreErrors) {
  Rng rng(1);
  EXPECT_THROW(PromptGenerator(4, prefix_shape(-1), rng, "gen"), std::invalid_argument);
  EXPECT_THROW(PromptGenerator(0, prefix_shape(2), rng, "gen"), std::invalid_argument);
  PromptShape no_layers = prefix_shape(2);
  no_layers.n_layer = 0;
  EXPECT_THROW(PromptGenerator(4, no_layers, rng, "gen"), std::invalid_argument);
  PromptShape no_width = input_shape(2);
  no_width.d_model = 0;
  EXPECT_THROW(PromptGenerator(4, no_width, rng, "gen"), std::invalid_argument);
}

TEST(PromptGenerator, GradientsReachHAndEveryWeight) {
  for (PromptShape s : {prefix_shape(2), input_shape(2)}) {
    Rng rng(9);
    PromptGenerator g(3, s, rng, "gen");
    perturb_biases(g.parameters());
    std::vector<Var> inputs{random_param({2, 3}, 4)};
    for (const Var& p : g.parameters()) inputs.push_back(p);
    expect_grads_match([&](const std::vector<Var>& in) { return g.forward(in[0]); }, inputs);
  }
}

// ---- PA-MLM masking

// A SentencePiece-like vocabulary: <unk>, <s>, </s>, a control token, then n ordinary tokens.
llm::Vocab spm_vocab(int n) {
  llm::Vocab v;
  v.model = "llama";
  v.tokens = {"<unk>", "<s>", "</s>", "<pad>"};
  v.types = {llm::TokenType::Unknown, llm::TokenType::Control, llm::TokenType::Control, llm::TokenType::Control};
  for (int i = 0; i < n; ++i) {
    v.tokens.push_back("t" + std::to_string(i));
    v.types.push_back(llm::TokenType::Normal);
  }
  v.bos_id = 1, v.eos_id = 2, v.unk_id = 0;
  return v;
}

// A text of n ordinary tokens between BOS and EOS.
std::vector<int32_t> text(Rng& rng, int n, int n_ordinary) {
  std::vector<int32_t> t{1};
  for (int i = 0; i < n; ++i) t.push_back(4 + int32_t(rng.below(uint64_t(n_ordinary))));
  t.push_back(2);
  return t;
}

TEST(MlmMasking, MaskTokenIsUnkElseUnderscore) {
  const MlmVocab spm = mlm_vocab(spm_vocab(10));
  EXPECT_EQ(spm.mask, 0);
  EXPECT_EQ(spm.ordinary.size(), 10u);
  for (int32_t id : {0, 1, 2, 3}) EXPECT_TRUE(spm.special[size_t(id)]) << id;

  llm::Vocab bpe;  // byte-level BPE as qwen2's: no <unk>, "_" is an ordinary token
  bpe.model = "gpt2";
  bpe.tokens = {"a", "b", "_", "c", "<|endoftext|>"};
  bpe.types = {llm::TokenType::Normal, llm::TokenType::Normal, llm::TokenType::Normal, llm::TokenType::Normal,
               llm::TokenType::Control};
  bpe.bos_id = bpe.eos_id = 4;
  const MlmVocab b = mlm_vocab(bpe);
  EXPECT_EQ(b.mask, 2);
  EXPECT_EQ(b.ordinary, (std::vector<int32_t>{0, 1, 3})) << "the mask token is never drawn as a random token";

  bpe.tokens[2] = "d";
  EXPECT_THROW(mlm_vocab(bpe), std::invalid_argument);
}

TEST(MlmMasking, MaskTokenOfGgufVocabularies) {
  // A random llama GGUF's vocabulary (<unk>, <s>, </s>, byte tokens), read as the method reads it.
  llm::RandomModelSpec spec;
  spec.n_vocab = 300;
  const llm::Vocab random = llm::vocab_from_gguf(gguf::GgufFile::from_memory(llm::random_model_writer(spec).to_bytes()));
  const MlmVocab r = mlm_vocab(random);
  EXPECT_EQ(r.mask, random.unk_id);
  EXPECT_EQ(r.ordinary.size(), 297u);

  LLACTR_REQUIRE_DATA(dir, "stories260K");
  const gguf::GgufFile file = gguf::GgufFile::open(dir + "/stories260K.gguf");
  const llm::Tokenizer tok(llm::vocab_from_gguf(file));
  const MlmVocab v = mlm_vocab(tok.vocab());
  EXPECT_EQ(tok.vocab().tokens[size_t(v.mask)], "<unk>");
  // Every token of a real instance text but BOS may be chosen; each target is the next token.
  const std::vector<int32_t> t = tok.encode("User ID is 22. Age is 25. Gender is male. Occupation is writer.");
  ASSERT_EQ(t[0], tok.bos());
  MlmMasking all;
  all.rate = 1.0f;
  Rng rng(1);
  const MaskedText m = mask_text(t, v, all, rng);
  for (size_t r = 0; r + 1 < t.size(); ++r) EXPECT_EQ(m.target[r], t[r + 1]) << r;
  EXPECT_EQ(m.input[0], tok.bos());
}

TEST(MlmMasking, RatesMatchTheRecipeOnALargeSample) {
  const int n_ordinary = 1000;
  const MlmVocab v = mlm_vocab(spm_vocab(n_ordinary));
  Rng rng(2024), texts(1);
  int64_t eligible = 0, chosen = 0, masked = 0, random = 0, kept = 0;
  for (int s = 0; s < 4000; ++s) {
    const std::vector<int32_t> t = text(texts, 50, n_ordinary);
    const MaskedText m = mask_text(t, v, MlmMasking{}, rng);
    for (size_t i = 1; i + 1 < t.size(); ++i) {
      ++eligible;
      if (m.target[i - 1] < 0) {
        ASSERT_EQ(m.input[i], t[i]) << "a token that was not chosen changed";
        continue;
      }
      ++chosen;
      if (m.input[i] == v.mask) ++masked;
      else if (m.input[i] == t[i]) ++kept;
      else ++random;
    }
  }
  // 200k eligible tokens: the standard errors are 0.0008 (chosen) and <= 0.0023 (of the chosen).
  EXPECT_NEAR(double(chosen) / double(eligible), 0.15, 0.005);
  EXPECT_NEAR(double(masked) / double(chosen), 0.8, 0.01);
  EXPECT_NEAR(double(random) / double(chosen), 0.1, 0.01);
  EXPECT_NEAR(double(kept) / double(chosen), 0.1 + 0.1 / n_ordinary, 0.01);
}

TEST(MlmMasking, SpecialTokensAndPositionZeroAreNeverChosen) {
  const MlmVocab v = mlm_vocab(spm_vocab(20));
  Rng rng(5);
  MlmMasking all;
  all.rate = 1.0f;  // every eligible token is chosen
  // Specials in the middle too (an <unk> and a control token), and a text without BOS.
  const std::vector<int32_t> t{1, 4, 0, 5, 3, 6, 2}, no_bos{7, 8, 9};
  const MaskedText m = mask_text(t, v, all, rng);
  EXPECT_EQ(m.target, (std::vector<int32_t>{4, -1, 5, -1, 6, -1, -1}));
  for (size_t i : {size_t(0), size_t(2), size_t(4), size_t(6)}) EXPECT_EQ(m.input[i], t[i]) << "special at " << i;
  const MaskedText n = mask_text(no_bos, v, all, rng);
  EXPECT_EQ(n.input[0], 7) << "position 0 has no row before it";
  EXPECT_EQ(n.target, (std::vector<int32_t>{8, 9, -1}));
}

TEST(MlmMasking, TargetOfRowTIsTheOriginalTokenAtTPlusOne) {
  const MlmVocab v = mlm_vocab(spm_vocab(50));
  Rng rng(8), texts(2);
  for (int s = 0; s < 200; ++s) {
    const std::vector<int32_t> t = text(texts, 30, 50);
    const MaskedText m = mask_text(t, v, MlmMasking{}, rng);
    ASSERT_EQ(m.input.size(), t.size());
    ASSERT_EQ(m.target.size(), t.size());
    EXPECT_EQ(m.target.back(), -1);
    for (size_t r = 0; r + 1 < t.size(); ++r) {
      if (m.target[r] >= 0) {
        EXPECT_EQ(m.target[r], t[r + 1]);
      }
      if (m.input[r + 1] != t[r + 1]) {
        EXPECT_EQ(m.target[r], t[r + 1]) << "a changed token is a target";
      }
    }
  }
}

TEST(MlmMasking, SameSeedSameMasksAndBadInputIsAnError) {
  const MlmVocab v = mlm_vocab(spm_vocab(30));
  Rng texts(4);
  const std::vector<int32_t> t = text(texts, 100, 30);
  Rng a(77), b(77), c(78);
  const MaskedText x = mask_text(t, v, MlmMasking{}, a), y = mask_text(t, v, MlmMasking{}, b);
  const MaskedText z = mask_text(t, v, MlmMasking{}, c);
  EXPECT_EQ(x.input, y.input);
  EXPECT_EQ(x.target, y.target);
  EXPECT_NE(x.target, z.target) << "another seed should choose other positions";

  EXPECT_THROW(mask_text({1, 4, 99}, v, MlmMasking{}, a), std::invalid_argument);
  MlmMasking bad;
  bad.to_mask = 0.95f;  // + 0.1 > 1
  EXPECT_THROW(mask_text(t, v, bad, a), std::invalid_argument);
}

// ---- the fine-tuning heads

TEST(ClickPromptHead, ValuesByHand) {
  const int64_t B = 3, d = 4;
  Rng rng(6);
  ClickPromptHead head(d, 0.5f, rng);
  perturb_biases(head.parameters());
  ASSERT_EQ(head.parameters().size(), 5u);  // W1 [d, d], b1, W2 [1, d], b2, alpha
  EXPECT_EQ(head.alpha().value()[0], 0.5f);
  const Tensor &W1 = head.parameters()[0].value(), &b1 = head.parameters()[1].value();
  const Tensor &W2 = head.parameters()[2].value(), &b2 = head.parameters()[3].value();
  ASSERT_EQ(W1.shape(), (Shape{d, d}));
  ASSERT_EQ(W2.shape(), (Shape{1, d}));
  Var p = random_param({B, d}, 3), z_ctr = random_param({B}, 4);
  const Tensor z_plm = head.plm_logit(p).value();
  ASSERT_EQ(z_plm.shape(), (Shape{B}));
  for (int64_t b = 0; b < B; ++b) {
    double z = b2[0];
    for (int64_t j = 0; j < d; ++j) {
      double s = b1[j];
      for (int64_t i = 0; i < d; ++i) s += double(W1[j * d + i]) * p.value()[b * d + i];
      z += double(W2[j]) * std::tanh(s);
    }
    EXPECT_NEAR(z_plm[b], z, 1e-5);
  }
  // α is used as it is: 0.5 averages; 2 extrapolates (the reference does not squash it).
  const Var zp = constant(z_plm);
  const Tensor half = head.fused_logit(zp, z_ctr).value();
  head.alpha().node()->value[0] = 2.0f;
  const Tensor two = head.fused_logit(zp, z_ctr).value();
  for (int64_t b = 0; b < B; ++b) {
    EXPECT_NEAR(half[b], 0.5 * (z_plm[b] + z_ctr.value()[b]), 1e-6);
    EXPECT_NEAR(two[b], 2.0 * z_plm[b] - z_ctr.value()[b], 1e-5);
  }
}

TEST(ClickPromptHead, GradientsReachPooledLogitsAlphaAndWeights) {
  Rng rng(10);
  ClickPromptHead head(3, 0.5f, rng);
  perturb_biases(head.parameters());
  std::vector<Var> inputs{random_param({4, 3}, 1), random_param({4}, 2)};
  for (const Var& p : head.parameters()) inputs.push_back(p);
  expect_grads_match(
      [&](const std::vector<Var>& in) { return head.fused_logit(head.plm_logit(in[0]), in[1]); }, inputs);
}

}  // namespace
}  // namespace llactr::methods
