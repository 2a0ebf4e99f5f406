// llactr pretrain: the init's statistics, the schedule by hand, the data packing, the trainable
// forward against the inference forward, the written GGUF read back, a falling loss, determinism,
// checkpoint/resume bit for bit, and every bad input's error before work.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "data_fixtures.h"
#include "llactr/apps/commands.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/model/model_file.h"
#include "llactr/llm/model/transformer.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/train/pretrain.h"
#include "llactr/tensor/gemm.h"
#include "support/random_model.h"
#include "test_data.h"

namespace llactr::llm {
namespace {

using testing::TempDir;

// A GGUF whose tokenizer is SentencePiece <unk> <s> </s> and the 256 byte tokens (every text
// tokenises, one token per byte) and the 260th token "tok256" (random_model_writer's vocabulary).
const gguf::GgufFile& byte_tokenizer_file() {
  static const gguf::GgufFile f = gguf::GgufFile::from_memory(random_model_writer(tiny_byte_llama(64)).to_bytes(), "bytes.gguf");
  return f;
}
const Tokenizer& byte_tokenizer() {
  static const Tokenizer t(vocab_from_gguf(byte_tokenizer_file()));
  return t;
}

PretrainShape tiny_shape() {
  PretrainShape s;
  s.dim = 32, s.layers = 2, s.heads = 4, s.kv_heads = 2, s.ffn = 64, s.context = 16;
  return s;
}

// Sentences with a fixed structure, so a small model can learn them.
std::vector<std::string> repetitive_corpus(int n) {
  const char* animals[] = {"cat", "dog", "cow", "hen"};
  const char* places[] = {"mat", "log", "rug", "bed"};
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i)
    lines.push_back(std::string("the ") + animals[i % 4] + " sat on the " + places[(i / 4) % 4] + ".");
  return lines;
}

std::vector<float> flat(const Model& m) {
  std::vector<float> v = m.weights.token_embd.data;
  for (const LayerWeights& L : m.weights.layers)
    for (const std::vector<float>* w : {&L.attn_norm, &L.wq.data, &L.wk.data, &L.wv.data, &L.wo.data, &L.ffn_norm,
                                        &L.w_gate.data, &L.w_up.data, &L.w_down.data})
      v.insert(v.end(), w->begin(), w->end());
  v.insert(v.end(), m.weights.output_norm.begin(), m.weights.output_norm.end());
  return v;
}

double std_of(const std::vector<float>& v) {
  double s = 0, s2 = 0;
  for (float x : v) s += x, s2 += double(x) * x;
  const double mean = s / double(v.size());
  return std::sqrt(s2 / double(v.size()) - mean * mean);
}

// Also sets 2 threads: the tests' matrices are tiny, and more threads only wait for each other.
PretrainOptions quick_options(int64_t steps) {
  set_threads(2);
  PretrainOptions o;
  o.max_steps = steps;
  o.batch = 4;
  o.lr = 3e-3f;
  o.warmup = 5;
  o.eval_every = 0;
  return o;
}

TEST(PretrainShape, BadShapesThrowNamingTheOption) {
  auto message = [](PretrainShape s) {
    try {
      check_shape(s, 260);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  PretrainShape s = tiny_shape();
  EXPECT_EQ(message(s), "no error");
  s.dim = 30;  // not a multiple of 4 heads
  EXPECT_NE(message(s).find("--dim 30 is not a multiple of --heads 4"), std::string::npos) << message(s);
  s = tiny_shape(), s.kv_heads = 3;
  EXPECT_NE(message(s).find("--heads 4 is not a multiple of --kv-heads 3"), std::string::npos) << message(s);
  s = tiny_shape(), s.dim = 12, s.heads = 4;  // head size 3
  EXPECT_NE(message(s).find("must be even"), std::string::npos) << message(s);
  for (int c : {1, 0, -5}) {
    s = tiny_shape(), s.context = c;
    EXPECT_NE(message(s).find("--context must be at least 2"), std::string::npos) << message(s);
  }
  s = tiny_shape(), s.layers = 0;
  EXPECT_NE(message(s).find("--layers must be at least 1"), std::string::npos) << message(s);
  EXPECT_THROW(check_shape(tiny_shape(), 2), std::invalid_argument);
}

TEST(PretrainInit, Gpt2Statistics) {
  // 6 layers of dim 128: every weight is N(0, 0.02²) except attn_output and ffn_down,
  // N(0, (0.02/√12)²) = N(0, 0.005774²); norms are 1. With n >= 16,384 draws the sample std's
  // relative standard error is 1/√(2n) <= 0.6%, so 3% is five standard errors.
  PretrainShape s;
  s.dim = 128, s.layers = 6, s.heads = 4, s.kv_heads = 4, s.ffn = 256, s.context = 8;
  const TransformerConfig c = pretrain_config(s, 512);
  const Model m = init_model(c, 7);
  EXPECT_NEAR(std_of(m.weights.token_embd.data), 0.02, 0.02 * 0.03);
  EXPECT_TRUE(m.weights.output.empty());  // tied head
  const double residual = 0.02 / std::sqrt(12.0);
  for (const LayerWeights& L : m.weights.layers) {
    EXPECT_NEAR(std_of(L.wq.data), 0.02, 0.02 * 0.03);
    EXPECT_NEAR(std_of(L.w_up.data), 0.02, 0.02 * 0.03);
    EXPECT_NEAR(std_of(L.wo.data), residual, residual * 0.03);
    EXPECT_NEAR(std_of(L.w_down.data), residual, residual * 0.03);
    for (float x : L.attn_norm) ASSERT_EQ(x, 1.0f);
    for (float x : L.ffn_norm) ASSERT_EQ(x, 1.0f);
  }
  for (float x : m.weights.output_norm) ASSERT_EQ(x, 1.0f);
  EXPECT_EQ(flat(m), flat(init_model(c, 7)));  // seeded
  EXPECT_NE(flat(m), flat(init_model(c, 8)));
  EXPECT_EQ(parameter_count(c), int64_t(flat(m).size()));
}

TEST(PretrainSchedule, WarmupThenCosineByHand) {
  // lr 1e-3, warm-up 10, 110 steps, floor 0.1: step 1 = 1e-3/10; step 10 = the peak; step 60 is
  // half-way through the cosine: 1e-4 + 0.9e-3·½(1 + cos(π/2)) = 5.5e-4; step 110 = 1e-4.
  PretrainOptions o;
  o.lr = 1e-3f, o.warmup = 10, o.min_lr_ratio = 0.1f;
  EXPECT_FLOAT_EQ(pretrain_lr(o, 110, 1), 1e-4f);
  EXPECT_FLOAT_EQ(pretrain_lr(o, 110, 5), 5e-4f);
  EXPECT_FLOAT_EQ(pretrain_lr(o, 110, 10), 1e-3f);
  EXPECT_FLOAT_EQ(pretrain_lr(o, 110, 60), 5.5e-4f);
  // step 35: p = ¼, ½(1 + cos(π/4)) = 0.8535534 -> 1e-4 + 0.9e-3·0.8535534
  EXPECT_NEAR(pretrain_lr(o, 110, 35), 1e-4 + 0.9e-3 * 0.85355339, 1e-9);
  EXPECT_FLOAT_EQ(pretrain_lr(o, 110, 110), 1e-4f);
  EXPECT_EQ(steps_per_epoch(10, 4), 3);
  o.max_steps = 0, o.epochs = 2, o.batch = 4;
  EXPECT_EQ(total_steps(o, 10), 6);
  o.max_steps = 5;
  EXPECT_EQ(total_steps(o, 10), 5);
}

TEST(PretrainData, LinesArePackedWithBosEosAndOnePercentHeldOut) {
  const Tokenizer& tok = byte_tokenizer();
  const std::vector<std::string> lines = repetitive_corpus(300);  // 3 held out
  const PretrainData d = prepare_data(lines, tok, 16, 1);
  EXPECT_EQ(d.valid_lines, 3);
  EXPECT_EQ(d.train_lines, 297);
  // Each line is BOS + its tokens + EOS.
  int64_t all = 0;
  for (const std::string& l : lines) all += int64_t(tok.encode(l, false).size()) + 2;
  EXPECT_EQ(d.train_tokens + d.valid_tokens, all);
  EXPECT_EQ(d.train.len, 17);
  EXPECT_EQ(d.train.count(), d.train_tokens / 17);
  EXPECT_EQ(d.train.seq(0)[0], tok.bos());
  // The stream starts with the first training line: BOS, then that line's tokens.
  const std::vector<int32_t> start(d.train.seq(0) + 1, d.train.seq(0) + 17);
  bool found = false;
  for (const std::string& l : lines) {
    const std::vector<int32_t> ids = tok.encode(l, false);
    found = found || (ids.size() >= 16 && std::vector<int32_t>(ids.begin(), ids.begin() + 16) == start);
  }
  EXPECT_TRUE(found);
  // Another seed holds out other lines.
  const PretrainData e = prepare_data(lines, tok, 16, 2);
  EXPECT_NE(d.valid.tokens, e.valid.tokens);

  // --packing fixed: every epoch the file-order packing. per-epoch: the train lines in a seeded
  // order of each epoch, packed to as many sequences, each line whole and BOS-first.
  ASSERT_EQ(int64_t(d.train_lines_tokens.size()), d.train_lines);
  std::vector<int64_t> file_order(d.train_lines_tokens.size());
  std::iota(file_order.begin(), file_order.end(), int64_t(0));
  EXPECT_EQ(pack_lines(d.train_lines_tokens, file_order, 17).tokens, d.train.tokens);
  EXPECT_EQ(epoch_sequences(d, false, 1, 3).tokens, d.train.tokens);
  const PackedSequences e0 = epoch_sequences(d, true, 1, 0), e1 = epoch_sequences(d, true, 1, 1);
  EXPECT_EQ(e0.count(), d.train.count());
  EXPECT_EQ(e1.count(), d.train.count());
  EXPECT_NE(e0.tokens, e1.tokens);
  EXPECT_NE(e0.tokens, d.train.tokens);
  EXPECT_EQ(epoch_sequences(d, true, 1, 1).tokens, e1.tokens);  // a resumed run packs epoch 1 the same
  const std::vector<int64_t> lines1 = epoch_order(int64_t(d.train_lines_tokens.size()), 1 ^ 0x6c696e6573ULL, 1);
  const std::vector<int32_t>& first = d.train_lines_tokens[size_t(lines1[0])];
  EXPECT_EQ(std::vector<int32_t>(e1.tokens.begin(), e1.tokens.begin() + long(first.size())), first);
  EXPECT_EQ(first.front(), tok.bos());
  EXPECT_EQ(first.back(), tok.eos());

  // A batch: inputs are each sequence's first 16 tokens, targets the 16 after each.
  const std::vector<int64_t> order = epoch_order(d.train.count(), 1, 0);
  const LmBatch b = make_lm_batch(d.train, order, 2, 5);
  ASSERT_EQ(b.inputs.size(), 3);
  ASSERT_EQ(b.inputs.rows(), 48);
  for (int s = 0; s < 3; ++s)
    for (int t = 0; t < 16; ++t) {
      EXPECT_EQ(b.inputs.tokens[size_t(s * 16 + t)], d.train.seq(order[size_t(2 + s)])[t]);
      EXPECT_EQ(b.targets[size_t(s * 16 + t)], d.train.seq(order[size_t(2 + s)])[t + 1]);
      EXPECT_EQ(b.inputs.pos[size_t(s * 16 + t)], t);
    }
  // Each epoch's order is a permutation of its own.
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], int64_t(i));
  EXPECT_NE(order, epoch_order(d.train.count(), 1, 1));
  EXPECT_EQ(order, epoch_order(d.train.count(), 1, 0));

  // The unigram entropy by hand: {1, 1, 2, 3} has p = ½, ¼, ¼: ½ ln 2 + 2 · ¼ ln 4 = 1.5 ln 2.
  EXPECT_NEAR(unigram_entropy({1, 2, 1, 3}), 1.5 * std::log(2.0), 1e-12);
  EXPECT_EQ(unigram_entropy({5, 5, 5}), 0.0);
  EXPECT_GT(d.unigram_entropy, 0.0);
  EXPECT_LT(d.unigram_entropy, std::log(260.0));

  // Too little text for one sequence; one line only.
  EXPECT_THROW(prepare_data({"a", "b"}, tok, 16, 1), std::invalid_argument);
  EXPECT_THROW(prepare_data({"one line only"}, tok, 4, 1), std::invalid_argument);
}

TEST(PretrainForward, TrainableForwardEqualsTheInferenceForward) {
  // The random-init model (GQA: 4 heads on 2 KV heads) through the autodiff forward and
  // forward_packed. Both run the same kernels in the same order except the final logits, so the
  // hidden states agree to rounding; 1e-5 is far below the O(1) values and their 0.02 weights.
  const TransformerConfig c = pretrain_config(tiny_shape(), 260);
  const Model m = init_model(c, 3);
  const PretrainData d = prepare_data(repetitive_corpus(40), byte_tokenizer(), 16, 1);
  const LmBatch b = make_lm_batch(d.train, epoch_order(d.train.count(), 1, 0), 0, 3);
  const TrainableTransformer t(m, {}, TuneMode::Full);
  const Var hidden = t.forward(b.inputs).hidden;
  const Var logits = t.lm_logits(hidden);
  clear_tape();
  Workspace ws;
  forward_packed(m, b.inputs.tokens.data(), b.inputs.spans, nullptr, LogitsMode::All, ws);
  ASSERT_EQ(ws.hidden.size(), size_t(hidden.numel()));
  for (size_t i = 0; i < ws.hidden.size(); ++i) ASSERT_NEAR(ws.hidden[i], hidden.value()[int64_t(i)], 1e-5) << i;
  for (size_t i = 0; i < ws.logits.size(); ++i) ASSERT_NEAR(ws.logits[i], logits.value()[int64_t(i)], 1e-5) << i;
}

TEST(PretrainGguf, WrittenFileLoadsBackWithTheSameLogitsAndTokenizer) {
  TempDir dir;
  const TransformerConfig c = pretrain_config(tiny_shape(), 260);
  const Model m = init_model(c, 5);
  save_llama_gguf(m, byte_tokenizer_file(), dir.file("m.gguf"));
  const gguf::GgufFile f = gguf::GgufFile::open(dir.file("m.gguf"));
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_i64("llama.embedding_length"), 32);
  EXPECT_EQ(f.get_i64("llama.attention.head_count_kv"), 2);
  EXPECT_EQ(f.get_i64("llama.context_length"), 16);
  EXPECT_EQ(f.get_i64("llama.vocab_size"), 260);
  EXPECT_EQ(f.get_i64("llama.rope.dimension_count"), 8);
  EXPECT_EQ(f.find_tensor("output.weight"), nullptr);  // tied
  for (const gguf::TensorInfo& t : f.tensors()) EXPECT_EQ(t.type, gguf::GgmlType::F32) << t.name;
  // Every tokenizer key is copied, value for value.
  int copied = 0;
  for (const gguf::KeyValue& kv : byte_tokenizer_file().metadata()) {
    if (kv.key.rfind("tokenizer.", 0) != 0) continue;
    ++copied;
    EXPECT_EQ(gguf::to_string(f.get(kv.key), 1000000), gguf::to_string(kv.value, 1000000)) << kv.key;
  }
  EXPECT_GE(copied, 3);
  EXPECT_EQ(vocab_from_gguf(f).tokens, byte_tokenizer().vocab().tokens);

  // Our reader gives the same model: the same logits, bit for bit (same weights, same kernels).
  const Model back = load_model(f);
  EXPECT_EQ(flat(back), flat(m));
  const std::vector<std::vector<int32_t>> batch = {{1, 70, 80, 90, 100}, {1, 33}};
  EXPECT_EQ(forward(back, batch).logits, forward(m, batch).logits);

  // A tokenizer of another size is refused.
  const gguf::GgufFile other = gguf::GgufFile::from_memory(random_model_writer(RandomModelSpec{}).to_bytes());
  EXPECT_THROW(llama_gguf_writer(m, other), std::invalid_argument);
}

TEST(PretrainTrain, LossFallsOnARepetitiveCorpus) {
  // dim 64, 2 layers, byte tokens: the sentences are a template with 16 fillings, so after 150
  // steps of 8 sequences the loss is far below the uniform ln 260 = 5.56 (it reaches about
  // 0.6 here; 1.2 leaves room for other BLAS kernels).
  PretrainShape s = tiny_shape();
  s.dim = 64, s.heads = 4, s.kv_heads = 4, s.ffn = 128, s.context = 32;
  const TransformerConfig c = pretrain_config(s, 260);
  const PretrainData d = prepare_data(repetitive_corpus(400), byte_tokenizer(), s.context, 1);
  PretrainOptions o = quick_options(150);
  o.batch = 8;
  o.lr = 1e-2f;
  o.warmup = 10;
  const PretrainResult r = pretrain(c, d, o);
  ASSERT_EQ(r.log.size(), 150u);
  EXPECT_NEAR(r.log.front().train_loss, std::log(260.0), 0.3);  // near uniform at init
  EXPECT_LT(r.final_valid_loss, 1.2f);
  EXPECT_LT(r.log.back().train_loss, 1.2f);
}

TEST(PretrainTrain, SameSeedAndThreadsGiveTheSameBits) {
  const TransformerConfig c = pretrain_config(tiny_shape(), 260);
  const PretrainData d = prepare_data(repetitive_corpus(60), byte_tokenizer(), 16, 1);
  PretrainOptions o = quick_options(12);
  o.eval_every = 4;
  const PretrainResult a = pretrain(c, d, o), b = pretrain(c, d, o);
  EXPECT_EQ(flat(a.model), flat(b.model));
  ASSERT_EQ(a.log.size(), b.log.size());
  for (size_t i = 0; i < a.log.size(); ++i) {
    EXPECT_EQ(a.log[i].train_loss, b.log[i].train_loss);
    EXPECT_EQ(std::isnan(a.log[i].valid_loss), std::isnan(b.log[i].valid_loss));
  }
  EXPECT_EQ(a.final_valid_loss, b.final_valid_loss);
  o.seed = 2;
  EXPECT_NE(flat(pretrain(c, d, o).model), flat(a.model));
}

TEST(PretrainCheckpoint, ResumeContinuesBitForBit) {
  // 10 steps straight against 4 steps with a checkpoint, then a resumed run to 10. The epoch
  // boundary (8 lines: epochs of 4 steps) is crossed after the resume.
  TempDir dir;
  const TransformerConfig c = pretrain_config(tiny_shape(), 260);
  const PretrainData d = prepare_data(repetitive_corpus(8), byte_tokenizer(), 16, 1);
  ASSERT_LT(steps_per_epoch(d.train.count(), 4), 10);
  PretrainOptions o = quick_options(10);
  const PretrainResult straight = pretrain(c, d, o);

  PretrainOptions first = o;
  first.checkpoint_every = 4;
  first.checkpoint_path = dir.file("run.ckpt");
  first.max_steps = 10;
  // Stop after step 4 by throwing from the progress callback, as a killed run would stop.
  struct Stop {};
  try {
    pretrain(c, d, first, nullptr, [](const PretrainProgress& p) {
      if (p.row.step == 4) throw Stop{};
    });
    FAIL() << "did not stop";
  } catch (const Stop&) {
  }
  const PretrainCheckpoint ck = load_pretrain_checkpoint(dir.file("run.ckpt"), c);
  EXPECT_EQ(ck.step, 4);
  const PretrainResult resumed = pretrain(c, d, o, &ck);
  EXPECT_EQ(flat(resumed.model), flat(straight.model));
  ASSERT_EQ(resumed.log.size(), 6u);
  EXPECT_EQ(resumed.log.back().train_loss, straight.log.back().train_loss);
  EXPECT_EQ(resumed.final_valid_loss, straight.final_valid_loss);
}

// Random letters: a model over-fits the train lines and the held-out loss turns up again, so the
// best-validation model is an earlier step's.
std::vector<std::string> random_letters_corpus(int n, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) {
    std::string l;
    for (int k = 0; k < 40; ++k) l += char('a' + rng.below(26));
    lines.push_back(l);
  }
  return lines;
}

TEST(PretrainTrain, BestModelIsTheLowestValidationLossAndSurvivesAResume) {
  TempDir dir;
  const TransformerConfig c = pretrain_config(tiny_shape(), 260);
  const PretrainData d = prepare_data(random_letters_corpus(200, 3), byte_tokenizer(), 16, 1);
  PretrainOptions o = quick_options(120);
  o.lr = 1e-2f;
  o.eval_every = 10;
  const PretrainResult r = pretrain(c, d, o);
  int64_t argmin = 0;
  float lowest = INFINITY;
  for (const PretrainLogRow& row : r.log)
    if (row.valid_loss < lowest) lowest = row.valid_loss, argmin = row.step;
  EXPECT_EQ(r.best_step, argmin);
  EXPECT_EQ(r.best_valid_loss, lowest);
  ASSERT_LT(r.best_step, r.steps);  // over-fitting: the best is not the last (else this test shows nothing)
  EXPECT_NE(flat(r.best_model), flat(r.model));
  // The best model's held-out loss is the one recorded at its step.
  const TrainableTransformer best(r.best_model, {}, TuneMode::Full);
  EXPECT_EQ(evaluate_loss(best, d.valid, o.batch), lowest);

  // Stopped after the best step and resumed: the same best model (the checkpoint holds it).
  PretrainOptions first = o;
  first.checkpoint_every = 10;
  first.checkpoint_path = dir.file("run.ckpt");
  const int64_t stop_at = (r.best_step / 10 + 1) * 10;
  struct Stop {};
  try {
    pretrain(c, d, first, nullptr, [&](const PretrainProgress& p) {
      if (p.row.step == stop_at) throw Stop{};
    });
    FAIL() << "did not stop";
  } catch (const Stop&) {
  }
  const PretrainCheckpoint ck = load_pretrain_checkpoint(dir.file("run.ckpt"), c);
  const PretrainResult resumed = pretrain(c, d, o, &ck);
  EXPECT_EQ(resumed.best_step, r.best_step);
  EXPECT_EQ(flat(resumed.best_model), flat(r.best_model));
  EXPECT_EQ(flat(resumed.model), flat(r.model));
}

TEST(PretrainCheckpoint, AnotherShapeOrAForeignFileIsAClearError) {
  TempDir dir;
  const TransformerConfig c = pretrain_config(tiny_shape(), 260);
  const PretrainData d = prepare_data(repetitive_corpus(60), byte_tokenizer(), 16, 1);
  PretrainOptions o = quick_options(2);
  o.checkpoint_every = 2;
  o.checkpoint_path = dir.file("run.ckpt");
  pretrain(c, d, o);
  PretrainShape wider = tiny_shape();
  wider.dim = 48, wider.ffn = 96;
  try {
    load_pretrain_checkpoint(dir.file("run.ckpt"), pretrain_config(wider, 260));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another shape: dim 32 (the run: 48), ffn 64 (the run: 96)"), std::string::npos)
        << e.what();
  }
  // Another seed or corpus is refused too.
  const PretrainCheckpoint ck = load_pretrain_checkpoint(dir.file("run.ckpt"), c);
  PretrainOptions other = o;
  other.seed = 9;
  EXPECT_THROW(pretrain(c, d, other, &ck), std::runtime_error);
  const PretrainData more = prepare_data(repetitive_corpus(120), byte_tokenizer(), 16, 1);
  EXPECT_THROW(pretrain(c, more, o, &ck), std::runtime_error);
  // Truncated and foreign files.
  std::string bytes;
  {
    std::ifstream f(dir.file("run.ckpt"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  testing::write_file(dir.file("cut.ckpt"), bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(load_pretrain_checkpoint(dir.file("cut.ckpt"), c), std::runtime_error);
  testing::write_file(dir.file("foreign.ckpt"), "GGUF and some more bytes here");
  EXPECT_THROW(load_pretrain_checkpoint(dir.file("foreign.ckpt"), c), std::runtime_error);
  // A training state of another loop (the CTR trainer's kind) is refused by its kind.
  TrainingState other_kind;
  other_kind.kind = "ctr-train";
  save_training_state(dir.file("ctr.state"), other_kind);
  try {
    load_pretrain_checkpoint(dir.file("ctr.state"), c);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("a training state of ctr-train, where pretrain"), std::string::npos) << e.what();
  }
}

TEST(PretrainTrain, NonFiniteLossStopsWithTheStep) {
  // lr 1e30 without warm-up: the first update moves every weight by about 1e30, and the second
  // step's forward overflows.
  const TransformerConfig c = pretrain_config(tiny_shape(), 260);
  const PretrainData d = prepare_data(repetitive_corpus(60), byte_tokenizer(), 16, 1);
  PretrainOptions o = quick_options(5);
  o.lr = 1e30f;
  o.warmup = 0;
  o.clip = 1e30f;
  try {
    pretrain(c, d, o);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("at step 2"), std::string::npos) << e.what();
  }
}

// ./llactr pretrain end to end on a tiny run, and its errors before any work.
int run_pretrain(std::vector<std::string> args) {
  args.insert(args.begin(), "pretrain");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  const int rc = cmd_pretrain(int(argv.size()), argv.data());
  ::testing::internal::GetCapturedStdout();
  return rc;
}

std::string pretrain_error(std::vector<std::string> args) {
  try {
    run_pretrain(std::move(args));
  } catch (const std::exception& e) {
    ::testing::internal::GetCapturedStdout();
    return e.what();
  }
  return "no error";
}

TEST(PretrainCommand, WritesModelLogAndChartAndRefusesBadInput) {
  TempDir dir;
  byte_tokenizer_file();
  random_model_writer(tiny_byte_llama(64)).write(dir.file("tok.gguf"));
  std::string corpus;
  for (const std::string& l : repetitive_corpus(80)) corpus += l + "\n";
  testing::write_file(dir.file("c.txt"), corpus);
  const std::vector<std::string> base = {"--corpus", dir.file("c.txt"), "--tokenizer", dir.file("tok.gguf"), "--dim", "32",
                                         "--layers", "1", "--heads", "4", "--ffn", "64", "--context", "16",
                                         "--max-steps", "3", "--batch", "4", "--no-progress"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  ASSERT_EQ(run_pretrain(with({"--out", dir.file("m.gguf"), "--eval-every", "2"})), 0);
  const Model m = load_model(dir.file("m.gguf"));
  EXPECT_EQ(load_model(dir.file("m.best.gguf")).config.n_embd, 32);  // the best-validation model beside it
  EXPECT_EQ(m.config.n_embd, 32);
  EXPECT_EQ(m.config.n_vocab, 260);
  std::ifstream csv(dir.file("m.train.csv"));
  std::string header, row;
  std::getline(csv, header);
  EXPECT_EQ(header, "step,train_loss,valid_loss,lr,tokens_per_s");
  int rows = 0;
  while (std::getline(csv, row)) ++rows;
  EXPECT_EQ(rows, 3);
  EXPECT_TRUE(std::filesystem::exists(dir.file("m.loss.svg")));

  testing::write_file(dir.file("empty.txt"), "");
  testing::write_file(dir.file("bin.txt"), std::string("\x7f" "ELF\0\0\x01", 7));
  auto error_with = [&](std::vector<std::string> extra) { return pretrain_error(with(extra)); };
  EXPECT_NE(error_with({"--out", dir.file("x.gguf"), "--corpus", dir.file("empty.txt")}).find("the corpus is empty"), std::string::npos);
  EXPECT_NE(error_with({"--out", dir.file("x.gguf"), "--corpus", dir.file("bin.txt")}).find("NUL byte"), std::string::npos);
  EXPECT_NE(error_with({"--out", dir.file("x.gguf"), "--heads", "3"}).find("--dim 32 is not a multiple of --heads 3"),
            std::string::npos);
  EXPECT_NE(error_with({"--out", dir.file("x.gguf"), "--kv-heads", "3"}).find("not a multiple of --kv-heads 3"),
            std::string::npos);
  EXPECT_NE(error_with({"--out", dir.file("x.gguf"), "--context", "1"}).find("--context must be at least 2"), std::string::npos);
  EXPECT_NE(error_with({"--out", dir.file("no/such/dir/x.gguf")}).find("does not exist"), std::string::npos);
  EXPECT_NE(error_with({"--out", dir.str()}).find("is a folder"), std::string::npos);
  EXPECT_NE(error_with({"--out", dir.file("x.gguf"), "--tokenizer", dir.file("none.gguf")}).find("not found"),
            std::string::npos);
  // A checkpoint of another shape is refused before the corpus is read (here: an empty corpus).
  ASSERT_EQ(run_pretrain(with({"--out", dir.file("k.gguf"), "--checkpoint-every", "3"})), 0);
  EXPECT_NE(error_with({"--out", dir.file("x.gguf"), "--dim", "64", "--resume", dir.file("k.ckpt"), "--corpus",
                        dir.file("empty.txt")})
                .find("another shape: dim 32 (the run: 64)"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.gguf")));

  // Without --tokenizer, a --vocab tokenizer is trained on the corpus, written beside the model,
  // and its vocabulary is the model's.
  std::vector<std::string> own = with({"--out", dir.file("own.gguf"), "--vocab", "300"});
  own.erase(own.begin() + 2, own.begin() + 4);  // drop "--tokenizer tok.gguf"
  ASSERT_EQ(run_pretrain(own), 0);
  const Vocab trained = vocab_from_gguf(gguf::GgufFile::open(dir.file("own.tokenizer.gguf")));
  EXPECT_EQ(load_model(dir.file("own.gguf")).config.n_vocab, trained.size());
  EXPECT_EQ(vocab_from_gguf(gguf::GgufFile::open(dir.file("own.gguf"))).tokens, trained.tokens);
}

TEST(PretrainGguf, Stories260kTokenizerIsCopiedWhole) {
  const std::string data = llactr::testing::find_data("stories260K");
  if (data.empty()) GTEST_SKIP() << "stories260K not found (make data or LLACTR_DATA_MIRROR)";
  const gguf::GgufFile tok = gguf::GgufFile::open(data + "/stories260K.gguf");
  const TransformerConfig c = pretrain_config(tiny_shape(), 512);
  const gguf::GgufFile f = gguf::GgufFile::from_memory(llama_gguf_writer(init_model(c, 1), tok).to_bytes());
  const Vocab a = vocab_from_gguf(tok), b = vocab_from_gguf(f);
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.scores, b.scores);
  EXPECT_EQ(a.bos_id, b.bos_id);
  EXPECT_EQ(a.add_bos, b.add_bos);
  const Tokenizer ta(a), tb(b);
  EXPECT_EQ(ta.encode("Once upon a time, a cello."), tb.encode("Once upon a time, a cello."));
}

}  // namespace
}  // namespace llactr::llm
