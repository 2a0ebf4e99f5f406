// The pre-tokenizers and byte-level BPE on all of Unicode, against the npm references: the expected
// splits and ids in tokenizer_reference_cases.h come from tests/reference/ (gpt-3-encoder for GPT-2,
// js-tiktoken for cl100k, whose split is Llama-3's), never from llactr itself.
#include <gtest/gtest.h>

#include "llactr/llm/tokenizer/pretokenizer.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/unicode.h"
#include "tokenizer_reference_cases.h"

namespace llactr::llm {
namespace {

TEST(PreTokenizerUnicode, SplitsMatchTheReferenceRegexes) {
  ASSERT_GT(reference::split_cases().size(), 200u);
  for (const reference::SplitCase& c : reference::split_cases()) {
    EXPECT_EQ(pre_tokenize(c.text, PreTokenizer::Gpt2), c.gpt2) << "gpt-2: " << c.text;
    EXPECT_EQ(pre_tokenize(c.text, PreTokenizer::Llama3), c.llama3) << "llama-bpe: " << c.text;
    EXPECT_EQ(pre_tokenize(c.text, PreTokenizer::Qwen2), c.qwen2) << "qwen2: " << c.text;
    EXPECT_EQ(pre_tokenize(c.text, PreTokenizer::Smollm), c.smollm) << "smollm: " << c.text;
  }
}

// The reference vocabulary with only the tokens and merges its cases can reach; every other id holds
// a placeholder no byte-level word can contain (byte-level text has no plain space).
Vocab vocab_from_part(const reference::VocabPart& part) {
  Vocab v;
  v.model = "gpt2";
  v.pre = part.pre;
  v.tokens.resize(size_t(part.n_vocab));
  for (int32_t id = 0; id < part.n_vocab; ++id) v.tokens[size_t(id)] = "<unused " + std::to_string(id) + ">";
  for (const auto& [id, token] : part.tokens) v.tokens[size_t(id)] = token;
  v.merges = part.merges;
  return v;
}

void expect_reference_ids(const reference::VocabPart& part) {
  const Tokenizer tok(vocab_from_part(part));
  for (const reference::IdCase& c : part.cases) EXPECT_EQ(tok.encode(c.text, false), c.ids) << part.pre << ": " << c.text;
}

TEST(TokenizerUnicode, Gpt2IdsMatchGpt3Encoder) { expect_reference_ids(reference::gpt2_part()); }
TEST(TokenizerUnicode, LlamaBpeIdsMatchJsTiktokenCl100k) { expect_reference_ids(reference::cl100k_part()); }

TEST(TokenizerUnicode, CategoriesOfTheUnicodeDatabase) {
  EXPECT_TRUE(is_letter(0x211D) && is_letter(0x1D400) && is_letter(0x02B0) && is_letter(0xFB01));
  EXPECT_FALSE(is_letter(0x0378) || is_letter(0xE000) || is_letter(0x0301));  // unassigned, private use, mark
  EXPECT_TRUE(is_number(0x1D7CF) && is_number(0x0ED1) && is_number(0x216B) && is_number(0x10107));
  EXPECT_FALSE(is_number(0x0378) || is_number('a'));
  EXPECT_TRUE(is_whitespace(0x85) && is_whitespace(0x2028) && is_whitespace(0x1680));
  EXPECT_FALSE(is_whitespace(0xFEFF) || is_whitespace(0x200B) || is_whitespace(0x1C));
}

}  // namespace
}  // namespace llactr::llm
