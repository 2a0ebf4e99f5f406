// The pre-tokenizers and byte-level BPE on all of Unicode, against the npm references: the expected
// splits and ids in tokenizer_reference_cases.h come from tests/reference/ (gpt-3-encoder for GPT-2,
// js-tiktoken for cl100k, whose split is Llama-3's), never from llactr itself.
#include <gtest/gtest.h>

#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "llactr/llm/tokenizer/pretokenizer.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/unicode.h"
#include "tokenizer_reference_cases.h"

namespace llactr::llm {
namespace {

using Words = std::vector<std::string>;

Words words(const char* joined) {
  Words out;
  std::stringstream ss(joined);
  for (std::string w; std::getline(ss, w, reference::kWordSeparator);) out.push_back(w);
  return out;
}

TEST(PreTokenizerUnicode, SplitsMatchTheReferenceRegexes) {
  ASSERT_GT(std::size(reference::kSplitCases), 200u);
  for (const reference::SplitCase& c : reference::kSplitCases) {
    EXPECT_EQ(pre_tokenize(c.text, PreTokenizer::Gpt2), words(c.gpt2)) << "gpt-2: " << c.text;
    EXPECT_EQ(pre_tokenize(c.text, PreTokenizer::Llama3), words(c.llama3)) << "llama-bpe: " << c.text;
    EXPECT_EQ(pre_tokenize(c.text, PreTokenizer::Qwen2), words(c.qwen2)) << "qwen2: " << c.text;
    EXPECT_EQ(pre_tokenize(c.text, PreTokenizer::Smollm), words(c.smollm)) << "smollm: " << c.text;
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
  for (size_t i = 0; i < part.n_tokens; ++i) v.tokens[size_t(part.tokens[i].id)] = part.tokens[i].text;
  v.merges.assign(part.merges, part.merges + part.n_merges);
  return v;
}

void expect_reference_ids(const reference::VocabPart& part) {
  const Tokenizer tok(vocab_from_part(part));
  for (size_t i = 0; i < part.n_cases; ++i) {
    std::vector<int32_t> ids;
    std::stringstream ss(part.cases[i].ids);
    for (int32_t id; ss >> id;) ids.push_back(id);
    EXPECT_EQ(tok.encode(part.cases[i].text, false), ids) << part.pre << ": " << part.cases[i].text;
  }
}

TEST(TokenizerUnicode, Gpt2IdsMatchGpt3Encoder) { expect_reference_ids(reference::kGpt2Part); }
TEST(TokenizerUnicode, LlamaBpeIdsMatchJsTiktokenCl100k) { expect_reference_ids(reference::kCl100kPart); }

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
