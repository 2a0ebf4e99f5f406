// BPE tokenizer training: a hand-computed example, round trips through the written GGUF with our
// SentencePiece tokenizer, determinism, the byte-token share and the errors on bad corpora.
#include <gtest/gtest.h>

#include <random>

#include "data_fixtures.h"
#include "llactr/data/line_parsing.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/bpe_trainer.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/util/utf8.h"

namespace llactr::llm {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::error_of;
using testing::write_file;

Tokenizer load(const std::string& path) { return Tokenizer(vocab_from_gguf(gguf::GgufFile::open(path))); }

const std::vector<std::string> kCorpus = {
    "cello: a large stringed instrument; seated player holds it upright while playing.",
    "cello is a bowed stringed instrument, a stringed instrument, a musical instrument, a device.",
    "violin: bowed stringed instrument that is the highest member of the violin family.",
    "Toy Story (1995) is tagged pixar, fun.",
    "Amélie (2001) is tagged paris, whimsical, \xE2\x80\x9C" "quirky\xE2\x80\x9D.",
    "  two leading spaces,\ta tab and  double  spaces  ",
    "numbers 1 2 3 and symbols #$%&*+/<=>@[\\]^_`{|}~",
};

}  // namespace

// "aaab aab" -> words "▁aaab" and "▁aab". Characters by count: a (5), then b and ▁ (2 each; "b"
// sorts before the bytes of "▁"). Pairs: (a,a) 3, (▁,a) 2, (a,b) 2 -> merge "aa" (rank 0). Words:
// ▁|aa|a|b and ▁|aa|b; pairs (▁,aa) 2, the rest 1 -> merge "▁aa" (rank 1); then no pair occurs twice.
TEST(TokenizerTraining, HandComputedMergesAndIds) {
  BpeTrainStats st;
  const Vocab v = train_bpe_vocab({"aaab aab"}, BpeTrainOptions{4096, 1}, &st);
  ASSERT_EQ(v.size(), 259 + 2 + 3);
  EXPECT_EQ(st.merges, 2u);
  EXPECT_EQ(st.words, 2u);
  EXPECT_EQ(st.chars_kept, 3u);
  EXPECT_EQ(st.tokens, 5u);  // ▁aa|a|b and ▁aa|b
  EXPECT_EQ(v.tokens[0], "<unk>");
  EXPECT_EQ(v.types[0], TokenType::Unknown);
  EXPECT_EQ(v.types[1], TokenType::Control);
  EXPECT_EQ(v.tokens[3 + 0x41], "<0x41>");
  EXPECT_EQ(v.types[3 + 0x41], TokenType::Byte);
  const std::vector<std::string> pieces(v.tokens.begin() + 259, v.tokens.end());
  EXPECT_EQ(pieces, (std::vector<std::string>{"aa", "\xE2\x96\x81" "aa", "a", "b", "\xE2\x96\x81"}));
  EXPECT_EQ(v.scores[259], 0.0f);
  EXPECT_EQ(v.scores[260], -1.0f);
  EXPECT_LT(v.scores[261], v.scores[260]);  // characters below every merge

  const Tokenizer tok(v);
  // "▁aaab": "aa" (score 0, the leftmost of two) first, then "▁aa" (-1); as in training.
  EXPECT_EQ(tok.encode("aaab", false), (std::vector<int32_t>{260, 261, 262}));
  EXPECT_EQ(tok.encode("aab", false), (std::vector<int32_t>{260, 262}));
  // "c" was never seen: "▁" then the byte token <0x63>.
  EXPECT_EQ(tok.encode("c", false), (std::vector<int32_t>{263, 3 + 0x63}));
  EXPECT_EQ(tok.decode(tok.encode("aab c", true)), "aab c");

  // One slot for merges: only "aa".
  const Vocab small = train_bpe_vocab({"aaab aab"}, BpeTrainOptions{263, 1});
  ASSERT_EQ(small.size(), 263);
  EXPECT_EQ(small.tokens[259], "aa");
}

TEST(TokenizerTraining, RoundTripsCorpusLinesAndRandomUtf8ThroughTheGguf) {
  TempDir dir;
  BpeTrainStats st;
  const Vocab v = train_bpe_vocab(kCorpus, BpeTrainOptions{330, 1}, &st);
  EXPECT_EQ(v.size(), 330);  // the corpus has pairs for about 390
  write_tokenizer_gguf(v, dir.file("tok.gguf"));
  const gguf::GgufFile file = gguf::GgufFile::open(dir.file("tok.gguf"));
  EXPECT_TRUE(file.tensors().empty());
  EXPECT_EQ(file.get_string("tokenizer.ggml.model"), "llama");
  const Tokenizer tok = load(dir.file("tok.gguf"));
  EXPECT_EQ(tok.vocab().tokens, v.tokens);
  EXPECT_EQ(tok.vocab().scores, v.scores);
  EXPECT_EQ(tok.vocab().types, v.types);
  EXPECT_EQ(tok.bos(), 1);
  EXPECT_EQ(tok.eos(), 2);
  EXPECT_TRUE(tok.vocab().add_bos);
  EXPECT_TRUE(tok.vocab().add_space_prefix);

  EXPECT_EQ(encode_corpus(tok, kCorpus, 0).round_trip_failures, 0u);
  // "▁" in the text decodes as a space: SentencePiece's one text that does not round-trip.
  const CorpusEncoding bad = encode_corpus(tok, {"fine", "a\xE2\x96\x81" "b"}, 0);
  EXPECT_EQ(bad.round_trip_failures, 1u);
  EXPECT_EQ(bad.first_failure, 1u);
  for (const std::string& line : kCorpus) {
    const std::vector<int32_t> ids = tok.encode(line, true);
    EXPECT_EQ(tok.decode(ids), line);
    for (int32_t id : ids) EXPECT_NE(tok.vocab().types[id], TokenType::Byte) << line;  // every character is a token
  }
  // Random UTF-8: code points from every plane (no surrogates; not U+2581, which SentencePiece
  // reads as a space), spaces and ASCII among them.
  std::mt19937 rng(7);
  for (int t = 0; t < 300; ++t) {
    std::string s;
    const int n = int(rng() % 20);
    for (int i = 0; i < n; ++i) {
      uint32_t cp;
      switch (rng() % 4) {
        case 0: cp = ' '; break;
        case 1: cp = 0x20 + rng() % 0x5F; break;
        case 2: cp = 0x80 + rng() % 0x780; break;
        default: cp = 0x800 + rng() % (0x110000 - 0x800); break;
      }
      if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0x2581) cp = 'x';
      append_utf8(s, cp);
    }
    ASSERT_TRUE(is_valid_utf8(s));
    EXPECT_EQ(tok.decode(tok.encode(s, true)), s) << "case " << t;
  }
}

TEST(TokenizerTraining, TrainingTwiceWritesIdenticalFiles) {
  TempDir dir;
  write_tokenizer_gguf(train_bpe_vocab(kCorpus, BpeTrainOptions{350, 1}), dir.file("a.gguf"));
  write_tokenizer_gguf(train_bpe_vocab(kCorpus, BpeTrainOptions{350, 1}), dir.file("b.gguf"));
  EXPECT_EQ(read_file(dir.file("a.gguf")), read_file(dir.file("b.gguf")));
}

// min_char_count 2 leaves "é" (seen once) to byte fallback: "▁é" is "▁" + <0xC3> <0xA9>.
TEST(TokenizerTraining, ByteTokenShareOfRareCharacters) {
  const std::vector<std::string> lines = {"aaab aab", "\xC3\xA9", "ab ab"};
  BpeTrainStats st;
  const Tokenizer tok(train_bpe_vocab(lines, BpeTrainOptions{4096, 2}, &st));
  EXPECT_EQ(st.chars_dropped, 1u);
  EXPECT_EQ(st.tokens, encode_corpus(tok, lines, 0).tokens);  // é: ▁ + two bytes
  EXPECT_EQ(tok.encode("\xC3\xA9", false), (std::vector<int32_t>{tok.token_id("\xE2\x96\x81"), 3 + 0xC3, 3 + 0xA9}));
  const CorpusEncoding s = encode_corpus(tok, lines, 5);
  EXPECT_EQ(s.round_trip_failures, 0u);
  EXPECT_EQ(s.byte_tokens, 2u);
  EXPECT_NEAR(s.mean_line_share, (2.0 / 3.0) / 3.0, 1e-12);  // one line of three at 2/3
  ASSERT_EQ(s.worst.size(), 1u);
  EXPECT_EQ(s.worst[0].second, 1u);
  EXPECT_NEAR(s.worst[0].first, 2.0 / 3.0, 1e-12);
}

TEST(TokenizerTraining, MalformedCorporaAreClearErrors) {
  TempDir dir;
  write_file(dir.file("empty.txt"), "");
  write_file(dir.file("blank.txt"), "\n  \n\r\n");
  write_file(dir.file("latin1.txt"), "ok\nok\ncaf\xE9\n");
  EXPECT_NE(error_of([&] { data::read_corpus_lines(dir.file("empty.txt")); }).find("empty.txt: the corpus is empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] { data::read_corpus_lines(dir.file("blank.txt")); }).find("the corpus is empty"), std::string::npos);
  write_file(dir.file("nul.txt"), std::string("fine\nbin\0ary\n", 13));
  EXPECT_NE(error_of([&] { data::read_corpus_lines(dir.file("nul.txt")); }).find("nul.txt:2: NUL byte at column 4"),
            std::string::npos);
  EXPECT_NE(error_of([&] { data::read_corpus_lines(dir.file("latin1.txt")); }).find("latin1.txt:3: invalid UTF-8"),
            std::string::npos);
  EXPECT_NE(error_of([&] { data::read_corpus_lines(dir.file("missing.txt")); }).find("cannot open"), std::string::npos);
  write_file(dir.file("ok.txt"), "first line\r\n\n second\n");  // CRLF ends, a blank line, a leading space kept
  EXPECT_EQ(data::read_corpus_lines(dir.file("ok.txt")), (std::vector<std::string>{"first line", " second"}));
}

TEST(TokenizerTraining, VocabularyTooSmallForBytesAndCharacters) {
  // "aaab aab" has 3 characters: 262 is the least vocabulary.
  EXPECT_NE(error_of([] { train_bpe_vocab({"aaab aab"}, BpeTrainOptions{261, 1}); })
                .find("--vocab 261 is too small: 3 control + 256 byte + 3 character tokens need 262"),
            std::string::npos);
  EXPECT_NE(error_of([] { train_bpe_vocab({}, BpeTrainOptions{}); }).find("empty"), std::string::npos);
  EXPECT_EQ(train_bpe_vocab({"aaab aab"}, BpeTrainOptions{262, 1}).size(), 262);
}

}  // namespace llactr::llm
