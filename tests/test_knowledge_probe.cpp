// The knowledge probe (docs/KNOWLEDGE.md): neighbour purity and the linear probe on vectors whose
// answer is known by hand, the pooled hidden states against forward()'s rows, the categories
// file's reader, and `llactr probe` end to end on a random-weight model.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "data_fixtures.h"
#include "llactr/apps/commands.h"
#include "llactr/data/word_categories.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/llm/model/pooled_hidden.h"
#include "llactr/llm/model/transformer.h"
#include "llactr/nn/embedding_probe.h"
#include "llactr/tensor/rng.h"
#include "support/random_model.h"

namespace llactr {
namespace {

using testing::TempDir;
using testing::write_file;

TEST(EmbeddingProbe, PurityByHand) {
  // Four 2-D points: a, b near (1, 0); c, d near (0, 1). Labels a,b = 0 and c,d = 1.
  const std::vector<float> X = {1, 0.1f, 1, 0.2f, 0.1f, 1, 0.2f, 1};
  EXPECT_DOUBLE_EQ(neighbour_purity(X, 2, {0, 0, 1, 1}, 1), 1.0);  // each one's nearest is its twin
  // Labels a,c = 0 and b,d = 1: every nearest neighbour is in the other category.
  EXPECT_DOUBLE_EQ(neighbour_purity(X, 2, {0, 1, 0, 1}, 1), 0.0);
  // k = 2 with labels {0,0,1,1}: a's two nearest are b (0) and then c or d (1): 1/2 for everyone.
  EXPECT_DOUBLE_EQ(neighbour_purity(X, 2, {0, 0, 1, 1}, 2), 0.5);
  // Cosine, not distance: scaling a vector changes nothing.
  const std::vector<float> scaled = {10, 1, 1, 0.2f, 0.1f, 1, 0.2f, 1};
  EXPECT_DOUBLE_EQ(neighbour_purity(scaled, 2, {0, 0, 1, 1}, 1), 1.0);
}

TEST(EmbeddingProbe, BadInputThrows) {
  const std::vector<float> X = {1, 0, 0, 1, 1, 1};
  EXPECT_THROW(neighbour_purity(X, 2, {0, 1, 0}, 3), std::invalid_argument);   // k >= n
  EXPECT_THROW(neighbour_purity(X, 2, {0, 1}, 1), std::invalid_argument);      // sizes differ
  EXPECT_THROW(neighbour_purity({0, 0, 1, 1}, 2, {0, 1}, 1), std::invalid_argument);  // zero vector
  EXPECT_THROW(stratified_split({0, 0, 1}, 0.5, 1), std::invalid_argument);     // a category of one
  EXPECT_THROW(stratified_split({0, 0, 1, 1}, 1.0, 1), std::invalid_argument);  // share outside (0, 1)
}

TEST(EmbeddingProbe, StratifiedSplitKeepsEveryCategoryOnBothSides) {
  std::vector<int32_t> labels;
  for (int c = 0; c < 5; ++c)
    for (int i = 0; i < 10 + c; ++i) labels.push_back(c);
  const ProbeSplit s = stratified_split(labels, 0.5, 7);
  EXPECT_EQ(s.train.size() + s.test.size(), labels.size());
  std::set<int> all(s.train.begin(), s.train.end());
  for (int i : s.test) EXPECT_TRUE(all.insert(i).second) << "item " << i << " on both sides";
  for (int c = 0; c < 5; ++c) {
    int tr = 0, te = 0;
    for (int i : s.train) tr += labels[size_t(i)] == c;
    for (int i : s.test) te += labels[size_t(i)] == c;
    EXPECT_EQ(tr, int(std::lround(0.5 * (10 + c)))) << "category " << c;
    EXPECT_GT(te, 0);
  }
  EXPECT_EQ(s.train, stratified_split(labels, 0.5, 7).train);  // seeded
  EXPECT_NE(s.train, stratified_split(labels, 0.5, 8).train);
}

// n items per category around C well-separated centres (or with labels unrelated to the vectors).
void clusters(int C, int n, int d, float noise, bool shuffled_labels, std::vector<float>& X, std::vector<int32_t>& y) {
  Rng rng(3);
  std::vector<float> centres(size_t(C) * d);
  for (float& v : centres) v = rng.normal();
  for (int c = 0; c < C; ++c)
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < d; ++j) X.push_back(centres[size_t(c) * d + j] + noise * rng.normal());
      y.push_back(shuffled_labels ? int32_t(rng.below(uint64_t(C))) : c);
    }
}

TEST(EmbeddingProbe, LinearProbeReadsSeparableCategoriesAndNotRandomOnes) {
  const int C = 6, n = 40, d = 16;
  std::vector<float> X;
  std::vector<int32_t> y;
  clusters(C, n, d, 0.3f, false, X, y);
  EXPECT_DOUBLE_EQ(linear_probe_accuracy(X, d, y, stratified_split(y, 0.5, 1)), 1.0);
  EXPECT_GT(neighbour_purity(X, d, y, 10), 0.95);

  // Labels drawn independently of the vectors: nothing to learn, so test accuracy stays near the
  // chance level 1/6. The bound 0.4 is far above chance yet far below what real structure gives.
  std::vector<float> Xr;
  std::vector<int32_t> yr;
  clusters(C, n, d, 0.3f, true, Xr, yr);
  const ProbeSplit s = stratified_split(yr, 0.5, 1);
  EXPECT_LT(linear_probe_accuracy(Xr, d, yr, s), 0.4);
  EXPECT_LT(neighbour_purity(Xr, d, yr, 10), 0.4);
  EXPECT_GT(majority_share(yr, s.test), 0.0);
}

TEST(PooledHidden, EqualsForwardRowsPooledByHand) {
  TempDir dir;
  llm::RandomModelSpec spec;
  spec.n_vocab = 300;
  llm::random_model_writer(spec).write(dir.file("m.gguf"));
  const llm::LanguageModel lm = llm::open_language_model(dir.file("m.gguf"));
  const std::vector<std::vector<int32_t>> seqs = {lm.tokenizer.encode("a cat"), lm.tokenizer.encode("cello"),
                                                  lm.tokenizer.encode("a dog barks")};
  const int d = spec.n_embd;
  const llm::ForwardOutput ref = llm::forward(lm.model, seqs, {llm::LogitsMode::None, false});  // [B, T, d]
  for (llm::Pooling p : {llm::Pooling::Last, llm::Pooling::Mean})
    for (int batch : {1, 2, 3}) {
      const std::vector<float> got = llm::pooled_hidden(lm.model, seqs, p, batch);  // [3, d]
      ASSERT_EQ(got.size(), seqs.size() * size_t(d));
      for (size_t b = 0; b < seqs.size(); ++b) {
        const int T = int(seqs[b].size());
        for (int j = 0; j < d; ++j) {
          double want = 0;
          for (int t = p == llm::Pooling::Last ? T - 1 : 0; t < T; ++t)
            want += ref.hidden[(b * size_t(ref.max_len) + size_t(t)) * d + size_t(j)];
          if (p == llm::Pooling::Mean) want /= T;
          // Rows packed with other sequences go through GEMMs of another size, whose blocking
          // may round differently: float32 round-off of O(1) activations, hence 1e-5.
          EXPECT_NEAR(got[b * size_t(d) + size_t(j)], want, 1e-5) << "seq " << b << " dim " << j << " batch " << batch;
        }
      }
    }
  EXPECT_THROW(llm::parse_pooling("max"), std::invalid_argument);
}

TEST(WordCategoriesReader, ReadsWordsAndCategories) {
  TempDir dir;
  write_file(dir.file("c.tsv"), "# word\tcategory\ncello\tinstrument\nbeagle\tdog\r\nviola\tinstrument\n\n");
  const data::WordCategories wc = data::read_word_categories(dir.file("c.tsv"));
  EXPECT_EQ(wc.words, (std::vector<std::string>{"cello", "beagle", "viola"}));
  EXPECT_EQ(wc.labels, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(wc.names, (std::vector<std::string>{"instrument", "dog"}));
}

TEST(WordCategoriesReader, MalformedLinesNameFileAndLine) {
  TempDir dir;
  auto error = [&](const std::string& text) {
    write_file(dir.file("c.tsv"), text);
    try {
      data::read_word_categories(dir.file("c.tsv"));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error("cello\tinstrument\nviola instrument\n").find("c.tsv:2: expected 'word<TAB>category'"), std::string::npos);
  EXPECT_NE(error("cello\ta\tb\n").find("c.tsv:1:"), std::string::npos);
  EXPECT_NE(error("cello\tx\ncello\ty\n").find("c.tsv:2: the word 'cello' appears twice"), std::string::npos);
  EXPECT_NE(error("# only a comment\n").find("no words"), std::string::npos);
  EXPECT_NE(error("\tx\n").find("c.tsv:1:"), std::string::npos);
  EXPECT_THROW(data::read_word_categories(dir.file("missing.tsv")), std::runtime_error);
}

int run_probe(std::vector<std::string> args) {
  args.insert(args.begin(), "probe");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  try {
    const int rc = cmd_probe(int(argv.size()), argv.data());
    ::testing::internal::GetCapturedStdout();
    return rc;
  } catch (...) {
    ::testing::internal::GetCapturedStdout();  // release the capture for the next call
    throw;
  }
}

TEST(ProbeCommand, WritesFiguresAndRejectsBadOptions) {
  TempDir dir;
  llm::RandomModelSpec spec;
  spec.n_vocab = 300;
  llm::random_model_writer(spec).write(dir.file("m.gguf"));
  std::string tsv;
  const char* words[3][4] = {{"cello", "viola", "harp", "flute"}, {"beagle", "poodle", "collie", "boxer"},
                             {"oak", "pine", "elm", "birch"}};
  for (int c = 0; c < 3; ++c)
    for (const char* w : words[c]) tsv += std::string(w) + "\tcat" + std::to_string(c) + "\n";
  write_file(dir.file("c.tsv"), tsv);
  const std::vector<std::string> base = {"--llm-model", dir.file("m.gguf"), "--categories", dir.file("c.tsv"), "--k", "3"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  ASSERT_EQ(run_probe(with({"--out", dir.file("p.json"), "--template", "Item Name is {word}."})), 0);
  std::ifstream f(dir.file("p.json"));
  const std::string json((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (const char* key : {"\"purity\"", "\"probe_accuracy\"", "\"purity_chance\"", "\"words\": 12", "\"categories\": 3"})
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  // With --generate, the text the model reads is the template and what the model writes after it.
  ASSERT_EQ(run_probe(with({"--out", dir.file("g.json"), "--template", "{word} is a", "--generate", "4"})), 0);
  std::ifstream g(dir.file("g.json"));
  const std::string gjson((std::istreambuf_iterator<char>(g)), std::istreambuf_iterator<char>());
  EXPECT_NE(gjson.find("\"generate\": 4"), std::string::npos) << gjson;
  EXPECT_THROW(run_probe(with({"--generate", "-1"})), std::invalid_argument);
  EXPECT_THROW(run_probe(with({"--template", "no word"})), std::invalid_argument);
  EXPECT_THROW(run_probe(with({"--pool", "max"})), std::invalid_argument);
  EXPECT_THROW(run_probe(with({"--k", "12"})), std::invalid_argument);
  EXPECT_THROW(run_probe(with({"--out", "/proc/nope/p.json"})), std::runtime_error);
}

}  // namespace
}  // namespace llactr
