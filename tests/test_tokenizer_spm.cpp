// SentencePiece tokenizer on the real stories260K vocabulary (512 tokens: <unk>, <s>, </s>,
// 256 byte tokens <0x00>..<0xFF> at ids 3..258, then merges with scores 0, -1, -2, ...).
#include <gtest/gtest.h>

#include <random>

#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/unicode.h"
#include "llactr/util/utf8.h"
#include "test_data.h"

namespace llactr::llm {
namespace {

class TokenizerStories260K : public ::testing::Test {
 protected:
  void SetUp() override {
    LLACTR_REQUIRE_DATA(dir, "stories260K");
    const gguf::GgufFile file = gguf::GgufFile::open(dir + "/stories260K.gguf");
    tok = std::make_unique<Tokenizer>(vocab_from_gguf(file));
  }
  std::unique_ptr<Tokenizer> tok;
};

TEST_F(TokenizerStories260K, MetadataDefaults) {
  EXPECT_EQ(tok->vocab().model, "llama");
  EXPECT_EQ(tok->n_vocab(), 512);
  EXPECT_EQ(tok->bos(), 1);
  EXPECT_EQ(tok->eos(), 2);
  EXPECT_TRUE(tok->vocab().add_bos);  // no add_bos_token key: llama.cpp's default for "llama"
  EXPECT_EQ(tok->encode("", true), std::vector<int32_t>{1});
  EXPECT_TRUE(tok->encode("", false).empty());
}

// Hand-derived from the vocabulary's scores (listed in each comment).
TEST_F(TokenizerStories260K, HandCheckedTokenisations) {
  // "▁the": ▁t(259, score 0) first, then he(260, -1), then ▁the(265, -6).
  EXPECT_EQ(tok->encode("the", false), (std::vector<int32_t>{265}));
  // "▁cat": ▁c(280, -21) beats at(294, -35); neither ▁ca nor ▁cat is a token.
  EXPECT_EQ(tok->encode("cat", false), (std::vector<int32_t>{280, 294}));
  // "▁Lily": il(-31), ▁L(-48), ily(-51), then ▁Lily(317, -58).
  EXPECT_EQ(tok->encode("Lily", true), (std::vector<int32_t>{1, 317}));
  // Emoji: ▁h(270), i(417), ▁(410), then U+1F600 = F0 9F 98 80 as byte tokens 3 + byte.
  EXPECT_EQ(tok->encode("hi \xF0\x9F\x98\x80", false),
            (std::vector<int32_t>{270, 417, 410, 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80}));
  // The reference story's opening words.
  EXPECT_EQ(tok->encode("Once upon a time", false), (std::vector<int32_t>{403, 407, 261, 378}));
}

TEST_F(TokenizerStories260K, PiecesOfSpecialAndByteTokens) {
  EXPECT_EQ(tok->token_to_piece(1), "");       // <s> is a control token
  EXPECT_EQ(tok->token_to_piece(3 + 'A'), "A");  // <0x41>
  EXPECT_EQ(tok->token_to_piece(403), " Once");
  EXPECT_EQ(tok->token_to_piece(0), "\xE2\x96\x85");  // <unk> prints as llama.cpp does
  EXPECT_THROW(tok->token_to_piece(512), std::out_of_range);
  EXPECT_THROW(tok->token_to_piece(-1), std::out_of_range);
}

TEST_F(TokenizerStories260K, RoundTripsAsciiAndUtf8) {
  const std::vector<std::string> texts = {
      "Once upon a time, there was a little girl named Lily.",
      "  two leading spaces, and trailing  ",
      "tabs\tand\nnew\r\nlines",
      "caf\xC3\xA9 na\xC3\xAFve \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",  // café naïve 日本語
      "emoji \xF0\x9F\x98\x80\xF0\x9F\x91\x8D!",                          // 😀👍
      "x",
      " ",
  };
  for (const std::string& t : texts) {
    EXPECT_EQ(tok->decode(tok->encode(t, true)), t) << t;
    EXPECT_EQ(tok->decode(tok->encode(t, false)), t) << t;
  }
}

TEST_F(TokenizerStories260K, RoundTripsRandomText) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> ascii(32, 126), len(1, 40), pick(0, 9);
  std::uniform_int_distribution<uint32_t> bmp(0xA0, 0xD7FF), astral(0x10000, 0x1FAFF);
  for (int iter = 0; iter < 300; ++iter) {
    std::string t;
    for (int i = len(rng); i > 0; --i) {
      const int p = pick(rng);
      if (p < 7) t += char(ascii(rng));
      else if (p < 9) append_utf8(t, bmp(rng));
      else append_utf8(t, astral(rng));
    }
    ASSERT_EQ(tok->decode(tok->encode(t, true)), t);
  }
}

}  // namespace
}  // namespace llactr::llm
