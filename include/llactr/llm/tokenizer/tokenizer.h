// Text <-> token ids for the two GGUF tokenizer families:
//   "llama": SentencePiece BPE by scores (llama.cpp's llm_tokenizer_spm): a dummy-prefix space,
//            spaces -> U+2581, repeatedly merge the adjacent pair whose merged text is the
//            highest-scoring token, and <0xXX> byte tokens for anything left unknown.
//   "gpt2":  byte-level BPE (llm_tokenizer_bpe): pre-tokenize (llm/pretokenizer.h), map bytes
//            to printable code points, repeatedly merge the adjacent pair of lowest merge rank.
// Special tokens written in the text (e.g. "<s>") are not parsed: they encode as plain text.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "llactr/llm/tokenizer/pretokenizer.h"
#include "llactr/llm/tokenizer/vocab.h"

namespace llactr::llm {

class Tokenizer {
 public:
  // Throws std::runtime_error for an unsupported model or pre-tokenizer, or a malformed merge.
  explicit Tokenizer(Vocab vocab);

  // Token ids of `text`, after BOS when add_bos and the vocabulary has one.
  std::vector<int32_t> encode(std::string_view text, bool add_bos) const;
  // encode() with the model's own add_bos_token setting.
  std::vector<int32_t> encode(std::string_view text) const { return encode(text, vocab_.add_bos); }

  // The text of one token as generation prints it: "▁" -> " " and <0xXX> -> the byte
  // (SentencePiece), byte-level characters -> bytes (gpt2); control tokens (BOS/EOS) -> "".
  // Throws std::out_of_range for an id outside the vocabulary.
  std::string token_to_piece(int32_t id) const;

  // Concatenated pieces; for SentencePiece the dummy-prefix space of the first piece is removed,
  // so decode(encode(text)) == text.
  std::string decode(const std::vector<int32_t>& ids) const;

  const Vocab& vocab() const { return vocab_; }
  int32_t bos() const { return vocab_.bos_id; }
  int32_t eos() const { return vocab_.eos_id; }
  int32_t n_vocab() const { return vocab_.size(); }
  int32_t token_id(std::string_view text) const;  // -1 if no token has exactly this text

 private:
  void encode_spm(std::string_view text, std::vector<int32_t>& out) const;
  void encode_bpe(std::string_view text, std::vector<int32_t>& out) const;
  int32_t byte_token(uint8_t byte) const;  // SentencePiece <0xXX> fallback
  int merge_rank(std::string_view left, std::string_view right) const;  // -1 if not a merge

  Vocab vocab_;
  bool is_spm_ = true;
  PreTokenizer pre_ = PreTokenizer::Gpt2;
  bool ignore_merges_ = false;  // llama3: a word that is already a token is not split
  std::unordered_map<std::string, int32_t> token_ids_;
  std::unordered_map<std::string, int> merge_ranks_;  // key: left + ' ' + right
};

}  // namespace llactr::llm
