// The real model: stories260K (llama architecture, F32, SentencePiece vocabulary of 512).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "llactr/llm/model/generate.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "test_data.h"

namespace llactr::llm {
namespace {

// The ids between the brackets of "token ids: [403, 407, ...]".
std::vector<int32_t> read_reference_ids(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<int32_t> ids;
  const size_t open = line.find('['), close = line.find(']');
  std::stringstream ss(line.substr(open + 1, close - open - 1));
  for (std::string tok; std::getline(ss, tok, ',');) ids.push_back(std::stoi(tok));
  return ids;
}

TEST(Stories260K, GreedyDecodingFromBosMatchesReference) {
  LLACTR_REQUIRE_DATA(dir, "stories260K");
  const std::string ref_path = dir + "/greedy_reference_40tok.txt";
  if (!std::ifstream(ref_path)) GTEST_SKIP() << ref_path << " absent";
  const std::vector<int32_t> expected = read_reference_ids(ref_path);
  ASSERT_EQ(expected.size(), 40u);

  const gguf::GgufFile file = gguf::GgufFile::open(dir + "/stories260K.gguf");
  const Model model = load_model(file);
  const Tokenizer tok(vocab_from_gguf(file));
  EXPECT_EQ(model.config.n_head, 8);
  EXPECT_EQ(model.config.n_head_kv, 4);
  Sampler greedy({}, model.config.n_vocab);
  const std::vector<int32_t> got = generate(model, {tok.bos()}, 40, greedy);
  EXPECT_EQ(got, expected);

  std::string text;
  for (int32_t id : got) text += tok.token_to_piece(id);
  EXPECT_EQ(text, " Once upon a time, there was a little girl named Lily. She loved to play outside in "
                  "the park. One day, she saw a big, r");
}

}  // namespace
}  // namespace llactr::llm
