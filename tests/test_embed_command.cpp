// ./llactr embed: --attention and --pool give the pooled final-norm hidden states of forward()
// with that mask, on a random-weight model file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data_fixtures.h"
#include "llactr/apps/commands.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/llm/model/transformer.h"
#include "llactr/util/npy.h"
#include "support/random_model.h"

namespace llactr {
namespace {

using testing::TempDir;

// Runs `llactr embed` with these options (plus --llm-model and --out) and reads the vector back.
std::vector<float> embed(const std::string& model, const std::string& out, std::vector<std::string> options) {
  std::vector<std::string> args = {"embed", "--llm-model", model, "--text", "a cat", "--out", out};
  args.insert(args.end(), options.begin(), options.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  const int rc = cmd_embed(int(argv.size()), argv.data());
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0);
  return read_npy(out).data;
}

TEST(EmbedCommand, AttentionAndPoolOptions) {
  TempDir dir;
  llm::RandomModelSpec spec;
  spec.n_vocab = 300;  // every byte has its token
  llm::random_model_writer(spec).write(dir.file("m.gguf"));
  const llm::LanguageModel lm = llm::open_language_model(dir.file("m.gguf"));
  const std::vector<int32_t> ids = lm.tokenizer.encode("a cat");
  const int T = int(ids.size()), d = spec.n_embd;
  ASSERT_GT(T, 2);

  for (const char* attention : {"causal", "bidirectional"}) {
    llm::Prompts prompts;
    prompts.attention = std::string(attention) == "causal" ? llm::AttentionMask::Causal
                                                           : llm::AttentionMask::Bidirectional;
    const std::vector<float> hidden = llm::forward(lm.model, {ids}, {llm::LogitsMode::None, false}, prompts).hidden;
    const std::vector<float> last = embed(dir.file("m.gguf"), dir.file("v.npy"), {"--attention", attention});
    const std::vector<float> mean =
        embed(dir.file("m.gguf"), dir.file("v.npy"), {"--attention", attention, "--pool", "mean"});
    ASSERT_EQ(last.size(), size_t(d));
    ASSERT_EQ(mean.size(), size_t(d));
    for (int i = 0; i < d; ++i) {
      double sum = 0;
      for (int t = 0; t < T; ++t) sum += hidden[size_t(t) * d + i];
      EXPECT_EQ(last[i], hidden[size_t(T - 1) * d + i]) << attention << " " << i;
      EXPECT_NEAR(mean[i], sum / T, 1e-5) << attention << " " << i;
    }
  }
  // The default is causal; bidirectional changes the mean (earlier tokens now see later ones).
  const std::vector<float> plain = embed(dir.file("m.gguf"), dir.file("v.npy"), {"--pool", "mean"});
  EXPECT_EQ(plain, embed(dir.file("m.gguf"), dir.file("v.npy"), {"--pool", "mean", "--attention", "causal"}));
  EXPECT_NE(plain, embed(dir.file("m.gguf"), dir.file("v.npy"), {"--pool", "mean", "--attention", "bidirectional"}));
  std::string model = dir.file("m.gguf");
  const char* bad[] = {"embed", "--llm-model", model.c_str(), "--attention", "both"};
  EXPECT_THROW(cmd_embed(5, const_cast<char**>(bad)), std::invalid_argument);
}

}  // namespace
}  // namespace llactr
