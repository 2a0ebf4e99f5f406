#include "llactr/llm/tokenizer/vocab.h"

#include <stdexcept>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::llm {

namespace {

void check_id(const gguf::GgufFile& f, const char* key, int32_t id, int32_t n) {
  if (id < -1 || id >= n)
    throw std::runtime_error(f.path() + ": " + key + " = " + std::to_string(id) +
                             " is outside the vocabulary of " + std::to_string(n) + " tokens");
}

// Optional token id; GGUF files write "none" as 0xFFFFFFFF (u32) or -1.
int32_t optional_id(const gguf::GgufFile& f, const std::string& key, int32_t def) {
  const gguf::Value* v = f.find(key);
  if (!v) return def;
  const int64_t id = f.get_i64(key);
  return (id == 0xFFFFFFFFLL || id < 0) ? -1 : int32_t(id);
}

}  // namespace

Vocab vocab_from_gguf(const gguf::GgufFile& f) {
  Vocab v;
  v.model = f.get_string("tokenizer.ggml.model");
  v.pre = f.get_string("tokenizer.ggml.pre", "");
  v.tokens = f.get_string_array("tokenizer.ggml.tokens");
  const int32_t n = v.size();
  if (n == 0) throw std::runtime_error(f.path() + ": tokenizer.ggml.tokens is empty");

  if (f.has("tokenizer.ggml.scores")) v.scores = f.get_f32_array("tokenizer.ggml.scores");
  if (f.has("tokenizer.ggml.token_type"))
    for (int64_t t : f.get_int_array("tokenizer.ggml.token_type")) v.types.push_back(TokenType(t));
  if (f.has("tokenizer.ggml.merges")) v.merges = f.get_string_array("tokenizer.ggml.merges");
  if (v.scores.empty()) v.scores.assign(n, 0.0f);
  if (v.types.empty()) v.types.assign(n, TokenType::Normal);
  if (int32_t(v.scores.size()) != n || int32_t(v.types.size()) != n)
    throw std::runtime_error(f.path() + ": tokenizer.ggml.scores/token_type length differs from the " +
                             std::to_string(n) + " tokens");

  if (v.model == "llama") {
    v.bos_id = 1, v.eos_id = 2, v.unk_id = 0, v.add_bos = true;
  } else if (v.model == "gpt2") {
    v.bos_id = 11, v.eos_id = 11, v.add_bos = v.pre == "llama-bpe" || v.pre == "llama3";
  } else {
    throw std::runtime_error(f.path() + ": tokenizer.ggml.model '" + v.model +
                             "' is not supported (supported: llama, gpt2)");
  }
  for (int32_t* id : {&v.bos_id, &v.eos_id, &v.unk_id})
    if (*id >= n) *id = -1;  // a default that this (small) vocabulary does not have
  v.bos_id = optional_id(f, "tokenizer.ggml.bos_token_id", v.bos_id);
  v.eos_id = optional_id(f, "tokenizer.ggml.eos_token_id", v.eos_id);
  v.unk_id = optional_id(f, "tokenizer.ggml.unknown_token_id", v.unk_id);
  v.add_bos = f.get_bool("tokenizer.ggml.add_bos_token", v.add_bos);
  v.add_space_prefix = f.get_bool("tokenizer.ggml.add_space_prefix", v.model == "llama");
  check_id(f, "tokenizer.ggml.bos_token_id", v.bos_id, n);
  check_id(f, "tokenizer.ggml.eos_token_id", v.eos_id, n);
  check_id(f, "tokenizer.ggml.unknown_token_id", v.unk_id, n);
  return v;
}

}  // namespace llactr::llm
