// A tokenizer vocabulary as stored in GGUF metadata (tokenizer.ggml.*).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace llactr::gguf {
class GgufFile;
}

namespace llactr::llm {

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6,
};

struct Vocab {
  std::string model;                    // tokenizer.ggml.model: "llama" (SentencePiece) or "gpt2" (BPE)
  std::string pre;                      // tokenizer.ggml.pre ("" when absent)
  std::vector<std::string> tokens;      // tokenizer.ggml.tokens: [n_vocab] token texts
  std::vector<float> scores;            // tokenizer.ggml.scores: [n_vocab] (SentencePiece merge priority)
  std::vector<TokenType> types;         // tokenizer.ggml.token_type: [n_vocab]
  std::vector<std::string> merges;      // tokenizer.ggml.merges: "left right", rank = index (gpt2)
  int32_t bos_id = -1, eos_id = -1, unk_id = -1;  // -1 = none
  bool add_bos = false;                 // tokenizer.ggml.add_bos_token
  bool add_space_prefix = true;         // tokenizer.ggml.add_space_prefix (SentencePiece only)

  int32_t size() const { return int32_t(tokens.size()); }
};

// Reads the tokenizer.ggml.* keys. Defaults follow llama.cpp: for "llama" bos=1, eos=2, unk=0,
// add_bos=true; for "gpt2" bos=eos=11, add_bos=false except true for pre "llama-bpe"; explicit
// keys win. Missing tokens, array lengths that differ from the token count, or ids out of range
// throw std::runtime_error naming the key.
Vocab vocab_from_gguf(const gguf::GgufFile& file);

}  // namespace llactr::llm
