// Byte-level BPE and the pre-tokenizers, on a small synthetic vocabulary written in the test;
// every expectation is derived by hand from the regex or the merge ranks.
#include <gtest/gtest.h>

#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/pretokenizer.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/unicode.h"

namespace llactr::llm {
namespace {

using Words = std::vector<std::string>;

TEST(PreTokenizer, Gpt2Regex) {
  // "  123": \s+(?!\S) leaves the last space to " ?\p{N}+"; the trailing newline is \s+.
  EXPECT_EQ(pre_tokenize("Hello world's  123 foo!!\n", PreTokenizer::Gpt2),
            (Words{"Hello", " world", "'s", " ", " 123", " foo", "!!", "\n"}));
  // Contractions are case-sensitive: "'M" is punctuation then a letter.
  EXPECT_EQ(pre_tokenize("I'M", PreTokenizer::Gpt2), (Words{"I", "'", "M"}));
  EXPECT_EQ(pre_tokenize("\n\nHi", PreTokenizer::Gpt2), (Words{"\n", "\n", "Hi"}));
  EXPECT_EQ(pre_tokenize("12345", PreTokenizer::Gpt2), (Words{"12345"}));
  EXPECT_EQ(pre_tokenize("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC", PreTokenizer::Gpt2),
            (Words{"caf\xC3\xA9", " \xE6\x97\xA5\xE6\x9C\xAC"}));
  EXPECT_TRUE(pre_tokenize("", PreTokenizer::Gpt2).empty());
}

TEST(PreTokenizer, Llama3Regex) {
  // The space before "123" is not taken by \p{N}{1,3}: it is \s+ on its own.
  EXPECT_EQ(pre_tokenize("Hello world's  123 foo!!\n", PreTokenizer::Llama3),
            (Words{"Hello", " world", "'s", " ", " ", "123", " foo", "!!\n"}));
  EXPECT_EQ(pre_tokenize("I'M", PreTokenizer::Llama3), (Words{"I", "'M"}));  // case-insensitive
  EXPECT_EQ(pre_tokenize("\n\nHi", PreTokenizer::Llama3), (Words{"\n\n", "Hi"}));  // \s*[\r\n]+
  EXPECT_EQ(pre_tokenize("12345", PreTokenizer::Llama3), (Words{"123", "45"}));
  EXPECT_EQ(pre_tokenize("(hi)", PreTokenizer::Llama3), (Words{"(hi", ")"}));  // [^\r\n\p{L}\p{N}]?\p{L}+
  EXPECT_EQ(pre_tokenize("a  \n b", PreTokenizer::Llama3), (Words{"a", "  \n", " b"}));
}

TEST(PreTokenizer, Qwen2AndSmollm) {
  EXPECT_EQ(pre_tokenize("x12345", PreTokenizer::Qwen2), (Words{"x", "1", "2", "3", "4", "5"}));
  EXPECT_EQ(pre_tokenize("I'M fine", PreTokenizer::Qwen2), (Words{"I", "'M", " fine"}));
  // smollm: digits split first, then gpt2 inside each piece ("x " ends a piece, so its space
  // stays a word of its own instead of joining the number as gpt2's " 12" would).
  EXPECT_EQ(pre_tokenize("x 12", PreTokenizer::Smollm), (Words{"x", " ", "1", "2"}));
  EXPECT_EQ(pre_tokenize("x 12", PreTokenizer::Gpt2), (Words{"x", " 12"}));
  EXPECT_EQ(pre_tokenize("ab12 c's", PreTokenizer::Smollm), (Words{"ab", "1", "2", " c", "'s"}));
}

TEST(PreTokenizer, NamesFromMetadata) {
  EXPECT_EQ(pre_tokenizer_from_name("default"), PreTokenizer::Gpt2);
  EXPECT_EQ(pre_tokenizer_from_name(""), PreTokenizer::Gpt2);
  EXPECT_EQ(pre_tokenizer_from_name("llama-bpe"), PreTokenizer::Llama3);
  EXPECT_EQ(pre_tokenizer_from_name("qwen2"), PreTokenizer::Qwen2);
  EXPECT_EQ(pre_tokenizer_from_name("smollm"), PreTokenizer::Smollm);
  EXPECT_THROW(pre_tokenizer_from_name("deepseek-coder"), std::runtime_error);
}

TEST(TokenizerUnicode, ByteMapAndCategories) {
  EXPECT_EQ(byte_to_unicode('A'), uint32_t('A'));
  EXPECT_EQ(byte_to_unicode(' '), 0x120u);   // "Ġ"
  EXPECT_EQ(byte_to_unicode('\n'), 0x10Au);  // "Ċ"
  EXPECT_EQ(byte_to_unicode(0xAD), 0x143u);  // the last of the 68 remapped bytes
  for (int b = 0; b < 256; ++b) EXPECT_EQ(unicode_to_byte(byte_to_unicode(uint8_t(b))), b);
  EXPECT_TRUE(is_letter(0xE9) && is_letter(0x65E5) && is_letter(0x3B1) && is_letter(0x436));
  EXPECT_FALSE(is_letter('1') || is_letter(0x1F600) || is_letter(' '));
  EXPECT_TRUE(is_number('7') && is_number(0x0663) && is_number(0xFF15));
  EXPECT_TRUE(is_whitespace(0x3000) && is_whitespace('\t') && !is_whitespace(0x200B));
}

// A byte-level vocabulary: the 256 byte characters (id = byte), then merged tokens.
Vocab byte_vocab(const std::vector<std::string>& merges, const std::string& pre,
                 const std::vector<std::string>& extra = {}) {
  Vocab v;
  v.model = "gpt2";
  v.pre = pre;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(bytes_to_unicode_text(std::string(1, char(b))));
  for (const std::string& m : merges) {
    std::string t = m;
    t.erase(t.find(' '), 1);
    v.tokens.push_back(t);
  }
  for (const std::string& t : extra) v.tokens.push_back(t);
  v.merges = merges;
  v.bos_id = v.eos_id = -1;
  return v;
}

TEST(TokenizerBpe, LowestRankMergesFirst) {
  // "abc": with "b c" ranked before "a b" the result is a|bc, the other way round ab|c.
  const Tokenizer bc_first(byte_vocab({"b c", "a b"}, "default"));
  EXPECT_EQ(bc_first.encode("abc", false), (std::vector<int32_t>{'a', 256}));
  const Tokenizer ab_first(byte_vocab({"a b", "b c"}, "default"));
  EXPECT_EQ(ab_first.encode("abc", false), (std::vector<int32_t>{256, 'c'}));
  // Equal pairs: "a a" on "aaa" merges the leftmost pair first -> aa|a.
  const Tokenizer aa(byte_vocab({"a a"}, "default"));
  EXPECT_EQ(aa.encode("aaa", false), (std::vector<int32_t>{256, 'a'}));
}

TEST(TokenizerBpe, MergesAcrossAWordWithTheSpaceCharacter) {
  // " world" -> "Ġworld": Ġ w (0), o r (1), Ġw or (2), l d (3), Ġwor ld (4).
  const std::string G = "\xC4\xA0";  // "Ġ", the byte-level space
  const Tokenizer tok(byte_vocab({G + " w", "o r", G + "w or", "l d", G + "wor ld"}, "default"));
  EXPECT_EQ(tok.encode("hi world", false), (std::vector<int32_t>{'h', 'i', 260}));
  EXPECT_EQ(tok.token_to_piece(260), " world");
  // Bytes of a multi-byte character are byte tokens; decode gives the text back.
  const std::string text = "caf\xC3\xA9 world\n\xF0\x9F\x98\x80";
  const std::vector<int32_t> ids = tok.encode(text, false);
  EXPECT_EQ(ids, (std::vector<int32_t>{'c', 'a', 'f', 0xC3, 0xA9, 260, '\n', 0xF0, 0x9F, 0x98, 0x80}));
  EXPECT_EQ(tok.decode(ids), text);
}

TEST(TokenizerBpe, Llama3IgnoresMergesForWholeWordTokens) {
  const std::string G = "\xC4\xA0";
  // No merges at all, but " world" is a token: llama-bpe takes it whole, gpt2 cannot reach it.
  const Tokenizer llama3(byte_vocab({}, "llama-bpe", {G + "world"}));
  EXPECT_EQ(llama3.encode(" world", false), (std::vector<int32_t>{256}));
  const Tokenizer gpt2(byte_vocab({}, "default", {G + "world"}));
  EXPECT_EQ(gpt2.encode(" world", false).size(), 6u);
}

TEST(TokenizerBpe, VocabFromGgufMetadata) {
  gguf::GgufWriter w;
  Vocab v = byte_vocab({"a b"}, "qwen2");
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "qwen2");
  w.set_strings("tokenizer.ggml.tokens", v.tokens);
  w.set_strings("tokenizer.ggml.merges", v.merges);
  w.set_u32("tokenizer.ggml.bos_token_id", 256);
  w.set_u32("tokenizer.ggml.eos_token_id", 3);
  w.set_bool("tokenizer.ggml.add_bos_token", true);
  const Tokenizer tok(vocab_from_gguf(gguf::GgufFile::from_memory(w.to_bytes())));
  EXPECT_EQ(tok.bos(), 256);
  EXPECT_EQ(tok.eos(), 3);
  EXPECT_EQ(tok.encode("ab1"), (std::vector<int32_t>{256, 256, '1'}));  // BOS, "ab", "1"
  EXPECT_EQ(tok.encode("ab1", false), (std::vector<int32_t>{256, '1'}));

  w.set_u32("tokenizer.ggml.eos_token_id", 9999);
  EXPECT_THROW(vocab_from_gguf(gguf::GgufFile::from_memory(w.to_bytes())), std::runtime_error);
  w.set_u32("tokenizer.ggml.eos_token_id", 3);
  w.set_string("tokenizer.ggml.model", "bert");
  EXPECT_THROW(vocab_from_gguf(gguf::GgufFile::from_memory(w.to_bytes())), std::runtime_error);
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_strings("tokenizer.ggml.merges", {"nospace"});
  EXPECT_THROW(Tokenizer(vocab_from_gguf(gguf::GgufFile::from_memory(w.to_bytes()))), std::runtime_error);
}

}  // namespace
}  // namespace llactr::llm
